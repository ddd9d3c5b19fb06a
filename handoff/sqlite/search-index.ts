// Indexes stored messages into the FTS5 transcript index in batches, off the chat request path (migration 005).
import type Database from 'better-sqlite3';

type Db = Database.Database;

/**
 * Most messages indexed in one transaction (one new FTS5 segment). Larger batches cost less per message but
 * hold the event loop longer: 500 take a few milliseconds. Range 50-10000; default 500.
 */
export const SEARCH_INDEX_BATCH = 500;

export interface SearchIndexer {
  /**
   * Indexes one batch of the backlog (at most `maxMessages`, default SEARCH_INDEX_BATCH); `more` tells whether
   * messages are still waiting. Takes no lock and writes nothing when there are none.
   */
  step(maxMessages?: number): { indexed: number; more: boolean };
  /** Indexes the whole backlog: after it, every message stored so far is searchable. Returns how many it indexed. */
  catchUp(): number;
}

interface Progress {
  mark: number | null;
  top: number | null;
}

/** One indexer per connection, its statements prepared once. */
const indexers = new WeakMap<Db, SearchIndexer>();

/**
 * The indexer of this connection's database, or undefined on a schema before migration 005, where the
 * triggers of migration 004 index every message as it is stored (nothing to catch up).
 */
export function searchIndexer(db: Db): SearchIndexer | undefined {
  const known = indexers.get(db);
  if (known) return known;
  const hasProgress = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'messages_fts_progress'")
    .pluck()
    .get();
  if (!hasProgress) return undefined;
  const indexer = createSearchIndexer(db);
  indexers.set(db, indexer);
  return indexer;
}

function createSearchIndexer(db: Db): SearchIndexer {
  // Both ends in one read: no write lock is taken when nothing waits.
  const selectProgress = db.prepare<[], Progress>(`
    SELECT (SELECT indexed_through FROM messages_fts_progress WHERE id = 1) AS mark,
           (SELECT max(id) FROM messages) AS top`);
  // The last id of the next batch (message ids have gaps: rolled-back and deleted messages).
  const selectBatchEnd = db
    .prepare<[number, number], number | null>('SELECT max(id) FROM (SELECT id FROM messages WHERE id > ? ORDER BY id LIMIT ?)')
    .pluck();
  const indexRange = db.prepare<[number, number]>(
    'INSERT INTO messages_fts (rowid, text) SELECT id, text FROM messages WHERE id > ? AND id <= ?',
  );
  const setMark = db.prepare<[number]>('UPDATE messages_fts_progress SET indexed_through = ? WHERE id = 1');

  // IMMEDIATE: the mark is read again under the write lock, so two connections never index a message twice.
  const indexBatch = db.transaction((batchSize: number): { indexed: number; more: boolean } => {
    const { mark, top } = selectProgress.get()!;
    if (mark === null || top === null || top <= mark) return { indexed: 0, more: false };
    const end = selectBatchEnd.get(mark, batchSize) ?? null;
    if (end === null) return { indexed: 0, more: false };
    const { changes } = indexRange.run(mark, end);
    setMark.run(end);
    return { indexed: changes, more: end < top };
  });

  const step = (maxMessages = SEARCH_INDEX_BATCH) => {
    const { mark, top } = selectProgress.get()!;
    if (mark === null || top === null || top <= mark) return { indexed: 0, more: false };
    return indexBatch.immediate(Math.max(1, Math.trunc(maxMessages)));
  };

  return {
    step,
    catchUp() {
      let indexed = 0;
      for (;;) {
        const batch = step();
        indexed += batch.indexed;
        if (!batch.more) return indexed;
      }
    },
  };
}
