// The ParticipantStore on better-sqlite3 (migration 023): an invitation's checks and its insert in one IMMEDIATE
// transaction, so two invitations racing for the last place cannot both get it.
import { type Clock, systemClock } from '../platform/clock.ts';
import { ConflictError } from '../platform/errors.ts';
import type { Db } from '../sqlite/db.ts';
import { gated } from '../sqlite/unit-of-work.ts';
import { RESPONSE_FROM, toConsultNote, toParticipant, type ConsultNoteRow, type Holding, type ParticipantRow, type ParticipantStore } from './participant-store.ts';

const OPEN = "state IN ('invited', 'joined')";

export function createSqliteParticipantStore(db: Db, { clock = systemClock }: { clock?: Clock } = {}): ParticipantStore {
  const selectCurrent = db.prepare<Holding, ParticipantRow>(`
    SELECT * FROM conversation_participants
    WHERE conversation_id = @conversationId AND owner_id = @ownerId AND owner_assigned_at = @ownerAssignedAt AND ${OPEN}
    ORDER BY id`);
  const selectOpen = db.prepare<[string], ParticipantRow>(`SELECT * FROM conversation_participants WHERE agent_id = ? AND ${OPEN} ORDER BY id`);
  const selectOne = db.prepare<Holding & { agentId: string; state: string }, ParticipantRow>(`
    SELECT * FROM conversation_participants
    WHERE conversation_id = @conversationId AND owner_id = @ownerId AND owner_assigned_at = @ownerAssignedAt
      AND agent_id = @agentId AND state = @state`);
  const selectById = db.prepare<[number], ParticipantRow>('SELECT * FROM conversation_participants WHERE id = ?');
  const insert = db.prepare(`
    INSERT INTO conversation_participants (conversation_id, agent_id, owner_id, owner_assigned_at, invited_by, state, note, invited_at)
    VALUES (@conversationId, @agentId, @ownerId, @ownerAssignedAt, @invitedBy, 'invited', @note, @now)`);
  const update = db.prepare<{ id: number; state: string; now: string; joined: number }>(`
    UPDATE conversation_participants
    SET state = @state,
        joined_at = CASE WHEN @joined = 1 THEN @now ELSE joined_at END,
        ended_at = CASE WHEN @joined = 1 THEN ended_at ELSE @now END
    WHERE id = @id`);
  const expireOne = db.prepare<[string, number]>(`UPDATE conversation_participants SET state = 'ended', ended_at = ? WHERE id = ? AND ${OPEN}`);
  const insertNote = db.prepare(`
    INSERT INTO consult_notes (conversation_id, author_id, to_agent_id, text, created_at)
    VALUES (@conversationId, @authorId, @toAgentId, @text, @now)`);
  const selectNote = db.prepare<[number], ConsultNoteRow>('SELECT * FROM consult_notes WHERE id = ?');
  const selectNotes = db.prepare<[string, number], ConsultNoteRow>(`
    SELECT * FROM (SELECT * FROM consult_notes WHERE conversation_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id`);
  const selectAskedOf = db.prepare<[string, number], ConsultNoteRow>('SELECT * FROM consult_notes WHERE to_agent_id = ? ORDER BY id DESC LIMIT ?');

  const inviteTx = db.transaction((holding: Holding, input: Parameters<ParticipantStore['invite']>[1]) => {
    if (input.agentId === holding.ownerId) throw new ConflictError('handoff: the holder is in the chat already', 'holder');
    const open = selectCurrent.all(holding);
    if (open.some((p) => p.agent_id === input.agentId)) throw new ConflictError('handoff: that colleague is invited to this chat already', 'already_invited');
    if (open.length >= input.max) throw new ConflictError(`handoff: a chat takes at most ${input.max} colleagues`, 'chat_full');
    const { lastInsertRowid } = insert.run({ ...holding, agentId: input.agentId, invitedBy: input.invitedBy, note: input.note ?? '', now: clock().toISOString() });
    return toParticipant(selectById.get(Number(lastInsertRowid))!);
  });

  const respondTx = db.transaction((holding: Holding, agentId: string, to: 'joined' | 'declined' | 'left') => {
    const { from, code } = RESPONSE_FROM[to];
    const row = selectOne.get({ ...holding, agentId, state: from });
    if (!row) throw new ConflictError(to === 'left' ? 'handoff: you are not in this chat' : 'handoff: no open invitation to this chat', code);
    update.run({ id: row.id, state: to, now: clock().toISOString(), joined: to === 'joined' ? 1 : 0 });
    return toParticipant(selectById.get(row.id)!);
  });

  const expireTx = db.transaction((ids: readonly number[]) => {
    const now = clock().toISOString();
    for (const id of ids) expireOne.run(now, id);
  });

  return gated(db, {
    async current(holding) {
      return selectCurrent.all(holding).map(toParticipant);
    },
    async open(agentId) {
      return selectOpen.all(agentId).map(toParticipant);
    },
    async expire(ids) {
      if (ids.length > 0) expireTx(ids);
    },
    async invite(holding, input) {
      return inviteTx.immediate(holding, input);
    },
    async respond(holding, agentId, to) {
      return respondTx.immediate(holding, agentId, to);
    },
    async addNote(conversationId, note) {
      const { lastInsertRowid } = insertNote.run({ conversationId, authorId: note.authorId, toAgentId: note.toAgentId ?? null, text: note.text, now: clock().toISOString() });
      return toConsultNote(selectNote.get(Number(lastInsertRowid))!);
    },
    async notes(conversationId, limit) {
      return selectNotes.all(conversationId, limit).map(toConsultNote);
    },
    async askedOf(agentId, limit) {
      return selectAskedOf.all(agentId, limit).map(toConsultNote);
    },
  });
}
