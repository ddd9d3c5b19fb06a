// The UnitOfWork on PostgreSQL: one pooled connection holds BEGIN … COMMIT across the unit's awaits, and every
// postgres-* store call made inside it runs on that connection (PgDb.query follows the AsyncLocalStorage
// scope). Unlike SQLite's single connection, other callers keep their own connections meanwhile: nothing waits
// on a gate, and row locks decide what must be decided once.
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import type { PgDb } from './pg-db.ts';

export function createPostgresUnitOfWork(db: PgDb): UnitOfWork {
  return {
    withTransaction: (work) => db.transaction(work),
    afterCommit(effect) {
      const unit = db.scope.getStore();
      if (unit) unit.afterCommit.push(effect);
      else effect();
    },
  };
}
