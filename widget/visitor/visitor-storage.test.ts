import { describe, expect, it } from 'vitest';
import { newVisitorId, parseSaved, readSaved, writeSaved } from './visitor-storage.ts';

describe('newVisitorId', () => {
  it('is 16 random bytes as base64url: 22 characters the server accepts', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const id = newVisitorId();
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(200);
  });

  it('encodes the bytes it is given (no + / or = padding)', () => {
    expect(newVisitorId((b) => b.fill(0xff))).toBe('_____________________w');
    expect(newVisitorId((b) => b.fill(0xfb))).toBe('-_v7-_v7-_v7-_v7-_v7-w');
    expect(newVisitorId((b) => b.fill(0))).toBe('AAAAAAAAAAAAAAAAAAAAAA');
  });
});

describe('saved visitor id', () => {
  function memory() {
    const map = new Map<string, string>();
    return { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) };
  }

  it('survives a write and read, without a conversation (kept when a chat ends)', () => {
    const store = memory();
    const visitorId = newVisitorId();
    writeSaved(store, 'k', { lang: 'zh', open: false, visitorId });
    expect(readSaved(store, 'k')).toEqual({ lang: 'zh', open: false, visitorId });
    writeSaved(store, 'k', { ...readSaved(store, 'k'), conversationId: 'c1', token: 't1' });
    expect(readSaved(store, 'k').visitorId).toBe(visitorId);
  });

  it('drops a value the server would refuse (the widget then makes a new one)', () => {
    for (const bad of ['short', 'has space in it here', 'ä'.repeat(22), 'x'.repeat(65), 42, null]) {
      expect(parseSaved({ visitorId: bad }).visitorId).toBeUndefined();
    }
    expect(parseSaved({ visitorId: 'a'.repeat(16) }).visitorId).toBe('a'.repeat(16));
  });
});
