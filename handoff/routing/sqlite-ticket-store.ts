// The TicketStore on better-sqlite3 (table tickets of migration 003).
import { type Clock, systemClock } from '../platform/clock.ts';
import type { StoredMessage } from '../conversations/conversation-store.ts';
import { assertAnswerable, DEFAULT_TICKET_LIST_LIMIT, ticketAnswerMessage, ticketListLimit, toTicket, type TicketRow } from './ticket-rows.ts';
import type { Db } from '../sqlite/db.ts';
import { gated } from '../sqlite/unit-of-work.ts';
import { ConflictError, NotFoundError } from '../platform/errors.ts';
import type { NewTicket, Ticket, TicketStore } from './tickets.ts';

export function createSqliteTicketStore(db: Db, clock: Clock = systemClock): TicketStore {
  const insert = db.prepare(`
    INSERT INTO tickets (conversation_id, group_id, lang, contact, text, reason, status, created_at)
    VALUES (@conversationId, @groupId, @lang, @contact, @text, @reason, 'open', @now)`);
  const selectOne = db.prepare<[number], TicketRow>('SELECT * FROM tickets WHERE id = ?');
  const selectOpenFor = db.prepare<[string], { id: number }>(
    "SELECT id FROM tickets WHERE conversation_id = ? AND status = 'open' LIMIT 1",
  );
  const selectList = db.prepare<[string | null, string | null, string | null, string | null, number], TicketRow>(`
    SELECT * FROM tickets
    WHERE (? IS NULL OR status = ?) AND (? IS NULL OR group_id IN (SELECT value FROM json_each(?)))
    ORDER BY status = 'answered', CASE status WHEN 'open' THEN id ELSE -id END
    LIMIT ?`);
  const markAnswered = db.prepare(`
    UPDATE tickets SET status = 'answered', answer = @answer, answered_by = @agentId, answered_at = @now
    WHERE id = @id AND status = 'open'`);
  const conversationExists = db.prepare<[string], { id: string }>('SELECT id FROM conversations WHERE id = ?');
  const insertMessage = db.prepare(`
    INSERT INTO messages (conversation_id, author, text, kind, agent_id, created_at)
    VALUES (@conversationId, 'agent', @text, 'ticket_answer', @agentId, @now)`);
  const touch = db.prepare('UPDATE conversations SET updated_at = ? WHERE id = ?');
  const setAnswerMessage = db.prepare('UPDATE tickets SET answer_message_id = ? WHERE id = ?');
  const selectForConversation = db.prepare<[string], TicketRow>('SELECT * FROM tickets WHERE conversation_id = ? ORDER BY id');

  function ticketOrThrow(id: number): TicketRow {
    const row = selectOne.get(id);
    if (!row) throw new NotFoundError(`handoff: no ticket ${id}`);
    return row;
  }

  const createTx = db.transaction((ticket: NewTicket): Ticket => {
    if (selectOpenFor.get(ticket.conversationId)) {
      throw new ConflictError('handoff: a message from this chat is already waiting for an answer');
    }
    const { lastInsertRowid } = insert.run({ ...ticket, now: clock().toISOString() });
    return toTicket(ticketOrThrow(Number(lastInsertRowid)));
  });

  const answerTx = db.transaction((id: number, input: { agentId: string; text: string; groups?: readonly string[] }) => {
    const row = ticketOrThrow(id);
    assertAnswerable(row, input.groups);
    const now = clock().toISOString();
    markAnswered.run({ id, answer: input.text, agentId: input.agentId, now });
    let message: StoredMessage | undefined;
    if (row.conversation_id !== null && conversationExists.get(row.conversation_id)) {
      const { lastInsertRowid } = insertMessage.run({ conversationId: row.conversation_id, text: input.text, agentId: input.agentId, now });
      touch.run(now, row.conversation_id);
      setAnswerMessage.run(Number(lastInsertRowid), id);
      message = ticketAnswerMessage(Number(lastInsertRowid), row.conversation_id, input, now);
    }
    return message ? { ticket: toTicket(ticketOrThrow(id)), message } : { ticket: toTicket(ticketOrThrow(id)) };
  });

  return gated(db, {
    async create(ticket) {
      return createTx.immediate(ticket);
    },
    async get(id) {
      return toTicket(ticketOrThrow(id));
    },
    async list({ status, groups, limit = DEFAULT_TICKET_LIST_LIMIT } = {}) {
      const capped = ticketListLimit(limit);
      const groupFilter = groups === undefined ? null : JSON.stringify(groups);
      return selectList.all(status ?? null, status ?? null, groupFilter, groupFilter, capped).map(toTicket);
    },
    async answer(id, input) {
      return answerTx.immediate(id, input);
    },
    async listForConversation(conversationId) {
      return selectForConversation.all(conversationId).map(toTicket);
    },
  });
}
