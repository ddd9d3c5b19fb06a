// What an attachment is: a file a visitor or the agent holding the chat sends into it, its allowed types, its
// options, and the shape every message carrying one has on the wire.

/** The types accepted, judged by the file's content (sniff-attachment.ts), never by its name or declared type. */
export const ATTACHMENT_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

export function isAttachmentType(value: unknown): value is AttachmentType {
  return typeof value === 'string' && (ATTACHMENT_TYPES as readonly string[]).includes(value);
}

/** Shown in the browser as a picture (inline); anything else is only ever downloaded. */
export function isImageType(type: AttachmentType): boolean {
  return type.startsWith('image/');
}

/**
 * An attachment as a message carries it and the upload routes answer it. `url` is a path on this service
 * (GET it with the visitor's Bearer token or an agent's session); `name` is for showing only, never a path.
 */
export interface MessageAttachment {
  id: string;
  name: string;
  type: AttachmentType;
  /** Bytes. */
  size: number;
  url: string;
}

/** Who sent it: the visitor, or the agent holding the chat. */
export type AttachmentAuthor = 'visitor' | 'agent';

export interface StoredAttachment {
  id: string;
  conversationId: string;
  author: AttachmentAuthor;
  /** The agent who sent an agent's attachment. */
  agentId?: string;
  name: string;
  type: AttachmentType;
  size: number;
  createdAt: string;
}

export interface AttachmentOptions {
  /** MAX_ATTACHMENT_BYTES: the largest file accepted (413 above it). Range 1024-52428800 bytes; default 5 MiB. */
  maxBytes: number;
  /** Uploads per conversation in a burst, then `refillPerSecond` (off with RATE_LIMITS=off). Range 1-1000; default 10. */
  burst: number;
  /** Sustained uploads per conversation per second. Range 0.001-10; default 0.2 (one every 5 s). */
  refillPerSecond: number;
}

export const defaultAttachmentOptions: AttachmentOptions = { maxBytes: 5 * 1024 * 1024, burst: 10, refillPerSecond: 0.2 };

/** The one download path of an attachment, for its visitor and for agents alike. */
export function attachmentUrl(conversationId: string, id: string): string {
  return `/api/conversations/${encodeURIComponent(conversationId)}/attachments/${encodeURIComponent(id)}`;
}

/** What messages.attachment keeps (JSON): the attachment's row as the message shows it, without the url. */
export type AttachmentColumn = Pick<MessageAttachment, 'id' | 'name' | 'type' | 'size'>;

export function attachmentColumn(a: Pick<StoredAttachment, 'id' | 'name' | 'type' | 'size'>): string {
  const column: AttachmentColumn = { id: a.id, name: a.name, type: a.type, size: a.size };
  return JSON.stringify(column);
}

/** messages.attachment as a message's attachment; undefined for none, or for a value this code did not write. */
export function parseAttachmentColumn(conversationId: string, json: string | null | undefined): MessageAttachment | undefined {
  if (json == null) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  const v = value as Partial<AttachmentColumn> | null;
  if (!v || typeof v.id !== 'string' || typeof v.name !== 'string' || !isAttachmentType(v.type) || typeof v.size !== 'number') return undefined;
  return { id: v.id, name: v.name, type: v.type, size: v.size, url: attachmentUrl(conversationId, v.id) };
}

export function toMessageAttachment(a: StoredAttachment): MessageAttachment {
  return { id: a.id, name: a.name, type: a.type, size: a.size, url: attachmentUrl(a.conversationId, a.id) };
}
