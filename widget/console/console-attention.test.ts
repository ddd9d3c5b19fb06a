import { describe, expect, it } from 'vitest';
import type { QueueItem } from '../../handoff/http/wire.ts';
import { chatNotice, messageNotice, noticeBody, noticeTag, queueNotices, titleWithCount, visitorAwaitsReply } from './console-attention.ts';

const ctx = { conversationId: 'c1', held: true, isNew: true, hidden: true };
const visitor = { author: 'visitor' as const, text: '还是连不上' };
const queued = (id: string, preview?: string): QueueItem => ({ id, waitingSeconds: 0, lang: 'zh', reason: undefined, preview, group: undefined, province: undefined, position: 1 });

describe('which message notifies', () => {
  it('a new visitor message in a held chat while the page is hidden, tagged by its chat', () => {
    expect(messageNotice(visitor, ctx)).toEqual({ kind: 'message', conversationId: 'c1', tag: 'chat-c1', body: '还是连不上' });
  });

  it('nothing while the page is visible (the badge and title say it)', () => {
    expect(messageNotice(visitor, { ...ctx, hidden: false })).toBeUndefined();
  });

  it("never the agent's own, a colleague's, the bot's or a system line", () => {
    for (const author of ['agent', 'bot', 'system'] as const) expect(messageNotice({ author, text: 'x' }, ctx)).toBeUndefined();
  });

  it('not for a chat no longer held, nor a message replayed after a reconnect', () => {
    expect(messageNotice(visitor, { ...ctx, held: false })).toBeUndefined();
    expect(messageNotice(visitor, { ...ctx, isNew: false })).toBeUndefined();
  });

  it('a file without text shows its name', () => {
    const m = { author: 'visitor' as const, text: '', attachment: { id: 'f', name: 'bill.pdf', type: 'application/pdf' as const, size: 1, url: '/x' } };
    expect(messageNotice(m, { ...ctx, fileWord: '文件' })?.body).toBe('文件: bill.pdf');
  });
});

describe('new chats', () => {
  it('a chat given to the agent notifies only while hidden', () => {
    expect(chatNotice('c2', '宽带断网', true)).toEqual({ kind: 'chat', conversationId: 'c2', tag: noticeTag('c2'), body: '宽带断网' });
    expect(chatNotice('c2', '宽带断网', false)).toBeUndefined();
  });

  it('the queue: only chats not seen at the last fetch; nothing on the first fetch, while visible or offline', () => {
    const q = [queued('a', '旧的'), queued('b', '新的')];
    expect(queueNotices(new Set(['a']), q, true, false)).toEqual([{ kind: 'queued', conversationId: 'b', tag: 'chat-b', body: '新的' }]);
    expect(queueNotices(undefined, q, true, false)).toEqual([]);
    expect(queueNotices(new Set(['a']), q, false, false)).toEqual([]);
    expect(queueNotices(new Set(['a']), q, true, true)).toEqual([]);
  });
});

describe('notification text and the title', () => {
  it('cuts a long body at 100 characters without splitting an emoji, spaces folded', () => {
    const body = noticeBody(`${'话'.repeat(99)}😀😀 tail`);
    expect(Array.from(body)).toHaveLength(101);
    expect(body.endsWith('😀…')).toBe(true);
    expect(noticeBody('  a\n\n b  ')).toBe('a b');
  });

  it('puts the unread total in front of the title, and nothing when none', () => {
    expect(titleWithCount('客服工作台', 3)).toBe('(3) 客服工作台');
    expect(titleWithCount('客服工作台', 0)).toBe('客服工作台');
    expect(titleWithCount('Agent console', 120)).toBe('(99+) Agent console');
  });
});

describe('whether the visitor waits for a reply (closing asks first then)', () => {
  const TAKEN = '2024-05-01T10:00:00.000Z';
  const at = (author: 'visitor' | 'agent' | 'bot' | 'system', minute: number) => ({ author, createdAt: `2024-05-01T10:${String(minute).padStart(2, '0')}:00.000Z` });
  const before = (author: 'visitor' | 'bot') => ({ author, createdAt: '2024-05-01T09:59:00.000Z' });

  it('no: only what the visitor wrote while queued, before the agent took the chat', () => {
    expect(visitorAwaitsReply([before('visitor'), before('bot'), before('visitor')], TAKEN)).toBe(false);
  });

  it('no: the agent answered the last visitor message (the usual take, reply, close)', () => {
    expect(visitorAwaitsReply([before('visitor'), at('agent', 1)], TAKEN)).toBe(false);
    expect(visitorAwaitsReply([before('visitor'), at('visitor', 1), at('agent', 2)], TAKEN)).toBe(false);
  });

  it('yes: a visitor message after the take that no agent message followed', () => {
    expect(visitorAwaitsReply([before('visitor'), at('visitor', 1)], TAKEN)).toBe(true);
  });

  it('yes: a visitor message after the agent\'s last message', () => {
    expect(visitorAwaitsReply([before('visitor'), at('agent', 1), at('visitor', 2)], TAKEN)).toBe(true);
    expect(visitorAwaitsReply([at('agent', 1), at('visitor', 2), at('agent', 3), at('visitor', 4)], TAKEN)).toBe(true);
  });

  it('bot and system lines neither answer the visitor nor make them wait', () => {
    expect(visitorAwaitsReply([at('visitor', 1), at('system', 2), at('bot', 3)], TAKEN)).toBe(true);
    expect(visitorAwaitsReply([at('agent', 1), at('system', 2)], TAKEN)).toBe(false);
  });

  it('a message at the very instant of the take is not after it', () => {
    expect(visitorAwaitsReply([{ author: 'visitor', createdAt: TAKEN }], TAKEN)).toBe(false);
  });

  it('without a known take time: only what follows an agent message counts', () => {
    expect(visitorAwaitsReply([at('visitor', 1)])).toBe(false);
    expect(visitorAwaitsReply([at('visitor', 1)], 'not a date')).toBe(false);
    expect(visitorAwaitsReply([at('agent', 1), at('visitor', 2)])).toBe(true);
  });

  it('an empty chat does not wait', () => {
    expect(visitorAwaitsReply([], TAKEN)).toBe(false);
  });
});
