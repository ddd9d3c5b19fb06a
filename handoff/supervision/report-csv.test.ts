// CSV cells: RFC 4180 quoting and the apostrophe that keeps a spreadsheet from running a typed formula.
import { describe, expect, it } from 'vitest';
import { csvCell } from './report-csv.ts';

describe('csvCell', () => {
  it('prefixes cells a spreadsheet would read as a formula', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+86 10010')).toBe("'+86 10010");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=cmd')).toBe("'\t=cmd");
  });

  it('quotes commas, quotes and line breaks, after escaping', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=A1,"x"')).toBe(`"'=A1,""x"""`);
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
  });

  it('leaves plain text and numbers alone; null is an empty cell', () => {
    expect(csvCell('客服小李')).toBe('客服小李');
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell(0.25)).toBe('0.25');
    expect(csvCell(null)).toBe('');
  });
});
