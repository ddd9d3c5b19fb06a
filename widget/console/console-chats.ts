// The console's open chats as plain data, and the pure steps that change them (live events, views, reads).
import type { ConversationStatus, ConversationView, ViewMessage } from '../../handoff/http/wire.ts';

export interface ChatState {
  id: string;
  /** The last full view loaded (transcript, handoff, candidates, visitor context). */
  view?: ConversationView;
  /** Every message seen, by id, ascending (view + live). */
  messages: ViewMessage[];
  status: ConversationStatus;
  /** Visitor messages not yet seen by the agent. */
  unread: number;
  visitorTyping: boolean;
  /** The agent still holds it (false once closed, transferred away or requeued: the tab stays until dismissed). */
  held: boolean;
  /**
   * In the chat as a colleague the holder invited (handoff/collaboration/), not as its holder: writes, but does
   * not close, transfer or block; may leave. `held` is true while the holder keeps it and the colleague stays.
   */
  colleague?: boolean;
  /** Why it is no longer held ("closed by the visitor" ...), a string key for the strings table. */
  ended?: { why: 'closed' | 'transferred' | 'requeued' | 'left'; by?: string };
  /** Read receipts: the visitor's widget has shown every message up to this id (absent: nothing yet). */
  visitorReadUpTo?: number;
}

export type Chats = ReadonlyMap<string, ChatState>;

/** Messages of both lists, each id once, in id order (the server's ids are global and increasing). */
export function mergeMessages(a: readonly ViewMessage[], b: readonly ViewMessage[]): ViewMessage[] {
  const byId = new Map<number, ViewMessage>();
  for (const m of a) byId.set(m.id, m);
  for (const m of b) byId.set(m.id, m);
  return [...byId.values()].sort((x, y) => x.id - y.id);
}

function put(chats: Chats, chat: ChatState): Map<string, ChatState> {
  const next = new Map(chats);
  next.set(chat.id, chat);
  return next;
}

/** A loaded view joins (or refreshes) its chat; messages already seen live are kept. */
export function withView(chats: Chats, view: ConversationView, agentId: string): Map<string, ChatState> {
  const before = chats.get(view.id);
  const holder = view.status === 'assigned' && view.agent?.id === agentId;
  // A colleague who joined works the chat too, while its holder keeps it.
  const colleague = !holder && view.status === 'assigned' && (view.participants ?? []).some((p) => p.id === agentId && p.state === 'joined');
  const held = holder || colleague;
  const chat: ChatState = {
    id: view.id,
    view,
    messages: mergeMessages(before?.messages ?? [], view.messages),
    status: view.status,
    unread: before?.unread ?? 0,
    visitorTyping: before?.visitorTyping ?? false,
    held,
    ...(colleague || (!held && before?.colleague) ? { colleague: true } : {}),
  };
  if (before?.visitorReadUpTo !== undefined) chat.visitorReadUpTo = before.visitorReadUpTo;
  if (!held) chat.ended = before?.ended ?? { why: view.status === 'closed' ? 'closed' : view.status === 'queued' ? 'requeued' : 'transferred' };
  return put(chats, chat);
}

/** A live message: appended once; a visitor message counts as unread unless the agent is looking at this chat. */
export function withMessage(chats: Chats, conversationId: string, message: ViewMessage, looking: boolean): Map<string, ChatState> | undefined {
  const chat = chats.get(conversationId);
  if (!chat) return undefined;
  if (chat.messages.some((m) => m.id === message.id)) return new Map(chats);
  const unread = message.author === 'visitor' && !looking ? chat.unread + 1 : chat.unread;
  return put(chats, {
    ...chat,
    messages: mergeMessages(chat.messages, [message]),
    unread,
    // A message ends the "typing..." it followed.
    visitorTyping: message.author === 'visitor' ? false : chat.visitorTyping,
  });
}

export function withTyping(chats: Chats, conversationId: string, typing: boolean): Map<string, ChatState> {
  const chat = chats.get(conversationId);
  return chat ? put(chats, { ...chat, visitorTyping: typing }) : new Map(chats);
}

/** The chat is no longer the agent's (closed, transferred away, requeued); its tab stays, read-only. */
export function withEnded(chats: Chats, conversationId: string, ended: NonNullable<ChatState['ended']>, status?: ConversationStatus): Map<string, ChatState> {
  const chat = chats.get(conversationId);
  if (!chat) return new Map(chats);
  return put(chats, { ...chat, held: false, ended, visitorTyping: false, ...(status ? { status } : {}) });
}

/** The visitor's marker moved (a `read` event, or read back): kept only forward, as the server keeps it. */
export function withVisitorRead(chats: Chats, conversationId: string, upTo: number): Map<string, ChatState> {
  const chat = chats.get(conversationId);
  if (!chat || upTo <= (chat.visitorReadUpTo ?? 0)) return new Map(chats);
  return put(chats, { ...chat, visitorReadUpTo: upTo });
}

export function withRead(chats: Chats, conversationId: string): Map<string, ChatState> {
  const chat = chats.get(conversationId);
  return chat && chat.unread > 0 ? put(chats, { ...chat, unread: 0 }) : new Map(chats);
}

export function without(chats: Chats, conversationId: string): Map<string, ChatState> {
  const next = new Map(chats);
  next.delete(conversationId);
  return next;
}

/** Sum of unread visitor messages over every tab (the title shows it). */
export function totalUnread(chats: Chats): number {
  let n = 0;
  for (const c of chats.values()) n += c.unread;
  return n;
}

/** The tab to show after `closedId` goes away: its right neighbour, else the left one, else none. */
export function nextActive(order: readonly string[], closedId: string): string | undefined {
  const i = order.indexOf(closedId);
  if (i < 0) return order[0];
  return order[i + 1] ?? order[i - 1];
}

/** Highest message id in the chats (the resume point when the stream is opened again). */
export function lastMessageId(chats: Chats): number {
  let max = 0;
  for (const c of chats.values()) for (const m of c.messages) if (m.id > max) max = m.id;
  return max;
}
