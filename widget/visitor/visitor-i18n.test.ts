import { describe, expect, it } from 'vitest';
import { formatEta, formatTime, parseLang, strings } from './visitor-i18n.ts';
import { parseSaved, readSaved } from './visitor-storage.ts';

describe('formatEta', () => {
  it('says seconds under a minute, whole minutes above', () => {
    expect(formatEta(24, 'zh')).toBe('20 秒');
    expect(formatEta(3, 'en')).toBe('10 s');
    expect(formatEta(90, 'zh')).toBe('2 分钟');
    expect(formatEta(600, 'en')).toBe('10 min');
  });
  it('is empty when unknown', () => {
    expect(formatEta(undefined, 'zh')).toBe('');
    expect(formatEta(0, 'zh')).toBe('');
    expect(formatEta(Number.NaN, 'en')).toBe('');
  });
});

describe('formatTime', () => {
  it('shows the time for today and the date for other days', () => {
    const now = new Date(2026, 10, 24, 20, 0);
    expect(formatTime(new Date(2026, 10, 24, 9, 5).toISOString(), now)).toBe('09:05');
    expect(formatTime(new Date(2026, 10, 23, 22, 30).toISOString(), now)).toBe('11-23 22:30');
    expect(formatTime('garbage', now)).toBe('');
  });
});

describe('parseLang and strings', () => {
  it('maps browser language tags to zh or en', () => {
    expect(parseLang('zh-CN')).toBe('zh');
    expect(parseLang('EN-us')).toBe('en');
    expect(parseLang('fr')).toBeUndefined();
    expect(parseLang('')).toBeUndefined();
  });
  it('has the same keys in both languages', () => {
    expect(Object.keys(strings('en')).sort()).toEqual(Object.keys(strings('zh')).sort());
    expect(strings('en').topics).toHaveLength(strings('zh').topics.length);
  });
});

describe('saved state', () => {
  it('keeps well-formed fields and drops the rest', () => {
    expect(parseSaved({ conversationId: 'c1', token: 't', lastMessageId: 4, lang: 'en', open: true, ratingDue: true })).toEqual({
      conversationId: 'c1',
      token: 't',
      lastMessageId: 4,
      lang: 'en',
      open: true,
      ratingDue: true,
    });
    expect(parseSaved({ conversationId: 'c1', lastMessageId: -1, lang: 'fr', open: 'yes' })).toEqual({});
    expect(parseSaved('nope')).toEqual({});
  });
  it('survives junk in storage', () => {
    expect(readSaved({ getItem: () => '{not json' }, 'k')).toEqual({});
    expect(readSaved(undefined, 'k')).toEqual({});
  });
});
