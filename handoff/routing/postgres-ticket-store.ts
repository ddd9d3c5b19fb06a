// The TicketStore on PostgreSQL (DATABASE_URL): sqlite-ticket-store.ts with row locks deciding its two races.
import { type Clock, systemClock } from '../platform/clock.ts';
import type { StoredMessage } from '../conversations/conversation-store.ts';
import { assertAnswerable, DEFAULT_TICKET_LIST_LIMIT, ticketAnswerMessage, ticketListLimit, toTicket, type TicketRow } from './ticket-rows.ts';
import { lockMessageOrder } from '../conversations/postgres-message-order.ts';
import type { PgDb } from '../postgres/pg-db.ts';
import { ConflictError, NotFoundError } from '../platform/errors.ts';
import type { NewTicket, TicketStore } from './tickets.ts';

export function createPostgresTicketStore(db: PgDb, clock: Clock = systemClock): TicketStore {
  async function ticketOrThrow(id: number, lock = false): Promise<TicketRow> {
    const row = await db.one<TicketRow>(`SELECT * FROM tickets WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    if (!row) throw new NotFoundError(`handoff: no ticket ${id}`);
    return row;
  }

  return {
    async create(ticket: NewTicket) {
      return db.transaction(async () => {
        // One open ticket per chat, also when two nodes take the same visitor's message at once: the
        // conversation's row lock makes the second wait and then see the first's ticket. (An unknown
        // conversation locks nothing; the insert's foreign key then refuses it, as on SQLite.)
        await db.query('SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE', [ticket.conversationId]);
        const open = await db.one("SELECT id FROM tickets WHERE conversation_id = $1 AND status = 'open' LIMIT 1", [ticket.conversationId]);
        if (open) throw new ConflictError('handoff: a message from this chat is already waiting for an answer');
        const row = await db.one<TicketRow>(
          `INSERT INTO tickets (conversation_id, group_id, lang, contact, text, reason, status, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, 'open', $7) RETURNING *`,
          [ticket.conversationId, ticket.groupId, ticket.lang, ticket.contact, ticket.text, ticket.reason, clock().toISOString()],
        );
        return toTicket(row!);
      });
    },

    async get(id) {
      return toTicket(await ticketOrThrow(id));
    },

    async list({ status, groups, limit = DEFAULT_TICKET_LIST_LIMIT } = {}) {
      const capped = ticketListLimit(limit);
      const rows = await db.query<TicketRow>(
        `SELECT * FROM tickets
         WHERE ($1::text IS NULL OR status = $1) AND ($2::text[] IS NULL OR group_id = ANY($2::text[]))
         ORDER BY status = 'answered', CASE status WHEN 'open' THEN id ELSE -id END
         LIMIT $3`,
        [status ?? null, groups === undefined ? null : [...groups], capped],
      );
      return rows.map(toTicket);
    },

    async listForConversation(conversationId) {
      return (await db.query<TicketRow>('SELECT * FROM tickets WHERE conversation_id = $1 ORDER BY id', [conversationId])).map(toTicket);
    },

    async answer(id, input) {
      return db.transaction(async () => {
        // The conversation's row first, then the ticket's (the order every writer of both takes, an erase
        // included), so two answers cannot deadlock; with the ticket locked, of two agents answering at
        // once the second reads 'answered' and gets the conflict.
        const first = await ticketOrThrow(id);
        if (first.conversation_id !== null) await db.query('SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE', [first.conversation_id]);
        const row = await ticketOrThrow(id, true);
        assertAnswerable(row, input.groups);
        const now = clock().toISOString();
        await db.run(
          "UPDATE tickets SET status = 'answered', answer = $2, answered_by = $3, answered_at = $4 WHERE id = $1 AND status = 'open'",
          [id, input.text, input.agentId, now],
        );
        let message: StoredMessage | undefined;
        const conversation =
          row.conversation_id === null ? undefined : await db.one('SELECT id FROM conversations WHERE id = $1', [row.conversation_id]);
        if (row.conversation_id !== null && conversation) {
          await lockMessageOrder(db);
          const inserted = await db.one<{ id: number }>(
            `INSERT INTO messages (conversation_id, author, text, kind, agent_id, created_at)
             VALUES ($1, 'agent', $2, 'ticket_answer', $3, $4) RETURNING id`,
            [row.conversation_id, input.text, input.agentId, now],
          );
          await db.run('UPDATE conversations SET updated_at = $1 WHERE id = $2', [now, row.conversation_id]);
          await db.run('UPDATE tickets SET answer_message_id = $1 WHERE id = $2', [inserted!.id, id]);
          message = ticketAnswerMessage(inserted!.id, row.conversation_id, input, now);
        }
        const ticket = toTicket(await ticketOrThrow(id));
        return message ? { ticket, message } : { ticket };
      });
    },
  };
}
