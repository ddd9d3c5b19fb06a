// The visitor's chat as a list of bubbles (stored, local, sending, failed), and the pure steps that change it.
// Apart from the connection so the list's rules (id order, a stored copy replaces the one sending) read alone.
import type { MessageAttachment, VisitorMessageData } from '../../handoff/http/wire.ts';
import { ApiError } from './visitor-api.ts';

export type Author = VisitorMessageData['author'];

export type ErrorKey = 'errorGeneric' | 'tooMany' | 'fileTooLarge' | 'fileUnsupported' | 'fileNotNow';

export interface ChatItem {
  /** Unique in the list: `m<id>` for stored messages, `l<n>` for local ones. */
  key: string;
  /** Stored messages only. */
  id?: number;
  author: Author;
  text: string;
  createdAt: string;
  /** Who wrote an agent message, as far as the widget knows. */
  agentName?: string;
  /** Visitor messages not stored yet. */
  state?: 'sending' | 'failed';
  /** Why sending failed (shown with the retry button). */
  error?: ErrorKey;
  /** Sent with the message in an existing conversation; kept for the retry button, so a repeat is stored once. */
  clientMessageId?: string;
  /**
   * The choices a bot reply offered (a clarify's entries, the province question's provinces): they stay
   * with the message that asked, so its question never stands empty once the chat has moved on.
   */
  suggestions?: Suggestion[];
  /** A file sent in the chat (stored messages: its name is `text`). */
  attachment?: MessageAttachment;
  /** The visitor's file while it is being sent (or failed to be): shown from memory, kept for the retry. */
  localFile?: File;
}

export interface Suggestion {
  entryId: string;
  question: string;
}

/** What to tell the visitor about a failed call (a key of the strings table). */
export function errorKey(err: unknown): ErrorKey {
  return err instanceof ApiError && err.status === 429 ? 'tooMany' : 'errorGeneric';
}

/** A bubble not (yet) stored by the server. */
export function localItem(key: string, author: Author, text: string, suggestions?: Suggestion[]): ChatItem {
  return { key, author, text, createdAt: new Date().toISOString(), ...(suggestions ? { suggestions } : {}) };
}

export function withReplaced(items: readonly ChatItem[], key: string, item: ChatItem): ChatItem[] {
  return items.map((m) => (m.key === key ? item : m));
}

/**
 * A stored message joins the list in id order (after everything when it is the newest, `maxId` being the
 * newest held). The visitor's own message came back stored: it replaces the one still sending.
 */
export function withStored(items: readonly ChatItem[], item: ChatItem & { id: number }, maxId: number): ChatItem[] {
  let next = items;
  if (item.author === 'visitor') {
    // A file's copy replaces only a file being sent, a text's only a text.
    const pending = next.find((i) => i.id === undefined && i.author === 'visitor' && i.state !== 'failed' && i.text === item.text && !i.localFile === !item.attachment);
    if (pending) next = next.filter((i) => i !== pending);
  }
  if (item.id > maxId) return [...next, item];
  const at = next.findIndex((i) => i.id !== undefined && i.id > item.id);
  return at === -1 ? [...next, item] : [...next.slice(0, at), item, ...next.slice(at)];
}

/** Stored messages from the bot, agents or the system after `seenId`. */
export function unreadCount(items: readonly ChatItem[], seenId: number): number {
  return items.filter((m) => m.id !== undefined && m.id > seenId && m.author !== 'visitor').length;
}

/** Whether nothing has been said since `item` (no visitor message, no newer choices). */
export function nothingSaidSince(items: readonly ChatItem[], item: ChatItem): boolean {
  const at = items.indexOf(item);
  return at !== -1 && !items.slice(at + 1).some((m) => m.author === 'visitor' || m.suggestions?.length);
}
