// The ParticipantStore on PostgreSQL (migration 007): an invitation's checks and insert run in one transaction under
// a lock of the chat's holding, so two nodes inviting at once cannot both take the last place.
import { type Clock, systemClock } from '../platform/clock.ts';
import { ConflictError } from '../platform/errors.ts';
import type { PgDb } from '../postgres/pg-db.ts';
import { RESPONSE_FROM, toConsultNote, toParticipant, type ConsultNoteRow, type Holding, type ParticipantRow, type ParticipantStore } from './participant-store.ts';

const OPEN = "state IN ('invited', 'joined')";
/** One lock per chat: its invitations queue up behind each other; nothing else takes it. */
const CHAT_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('handoff/participants:' || $1::text, 0))";
const CURRENT = `SELECT * FROM conversation_participants
  WHERE conversation_id = $1 AND owner_id = $2 AND owner_assigned_at = $3 AND ${OPEN} ORDER BY id`;

export function createPostgresParticipantStore(db: PgDb, { clock = systemClock }: { clock?: Clock } = {}): ParticipantStore {
  const current = (h: Holding) => db.query<ParticipantRow>(CURRENT, [h.conversationId, h.ownerId, h.ownerAssignedAt]);

  return {
    async current(holding) {
      return (await current(holding)).map(toParticipant);
    },
    async open(agentId) {
      return (await db.query<ParticipantRow>(`SELECT * FROM conversation_participants WHERE agent_id = $1 AND ${OPEN} ORDER BY id`, [agentId])).map(toParticipant);
    },
    async expire(ids) {
      if (ids.length === 0) return;
      await db.run(`UPDATE conversation_participants SET state = 'ended', ended_at = $1 WHERE id = ANY($2::bigint[]) AND ${OPEN}`, [clock().toISOString(), [...ids]]);
    },
    async invite(holding, input) {
      if (input.agentId === holding.ownerId) throw new ConflictError('handoff: the holder is in the chat already', 'holder');
      return db.transaction(async () => {
        await db.query(CHAT_LOCK, [holding.conversationId]);
        const open = await current(holding);
        if (open.some((p) => p.agent_id === input.agentId)) throw new ConflictError('handoff: that colleague is invited to this chat already', 'already_invited');
        if (open.length >= input.max) throw new ConflictError(`handoff: a chat takes at most ${input.max} colleagues`, 'chat_full');
        const row = await db.one<ParticipantRow>(
          `INSERT INTO conversation_participants (conversation_id, agent_id, owner_id, owner_assigned_at, invited_by, state, note, invited_at)
           VALUES ($1, $2, $3, $4, $5, 'invited', $6, $7) RETURNING *`,
          [holding.conversationId, input.agentId, holding.ownerId, holding.ownerAssignedAt, input.invitedBy, input.note ?? '', clock().toISOString()],
        );
        return toParticipant(row!);
      });
    },
    async respond(holding, agentId, to) {
      const { from, code } = RESPONSE_FROM[to];
      const now = clock().toISOString();
      // One conditional UPDATE: of an accept and a decline racing, one finds the row still invited.
      const row = await db.one<ParticipantRow>(
        `UPDATE conversation_participants
         SET state = $6,
             joined_at = CASE WHEN $6 = 'joined' THEN $7 ELSE joined_at END,
             ended_at = CASE WHEN $6 = 'joined' THEN ended_at ELSE $7 END
         WHERE conversation_id = $1 AND owner_id = $2 AND owner_assigned_at = $3 AND agent_id = $4 AND state = $5
         RETURNING *`,
        [holding.conversationId, holding.ownerId, holding.ownerAssignedAt, agentId, from, to, now],
      );
      if (!row) throw new ConflictError(to === 'left' ? 'handoff: you are not in this chat' : 'handoff: no open invitation to this chat', code);
      return toParticipant(row);
    },
    async addNote(conversationId, note) {
      const row = await db.one<ConsultNoteRow>(
        'INSERT INTO consult_notes (conversation_id, author_id, to_agent_id, text, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING *',
        [conversationId, note.authorId, note.toAgentId ?? null, note.text, clock().toISOString()],
      );
      return toConsultNote(row!);
    },
    async notes(conversationId, limit) {
      const rows = await db.query<ConsultNoteRow>('SELECT * FROM consult_notes WHERE conversation_id = $1 ORDER BY id DESC LIMIT $2', [conversationId, limit]);
      return rows.reverse().map(toConsultNote);
    },
    async askedOf(agentId, limit) {
      return (await db.query<ConsultNoteRow>('SELECT * FROM consult_notes WHERE to_agent_id = $1 ORDER BY id DESC LIMIT $2', [agentId, limit])).map(toConsultNote);
    },
  };
}
