// What the widget keeps in localStorage so the chat survives reloads and other pages of the same site.
import { parseLang, type Lang } from './visitor-i18n.ts';

export interface SavedState {
  conversationId?: string;
  token?: string;
  /** The last message id the visitor has seen (resume point and unread count). */
  lastMessageId?: number;
  lang?: Lang;
  open?: boolean;
  /** The chat was closed and the visitor has not rated it or skipped the rating yet. */
  ratingDue?: boolean;
  /**
   * This browser's stable visitor id (sent when a conversation starts, so an agent can block by it). Kept when a
   * conversation ends or is forgotten; not a credential, it grants nothing.
   */
  visitorId?: string;
}

/** What the server accepts as a visitor id; anything else in storage is dropped and a new id made. */
const VISITOR_ID = /^[A-Za-z0-9_-]{16,64}$/;

/** A new visitor id: 16 random bytes as base64url without padding (22 characters). */
export function newVisitorId(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  const bytes = random(new Uint8Array(16));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** One key per server, so two widgets talking to different servers on one site do not mix. */
export function storageKey(server: string): string {
  return `chat-widget:v1:${server}`;
}

/** The saved state, with anything malformed dropped (storage is shared with the host page). */
export function readSaved(storage: Pick<Storage, 'getItem'> | undefined, key: string): SavedState {
  let raw: unknown;
  try {
    raw = JSON.parse(storage?.getItem(key) ?? 'null');
  } catch {
    return {};
  }
  return parseSaved(raw);
}

export function parseSaved(raw: unknown): SavedState {
  if (raw === null || typeof raw !== 'object') return {};
  const r = raw as Record<string, unknown>;
  const out: SavedState = {};
  if (typeof r.conversationId === 'string' && typeof r.token === 'string' && r.conversationId && r.token) {
    out.conversationId = r.conversationId;
    out.token = r.token;
  }
  if (typeof r.lastMessageId === 'number' && Number.isSafeInteger(r.lastMessageId) && r.lastMessageId >= 0) {
    out.lastMessageId = r.lastMessageId;
  }
  const lang = parseLang(typeof r.lang === 'string' ? r.lang : undefined);
  if (lang) out.lang = lang;
  if (typeof r.open === 'boolean') out.open = r.open;
  if (r.ratingDue === true) out.ratingDue = true;
  if (typeof r.visitorId === 'string' && VISITOR_ID.test(r.visitorId)) out.visitorId = r.visitorId;
  return out;
}

export function writeSaved(storage: Pick<Storage, 'setItem'> | undefined, key: string, state: SavedState): void {
  try {
    storage?.setItem(key, JSON.stringify(state));
  } catch {
    // Private mode or a full quota: the chat still works, it just will not survive a reload.
  }
}
