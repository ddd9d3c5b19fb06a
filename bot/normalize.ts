// First pipeline stage: one canonical form of any visitor text (width, script, case, invisible characters).
import * as OpenCC from 'opencc-js';

// Traditional to simplified, Taiwan phrases included (列印 -> 打印), so 充值卡密碼 meets 充值卡密码.
const toSimplified = OpenCC.Converter({ from: 'twp', to: 'cn' });

// C0/C1 controls except tab/newline, zero-width characters, and bidi overrides/isolates,
// which can hide or reorder text shown to agents.
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

/** Text as stored and shown: invisible and control characters removed, whitespace trimmed. */
export function cleanText(text: string): string {
  return text.replace(INVISIBLE, '').replace(/\r\n?/g, '\n').trim();
}

/** Text as matched: NFKC (full-width to half-width), simplified Chinese, lower case, single spaces. */
export function normalize(text: string): string {
  return toSimplified(cleanText(text).normalize('NFKC')).toLowerCase().replace(/\s+/g, ' ').trim();
}
