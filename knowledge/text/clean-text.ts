// Makes visitor text safe to store and show: no control characters, no invisible direction tricks.

/**
 * C0 controls except tab and newline, DEL and C1 controls; bidirectional embeddings, overrides and
 * isolates (U+202A-202E, U+2066-2069), which can make a transcript read differently than it was typed.
 * Zero-width joiners stay: emoji sequences need them.
 */
const UNWANTED = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;
/** A surrogate half without its partner cannot be encoded as UTF-8; it becomes U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function cleanVisitorText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(UNWANTED, '')
    .replace(LONE_SURROGATE, '\uFFFD')
    .trim();
}

/** Length as a visitor perceives it: code points, so an emoji or a CJK character counts once. */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
