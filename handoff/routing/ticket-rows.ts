// What both engines' ticket stores share around their SQL: the row, the ticket made of it, the checks before an
// answer and the chat message that carries the answer, and the list's page size.
import type { Lang } from '../../knowledge/types.ts';
import type { StoredMessage } from '../conversations/conversation-store.ts';
import { ConflictError, ForbiddenError } from '../platform/errors.ts';
import type { Ticket, TicketReason, TicketStatus } from './tickets.ts';

export interface TicketRow {
  id: number;
  conversation_id: string | null;
  group_id: string;
  lang: Lang;
  contact: string;
  text: string;
  reason: TicketReason;
  status: TicketStatus;
  answer: string | null;
  answered_by: string | null;
  answered_at: string | null;
  answer_message_id: number | null;
  created_at: string;
}

/** Range 1-500; default 200 (TicketListOptions.limit). */
export const DEFAULT_TICKET_LIST_LIMIT = 200;
const MAX_TICKET_LIST_LIMIT = 500;

/** A list's page size: the caller's limit within 1 and the maximum. */
export function ticketListLimit(limit: number): number {
  return Math.max(1, Math.min(Math.trunc(limit), MAX_TICKET_LIST_LIMIT));
}

/** ForbiddenError when the ticket is not of one of `groups` (undefined: every group); ConflictError when it was answered. */
export function assertAnswerable(row: TicketRow, groups: readonly string[] | undefined): void {
  if (groups && !groups.includes(row.group_id)) {
    throw new ForbiddenError(`handoff: ticket ${row.id} belongs to group ${row.group_id}, not one of yours`);
  }
  if (row.status === 'answered') throw new ConflictError(`handoff: ticket ${row.id} was already answered`);
}

/** The agent message, stored as `id` at `createdAt`, that carries an answer into the ticket's chat. */
export function ticketAnswerMessage(
  id: number,
  conversationId: string,
  input: { agentId: string; text: string },
  createdAt: string,
): StoredMessage {
  return { id, conversationId, author: 'agent', text: input.text, kind: 'ticket_answer', agentId: input.agentId, createdAt };
}

export function toTicket(row: TicketRow): Ticket {
  const ticket: Ticket = {
    id: row.id,
    groupId: row.group_id,
    lang: row.lang,
    contact: row.contact,
    text: row.text,
    reason: row.reason,
    status: row.status,
    createdAt: row.created_at,
  };
  if (row.conversation_id !== null) ticket.conversationId = row.conversation_id;
  if (row.answer !== null) ticket.answer = row.answer;
  if (row.answered_by !== null) ticket.answeredBy = row.answered_by;
  if (row.answered_at !== null) ticket.answeredAt = row.answered_at;
  if (row.answer_message_id !== null) ticket.answerMessageId = Number(row.answer_message_id);
  return ticket;
}
