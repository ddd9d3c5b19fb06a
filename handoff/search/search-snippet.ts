// The excerpt of a found message shown in search results, with where the search terms are in it.

export interface Snippet {
  /** Plain text (never markup): whitespace runs collapsed, `…` where the message was cut. */
  text: string;
  /** Where the terms occur in `text`, in UTF-16 code units (JavaScript string indices), in order. */
  highlights: Array<{ start: number; length: number }>;
}

export interface SnippetOptions {
  /** Longest excerpt before the ellipses, in UTF-16 code units. Range 20-1000; default 120. */
  maxChars: number;
  /** Text kept before the first match, so it is read in context. Range 0-500; default 30. */
  before: number;
}

export const defaultSnippetOptions: SnippetOptions = { maxChars: 120, before: 30 };

const ELLIPSIS = '…';

export function makeSnippet(text: string, terms: readonly string[], options: Partial<SnippetOptions> = {}): Snippet {
  const { maxChars, before } = { ...defaultSnippetOptions, ...options };
  const flat = text.replace(/\s+/gu, ' ').trim();
  const matches = findAll(flat, terms);

  let start = Math.max(0, (matches[0]?.start ?? 0) - before);
  let end = Math.min(flat.length, start + maxChars);
  // Near the end of the message: show more of what comes before instead of a short excerpt.
  start = Math.max(0, Math.min(start, end - maxChars));
  start = notInsidePair(flat, start);
  end = notInsidePair(flat, end);

  const prefix = start > 0 ? ELLIPSIS : '';
  const suffix = end < flat.length ? ELLIPSIS : '';
  const highlights = matches
    .filter((m) => m.start >= start && m.start + m.length <= end)
    .map((m) => ({ start: m.start - start + prefix.length, length: m.length }));
  return { text: prefix + flat.slice(start, end) + suffix, highlights };
}

/** Non-overlapping case-insensitive occurrences of any term, longer terms first where they overlap. */
function findAll(text: string, terms: readonly string[]): Array<{ start: number; length: number }> {
  const wanted = [...new Set(terms.filter((t) => t !== ''))].sort((a, b) => b.length - a.length);
  if (wanted.length === 0) return [];
  const pattern = new RegExp(wanted.map(escapeRegExp).join('|'), 'giu');
  return [...text.matchAll(pattern)].map((m) => ({ start: m.index, length: m[0].length }));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Moves a cut off the middle of a surrogate pair (an emoji, a rare CJK character) onto its start. */
function notInsidePair(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return index > 0 && code >= 0xdc00 && code <= 0xdfff ? index - 1 : index;
}
