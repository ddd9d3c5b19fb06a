// How the nodes of one deployment tell each other that visitor blocks changed, so that every node's in-memory
// gate follows the database within a second. One process needs none of it (localBlockNotices); several nodes
// use Redis (redis-block-notices.ts).

export interface BlockNotices {
  /** Whether there are other nodes to tell: false in one process, where this node's gate is the only one. */
  readonly shared: boolean;
  /** After a block or lift has committed: tells the other nodes. Never rejects (the nodes' polling catches up). */
  changed(): Promise<void>;
  /**
   * Calls `onChange` whenever another node may have changed the blocks (a notice, or a change seen by polling,
   * should a notice be lost). Resolves once listening: load the blocks after it, not before, so that no change
   * falls between the load and the listening. Returns the function that stops listening.
   */
  watch(onChange: () => void): Promise<() => Promise<void>>;
}

export const localBlockNotices: BlockNotices = {
  shared: false,
  async changed() {},
  async watch() {
    return async () => {};
  },
};
