// Canned replies: prepared texts agents insert by shortcut ("/refund"), shared by all or personal; and the shared
// library of links and files beside them (issue 17). SQLite and PostgreSQL adapters.
import type { Lang } from '../../knowledge/types.ts';
import type { AttachmentType } from '../conversations/attachments/attachment.ts';
import { systemClock, type Clock } from '../platform/clock.ts';

/** `shared`: everyone sees it, admins edit it; `personal`: only its owner sees and edits it. */
export type CannedScope = 'shared' | 'personal';

/**
 * - `text`: words the composer inserts.
 * - `link`: a title and an http(s) address (kept as `text`); the composer inserts both. Shared only.
 * - `file`: an image or PDF (its name kept as `text`) the agent sends into a chat as an attachment. Shared only.
 */
export type CannedKind = 'text' | 'link' | 'file';
export const CANNED_KINDS: readonly CannedKind[] = ['text', 'link', 'file'];

/** A file entry's file: its bytes are in the canned-file store under `id` (a random key, like an attachment's). */
export interface CannedFile {
  id: string;
  /** Cleaned like an attachment's name; for showing only. */
  name: string;
  /** Judged by the content when uploaded. */
  type: AttachmentType;
  /** Bytes. */
  size: number;
}

export interface CannedReply {
  id: string;
  kind: CannedKind;
  scope: CannedScope;
  /** The owner of a personal reply. */
  ownerAgentId?: string;
  /** Starts with "/", lower case: "/refund", "/退款". */
  shortcut: string;
  title: string;
  text: string;
  /** The visitor language it is written for; absent when it fits both. */
  lang?: Lang;
  /** What the console groups it under ("账单", "Broadband faults"); absent: no category. */
  category?: string;
  /** A link's address (the same as `text`). */
  url?: string;
  /** A file entry's file. */
  file?: CannedFile;
  createdAt: string;
  updatedAt: string;
}

export interface NewCannedReply {
  /** null for a shared reply. */
  ownerAgentId: string | null;
  shortcut: string;
  title: string;
  text: string;
  lang?: Lang;
  category?: string;
  /** Default `text`. A link's `text` is its address; a file's `text` is its name, and `file` is required. */
  kind?: CannedKind;
  file?: CannedFile;
}

/** Absent fields stay; `lang: null` makes the reply fit both languages; `category: null` takes it out of its category. */
export interface CannedReplyPatch {
  shortcut?: string;
  title?: string;
  text?: string;
  lang?: Lang | null;
  category?: string | null;
}

export interface CannedSearch {
  /** Matches shortcut, title or text, case-insensitively; "/ref" and "ref" both find "/refund". */
  q?: string;
  /** Only replies for this language or for both. */
  lang?: Lang;
  /** Only replies of this category (exact, as stored). */
  category?: string;
  /** Only entries of this kind. */
  kind?: CannedKind;
  /** At most this many. Range 1-200; default 50. */
  limit?: number;
}

export interface CannedReplyStoreOptions {
  /** Source of timestamps. Default the system clock. */
  clock: Clock;
  /** Most replies one owner (or the shared set) holds. Range 10-10000; default 500. */
  maxPerOwner: number;
  /** Most results one search returns. Range 1-500; default 200. */
  maxListLimit: number;
}

export const defaultCannedReplyStoreOptions: CannedReplyStoreOptions = {
  clock: systemClock,
  maxPerOwner: 500,
  maxListLimit: 200,
};

/** Results per search when the caller does not say (CannedSearch.limit). */
export const DEFAULT_CANNED_SEARCH_LIMIT = 50;

export interface CannedReplyStore {
  /**
   * The shared replies and `agentId`'s personal ones, best match first: exact shortcut, shortcut
   * prefix, shortcut contains, title, text; personal before shared at equal rank; then by shortcut.
   */
  list(agentId: string, search?: CannedSearch): Promise<CannedReply[]>;
  /** NotFoundError when unknown. */
  get(id: string): Promise<CannedReply>;
  /** ConflictError when the owner (or the shared set) already has the shortcut, or holds too many replies. */
  create(input: NewCannedReply): Promise<CannedReply>;
  /** NotFoundError when unknown; ConflictError on a shortcut taken in the same scope. */
  update(id: string, patch: CannedReplyPatch): Promise<CannedReply>;
  /** NotFoundError when unknown. Returns what was deleted (a file entry's bytes are the caller's to remove). */
  delete(id: string): Promise<CannedReply>;
}
