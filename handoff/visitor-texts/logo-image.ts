// Judges an uploaded launcher logo by its bytes (file-type's magic numbers), never by its name or declared type:
// only raster images (png, jpeg, webp) are kept, since an SVG can carry script and the logo is shown on every page.
import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../platform/errors.ts';
import { LOGO_TYPES, type LogoType, type StoredLogo } from './visitor-texts.ts';

export interface LogoOptions {
  /** Largest logo kept, in bytes. Range 1024-1048576; default 262144 (256 KiB: a launcher icon needs far less). */
  maxBytes: number;
}

export const defaultLogoOptions: LogoOptions = { maxBytes: 256 * 1024 };

/** The logo as stored, or 413 (too big), 415 (not png/jpeg/webp by its bytes), 400 (empty). */
export async function sniffLogo(bytes: Uint8Array, options: LogoOptions = defaultLogoOptions): Promise<StoredLogo> {
  if (bytes.byteLength === 0) throw new ValidationError('invalid_image', 'image must not be empty', 'image');
  if (bytes.byteLength > options.maxBytes) throw new PayloadTooLargeError(`visitor texts: a logo must be at most ${options.maxBytes} bytes (got ${bytes.byteLength})`);
  const found = await fileTypeFromBuffer(bytes);
  const type = found?.mime;
  if (!type || !(LOGO_TYPES as readonly string[]).includes(type)) {
    throw new UnsupportedMediaTypeError(`visitor texts: a logo must be a PNG, JPEG or WebP image (its bytes say ${type ?? 'unknown'})`);
  }
  return { bytes, type: type as LogoType, size: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
}
