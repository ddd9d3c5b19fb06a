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
import type { PgDb } from '../postgres/pg-db.ts';

/** The advisory lock's key pair (class, object): any constants no other lock of this application uses. */
export const MESSAGE_INSERT_LOCK: readonly [number, number] = [727, 1];

/**
 * Takes the message-order lock for the caller's transaction (released at its end). Must be called inside
 * `db.transaction` (or a unit of work), right before the first message insert; taking it again is harmless.
 */
export async function lockMessageOrder(db: PgDb): Promise<void> {
  if (!db.scope.getStore()) throw new Error('handoff/conversations: lockMessageOrder outside a transaction would release at once');
  await db.query('SELECT pg_advisory_xact_lock($1, $2)', [MESSAGE_INSERT_LOCK[0], MESSAGE_INSERT_LOCK[1]]);
}
