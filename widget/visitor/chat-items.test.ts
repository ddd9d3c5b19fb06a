// The list rules of the visitor's chat: stored messages in id order, a stored copy replacing the one sending.
import { describe, expect, it } from 'vitest';
import { nothingSaidSince, unreadCount, withStored, type ChatItem } from './chat-items.ts';

const at = '2024-01-01T00:00:00.000Z';
const stored = (id: number, author: ChatItem['author'], text = `t${id}`) => ({ key: `m${id}`, id, author, text, createdAt: at });

describe('chat items', () => {
  it('appends the newest stored message and slots an older one in by id', () => {
    let items = withStored([], stored(1, 'bot'), 0);
    items = withStored(items, stored(5, 'bot'), 1);
    items = withStored(items, stored(3, 'agent'), 5);
    expect(items.map((m) => m.id)).toEqual([1, 3, 5]);
  });

  it("replaces the visitor's message still sending with its stored copy, but not a failed one", () => {
    const sending: ChatItem = { key: 'l1', author: 'visitor', text: 'hi', createdAt: at, state: 'sending' };
    expect(withStored([sending], stored(2, 'visitor', 'hi'), 0).map((m) => m.key)).toEqual(['m2']);
    const failed: ChatItem = { ...sending, state: 'failed' };
    expect(withStored([failed], stored(2, 'visitor', 'hi'), 0).map((m) => m.key)).toEqual(['l1', 'm2']);
  });

  it('replaces a file still sending only with a stored file of that name, and a text only with a text', () => {
    const file: ChatItem = { key: 'l1', author: 'visitor', text: 'a.png', createdAt: at, state: 'sending', localFile: new File([new Uint8Array([1])], 'a.png') };
    const attachment = { id: 'abcdefghijklmnop0001', name: 'a.png', type: 'image/png' as const, size: 1, url: '/x' };
    expect(withStored([file], stored(2, 'visitor', 'a.png'), 0).map((m) => m.key)).toEqual(['l1', 'm2']);
    expect(withStored([file], { ...stored(2, 'visitor', 'a.png'), attachment }, 0).map((m) => m.key)).toEqual(['m2']);
    const text: ChatItem = { key: 'l2', author: 'visitor', text: 'a.png', createdAt: at, state: 'sending' };
    expect(withStored([text], { ...stored(3, 'visitor', 'a.png'), attachment }, 0).map((m) => m.key)).toEqual(['l2', 'm3']);
  });

  it("counts unread replies after the last one seen, never the visitor's own", () => {
    const items = [stored(1, 'bot'), stored(2, 'visitor'), stored(3, 'agent')];
    expect(unreadCount(items, 1)).toBe(1);
  });

  it('keeps choices open until the visitor speaks or newer choices come', () => {
    const ask: ChatItem = { ...stored(1, 'bot'), suggestions: [{ entryId: 'a', question: 'A?' }] };
    expect(nothingSaidSince([ask, stored(2, 'agent')], ask)).toBe(true);
    expect(nothingSaidSince([ask, stored(2, 'visitor')], ask)).toBe(false);
    expect(nothingSaidSince([ask, { ...stored(2, 'bot'), suggestions: [{ entryId: 'b', question: 'B?' }] }], ask)).toBe(false);
  });
});
