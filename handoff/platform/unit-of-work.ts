// The unit-of-work port: a route that changes several stores (a block and its audit row, a draft and its
// audit row) runs them through withTransaction, so that they are kept together or not at all, on whatever
// engine the stores live on. Stores join the open unit by themselves: a route passes no handle around.

export interface UnitOfWork {
  /**
   * Runs `work`; every store write it makes commits when it resolves and is rolled back when it throws (the
   * error is rethrown). A call inside an open unit joins it. Keep `work` to store calls and pure code: the
   * unit holds the database's write side while it runs.
   */
  withTransaction<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Runs `effect` once the open unit has committed (never if it rolls back), or at once outside a unit. For
   * state kept beside the database (an in-memory gate) that must not run ahead of what was stored.
   */
  afterCommit(effect: () => void): void;
}
