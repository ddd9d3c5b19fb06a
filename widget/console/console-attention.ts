// Pure rules of what calls the agent back to the console: which live events deserve a desktop notification,
// what it says, the unread count in the page title, and whether a visitor still waits for an answer (closing
// such a chat asks first). The browser parts (Notification, the title, the close button) use them.
import type { QueueItem, ViewMessage } from '../../handoff/http/wire.ts';

/** Longest notification body, in characters (whole code points). Range 40-200; default 100. */
const BODY_MAX = 100;

/** What a notification is about: a visitor message in a held chat, a chat given to this agent, a chat waiting. */
export type NoticeKind = 'message' | 'chat' | 'queued';

/** One desktop notification to show: `tag` is per chat, so a chat never has two at a time (a newer one replaces it). */
export interface Notice {
  kind: NoticeKind;
  conversationId: string;
  tag: string;
  body: string;
}

export function noticeTag(conversationId: string): string {
  return `chat-${conversationId}`;
}

/** Text cut for a notification's body, never splitting an emoji; an attachment shows its file name. */
export function noticeBody(text: string, attachmentName?: string, fileWord = ''): string {
  const base = text.trim() || (attachmentName ? `${fileWord ? `${fileWord}: ` : ''}${attachmentName}` : '');
  const chars = Array.from(base.replace(/\s+/gu, ' '));
  return chars.length <= BODY_MAX ? chars.join('') : `${chars.slice(0, BODY_MAX).join('').trimEnd()}…`;
}

/**
 * A live message seen by the console: a notice only for a visitor's message, new to this console, in a chat
 * this agent holds, while the page is hidden. The agent's own messages, a colleague's, the bot's and system
 * lines never notify; a replayed message (after a reconnect) that was already on screen neither.
 */
export function messageNotice(
  m: Pick<ViewMessage, 'author' | 'text' | 'attachment'>,
  ctx: { conversationId: string; held: boolean; isNew: boolean; hidden: boolean; fileWord?: string },
): Notice | undefined {
  if (m.author !== 'visitor' || !ctx.held || !ctx.isNew || !ctx.hidden) return undefined;
  return { kind: 'message', conversationId: ctx.conversationId, tag: noticeTag(ctx.conversationId), body: noticeBody(m.text, m.attachment?.name, ctx.fileWord) };
}

/** A chat just given to this agent (offered by routing or transferred to them), announced while the page is hidden. */
export function chatNotice(conversationId: string, firstVisitorText: string, hidden: boolean): Notice | undefined {
  if (!hidden) return undefined;
  return { kind: 'chat', conversationId, tag: noticeTag(conversationId), body: noticeBody(firstVisitorText) };
}

/**
 * The chats that joined the queue since the last look (`before`: the ids seen then; undefined on the first
 * load after sign-in, when nothing is new: the agent sees the queue as it is). Notices only while hidden and
 * while the agent is not offline.
 */
export function queueNotices(before: ReadonlySet<string> | undefined, queue: readonly QueueItem[], hidden: boolean, offline: boolean): Notice[] {
  if (!before || !hidden || offline) return [];
  return queue
    .filter((q) => !before.has(q.id))
    .map((q) => ({ kind: 'queued' as const, conversationId: q.id, tag: noticeTag(q.id), body: noticeBody(q.preview ?? '') }));
}

/** The page title with the unread count in front: "(3) 客服工作台"; the plain title when nothing is unread. */
export function titleWithCount(base: string, unread: number): string {
  return unread > 0 ? `(${unread > 99 ? '99+' : unread}) ${base}` : base;
}

/**
 * The visitor waits for an answer: a visitor message came after the agent took the chat (`assignedAt`) or after
 * an agent's message, and no agent message followed it. What the visitor wrote while queued, before anyone took
 * the chat, does not count (the agent has not been asked anything yet), nor do bot and system lines. Closing
 * such a chat asks first; any other chat closes at one click (end-to-end tests outside rely on that click).
 * `messages` in id order, as the console keeps them; an unknown or unreadable `assignedAt` counts only what
 * follows an agent's message.
 */
export function visitorAwaitsReply(messages: readonly Pick<ViewMessage, 'author' | 'createdAt'>[], assignedAt?: string): boolean {
  const takenAt = assignedAt ? Date.parse(assignedAt) : Number.NaN;
  let agentSpoke = false;
  let waiting = false;
  for (const m of messages) {
    if (m.author === 'agent') {
      agentSpoke = true;
      waiting = false;
    } else if (m.author === 'visitor' && (agentSpoke || Date.parse(m.createdAt) > takenAt)) {
      waiting = true;
    }
  }
  return waiting;
}
