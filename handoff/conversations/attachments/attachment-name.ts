// An uploaded file's name made fit to store and show, and the Content-Disposition a download carries. The name is
// only ever a label: files are stored under their random id, so no name can reach the file system.
import { cleanVisitorText } from '../../../knowledge/text/clean-text.ts';
import type { AttachmentType } from './attachment.ts';

/** Longest name kept, in code points (the extension is kept when a name is cut). */
export const MAX_ATTACHMENT_NAME_CHARS = 120;

const EXTENSION: Record<AttachmentType, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
};

/**
 * The name as the browser sent it, reduced to its last path segment (a name of `../../etc/passwd` is `passwd`),
 * without control characters, direction overrides or line breaks (cleanVisitorText), at most
 * MAX_ATTACHMENT_NAME_CHARS long. An empty result, or `.`/`..`, becomes `file.<ext>` of the sniffed type.
 * Markup (`<script>`) is kept as text: every place that shows a name escapes it.
 */
export function cleanAttachmentName(raw: string | undefined, type: AttachmentType): string {
  const fallback = `file.${EXTENSION[type]}`;
  if (!raw) return fallback;
  const lastSegment = raw.split(/[/\\]/).pop() ?? '';
  const cleaned = cleanVisitorText(lastSegment).replace(/\s+/g, ' ').trim();
  if (cleaned === '' || /^\.+$/.test(cleaned)) return fallback;
  const chars = Array.from(cleaned);
  if (chars.length <= MAX_ATTACHMENT_NAME_CHARS) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const extension = dot > 0 ? Array.from(cleaned.slice(dot)) : [];
  // An "extension" as long as the limit is no extension: the name is simply cut.
  if (extension.length === 0 || extension.length > 16) return `${chars.slice(0, MAX_ATTACHMENT_NAME_CHARS - 1).join('')}…`;
  return `${chars.slice(0, MAX_ATTACHMENT_NAME_CHARS - extension.length - 1).join('')}…${extension.join('')}`;
}

/**
 * `inline` (images) or `attachment` (anything else: a PDF is downloaded, never opened in the page) with the
 * name twice: an ASCII stand-in for old clients, and the exact name percent-encoded (RFC 6266 / RFC 8187).
 */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
