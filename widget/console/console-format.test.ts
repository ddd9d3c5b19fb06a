import { describe, expect, it } from 'vitest';
import { cannedQuery, flashTitle, formatDays, formatDuration, formatTime, highlightParts, parseGroupList, shorten } from './console-format.ts';

describe('formatDuration', () => {
  it('reads at a glance', () => {
    expect(formatDuration(-3)).toBe('0s');
    expect(formatDuration(45.9)).toBe('45s');
    expect(formatDuration(185)).toBe('3m 05s');
    expect(formatDuration(3720)).toBe('1h 02m');
  });
});

describe('formatTime', () => {
  it('shows HH:MM today and the date otherwise', () => {
    const now = new Date(2025, 2, 10, 12, 0);
    expect(formatTime(new Date(2025, 2, 10, 9, 5).toISOString(), now)).toBe('09:05');
    expect(formatTime(new Date(2025, 2, 9, 23, 59).toISOString(), now)).toBe('03-09 23:59');
    // Another year: the year too, or last December would read as this one's.
    expect(formatTime(new Date(2024, 11, 31, 8, 0).toISOString(), now)).toBe('2024-12-31 08:00');
    expect(formatTime('nonsense', now)).toBe('');
  });
});

describe('shorten', () => {
  it('keeps short text and cuts long text on a code point with an ellipsis', () => {
    expect(shorten('话费', 5)).toEqual({ text: '话费', cut: false });
    expect(shorten('a'.repeat(5), 5)).toEqual({ text: 'aaaaa', cut: false });
    expect(shorten('加微信😀😀😀领流量', 5)).toEqual({ text: '加微信😀😀…', cut: true });
    expect(shorten('spam spam spam', 5)).toEqual({ text: 'spam…', cut: true });
  });
});

describe('highlightParts', () => {
  it('marks the ranges, merging overlaps and ignoring ranges outside the snippet', () => {
    expect(highlightParts('我要开发票', [{ start: 3, length: 2 }, { start: 4, length: 1 }, { start: 9, length: 2 }])).toEqual([
      { text: '我要开', mark: false },
      { text: '发票', mark: true },
    ]);
    expect(highlightParts('abc', [])).toEqual([{ text: 'abc', mark: false }]);
  });
});

describe('cannedQuery', () => {
  it('opens the canned search for "/" and a word, not for ordinary text', () => {
    expect(cannedQuery('/')).toBe('');
    expect(cannedQuery('/退')).toBe('退');
    expect(cannedQuery('/refund now')).toBeUndefined();
    expect(cannedQuery('hello /x')).toBeUndefined();
    expect(cannedQuery('')).toBeUndefined();
  });
});

describe('formatDays', () => {
  const names = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  it('summarises weekday runs', () => {
    expect(formatDays([1, 2, 3, 4, 5, 6, 7], names)).toBe('Mon-Sun');
    expect(formatDays([1, 2, 3, 4, 5], names)).toBe('Mon-Fri');
    expect(formatDays([6, 7], names)).toBe('Sat, Sun');
    expect(formatDays([1, 3, 5], names)).toBe('Mon, Wed, Fri');
  });
});

describe('parseGroupList', () => {
  it('splits on commas (also full-width) and spaces, lower case, once each', () => {
    expect(parseGroupList(' Mobile, billing，mobile  broadband ')).toEqual(['mobile', 'billing', 'broadband']);
    expect(parseGroupList('')).toEqual([]);
  });
});

describe('flashTitle', () => {
  it('alternates the notice and the page title', () => {
    expect(flashTitle('客服工作台', '新会话', 0)).toBe('【新会话】客服工作台');
    expect(flashTitle('客服工作台', '新会话', 1)).toBe('客服工作台');
  });
});
