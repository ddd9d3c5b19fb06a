// Reads the one file of a multipart/form-data upload (field `file`) as it streams in, refusing it (413) the
// moment it passes the limit: an oversize file is never held whole. busboy parses the parts; this counts.
import busboy from 'busboy';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../../platform/errors.ts';

/** What a multipart body may carry besides the file's bytes: boundaries, part headers, a few small fields. */
export const MULTIPART_OVERHEAD_BYTES = 16 * 1024;

export interface Upload {
  bytes: Uint8Array;
  /** The file name the browser sent (unchecked: cleanAttachmentName makes it a label). */
  filename: string | undefined;
  /** The small text parts sent beside the file (at most 8, 1 KiB each; unchecked), by name; a repeated name keeps its first. */
  fields: Record<string, string>;
}

/**
 * 413 when the body's announced length (Content-Length, without Transfer-Encoding) cannot hold a file of at most
 * `maxBytes`: checked first on the upload routes, before the credentials, so that no such body is ever read.
 */
export function refuseDeclaredOversize(header: (name: string) => string | null | undefined, maxBytes: number): void {
  const length = header('content-length');
  if (length != null && header('transfer-encoding') == null && Number(length) > maxBytes + MULTIPART_OVERHEAD_BYTES) {
    throw new PayloadTooLargeError(`the file must be at most ${maxBytes} bytes`);
  }
}

/**
 * The bytes of the `file` part of `request`. 415 when the body is not multipart/form-data; 413 as soon as the
 * announced length (Content-Length) or the bytes read pass `maxBytes` (plus the multipart overhead for the
 * whole body), before the rest is read; 400 when there is no `file` part, it is empty, or the body is not
 * well-formed multipart. Other parts are read past and dropped.
 */
export async function readUpload(request: Request, maxBytes: number): Promise<Upload> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    throw new UnsupportedMediaTypeError('send the file as multipart/form-data, in a part named "file"');
  }
  const maxBody = maxBytes + MULTIPART_OVERHEAD_BYTES;
  const tooLarge = () => new PayloadTooLargeError(`the file must be at most ${maxBytes} bytes`);
  refuseDeclaredOversize((name) => request.headers.get(name), maxBytes);
  if (!request.body) throw new ValidationError('missing_file', 'send the file in a part named "file"', 'file');

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      // Browsers send a file name's UTF-8 bytes as they are (not RFC 2231): read them as UTF-8.
      defParamCharset: 'utf8',
      // fileSize one past the limit: busboy reports `limit` on reaching it, and a file of exactly maxBytes is fine.
      limits: { files: 1, fileSize: maxBytes + 1, fields: 8, fieldSize: 1024, parts: 10, headerPairs: 16 },
    });
  } catch {
    // No boundary, or one busboy cannot use.
    throw new ValidationError('invalid_multipart', 'the body is not well-formed multipart/form-data', 'file');
  }

  let failure: Error | undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  let found = false;
  let filename: string | undefined;
  const fail = (err: Error) => {
    failure ??= err;
  };
  parser.on('file', (field, stream, info) => {
    // Destroying the parser early (a 413) ends the open file stream with "Unexpected end of file": already
    // answered, and without a listener it would be an uncaught exception that takes the process down.
    stream.on('error', () => {});
    if (field !== 'file' || found) {
      stream.resume();
      return;
    }
    found = true;
    filename = info.filename;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
      else fail(tooLarge());
    });
    // busboy stops the file at fileSize and says so: the file is too large, whatever follows.
    stream.on('limit', () => fail(tooLarge()));
  });
  const fields: Record<string, string> = Object.create(null);
  parser.on('field', (name, value, info) => {
    if (info.valueTruncated) fail(new ValidationError('invalid_field', `the part ${JSON.stringify(name.slice(0, 40))} is longer than 1024 bytes`, name.slice(0, 40)));
    else if (!(name in fields)) fields[name] = value;
  });
  parser.on('error', () => fail(new ValidationError('invalid_multipart', 'the body is not well-formed multipart/form-data', 'file')));
  const done = new Promise<void>((resolve) => parser.once('close', () => resolve()));

  const reader = request.body.getReader();
  let read = 0;
  try {
    for (;;) {
      const { done: end, value } = await reader.read();
      if (end) break;
      read += value.byteLength;
      // Counted on the raw body too: a flood of small parts or padding is no way around the limit.
      if (read > maxBody) fail(tooLarge());
      if (failure instanceof PayloadTooLargeError) break;
      // A malformed body is read to its (bounded) end without parsing it, so the connection stays usable.
      if (failure) continue;
      if (!parser.write(value)) await drained(parser);
    }
  } catch {
    // The client went away mid-upload.
    fail(new ValidationError('incomplete_upload', 'the upload ended before the whole file arrived', 'file'));
  }
  // Too large: the rest stays unread on the socket (the 413 says Connection: close), never buffered.
  if (failure) {
    parser.destroy();
    throw failure;
  }
  parser.end();
  await done;
  if (failure) throw failure;
  if (!found) throw new ValidationError('missing_file', 'send the file in a part named "file"', 'file');
  if (size === 0) throw new ValidationError('empty_file', 'the file is empty', 'file');
  return { bytes: new Uint8Array(Buffer.concat(chunks, size)), filename, fields };
}

/** Until the parser takes more input, or will never take any (it failed or finished). */
function drained(parser: busboy.Busboy): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      for (const event of ['drain', 'error', 'close'] as const) parser.off(event, done);
      resolve();
    };
    for (const event of ['drain', 'error', 'close'] as const) parser.once(event, done);
  });
}
