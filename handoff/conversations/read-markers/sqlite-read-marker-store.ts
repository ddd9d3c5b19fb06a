// The read markers on better-sqlite3 (migration 024): the check that `upTo` is a message of the conversation and
// the forward-only upsert run in one synchronous call, so nothing can come between them on this one writer.
import type { Db } from '../../sqlite/db.ts';
import { gated } from '../../sqlite/unit-of-work.ts';
import { toReadState, type ReadMarkerStore } from './read-marker-store.ts';

export function createSqliteReadMarkerStore(db: Db): ReadMarkerStore {
  const isMessage = db.prepare<[number, string], number>('SELECT 1 FROM messages WHERE id = ? AND conversation_id = ?').pluck();
  // The WHERE of the update is what keeps a marker from moving back: an older or equal upTo changes no row.
  const upsert = db.prepare<{ conversationId: string; reader: string; upTo: number; at: string }>(`
    INSERT INTO read_markers (conversation_id, reader, up_to, read_at) VALUES (@conversationId, @reader, @upTo, @at)
    ON CONFLICT (conversation_id, reader) DO UPDATE SET up_to = excluded.up_to, read_at = excluded.read_at
    WHERE excluded.up_to > read_markers.up_to`);
  const select = db.prepare<[string], { reader: string; up_to: number; read_at: string }>(
    'SELECT reader, up_to, read_at FROM read_markers WHERE conversation_id = ?',
  );

  return gated(db, {
    async mark(conversationId, reader, upTo, at) {
      if (!Number.isSafeInteger(upTo) || upTo <= 0 || isMessage.get(upTo, conversationId) === undefined) return { kind: 'not_a_message' as const };
      const { changes } = upsert.run({ conversationId, reader, upTo, at: at.toISOString() });
      return { kind: changes > 0 ? ('moved' as const) : ('kept' as const), state: toReadState(select.all(conversationId)) };
    },
    async get(conversationId) {
      return toReadState(select.all(conversationId));
    },
  });
}
