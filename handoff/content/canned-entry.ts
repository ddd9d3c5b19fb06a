// The fields of a canned library entry as the API takes them (JSON, or a file upload's form parts): shortcut,
// title, text, link address, language, category, with their limits and the 400s they give.
import { z } from 'zod';
import { cleanVisitorText } from '../../knowledge/text/clean-text.ts';
import type { FieldMessages } from '../http/parse-body.ts';

/** "/" then 1-32 letters, digits, _ or - of any script: "/refund", "/退款", "/5g-plan". */
const SHORTCUT = /^\/[\p{L}\p{N}_-]{1,32}$/u;
export const MAX_CANNED_TITLE = 100;
export const MAX_CANNED_TEXT = 4000;
export const MAX_CANNED_CATEGORY = 40;
/** Longest link address kept, in characters (browsers and proxies handle this much everywhere). */
export const MAX_CANNED_URL = 2048;

export const cannedChars = (max: number) =>
  z
    .string()
    // Agents send these to visitors: no control characters or direction overrides, as for any chat text.
    .transform(cleanVisitorText)
    .pipe(z.string().min(1).refine((s) => [...s].length <= max));

export const cannedShortcut = z
  .string()
  .transform((s) => s.normalize('NFKC').trim().toLowerCase())
  .transform((s) => (s.startsWith('/') ? s : `/${s}`))
  .pipe(z.string().regex(SHORTCUT));

export const cannedLang = z.enum(['zh', 'en']);

/** A category name: trimmed (inner spaces folded), 1-40 characters, no control characters. */
export const cannedCategory = z
  .string()
  .transform((s) => cleanVisitorText(s).replace(/\s+/g, ' ').trim())
  .pipe(z.string().min(1).refine((s) => [...s].length <= MAX_CANNED_CATEGORY));

/** Whitespace, control and direction characters: none belongs in an address, and each can disguise one ("java\tscript:"). */
const HIDDEN = /[\s\u0000-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/u;

/**
 * An address agents send visitors: http or https only (never javascript:, data:, file: ...), a host, no user name or
 * password (`https://bank.example@evil.example` reads as the bank), nothing hidden in it, at most MAX_CANNED_URL
 * characters. Kept as the URL parser writes it (`HTTPS://Example.COM` is `https://example.com/`), so what is stored
 * is exactly what a browser will open. Undefined when it is none of these.
 */
export function parseCannedUrl(value: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_CANNED_URL || HIDDEN.test(trimmed)) return undefined;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '' || url.username !== '' || url.password !== '') return undefined;
  return url.href.length <= MAX_CANNED_URL ? url.href : undefined;
}

export const cannedUrl = z.string().transform((value, ctx) => {
  const url = parseCannedUrl(value);
  if (url === undefined) {
    ctx.addIssue({ code: 'custom', message: CANNED_FIELD_MESSAGES.url!.message, params: { code: 'invalid_url' } });
    return z.NEVER;
  }
  return url;
});

export const CANNED_FIELD_MESSAGES: FieldMessages = {
  kind: { code: 'invalid_kind', message: 'kind must be "text" or "link" (files are uploaded with POST /api/admin/canned/files)' },
  shortcut: { code: 'invalid_shortcut', message: 'shortcut must be "/" and 1-32 letters, digits, _ or - (like /refund)' },
  title: { code: 'invalid_title', message: `title must be 1-${MAX_CANNED_TITLE} characters` },
  text: { code: 'invalid_text', message: `text must be 1-${MAX_CANNED_TEXT} characters` },
  url: { code: 'invalid_url', message: `url must be an http:// or https:// address of at most ${MAX_CANNED_URL} characters, without a user name or password` },
  lang: { code: 'invalid_lang', message: 'lang must be "zh", "en" or null (both)' },
  category: { code: 'invalid_category', message: `category must be 1-${MAX_CANNED_CATEGORY} characters, or null (none)` },
  shared: { code: 'invalid_shared', message: 'shared must be true or false' },
};
