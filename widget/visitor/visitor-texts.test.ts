// The widget's reading of the admins' texts and of its left messages: only well-formed answers are used (a logo
// only at the server's own path), and left messages are read when the panel opens and when an answer may have come.
import { describe, expect, it } from 'vitest';
import type { VisitorTicket } from '../../handoff/http/wire.ts';
import { LeftMessages } from './left-messages.ts';
import { parseVisitorTexts } from './visitor-texts.ts';

const SHA = 'ab'.repeat(32);

describe('parseVisitorTexts', () => {
  it('keeps well-formed texts and a logo at the server path only', () => {
    const texts = { welcome: { zh: '您好', en: 'Hi' }, banner: { zh: '谨防诈骗', en: '' }, logo: `/api/visitor/logo/${SHA}` };
    expect(parseVisitorTexts(texts)).toEqual(texts);
    for (const logo of ['javascript:alert(1)', 'https://evil.example/x.png', `/api/visitor/logo/${SHA}?x`, `//evil.example/api/visitor/logo/${SHA}`, 42]) {
      expect(parseVisitorTexts({ ...texts, logo })?.logo).toBeNull();
    }
  });

  it('drops an answer of the wrong shape (the built-in words stay)', () => {
    for (const raw of [null, 'x', [], {}, { welcome: { zh: 1, en: '' }, banner: { zh: '', en: '' } }, { welcome: { zh: '', en: '' } }]) {
      expect(parseVisitorTexts(raw)).toBeUndefined();
    }
  });
});

describe('LeftMessages', () => {
  function kit() {
    const reads: string[] = [];
    let answer: VisitorTicket[] = [];
    const source = {
      conversationId: 'c1' as string | undefined,
      async leftMessages() {
        reads.push(source.conversationId ?? '');
        return answer;
      },
    };
    let updates = 0;
    const left = new LeftMessages({ addController() {}, removeController() {}, requestUpdate: () => updates++, updateComplete: Promise.resolve(true) }, source);
    return { left, source, reads, set: (t: VisitorTicket[]) => (answer = t), updates: () => updates };
  }
  const settle = () => new Promise((r) => setTimeout(r, 0));

  it('reads nothing while the panel is closed, then on opening; again when an agent message comes while one waits', async () => {
    const k = kit();
    k.left.sync({ open: false, newestAgentMessage: 0, leftCount: 0 });
    expect(k.reads).toEqual([]);
    k.set([{ id: 1, text: '请回电', status: 'open', createdAt: '2025-03-03T01:00:00Z' }]);
    k.left.sync({ open: true, newestAgentMessage: 0, leftCount: 0 });
    await settle();
    expect(k.reads).toHaveLength(1);
    expect(k.left.waiting().map((t) => t.id)).toEqual([1]);
    k.left.sync({ open: true, newestAgentMessage: 0, leftCount: 0 });
    await settle();
    const before = k.reads.length;
    // The answer arrives as an agent message: read again, and it is tied to that message.
    k.set([{ id: 1, text: '请回电', status: 'answered', createdAt: '2025-03-03T01:00:00Z', answer: '已回电', answeredAt: '2025-03-03T02:00:00Z', answerMessageId: 9 }]);
    k.left.sync({ open: true, newestAgentMessage: 9, leftCount: 0 });
    await settle();
    expect(k.reads.length).toBe(before + 1);
    expect(k.left.answeredBy(9)?.answer).toBe('已回电');
    expect(k.left.waiting()).toEqual([]);
    // Nothing waits any more: newer agent messages read nothing.
    k.left.sync({ open: true, newestAgentMessage: 12, leftCount: 0 });
    await settle();
    expect(k.reads.length).toBe(before + 1);
  });

  it('forgets the left messages of a conversation that is gone', async () => {
    const k = kit();
    k.set([{ id: 1, text: 'x', status: 'open', createdAt: '2025-03-03T01:00:00Z' }]);
    k.left.sync({ open: true, newestAgentMessage: 0, leftCount: 0 });
    await settle();
    k.source.conversationId = undefined;
    k.left.sync({ open: true, newestAgentMessage: 0, leftCount: 0 });
    expect(k.left.tickets).toEqual([]);
  });
});
