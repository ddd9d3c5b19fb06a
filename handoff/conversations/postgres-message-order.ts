// Message ids on PostgreSQL become visible in id order: the lock every transaction that stores a message takes first.
//
// Message ids are the cursors live streams resume from (?after=<id>, Last-Event-ID; transcript-store.ts
// messagesAfter). A sequence hands out ids in call order, but transactions commit in any order: were node A to
// take id 10 and node B id 11, B committing first, a stream reading "after 9" would see 11, move its cursor to 11
// and never read 10 once A commits. SQLite never had this (one writer at a time). Here every transaction that
// inserts a message first takes one cluster-wide advisory lock, held until it commits or rolls back, and only
// then draws its ids: the next writer draws its ids after that commit, so whatever a reader sees is a gap-free
// prefix of what will ever be stored (a rolled-back id is a gap that never fills, which a cursor may skip).
// The price is that message writes are serialised across nodes for the few milliseconds of a turn; every
// such transaction takes its row locks (the conversation's) before this lock, so the order of locks is the
// same everywhere and they cannot deadlock on it.
// A store may take the lock inside the statement that inserts (messageOrderCtes): one round trip instead of two,
// and valid in autocommit too, since that statement is then its own transaction and holds the lock to its end.
import type { PgDb } from '../postgres/pg-db.ts';

/** The advisory lock's key pair (class, object): any constants no other lock of this application uses. */
export const MESSAGE_INSERT_LOCK: readonly [number, number] = [727, 1];

const LOCK_CALL = `pg_advisory_xact_lock(${MESSAGE_INSERT_LOCK[0]}, ${MESSAGE_INSERT_LOCK[1]})`;
const NEXT_MESSAGE_ID = "nextval(pg_get_serial_sequence('messages', 'id'))";

/**
 * WITH-clause entries that take the message-order lock and then draw `count` message ids, one after the other, as
 * `${name}1` … `${name}N` (each a one-row CTE with column `id`), for an INSERT in the same statement to use. `after`
 * names a CTE whose rows must exist first (the conversation's UPDATE, so its row lock is taken before this lock):
 * the lock is taken once per row of it, so none means no lock and no ids. The chain of reads is what orders the
 * steps: each CTE is materialized and reads the one before it, so PostgreSQL cannot draw an id before the lock is
 * held nor the second before the first (the visitor's message before the reply, as on SQLite).
 */
export function messageOrderCtes(count: number, name: string, after?: string): string {
  const ctes = [`${name}_lock AS MATERIALIZED (SELECT ${LOCK_CALL}${after ? ` FROM ${after}` : ''})`];
  for (let i = 1; i <= count; i++) {
    ctes.push(`${name}${i} AS MATERIALIZED (SELECT ${NEXT_MESSAGE_ID} AS id FROM ${i === 1 ? `${name}_lock` : `${name}${i - 1}`})`);
  }
  return ctes.join(',\n');
}

/**
 * Takes the message-order lock for the caller's transaction (released at its end). Must be called inside
 * `db.transaction` (or a unit of work), right before the first message insert; taking it again is harmless.
 */
export async function lockMessageOrder(db: PgDb): Promise<void> {
  if (!db.scope.getStore()) throw new Error('handoff/conversations: lockMessageOrder outside a transaction would release at once');
  await db.query(`SELECT ${LOCK_CALL}`);
}
