import { describe, expect, it } from 'vitest';
import { charCount, cleanVisitorText } from './clean-text.ts';

describe('cleanVisitorText', () => {
  it('strips control and bidi characters but keeps newlines, tabs and emoji sequences', () => {
    expect(cleanVisitorText('a\u0000b\u0007c\u001bd\u007fe\u0085f')).toBe('abcdef');
    expect(cleanVisitorText('line1\r\nline2\rline3\tx')).toBe('line1\nline2\nline3\tx');
    expect(cleanVisitorText('pay \u202Eelif.exe')).toBe('pay elif.exe');
    expect(cleanVisitorText('👨\u200D👩\u200D👧')).toBe('👨\u200D👩\u200D👧');
    expect(cleanVisitorText('  \u0000 话费 \n ')).toBe('话费');
  });

  it('replaces lone surrogates', () => {
    expect(cleanVisitorText('a\uD800b\uDC00c')).toBe('a\uFFFDb\uFFFDc');
    expect(cleanVisitorText('😀')).toBe('😀');
  });
});

describe('charCount', () => {
  it('counts code points', () => {
    expect(charCount('话费😀a')).toBe(4);
    expect('话费😀a'.length).toBe(5);
  });
});
