// Messages left by visitors when nobody could take the chat (outside hours, nobody in the group):
// contact + text, seen and answered by agents of the group on the next shift.
import type { Lang } from '../../knowledge/types.ts';
import type { StoredMessage } from '../conversations/conversation-store.ts';

export type TicketStatus = 'open' | 'answered';
export const TICKET_STATUSES: readonly TicketStatus[] = ['open', 'answered'];

/** Why the visitor left a message rather than waited. */
export type TicketReason = 'outside_hours' | 'no_agents' | 'by_choice';

export interface Ticket {
  id: number;
  /** The chat it was left from (absent if that conversation was deleted). */
  conversationId?: string;
  groupId: string;
  lang: Lang;
  /** How to reach the visitor (phone number, e-mail ...), as they typed it. */
  contact: string;
  text: string;
  reason: TicketReason;
  status: TicketStatus;
  answer?: string;
  answeredBy?: string;
  answeredAt?: string;
  /** The agent message that carries the answer in the chat (absent when the chat was gone when answered). */
  answerMessageId?: number;
  createdAt: string;
}

/** A left message as its visitor sees it (GET /api/conversations/:id/tickets): no contact, no agent id, no group. */
export interface VisitorTicket {
  id: number;
  text: string;
  status: TicketStatus;
  createdAt: string;
  answer?: string;
  answeredAt?: string;
  answerMessageId?: number;
}

/** What a visitor is shown of their ticket. */
export function visitorTicket(t: Ticket): VisitorTicket {
  const out: VisitorTicket = { id: t.id, text: t.text, status: t.status, createdAt: t.createdAt };
  if (t.answer !== undefined) out.answer = t.answer;
  if (t.answeredAt !== undefined) out.answeredAt = t.answeredAt;
  if (t.answerMessageId !== undefined) out.answerMessageId = t.answerMessageId;
  return out;
}

export interface NewTicket {
  conversationId: string;
  groupId: string;
  lang: Lang;
  contact: string;
  text: string;
  reason: TicketReason;
}

export interface TicketListOptions {
  status?: TicketStatus;
  /** Only these groups; undefined = every group (admins). */
  groups?: readonly string[];
  /** At most this many. Range 1-500; default 200. */
  limit?: number;
}

export interface TicketStore {
  /** ConflictError while the same conversation still has an open ticket (one message waiting is enough). */
  create(ticket: NewTicket): Promise<Ticket>;
  /** NotFoundError when unknown. */
  get(id: number): Promise<Ticket>;
  /** Open tickets oldest first (worked in order); answered ones newest first. */
  list(options?: TicketListOptions): Promise<Ticket[]>;
  /** The messages left from one conversation, oldest first (what its visitor sees again in the widget). */
  listForConversation(conversationId: string): Promise<Ticket[]>;
  /**
   * Marks the ticket answered and, when its conversation still exists, adds the answer to it as an agent
   * message (a visitor who comes back to the chat sees it). ConflictError when already answered;
   * ForbiddenError when `groups` is given and the ticket's group is not among them.
   */
  answer(id: number, input: { agentId: string; text: string; groups?: readonly string[] }): Promise<{ ticket: Ticket; message?: StoredMessage }>;
}
