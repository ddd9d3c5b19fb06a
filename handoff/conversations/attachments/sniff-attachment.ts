// Judges an uploaded file by its bytes (file-type's signatures): one of the accepted types, or refused. The name
// and the Content-Type the browser sent are never believed: a page renamed to .png is still a page.
import { fileTypeFromBuffer } from 'file-type';
import { isAttachmentType, type AttachmentType } from './attachment.ts';

/** How much of the start is searched for markup. Browsers that sniff look at the first 512 bytes. */
const MARKUP_HEAD_BYTES = 1024;
/**
 * Tags a content sniffer takes for a web page, or that run script in one. Each is long enough (4+ bytes) that a
 * real image's compressed bytes hold one by chance about once in millions of files; XMP metadata (`<?xpacket`,
 * `<x:xmpmeta`) matches none.
 */
const MARKUP = /<(?:!doctype|html|head|body|script|iframe|frame|object|embed|svg|img|style|meta|link|xml|\?xml)/i;

export type SniffResult = { kind: 'accepted'; type: AttachmentType } | { kind: 'refused'; detected?: string };

/**
 * The file's type when it is one of ATTACHMENT_TYPES by its signature and its start holds no markup. A
 * polyglot (a GIF header followed by a page) is refused when the page is in its first KiB; one hidden deeper is
 * stored, and is still never read as a page: downloads carry the sniffed type with `nosniff`, a sandboxing
 * CSP, and anything but an image goes out as `attachment` (attachment-routes.ts).
 */
export async function sniffAttachment(bytes: Uint8Array): Promise<SniffResult> {
  const found = await fileTypeFromBuffer(bytes);
  // An animated PNG is a PNG to every browser.
  const mime = found?.mime === 'image/apng' ? 'image/png' : found?.mime;
  if (!isAttachmentType(mime)) return found ? { kind: 'refused', detected: found.mime } : { kind: 'refused' };
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, MARKUP_HEAD_BYTES)).toString('latin1');
  if (MARKUP.test(head)) return { kind: 'refused', detected: `${mime} with markup` };
  return { kind: 'accepted', type: mime };
}
