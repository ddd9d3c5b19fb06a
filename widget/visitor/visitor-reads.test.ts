import { describe, expect, it, vi } from 'vitest';
import type { VisitorApi } from './visitor-api.ts';
import { ApiError } from './visitor-api.ts';
import { VisitorChatState } from './visitor-chat-state.ts';
import { VisitorReads } from './visitor-reads.ts';

function setup(read: VisitorApi['read'] = vi.fn(async () => ({ read: {}, moved: true }))) {
  const chat = new VisitorChatState(() => {});
  chat.conversationId = 'c1';
  chat.token = 't';
  chat.historyReady = true;
  const api = { read, readState: vi.fn(async () => ({ read: { agent: { upTo: 3, at: 'x' } } })) } as unknown as VisitorApi;
  const update = vi.fn();
  const reads = new VisitorReads(chat, { api: () => api, update });
  const add = (id: number, author: 'visitor' | 'agent' | 'bot' | 'system') =>
    chat.addStored({ conversationId: 'c1', id, author, text: `${author} ${id}`, createdAt: '2025-03-03T01:00:00Z' });
  return { chat, api, reads, add, update };
}

describe('VisitorReads', () => {
  it('reports once per new agent message, only while the panel shows the chat to the visitor', async () => {
    const { reads, add, api } = setup();
    add(1, 'visitor');
    add(2, 'bot');
    reads.shown(true);
    // Nothing an agent wrote yet: nothing to tell.
    expect(api.read).not.toHaveBeenCalled();
    add(3, 'agent');
    reads.shown(false);
    expect(api.read).not.toHaveBeenCalled();
    reads.shown(true);
    reads.shown(true);
    expect(api.read).toHaveBeenCalledTimes(1);
    expect(api.read).toHaveBeenLastCalledWith('c1', 't', 3);
    add(4, 'visitor');
    reads.shown(true);
    expect(api.read).toHaveBeenCalledTimes(1);
    add(5, 'agent');
    add(6, 'system');
    reads.shown(true);
    expect(api.read).toHaveBeenLastCalledWith('c1', 't', 6);
  });

  it('tries again after a passing failure, never after a refusal', async () => {
    const read = vi.fn<VisitorApi['read']>().mockRejectedValueOnce(new ApiError(0, 'network', 'down')).mockRejectedValueOnce(new ApiError(404, 'not_found', 'gone'));
    const { reads, add } = setup(read);
    add(1, 'agent');
    reads.shown(true);
    await Promise.resolve();
    await Promise.resolve();
    reads.shown(true);
    await Promise.resolve();
    await Promise.resolve();
    reads.shown(true);
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('words the receipt under the newest stored visitor message only: sent with a person, read once the agent side read it', async () => {
    const { chat, reads, add, update } = setup();
    add(1, 'visitor');
    add(2, 'bot');
    const first = chat.items[0]!;
    // With the bot, nothing.
    expect(reads.receipt(first)).toBeUndefined();
    chat.setStatus('queued');
    expect(reads.receipt(first)).toBe('sent');
    add(3, 'visitor');
    const newest = chat.items.at(-1)!;
    expect(reads.receipt(first)).toBeUndefined();
    expect(reads.receipt(newest)).toBe('sent');
    expect(chat.applyEvent({ event: 'read', data: { conversationId: 'c1', reader: 'agent', upTo: 3, at: 'x' } })).toBe(true);
    expect(reads.receipt(newest)).toBe('read');
    // Never back, and the visitor's own reading is no receipt.
    expect(chat.applyEvent({ event: 'read', data: { conversationId: 'c1', reader: 'agent', upTo: 2, at: 'x' } })).toBe(false);
    expect(chat.applyEvent({ event: 'read', data: { conversationId: 'c1', reader: 'visitor', upTo: 9, at: 'x' } })).toBe(false);
    expect(chat.agentReadUpTo).toBe(3);

    // Read back after a reconnect.
    chat.agentReadUpTo = 0;
    await reads.refresh();
    expect(chat.agentReadUpTo).toBe(3);
    expect(update).toHaveBeenCalled();
  });
});
