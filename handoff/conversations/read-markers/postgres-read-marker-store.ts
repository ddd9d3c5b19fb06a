// The read markers on PostgreSQL (migration 008): one INSERT … SELECT both checks that `upTo` is a message of the
// conversation and moves the marker forward only, so two nodes marking at once leave the higher of the two.
import type { PgDb } from '../../postgres/pg-db.ts';
import { toReadState, type ReadMarkerStore } from './read-marker-store.ts';

export function createPostgresReadMarkerStore(db: PgDb): ReadMarkerStore {
  const get = async (conversationId: string) =>
    toReadState(await db.query<{ reader: string; up_to: string; read_at: string }>(
      'SELECT reader, up_to, read_at FROM read_markers WHERE conversation_id = $1',
      [conversationId],
    ));

  return {
    async mark(conversationId, reader, upTo, at) {
      if (!Number.isSafeInteger(upTo) || upTo <= 0) return { kind: 'not_a_message' };
      const moved = await db.one(
        `INSERT INTO read_markers (conversation_id, reader, up_to, read_at)
         SELECT conversation_id, $2, id, $4 FROM messages WHERE id = $3 AND conversation_id = $1
         ON CONFLICT (conversation_id, reader) DO UPDATE SET up_to = excluded.up_to, read_at = excluded.read_at
         WHERE read_markers.up_to < excluded.up_to
         RETURNING up_to`,
        [conversationId, reader, upTo, at.toISOString()],
      );
      if (moved) return { kind: 'moved', state: await get(conversationId) };
      // Nothing written: either no such message of this conversation, or the marker is there or past it already.
      const isMessage = await db.one('SELECT 1 FROM messages WHERE id = $1 AND conversation_id = $2', [upTo, conversationId]);
      return isMessage ? { kind: 'kept', state: await get(conversationId) } : { kind: 'not_a_message' };
    },
    get,
  };
}
