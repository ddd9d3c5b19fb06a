// Small files of each accepted type, hostile ones, and the upload request, for the attachment tests (HTTP,
// browser, cluster). The images are real (a browser draws them); the others carry just what a sniffer reads.
import { crc32, deflateSync } from 'node:zlib';

export interface TestFile {
  name: string;
  /** What the browser would declare (the server never believes it). */
  type: string;
  bytes: Uint8Array;
}

/** A real PNG of one colour, `width` x `height`. */
export function pngBytes(width = 8, height = 6, rgb: [number, number, number] = [230, 80, 40]): Uint8Array {
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => rgb).flat())]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([head, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return new Uint8Array(
    Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]),
  );
}

/** A real 1x1 GIF, and the start of a JPEG and a WebP (their signatures are what the server judges). */
export const GIF = new Uint8Array(Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64'));
export const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9]);
export const WEBP = new Uint8Array(Buffer.from('RIFF\x1a\x00\x00\x00WEBPVP8 \x0e\x00\x00\x00\x30\x01\x00\x9d\x01\x2a\x01\x00\x01\x00\x02\x00\x34\x25', 'latin1'));
export const PDF = new Uint8Array(Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1'));

export const HTML_PAGE = new Uint8Array(Buffer.from('<!doctype html><html><body><script>parent.pwned = true</script></body></html>'));
/** A GIF header with a page right behind it: a browser that sniffed would take it for HTML. */
export const GIF_HTML_POLYGLOT = new Uint8Array(Buffer.concat([Buffer.from(GIF), Buffer.from('<html><script>alert(document.cookie)</script></html>')]));
/** A real GIF with a page hidden past the first KiB: stored, and served so it can never run. */
export const GIF_DEEP_POLYGLOT = new Uint8Array(Buffer.concat([Buffer.from(GIF), Buffer.alloc(2048, 0x20), Buffer.from('<html><script>alert(1)</script></html>')]));
export const PDF_HTML_POLYGLOT = new Uint8Array(Buffer.from('%PDF-1.4\n<html><body><script>alert(1)</script></body></html>\n%%EOF\n'));

/** POSTs `file` as multipart/form-data field `file` (or `field`) to `url` with `headers`. */
export async function upload(url: string, file: TestFile, headers: Record<string, string> = {}, field = 'file'): Promise<{ status: number; json: any; headers: Headers }> {
  const form = new FormData();
  form.append(field, new Blob([Buffer.from(file.bytes)], { type: file.type }), file.name);
  const res = await fetch(url, { method: 'POST', headers, body: form });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, json, headers: res.headers };
}
