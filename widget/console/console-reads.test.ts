import { describe, expect, it, vi } from 'vitest';
import type { ConsoleApi, ViewMessage } from './console-api.ts';
import type { ChatState } from './console-chats.ts';
import { withView } from './console-chats.ts';
import type { ConsoleHost } from './console-host.ts';
import { ConsoleReads } from './console-reads.ts';

const message = (id: number, author: ViewMessage['author']): ViewMessage => ({ id, author, text: `${author} ${id}`, createdAt: '2025-03-03T01:00:00Z' });

function setup(held = true) {
  const chat: ChatState = { id: 'c1', messages: [message(1, 'visitor'), message(2, 'bot')], status: 'assigned', unread: 0, visitorTyping: false, held };
  const api = {
    markRead: vi.fn(async () => ({ read: { visitor: { upTo: 7, at: 'x' } }, moved: true })),
    readState: vi.fn(async () => ({ read: { visitor: { upTo: 5, at: 'x' } } })),
  };
  const host = { chats: new Map([['c1', chat]]), api: api as unknown as ConsoleApi } as unknown as ConsoleHost;
  return { host, api, reads: new ConsoleReads(host) };
}

describe('ConsoleReads', () => {
  it('reports the newest message once per new visitor message, and only for a held chat', async () => {
    const { host, api, reads } = setup();
    reads.report('c1');
    reads.report('c1');
    expect(api.markRead).toHaveBeenCalledTimes(1);
    expect(api.markRead).toHaveBeenLastCalledWith('c1', 2);
    await Promise.resolve();
    // The answer's visitor marker is kept for the receipt.
    expect(host.chats.get('c1')?.visitorReadUpTo).toBe(7);
    const chat = host.chats.get('c1')!;
    host.chats = new Map([['c1', { ...chat, messages: [...chat.messages, message(8, 'agent')] }]]);
    reads.report('c1');
    expect(api.markRead).toHaveBeenCalledTimes(1);
    host.chats = new Map([['c1', { ...chat, messages: [...chat.messages, message(9, 'visitor')] }]]);
    reads.report('c1');
    expect(api.markRead).toHaveBeenLastCalledWith('c1', 9);

    const ended = setup(false);
    ended.reads.report('c1');
    expect(ended.api.markRead).not.toHaveBeenCalled();
  });

  it('moves the visitor marker forward only (events, reads back), and a reloaded view keeps it', async () => {
    const { host, reads } = setup();
    reads.visitorRead('c1', 6);
    reads.visitorRead('c1', 4);
    expect(host.chats.get('c1')?.visitorReadUpTo).toBe(6);
    await reads.load('c1');
    expect(host.chats.get('c1')?.visitorReadUpTo).toBe(6);
    reads.visitorRead('c1', 10);
    const view = { id: 'c1', status: 'assigned', agent: { id: 'a1', displayName: 'A' }, messages: [], transfers: [] } as never;
    expect(withView(host.chats, view, 'a1').get('c1')?.visitorReadUpTo).toBe(10);
  });
});
