// A canned_replies row as both engines read it, the reply made of it, and the text rules of a search that both
// engines apply alike (folding, the needle), so a search finds the same replies on either.
import type { Lang } from '../../knowledge/types.ts';
import { ConflictError } from '../platform/errors.ts';
import type { AttachmentType } from '../conversations/attachments/attachment.ts';
import type { CannedKind, CannedReply, NewCannedReply } from './canned-reply-store.ts';

export interface CannedRow {
  id: string;
  owner_agent_id: string | null;
  shortcut: string;
  title: string;
  text: string;
  lang: Lang | null;
  category: string | null;
  kind: CannedKind;
  file_id: string | null;
  file_type: AttachmentType | null;
  file_size: number | null;
  created_at: string;
  updated_at: string;
}

/** The columns of a new entry's kind: the file's (file entries only); both engines insert them alike. */
export function kindColumns(input: NewCannedReply): { kind: CannedKind; fileId: string | null; fileType: AttachmentType | null; fileSize: number | null } {
  const kind = input.kind ?? 'text';
  const file = kind === 'file' ? input.file : undefined;
  if (kind === 'file' && !file) throw new Error('handoff: a canned file entry needs its file');
  return { kind, fileId: file?.id ?? null, fileType: file?.type ?? null, fileSize: file?.size ?? null };
}

export function toCannedReply(row: CannedRow): CannedReply {
  const reply: CannedReply = {
    id: row.id,
    kind: row.kind ?? 'text',
    scope: row.owner_agent_id === null ? 'shared' : 'personal',
    shortcut: row.shortcut,
    title: row.title,
    text: row.text,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.owner_agent_id !== null) reply.ownerAgentId = row.owner_agent_id;
  if (row.lang !== null) reply.lang = row.lang;
  if (row.category !== null && row.category !== undefined) reply.category = row.category;
  if (reply.kind === 'link') reply.url = row.text;
  if (reply.kind === 'file' && row.file_id !== null && row.file_type !== null && row.file_size !== null) {
    reply.file = { id: row.file_id, name: row.text, type: row.file_type, size: Number(row.file_size) };
  }
  return reply;
}

/** Case folding for search, done by JavaScript so that it is Unicode-aware (SQLite's lower() is ASCII only, PostgreSQL's depends on the locale). */
export const foldCannedText = (value: string): string => value.normalize('NFKC').toLowerCase();

/**
 * What a search for `q` looks for: the folded query without its leading slashes ('' when it names nothing: every
 * reply matches), and that needle as a shortcut ("ref" and "/ref" both look for "/ref…").
 */
export function cannedSearchNeedle(q: string | undefined): { needle: string; shortcut: string } {
  const needle = foldCannedText(q ?? '').trim().replace(/^\/+/, '');
  return { needle, shortcut: `/${needle}` };
}

/** The conflict of a shortcut its owner (or the shared set) already uses. */
export function shortcutTaken(owner: string | null, shortcut: string): ConflictError {
  return new ConflictError(`the shortcut ${shortcut} is already used ${owner === null ? 'among the shared replies' : 'among your replies'}`);
}
