// The routing store's contract, run on both engines (a real SQLite file; a real PostgreSQL database where the test
// services are): the queue and its order, takes, assignment, transfers, requeues, closes and ratings, agent
// messages, the button's handoff and tickets. The service tests (routing.test.ts) drive the SQLite store through
// routing; postgres-routing-store.test.ts adds the races only several nodes can run. SQLite-only: migration 003
// on existing data.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, readMigrations } from '../sqlite/migrate.ts';
import { createSqliteRoutingStore } from './sqlite-routing-store.ts';
import type { ConversationStore } from '../conversations/conversation-store.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../platform/errors.ts';
import type { RoutingStore } from './routing-store.ts';
import type { TicketStore } from './tickets.ts';
import { manualTime, type ManualTime } from '../testing/routing-test-kit.ts';
import { databaseEachTest, describeEachEngine, type EngineDb } from '../testing/engine-databases.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('migration 003 on a database with chats already queued', () => {
  it('keeps their order and puts them in the default group', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'routing-migrate-'));
    const db = new Database(join(dir, 'chat.sqlite'));
    db.pragma('foreign_keys = ON');
    cleanups.push(() => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const all = readMigrations();
    migrate(db, all.filter((m) => m.version < 3));
    const insert = db.prepare(`INSERT INTO conversations (id, token_hash, status, lang, handoff_reason, queued_at, created_at, updated_at)
      VALUES (?, zeroblob(32), 'queued', 'zh', 'requested', ?, ?, ?)`);
    insert.run('late', '2025-01-01T10:05:00.000Z', '2025-01-01T10:00:00.000Z', '2025-01-01T10:05:00.000Z');
    insert.run('early', '2025-01-01T10:01:00.000Z', '2025-01-01T10:00:00.000Z', '2025-01-01T10:01:00.000Z');
    migrate(db, all);
    const store = createSqliteRoutingStore(db);
    expect((await store.queue()).map((e) => [e.id, e.groupId, e.position])).toEqual([
      ['early', 'mobile', 1],
      ['late', 'mobile', 2],
    ]);
  });
});

describeEachEngine('routing store', (engine) => routingStoreContract(databaseEachTest(engine)));

