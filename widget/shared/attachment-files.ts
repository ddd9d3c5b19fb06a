// Files in a chat, on both faces: what may be picked, sizes as a person reads them, the file a paste or a drop
// carries, and the upload request (multipart field `file`). The server judges every file again by its bytes.
import type { AttachmentResponse, AttachmentType } from '../../handoff/http/wire.ts';

/** What the server accepts (by content); the picker offers these, and a paste or drop of anything else is refused here. */
export const ACCEPTED_TYPES: readonly AttachmentType[] = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf'];
/** The file input's `accept`: types and the usual extensions (some systems offer files by extension only). */
export const ACCEPT_ATTRIBUTE = [...ACCEPTED_TYPES, '.png', '.jpg', '.jpeg', '.gif', '.webp', '.pdf'].join(',');
/** MAX_ATTACHMENT_BYTES' default: a larger file is refused before it is sent (the server has the last word). */
export const DEFAULT_MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;

/** The words a file picker and a file card show, from the face's own strings table. */
export interface AttachmentLabels {
  /** The picker button's name (发送图片或文件 / Send an image or file). */
  attach: string;
  /** Removes the picked file before it is sent. */
  remove: string;
  /** Opens a picture full size. */
  open: string;
  /** Saves a PDF. */
  download: string;
  tooLarge: (maxBytes: number) => string;
  unsupported: string;
}

/** Why a file cannot be sent, before sending it; undefined when it may be (the server judges its bytes). */
export function fileRefusal(file: Pick<File, 'type' | 'size' | 'name'>, maxBytes: number): 'unsupported' | 'tooLarge' | undefined {
  // A type the browser could not tell (''): the extension decides here, the content on the server.
  const known = file.type === '' ? /\.(png|jpe?g|gif|webp|pdf)$/i.test(file.name) : (ACCEPTED_TYPES as readonly string[]).includes(file.type);
  if (!known) return 'unsupported';
  if (file.size > maxBytes) return 'tooLarge';
  return undefined;
}

export function isImage(type: string): boolean {
  return type.startsWith('image/');
}

/** 1.2 MB, 340 KB, 12 B: one decimal under 10, none above. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = unit === 0 || value >= 10 ? Math.round(value).toString() : value.toFixed(1).replace(/\.0$/, '');
  return `${shown} ${units[unit]}`;
}

/** The first file a paste or a drop carries (a screenshot pasted from the clipboard is one), if any. */
export function fileOf(transfer: DataTransfer | null | undefined): File | undefined {
  if (!transfer) return undefined;
  if (transfer.files && transfer.files.length > 0) return transfer.files[0];
  for (const item of Array.from(transfer.items ?? [])) {
    if (item.kind === 'file') {
      const file = item.getAsFile();
      if (file) return file;
    }
  }
  return undefined;
}

/** Whether a drag carries files (only then is a drop taken over; dragged text goes where the browser puts it). */
export function dragHasFiles(e: DragEvent): boolean {
  return Array.from(e.dataTransfer?.types ?? []).includes('Files');
}

/** An upload's answer: the stored attachment, or the status and error code the server refused it with. */
export type UploadResult = ({ ok: true } & AttachmentResponse) | { ok: false; status: number; code: string; message: string };

/** POSTs `file` as multipart/form-data (field `file`); `init` adds the credentials (a Bearer header or the cookie). */
export async function postAttachment(url: string, file: File, init: { headers?: Record<string, string>; credentials: RequestCredentials }): Promise<UploadResult> {
  const form = new FormData();
  // A pasted screenshot may have no name: the server names it by its type then.
  form.append('file', file, file.name || 'image');
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', body: form, headers: { accept: 'application/json', ...init.headers }, credentials: init.credentials, cache: 'no-store' });
  } catch (err) {
    return { ok: false, status: 0, code: 'network', message: err instanceof Error ? err.message : 'network error' };
  }
  const json = (await res.json().catch(() => undefined)) as (AttachmentResponse & { error?: { code?: string; message?: string } }) | undefined;
  if (res.ok && json?.attachment && json.message) return { ok: true, attachment: json.attachment, message: json.message };
  return { ok: false, status: res.status, code: json?.error?.code ?? `http_${res.status}`, message: json?.error?.message ?? res.statusText };
}
