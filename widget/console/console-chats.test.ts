import { describe, expect, it } from 'vitest';
import type { ConversationView, ViewMessage } from '../../handoff/http/wire.ts';
import { lastMessageId, mergeMessages, nextActive, totalUnread, withEnded, withMessage, withRead, withTyping, withView } from './console-chats.ts';
import { backoffMs } from './console-connection.ts';

const msg = (id: number, author: ViewMessage['author'] = 'visitor'): ViewMessage => ({ id, author, text: `m${id}`, createdAt: '2025-01-01T00:00:00Z' });

function view(over: Partial<ConversationView> = {}): ConversationView {
  return {
    id: 'c1',
    status: 'assigned',
    lang: 'zh',
    agent: { id: 'a1', displayName: 'Alice' },
    handoff: null,
    lastDecision: null,
    visitor: { lang: 'zh', firstSeen: '2025-01-01T00:00:00Z' },
    transfers: [],
    messages: [msg(1), msg(2, 'bot')],
    more: false,
    ...over,
  };
}

describe('console chats', () => {
  it('merges messages by id in order, each once', () => {
    expect(mergeMessages([msg(3), msg(1)], [msg(2), msg(3)]).map((m) => m.id)).toEqual([1, 2, 3]);
  });

  it('a view of a chat the agent holds makes a held chat; live messages seen before the view are kept', () => {
    let chats = withView(new Map(), view(), 'a1');
    chats = withMessage(chats, 'c1', msg(5), false)!;
    chats = withView(chats, view({ messages: [msg(1), msg(2, 'bot'), msg(4)] }), 'a1');
    const chat = chats.get('c1')!;
    expect(chat.held).toBe(true);
    expect(chat.messages.map((m) => m.id)).toEqual([1, 2, 4, 5]);
    expect(chat.unread).toBe(1);
  });

  it("someone else's or a closed chat is not held", () => {
    expect(withView(new Map(), view({ agent: { id: 'b', displayName: 'Bob' } }), 'a1').get('c1')!.ended).toEqual({ why: 'transferred' });
    expect(withView(new Map(), view({ status: 'closed' }), 'a1').get('c1')!.ended).toEqual({ why: 'closed' });
  });

  it('counts unread visitor messages only when the agent is not looking, once per message', () => {
    let chats = withView(new Map(), view(), 'a1');
    chats = withMessage(chats, 'c1', msg(3), false)!;
    chats = withMessage(chats, 'c1', msg(3), false)!;
    chats = withMessage(chats, 'c1', msg(4, 'agent'), false)!;
    chats = withMessage(chats, 'c1', msg(5), true)!;
    expect(chats.get('c1')!.unread).toBe(1);
    expect(totalUnread(chats)).toBe(1);
    expect(withRead(chats, 'c1').get('c1')!.unread).toBe(0);
    expect(lastMessageId(chats)).toBe(5);
  });

  it('ignores messages of chats it does not have', () => {
    expect(withMessage(new Map(), 'nope', msg(1), false)).toBeUndefined();
  });

  it('a visitor message ends their typing; ending a chat clears it too', () => {
    let chats = withTyping(withView(new Map(), view(), 'a1'), 'c1', true);
    expect(chats.get('c1')!.visitorTyping).toBe(true);
    chats = withMessage(chats, 'c1', msg(9), true)!;
    expect(chats.get('c1')!.visitorTyping).toBe(false);
    chats = withEnded(withTyping(chats, 'c1', true), 'c1', { why: 'closed', by: 'visitor' }, 'closed');
    expect(chats.get('c1')).toMatchObject({ held: false, visitorTyping: false, status: 'closed', ended: { why: 'closed', by: 'visitor' } });
  });

  it('picks the neighbour tab when one goes away', () => {
    expect(nextActive(['a', 'b', 'c'], 'b')).toBe('c');
    expect(nextActive(['a', 'b', 'c'], 'c')).toBe('b');
    expect(nextActive(['a'], 'a')).toBeUndefined();
  });
});

describe('backoffMs', () => {
  it('doubles from 1 s up to 30 s, with jitter that only shortens', () => {
    expect(backoffMs(0, () => 0)).toBe(1000);
    expect(backoffMs(3, () => 0)).toBe(8000);
    expect(backoffMs(10, () => 0)).toBe(30_000);
    expect(backoffMs(10, () => 1)).toBe(21_000);
  });
});