function routingStoreContract(db: () => EngineDb): void {
  let time: ManualTime;
  let conversations: ConversationStore;
  let store: RoutingStore;
  let tickets: TicketStore;

  beforeEach(() => {
    // The clock stands still unless a test moves it: ties in time are the usual case here, not the exception.
    time = manualTime();
    conversations = db().stores.conversations({ clock: time.clock });
    store = db().stores.routing(time.clock);
    tickets = db().stores.tickets(time.clock);
  });

  /** A conversation in the bot's hands with one exchange. */
  async function chat(text = '你好'): Promise<string> {
    const created = await conversations.createConversation({
      lang: 'zh',
      firstTurn: { visitorText: text, reply: { author: 'bot', text: '您好', kind: 'answer', confidence: 0.9 } },
    });
    return created.conversation.id;
  }

  /** A conversation queued in `group` the way a chat turn queues it. */
  async function queued(group = 'mobile', text = '转人工'): Promise<string> {
    const { conversation } = await conversations.createConversation({ lang: 'zh' });
    await conversations.appendTurn(conversation.id, {
      visitorText: text,
      reply: { author: 'bot', text: '正在为您转接', kind: 'handoff', confidence: 1 },
      handoff: { reason: 'requested', decision: { kind: 'handoff' }, group },
    });
    return conversation.id;
  }

  const agent = (agentId: string, capacity = 3, groups: readonly string[] = ['mobile']) => ({ agentId, capacity, groups });

  describe('the queue', () => {
    it('orders each group by entry, creation order breaking ties within one millisecond, with positions per group', async () => {
      // Created in this order at the same instant: only the creation order can tell them apart.
      const m1 = await queued('mobile', 'first');
      const b1 = await queued('billing');
      const m2 = await queued('mobile');
      time.advance(1000);
      const m3 = await queued('mobile');
      expect((await store.queue()).map((e) => [e.id, e.groupId, e.position])).toEqual([
        [m1, 'mobile', 1],
        [b1, 'billing', 1],
        [m2, 'mobile', 2],
        [m3, 'mobile', 3],
      ]);
      expect((await store.queue(['billing'])).map((e) => e.id)).toEqual([b1]);
      expect(await store.queue([])).toEqual([]);
      expect((await store.queue(['mobile']))[0]).toMatchObject({ lang: 'zh', reason: 'requested', preview: 'first', queuedAt: '2025-03-03T02:00:00.000Z' });
      expect(await store.queuePosition(m2)).toEqual({ groupId: 'mobile', position: 2 });
      expect(await store.queuePosition(b1)).toEqual({ groupId: 'billing', position: 1 });
      expect(await store.queuePosition(await chat())).toBeUndefined();
      expect(await conversations.queuePosition(m3)).toBe(3);
    });
  });

  describe('take', () => {
    it('assigns a waiting chat once; the holder taking it again gets it unchanged', async () => {
      const c = await queued();
      expect(await store.take(c, agent('a1'))).toEqual({ conversationId: c, agentId: 'a1', groupId: 'mobile', lang: 'zh', alreadyHeld: false });
      expect(await store.take(c, agent('a1'))).toMatchObject({ alreadyHeld: true });
      await expect(store.take(c, agent('a2'))).rejects.toThrow(ConflictError);
      expect(await store.get(c)).toMatchObject({ status: 'assigned', agentId: 'a1', assignedAt: time.clock().toISOString() });
      expect(await store.queue()).toEqual([]);
      expect(await store.activeCounts()).toEqual(new Map([['a1', 1]]));
    });

    it('refuses a chat of another group, one not waiting, an unknown one, and one past capacity', async () => {
      const billing = await queued('billing');
      await expect(store.take(billing, agent('a1', 3, ['mobile']))).rejects.toThrow(ForbiddenError);
      await expect(store.take(await chat(), agent('a1'))).rejects.toThrow(ConflictError);
      await expect(store.take('nope', agent('a1'))).rejects.toThrow(NotFoundError);
      const [x, y] = [await queued(), await queued()];
      await store.take(x, agent('a1', 1));
      await expect(store.take(y, agent('a1', 1))).rejects.toThrow(/capacity/);
      expect(await store.get(y)).toMatchObject({ status: 'queued' });
    });
  });

  describe('assignNext', () => {
    it('gives the front chat to the least loaded candidate, round-robin on ties, never past capacity', async () => {
      const chats = [await queued(), await queued(), await queued(), await queued()];
      const candidates = [agent('a2', 1), agent('a1', 2)];
      const first = await store.assignNext(['mobile'], candidates);
      // Both hold nothing and were never assigned: the agent id settles it.
      expect(first).toEqual({ conversationId: chats[0], agentId: 'a1', groupId: 'mobile', lang: 'zh' });
      time.advance(1000);
      expect(await store.assignNext(['mobile'], candidates)).toMatchObject({ conversationId: chats[1], agentId: 'a2' });
      time.advance(1000);
      // a2 is full (capacity 1): a1 takes the next although both hold one.
      expect(await store.assignNext(['mobile'], candidates)).toMatchObject({ conversationId: chats[2], agentId: 'a1' });
      expect(await store.assignNext(['mobile'], candidates)).toBeUndefined();
      expect(await store.get(chats[3]!)).toMatchObject({ status: 'queued' });
    });

    it('passes over a chat no candidate serves for the next one that some candidate does', async () => {
      const billing = await queued('billing');
      const mobile = await queued('mobile');
      expect(await store.assignNext(['billing', 'mobile'], [agent('a1', 3, ['mobile'])])).toMatchObject({ conversationId: mobile, agentId: 'a1' });
      expect(await store.assignNext(['billing', 'mobile'], [agent('a1', 3, ['mobile'])])).toBeUndefined();
      expect(await store.assignNext([], [agent('a1')])).toBeUndefined();
      expect(await store.assignNext(['billing'], [])).toBeUndefined();
      expect(await store.get(billing)).toMatchObject({ status: 'queued' });
    });
  });

  describe('transfer and requeue', () => {
    it('moves a held chat to an agent under capacity, or to the front of a group, recording each move', async () => {
      const waiting = await queued('billing');
      const c = await queued();
      await store.take(c, agent('a1'));
      await expect(store.transfer(c, { from: 'a2', to: { agent: agent('a3') } })).rejects.toThrow(ConflictError);
      await expect(store.transfer(c, { from: 'a1', to: { agent: agent('a1') } })).rejects.toThrow(ConflictError);
      const busy = await queued();
      await store.take(busy, agent('a3', 1));
      await expect(store.transfer(c, { from: 'a1', to: { agent: agent('a3', 1) } })).rejects.toThrow(/capacity/);

      time.advance(1000);
      const toAgent = await store.transfer(c, { from: 'a1', to: { agent: agent('a2') }, note: 'billing question' });
      expect(toAgent.before).toMatchObject({ status: 'assigned', agentId: 'a1' });
      expect(toAgent.after).toMatchObject({ status: 'assigned', agentId: 'a2' });
      expect(toAgent.transfer).toMatchObject({ fromAgentId: 'a1', toAgentId: 'a2', note: 'billing question' });

      const toGroup = await store.transfer(c, { to: { group: 'billing' } });
      expect(toGroup.after).toMatchObject({ status: 'queued', groupId: 'billing' });
      expect(toGroup.after.agentId).toBeUndefined();
      expect(toGroup.transfer).toMatchObject({ fromAgentId: 'a2', toGroupId: 'billing' });
      // Put back at the front, before the chat that was already waiting there.
      expect((await store.queue(['billing'])).map((e) => e.id)).toEqual([c, waiting]);
      expect((await store.transfers(c)).map((t) => [t.toAgentId, t.toGroupId])).toEqual([
        ['a2', undefined],
        [undefined, 'billing'],
      ]);
      await store.close(c, { by: 'agent' });
      await expect(store.transfer(c, { to: { group: 'mobile' } })).rejects.toThrow(ConflictError);
    });

    it('requeues an agent\'s chats at the front of their queues in the order they were assigned', async () => {
      const waiting = await queued();
      const [x, y] = [await queued(), await queued()];
      await store.take(x, agent('a1'));
      time.advance(1000);
      await store.take(y, agent('a1'));
      const moved = await store.requeueAgent('a1');
      expect(moved.map((c) => [c.id, c.status])).toEqual([
        [x, 'queued'],
        [y, 'queued'],
      ]);
      expect((await store.queue()).map((e) => e.id)).toEqual([x, y, waiting]);
      expect(await store.requeueAgent('a1')).toEqual([]);
    });
  });

  describe('close and rate', () => {
    it('closes once with the handling time; a second close finds it closed; the holder check and the idle check hold', async () => {
      const c = await queued();
      await store.take(c, agent('a1'));
      await expect(store.close(c, { by: 'agent', holder: 'a2' })).rejects.toThrow(ConflictError);
      const idleBefore = time.clock().toISOString();
      // Not idle: its last activity is not before idleBefore.
      expect((await store.close(c, { by: 'idle', idleBefore })).kind).toBe('skipped');
      time.advance(90_000);
      expect(await store.idleAssigned(time.clock().toISOString())).toEqual([c]);
      const closed = await store.close(c, { by: 'idle', idleBefore: time.clock().toISOString() });
      expect(closed).toMatchObject({ kind: 'closed', before: { status: 'assigned' }, closure: { closedBy: 'idle', agentId: 'a1', groupId: 'mobile', handlingSeconds: 90 } });
      expect(await store.close(c, { by: 'visitor' })).toMatchObject({ kind: 'already_closed', conversation: { status: 'closed', closedBy: 'idle' } });
      expect(await store.idleAssigned(time.clock().toISOString())).toEqual([]);
      expect(await store.recentHandlingSeconds('mobile', '2000-01-01T00:00:00.000Z', 10)).toEqual({ inGroup: [90], all: [90] });
      expect(await store.recentHandlingSeconds(undefined, '2000-01-01T00:00:00.000Z', 10)).toEqual({ inGroup: [], all: [90] });
      expect(await store.recentHandlingSeconds('billing', '2000-01-01T00:00:00.000Z', 10)).toEqual({ inGroup: [], all: [90] });
      await expect(store.close('nope', { by: 'agent' })).rejects.toThrow(NotFoundError);
    });

    it('takes one rating per close, only once the chat is over', async () => {
      const c = await queued();
      await expect(store.rate(c, { score: 5 })).rejects.toThrow(ConflictError);
      await store.close(c, { by: 'visitor' });
      const rated = await store.rate(c, { score: 4, comment: 'ok' });
      expect(rated).toMatchObject({ conversationId: c, rating: 4, ratingComment: 'ok', closedBy: 'visitor' });
      expect(rated.handlingSeconds).toBeUndefined();
      await expect(store.rate(c, { score: 1 })).rejects.toThrow(/already rated/);
      expect(await store.latestClosure(c)).toEqual(rated);
      expect(await store.latestClosure(await chat())).toBeUndefined();
    });
  });

  describe('agent messages and the agent\'s list', () => {
    it('stores a message only while the agent holds the chat, once per client id, as activity', async () => {
      const c = await queued();
      await store.take(c, agent('a1'));
      time.advance(5000);
      const sent = await store.addMessage(c, { author: 'agent', text: '您好，我是客服', agentId: 'a1' }, { holder: 'a1', clientMessageId: 'agent:a1:m1' });
      expect(sent).toMatchObject({ conversationId: c, author: 'agent', agentId: 'a1', createdAt: time.clock().toISOString() });
      expect(sent.replayed).toBeUndefined();
      const again = await store.addMessage(c, { author: 'agent', text: 'changed', agentId: 'a1' }, { holder: 'a1', clientMessageId: 'agent:a1:m1' });
      expect(again).toMatchObject({ id: sent.id, text: '您好，我是客服', replayed: true });
      await expect(store.addMessage(c, { author: 'agent', text: 'x', agentId: 'a2' }, { holder: 'a2' })).rejects.toThrow(ConflictError);
      expect((await store.get(c)).updatedAt).toBe(time.clock().toISOString());
      const texts = (await conversations.listMessages(c)).map((m) => m.text);
      expect(texts.filter((t) => t === '您好，我是客服')).toHaveLength(1);
      expect(texts).not.toContain('changed');
    });

    it('lists the chats an agent holds, oldest assignment first, with the visitor\'s latest words', async () => {
      const [x, y] = [await queued('mobile', '查话费'), await queued('billing', '账单')];
      await store.take(x, agent('b1'));
      time.advance(1000);
      await store.take(y, agent('b1', 3, ['billing']));
      await store.take(await queued(), agent('a1'));
      expect((await store.heldBy('b1')).map((h) => [h.id, h.groupId, h.preview])).toEqual([
        [x, 'mobile', '查话费'],
        [y, 'billing', '账单'],
      ]);
      expect(await store.heldBy('nobody')).toEqual([]);
      expect(await store.agentsHoldingChats()).toEqual(['a1', 'b1']);
    });
  });

  describe('requestHandoff (the button)', () => {
    it('queues a bot conversation with the note; leaves a queued or assigned one alone', async () => {
      const c = await chat();
      const request = { groupId: 'billing', reason: 'requested', decision: { source: 'button' }, note: { author: 'bot' as const, text: '正在转接', kind: 'handoff' } };
      const first = await store.requestHandoff(c, request);
      expect(first).toMatchObject({ kind: 'queued', message: { author: 'bot', text: '正在转接' }, conversation: { status: 'queued', groupId: 'billing' } });
      const again = await store.requestHandoff(c, request);
      expect(again.kind).toBe('unchanged');
      expect((await conversations.listMessages(c)).filter((m) => m.text === '正在转接')).toHaveLength(1);
      expect(await conversations.getConversation(c)).toMatchObject({ handoff: { reason: 'requested', group: 'billing', decision: { source: 'button' } } });
    });
  });

  describe('tickets', () => {
    it('lists open tickets oldest first, answered newest first, open before answered', async () => {
      const ids: number[] = [];
      for (let i = 0; i < 4; i++) {
        const c = await chat();
        time.advance(1000);
        ids.push((await tickets.create({ conversationId: c, groupId: 'mobile', lang: 'zh', contact: `c${i}`, text: `t${i}`, reason: 'outside_hours' })).id);
      }
      await tickets.answer(ids[0]!, { agentId: 'a', text: 'ok' });
      await tickets.answer(ids[2]!, { agentId: 'a', text: 'ok' });
      expect((await tickets.list()).map((t) => t.id)).toEqual([ids[1], ids[3], ids[2], ids[0]]);
      expect((await tickets.list({ status: 'open' })).map((t) => t.id)).toEqual([ids[1], ids[3]]);
      expect(await tickets.list({ groups: ['billing'] })).toEqual([]);
      expect(await tickets.list({ limit: 1 })).toHaveLength(1);
    });

    it('keeps one open ticket per chat, answers once into the chat, and checks the group', async () => {
      const c = await chat();
      const ticket = await tickets.create({ conversationId: c, groupId: 'billing', lang: 'zh', contact: '186', text: '请回电', reason: 'no_agents' });
      expect(ticket).toMatchObject({ conversationId: c, groupId: 'billing', status: 'open', createdAt: time.clock().toISOString() });
      await expect(tickets.create({ conversationId: c, groupId: 'billing', lang: 'zh', contact: '186', text: 'again', reason: 'no_agents' })).rejects.toThrow(ConflictError);
      await expect(tickets.answer(ticket.id, { agentId: 'a1', text: 'x', groups: ['mobile'] })).rejects.toThrow(ForbiddenError);
      time.advance(1000);
      const answered = await tickets.answer(ticket.id, { agentId: 'a1', text: '已处理', groups: ['billing'] });
      expect(answered.ticket).toMatchObject({ status: 'answered', answer: '已处理', answeredBy: 'a1', answeredAt: time.clock().toISOString() });
      expect(answered.message).toMatchObject({ conversationId: c, author: 'agent', text: '已处理', kind: 'ticket_answer', agentId: 'a1' });
      expect((await conversations.listMessages(c)).at(-1)).toMatchObject({ id: answered.message!.id, text: '已处理' });
      await expect(tickets.answer(ticket.id, { agentId: 'a2', text: 'y' })).rejects.toThrow(ConflictError);
      await expect(tickets.get(999_999)).rejects.toThrow(NotFoundError);
      // Answered, the chat may leave a new one.
      expect((await tickets.create({ conversationId: c, groupId: 'billing', lang: 'zh', contact: '186', text: 'more', reason: 'by_choice' })).status).toBe('open');
    });
  });
}
