// Reads a request body as JSON: 415 unless it is declared JSON, 400 when it is not UTF-8 or does not parse.
import type { Context } from 'hono';
import { UnsupportedMediaTypeError, ValidationError } from '../platform/errors.ts';

export async function readJsonBody(c: Context): Promise<unknown> {
  const [mediaType = '', ...params] = (c.req.header('content-type') ?? '').split(';').map((s) => s.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
  if (mediaType !== 'application/json' || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')) {
    throw new UnsupportedMediaTypeError('the request body must be sent as Content-Type: application/json (UTF-8)');
  }
  let bytes: ArrayBuffer;
  try {
    bytes = await c.req.arrayBuffer();
  } catch {
    // The client went away mid-body, or sent a broken chunked encoding.
    throw new ValidationError('unreadable_body', 'the request body could not be read');
  }
  let raw: string;
  try {
    // fatal: a byte sequence that is not UTF-8 is refused instead of becoming U+FFFD and being stored.
    raw = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ValidationError('invalid_encoding', 'the request body is not valid UTF-8');
  }
  try {
    return JSON.parse(raw);
  } catch {
    throw new ValidationError('malformed_json', 'the request body is not valid JSON');
  }
}
