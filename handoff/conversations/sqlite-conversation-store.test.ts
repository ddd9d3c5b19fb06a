// The conversation store's contract, run on both engines: a real SQLite file, and a real PostgreSQL database
// where the test services are (postgres-conversation-store.test.ts adds the races only several nodes can run).
import { beforeEach, describe, expect, it } from 'vitest';
import type { ConversationStore } from './conversation-store.ts';
import { ConflictError, NotFoundError } from '../platform/errors.ts';
import { databaseEachTest, describeEachEngine, type EngineDb } from '../testing/engine-databases.ts';

describeEachEngine('conversation store', (engine) => conversationStoreContract(databaseEachTest(engine)));

function conversationStoreContract(db: () => EngineDb): void {
  let store: ConversationStore;
  let now: number;

  beforeEach(() => {
    now = Date.parse('2025-01-01T08:00:00.000Z');
    // Each call moves the clock 1 s on, so queue order and timestamps are predictable.
    store = db().stores.conversations({ clock: () => new Date((now += 1000)) });
  });
  /** SQL with `?` placeholders, on whichever engine this run uses. */
  const sql = {
    run: (text: string, ...params: unknown[]) => db().run(text, params),
    row: async (text: string, ...params: unknown[]) => (await db().rows(text, params))[0] as Record<string, unknown>,
    value: <T = unknown>(text: string, ...params: unknown[]) => db().value<T>(text, params),
  };

  describe('createConversation / authenticate', () => {
    it('returns the token once and stores only its sha256', async () => {
      const { conversation, token } = await store.createConversation({ lang: 'zh', visitor: { userAgent: 'UA/1' } });
      expect(conversation).toMatchObject({ status: 'bot', lang: 'zh', context: {}, visitor: { userAgent: 'UA/1' } });
      const row = await sql.row('SELECT * FROM conversations WHERE id = ?', conversation.id);
      expect(JSON.stringify(row)).not.toContain(token);
      expect((row.token_hash as Buffer).length).toBe(32);
      expect(await store.authenticate(conversation.id, token)).toMatchObject({ id: conversation.id });
    });

    it('answers NotFound alike for a wrong token, another conversation’s token and an unknown id', async () => {
      const a = await store.createConversation({ lang: 'en' });
      const b = await store.createConversation({ lang: 'en' });
      await expect(store.authenticate(a.conversation.id, b.token)).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.authenticate(a.conversation.id, a.token + 'x')).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.authenticate('no-such-id', a.token)).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.getConversation('no-such-id')).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('createConversation with a first turn', () => {
    it('writes the conversation and its first turn together', async () => {
      const created = await store.createConversation({
        lang: 'en',
        firstTurn: { visitorText: 'hi', reply: { author: 'bot', text: 'hello' }, context: { lastTopic: 'x' } },
      });
      expect(created.turn!.messages.map((m) => m.text)).toEqual(['hi', 'hello']);
      expect(created.conversation.context).toEqual({ lastTopic: 'x' });
      expect(await store.authenticate(created.conversation.id, created.token)).toMatchObject({ context: { lastTopic: 'x' } });
    });

    it('writes a bot first turn into the new row (no update after the insert), a handoff first turn queued', async () => {
      const plain = await store.createConversation({
        lang: 'zh',
        visitor: { userAgent: 'UA/2' },
        firstTurn: { visitorText: 'how to top up', reply: { author: 'bot', text: 'SMS', kind: 'answer' }, context: { lastTopic: 'recharge' }, decision: { kind: 'answer' }, lang: 'en' },
      });
      expect(plain.conversation).toEqual(await store.getConversation(plain.conversation.id));
      expect(plain.conversation).toMatchObject({ status: 'bot', lang: 'en', context: { lastTopic: 'recharge' }, lastDecision: { kind: 'answer' } });
      expect(plain.conversation.createdAt).toBe(plain.conversation.updatedAt);
      expect(plain.turn).toEqual({ conversation: plain.conversation, messages: plain.turn!.messages, queuePosition: undefined });
      expect(plain.turn!.messages.map((m) => [m.author, m.text, m.createdAt])).toEqual([
        ['visitor', 'how to top up', plain.conversation.createdAt],
        ['bot', 'SMS', plain.conversation.createdAt],
      ]);

      const handedOff = await store.createConversation({
        lang: 'zh',
        firstTurn: { visitorText: '转人工', reply: { author: 'bot', text: '正在为您转接' }, handoff: { reason: 'requested', decision: { kind: 'handoff' }, group: 'mobile' } },
      });
      expect(handedOff.conversation).toEqual(await store.getConversation(handedOff.conversation.id));
      expect(handedOff.conversation).toMatchObject({ status: 'queued', handoff: { reason: 'requested', group: 'mobile' } });
      expect(handedOff.turn!.queuePosition).toBe(1);
    });

    it('leaves no empty conversation behind when the first turn fails', async () => {
      await expect(
        store.createConversation({ lang: 'en', firstTurn: { visitorText: 'hi', reply: { author: 'bot', text: 'x', confidence: -1 } } }),
      ).rejects.toThrow(/check constraint/i);
      expect(await sql.value('SELECT count(*) FROM conversations')).toBe(0);
      expect(await sql.value('SELECT count(*) FROM messages')).toBe(0);
    });
  });

  describe('appendTurn', () => {
    it('writes the visitor message, the reply and the context together', async () => {
      const { conversation } = await store.createConversation({ lang: 'zh' });
      const result = await store.appendTurn(conversation.id, {
        visitorText: '怎么充值',
        reply: { author: 'bot', text: '编辑短信 CZ#...', kind: 'answer', entryId: 'recharge.sms-topup', confidence: 0.82 },
        context: { lastEntryId: 'recharge.sms-topup', fallbacksInRow: 0 },
        decision: { kind: 'answer', entryId: 'recharge.sms-topup' },
      });
      expect(result.messages.map((m) => [m.author, m.text])).toEqual([
        ['visitor', '怎么充值'],
        ['bot', '编辑短信 CZ#...'],
      ]);
      expect(result.messages[1]).toMatchObject({ kind: 'answer', entryId: 'recharge.sms-topup', confidence: 0.82 });
      expect(result.messages[0]!.id).toBeLessThan(result.messages[1]!.id);
      expect(result.conversation.context).toEqual({ lastEntryId: 'recharge.sms-topup', fallbacksInRow: 0 });
      expect(result.conversation.lastDecision).toEqual({ kind: 'answer', entryId: 'recharge.sms-topup' });
      expect(result.queuePosition).toBeUndefined();
      expect(await store.listMessages(conversation.id)).toEqual(result.messages);
    });

    it('rolls the whole turn back when any part fails', async () => {
      const { conversation } = await store.createConversation({ lang: 'en' });
      // confidence outside 0..1 violates a CHECK constraint on the second insert.
      await expect(
        store.appendTurn(conversation.id, {
          visitorText: 'hello',
          reply: { author: 'bot', text: 'hi', confidence: 7 },
          context: { lastTopic: 'x' },
        }),
      ).rejects.toThrow(/check constraint/i);
      expect(await store.listMessages(conversation.id)).toEqual([]);
      expect((await store.getConversation(conversation.id)).context).toEqual({});
    });

    it('refuses a turn based on a stale status', async () => {
      const { conversation } = await store.createConversation({ lang: 'en' });
      await store.appendTurn(conversation.id, { visitorText: 'agent please', handoff: { reason: 'requested', decision: {} } });
      await expect(
        store.appendTurn(conversation.id, { visitorText: 'again', reply: { author: 'bot', text: 'x' }, expectStatus: 'bot' }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect((await store.listMessages(conversation.id)).map((m) => m.text)).toEqual(['agent please']);
      await expect(store.appendTurn('nope', { visitorText: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    });

    it('keeps SQL-looking and HTML text verbatim', async () => {
      const { conversation } = await store.createConversation({ lang: 'en' });
      const texts = ["'); DROP TABLE messages; --", '<script>alert(1)</script>', 'line one\nline two', '😀 “quotes” \\ %_'];
      for (const text of texts) await store.appendTurn(conversation.id, { visitorText: text });
      expect((await store.listMessages(conversation.id)).map((m) => m.text)).toEqual(texts);
      expect(await sql.value('SELECT count(*) FROM messages')).toBe(texts.length);
    });

    it('records the handoff and reopens with a new status', async () => {
      const { conversation } = await store.createConversation({ lang: 'zh' });
      const decision = { kind: 'handoff', candidates: [{ entryId: 'bill.query', score: 3.2 }] };
      const queued = await store.appendTurn(conversation.id, {
        visitorText: '转人工',
        reply: { author: 'bot', text: '正在为您转接', kind: 'handoff', confidence: 1 },
        handoff: { reason: 'requested', decision },
      });
      expect(queued.conversation.status).toBe('queued');
      expect(queued.conversation.handoff).toMatchObject({ reason: 'requested', decision });
      expect(queued.conversation.handoff!.queuedAt).toMatch(/^2025-01-01T08:00:\d\d\.000Z$/);
      expect(queued.queuePosition).toBe(1);
      await sql.run("UPDATE conversations SET status = 'closed' WHERE id = ?", conversation.id);
      const reopened = await store.appendTurn(conversation.id, { visitorText: '还在吗', status: 'bot', expectStatus: 'closed' });
      expect(reopened.conversation.status).toBe('bot');
      expect(reopened.queuePosition).toBeUndefined();
    });

    it('returns the conversation exactly as a fresh read gives it, whichever way the turn was written', async () => {
      const created = await store.createConversation({
        lang: 'en',
        visitor: { userAgent: 'UA/1', pageUrl: 'https://hall.example/' },
        firstTurn: { visitorText: 'hi', reply: { author: 'bot', text: 'hello' }, context: { lastTopic: 'x' }, decision: { kind: 'fallback' } },
      });
      const id = created.conversation.id;
      expect(created.conversation).toEqual(await store.getConversation(id));
      // A plain bot turn (the lean update), one without context or decision (both kept), a handoff, a reopen.
      const turns = [
        { visitorText: 'top up?', reply: { author: 'bot' as const, text: 'SMS' }, context: { lastTopic: 'recharge' }, decision: { kind: 'answer' }, lang: 'zh' as const, expectStatus: 'bot' as const },
        { visitorText: 'ok' },
        { visitorText: 'a person please', handoff: { reason: 'requested', decision: { kind: 'handoff' }, group: 'billing' } },
      ];
      for (const turn of turns) {
        const result = await store.appendTurn(id, turn);
        expect(result.conversation).toEqual(await store.getConversation(id));
      }
      // Held by an agent, then closed: the next message reopens it with the bot, and later turns keep the last holder.
      await sql.run("UPDATE conversations SET status = 'closed', agent_id = 'agent-1' WHERE id = ?", id);
      const reopened = await store.appendTurn(id, { visitorText: 'back', status: 'bot', expectStatus: 'closed' });
      expect(reopened.conversation).toEqual(await store.getConversation(id));
      const after = await store.appendTurn(id, { visitorText: 'more', context: { lastTopic: 'bill' }, expectStatus: 'bot' });
      expect(after.conversation).toEqual(await store.getConversation(id));
      expect(after.conversation).toMatchObject({ status: 'bot', lang: 'zh', context: { lastTopic: 'bill' }, lastDecision: { kind: 'answer' } });
      expect(await sql.value('SELECT agent_id FROM conversations WHERE id = ?', id)).toBe('agent-1');
    });
  });

  describe('queuePosition', () => {
    it('counts queued conversations in the order they entered the queue', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push((await store.createConversation({ lang: 'en' })).conversation.id);
      const queue = async (id: string) =>
        (await store.appendTurn(id, { visitorText: 'human', handoff: { reason: 'requested', decision: {} } })).queuePosition;
      expect(await queue(ids[2]!)).toBe(1);
      expect(await queue(ids[0]!)).toBe(2);
      expect(await queue(ids[3]!)).toBe(3);
      expect(await store.queuePosition(ids[1]!)).toBeUndefined();
      // The first in line is taken by an agent: everyone behind moves up.
      await sql.run("UPDATE conversations SET status = 'assigned' WHERE id = ?", ids[2]);
      expect(await store.queuePosition(ids[0]!)).toBe(1);
      expect(await store.queuePosition(ids[3]!)).toBe(2);
      expect(await store.queuePosition(ids[2]!)).toBeUndefined();
    });
  });

  describe('listMessages', () => {
    it('returns only messages after the given id, of this conversation, capped by limit', async () => {
      const a = (await store.createConversation({ lang: 'en' })).conversation.id;
      const b = (await store.createConversation({ lang: 'en' })).conversation.id;
      for (let i = 1; i <= 3; i++) {
        await store.appendTurn(a, { visitorText: `a${i}`, reply: { author: 'bot', text: `r${i}` } });
        await store.appendTurn(b, { visitorText: `b${i}` });
      }
      const all = await store.listMessages(a);
      expect(all.map((m) => m.text)).toEqual(['a1', 'r1', 'a2', 'r2', 'a3', 'r3']);
      const after = await store.listMessages(a, { after: all[2]!.id });
      expect(after.map((m) => m.text)).toEqual(['r2', 'a3', 'r3']);
      expect(await store.listMessages(a, { after: all[5]!.id })).toEqual([]);
      expect((await store.listMessages(a, { after: 0, limit: 2 })).map((m) => m.text)).toEqual(['a1', 'r1']);
      expect(await store.listMessages('unknown')).toEqual([]);
    });
  });

  describe('createConversation: a retried first message (visitorId + clientMessageId)', () => {
    const VISITOR = 'visitor-aaaaaaaaaaaa';
    const firstTurn = (clientMessageId?: string) => ({
      visitorText: '查话费',
      reply: { author: 'bot' as const, text: '发送 CXHF 到 10010', kind: 'answer' },
      lang: 'zh' as const,
      receipt: { kind: 'bot', reply: { text: '发送 CXHF 到 10010' } },
      ...(clientMessageId ? { clientMessageId } : {}),
    });
    const start = (visitorId: string | undefined, clientMessageId?: string) =>
      store.createConversation({ lang: 'zh', visitor: visitorId ? { visitorId } : {}, firstTurn: firstTurn(clientMessageId) });
    const count = (text: string) => sql.value<number>(text);

    it('answers the retry with the same conversation and turn, and a new token that replaces the old one', async () => {
      const first = await start(VISITOR, 'm-1');
      const retry = await start(VISITOR, 'm-1');
      expect(first.turn?.replay).toBeUndefined();
      expect(retry.conversation.id).toBe(first.conversation.id);
      expect(retry.turn?.replay).toEqual({ receipt: { kind: 'bot', reply: { text: '发送 CXHF 到 10010' } } });
      expect(retry.turn?.messages.map((m) => m.id)).toEqual(first.turn?.messages.map((m) => m.id));
      expect(await count('SELECT count(*) AS n FROM conversations')).toBe(1);
      expect(await count("SELECT count(*) AS n FROM messages WHERE author = 'visitor'")).toBe(1);
      expect(retry.token).not.toBe(first.token);
      await expect(store.authenticate(first.conversation.id, first.token)).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.authenticate(first.conversation.id, retry.token)).toMatchObject({ id: first.conversation.id });
      // Only a hash of the pair is kept.
      const row = await sql.row('SELECT * FROM conversations');
      expect((row.creation_key as Buffer).length).toBe(32);
      expect(JSON.stringify(row)).not.toContain('m-1');
    });

    it('a queued first turn (its own handoff) is retried too; once a person has it, the pair starts anew', async () => {
      const handoffTurn = { ...firstTurn('m-q'), handoff: { reason: 'requested', decision: {} } };
      const first = await store.createConversation({ lang: 'zh', visitor: { visitorId: VISITOR }, firstTurn: handoffTurn });
      expect(first.conversation.status).toBe('queued');
      const retry = await store.createConversation({ lang: 'zh', visitor: { visitorId: VISITOR }, firstTurn: handoffTurn });
      expect(retry.conversation.id).toBe(first.conversation.id);
      expect(retry.turn?.queuePosition).toBe(1);
      await sql.run("UPDATE conversations SET status = 'assigned', agent_id = 'a1'");
      const after = await store.createConversation({ lang: 'zh', visitor: { visitorId: VISITOR }, firstTurn: handoffTurn });
      expect(after.conversation.id).not.toBe(first.conversation.id);
      expect(after.turn?.replay).toBeUndefined();
    });

    it('starts a new conversation after the window, after a second turn, for another visitor or without a visitorId', async () => {
      const first = await start(VISITOR, 'm-2');
      now += 120_000;
      const late = await start(VISITOR, 'm-2');
      expect(late.conversation.id).not.toBe(first.conversation.id);
      // The key moved to the newer conversation: the old one's token still works (it was not a retry).
      expect(await store.authenticate(first.conversation.id, first.token)).toMatchObject({ id: first.conversation.id });
      expect(await count('SELECT count(*) AS n FROM conversations WHERE creation_key IS NOT NULL')).toBe(1);

      await store.appendTurn(late.conversation.id, { visitorText: '还有呢', clientMessageId: 'm-3' });
      const moved = await start(VISITOR, 'm-2');
      expect(moved.conversation.id).not.toBe(late.conversation.id);

      expect((await start('visitor-bbbbbbbbbbbb', 'm-2')).conversation.id).not.toBe(moved.conversation.id);
      const anonymous = await start(undefined, 'm-4');
      expect((await start(undefined, 'm-4')).conversation.id).not.toBe(anonymous.conversation.id);
      expect(await count('SELECT count(*) AS n FROM conversations')).toBe(6);
    });

    it('a window of 0 never matches', async () => {
      store = db().stores.conversations({ clock: () => new Date(now), firstMessageRetryMs: 0 });
      const first = await start(VISITOR, 'm-5');
      expect((await start(VISITOR, 'm-5')).conversation.id).not.toBe(first.conversation.id);
    });
  });
}
