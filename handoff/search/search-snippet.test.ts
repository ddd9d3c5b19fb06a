// Search excerpts: where the cut falls, what is marked, and that nothing is split or read as a pattern.
import { describe, expect, it } from 'vitest';
import { makeSnippet } from './search-snippet.ts';

/** The highlighted parts, read back from the snippet. */
const marked = (s: { text: string; highlights: Array<{ start: number; length: number }> }) =>
  s.highlights.map((h) => s.text.slice(h.start, h.start + h.length));

describe('makeSnippet', () => {
  it('keeps a short message whole and marks every occurrence, case-insensitively', () => {
    const s = makeSnippet('Balance low? Check your balance.', ['balance']);
    expect(s.text).toBe('Balance low? Check your balance.');
    expect(marked(s)).toEqual(['Balance', 'balance']);
  });

  it('cuts a long message around the first match, with ellipses', () => {
    const text = `${'前'.repeat(100)}查询话费${'后'.repeat(100)}`;
    const s = makeSnippet(text, ['话费'], { maxChars: 40, before: 10 });
    expect(s.text).toBe(`…${'前'.repeat(8)}查询话费${'后'.repeat(28)}…`);
    expect(marked(s)).toEqual(['话费']);
  });

  it('shows the end of a message whose match is near the end', () => {
    const s = makeSnippet(`${'x'.repeat(200)} match`, ['match'], { maxChars: 20, before: 5 });
    expect(s.text).toBe(`…${'x'.repeat(14)} match`);
    expect(marked(s)).toEqual(['match']);
  });

  it('prefers the longer term where terms overlap, and collapses whitespace', () => {
    const s = makeSnippet('话费\n\n  话费余额', ['话费', '话费余额']);
    expect(s.text).toBe('话费 话费余额');
    expect(marked(s)).toEqual(['话费', '话费余额']);
  });

  it('never cuts an emoji in half, and treats regex characters as text', () => {
    const s = makeSnippet(`${'😀'.repeat(30)}a+b`, ['a+b'], { maxChars: 21, before: 3 });
    expect(s.text.startsWith('…😀')).toBe(true);
    expect(s.text.endsWith('a+b')).toBe(true);
    expect(marked(s)).toEqual(['a+b']);
    expect(makeSnippet('no match here', ['zzz'])).toEqual({ text: 'no match here', highlights: [] });
  });
});
