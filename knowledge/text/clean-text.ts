// Makes visitor text safe to store and show: no control characters, no invisible direction tricks.

/**
 * C0 controls except tab and newline, DEL and C1 controls; bidirectional embeddings, overrides and
 * isolates (U+202A-202E, U+2066-2069), which can make a transcript read differently than it was typed.
 * Zero-width joiners stay: emoji sequences need them. Carriage returns are line ends, turned into \n before
 * the rest is removed, so they are not in the class.
 */
const UNWANTED_CLASS = '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]';
const UNWANTED = new RegExp(UNWANTED_CLASS, 'g');
/** A surrogate half without its partner cannot be encoded as UTF-8; it becomes U+FFFD. */
const LONE_SURROGATE_SOURCE = '[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
const LONE_SURROGATE = new RegExp(LONE_SURROGATE_SOURCE, 'g');
const UNSTORABLE = new RegExp(`${UNWANTED_CLASS}|${LONE_SURROGATE_SOURCE}`);

/**
 * Whether `text` holds a character stored visitor text never holds (what cleanVisitorText removes or replaces;
 * tab and line ends aside): a search for it can match nothing, and a NUL would break an FTS5 query.
 */
export function holdsUnstorableCharacters(text: string): boolean {
  return UNSTORABLE.test(text);
}

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
