// The races several nodes run on one PostgreSQL database, each node its own pool (its own connections), so the
// calls really overlap: SQLite's single writer decided these; here the row and advisory locks of
// postgres-routing-store.ts must. (The store's contract on both engines: sqlite-routing-store.test.ts.)
import { beforeEach, expect, it } from 'vitest';
import { ConflictError } from '../platform/errors.ts';
import { databaseEachTest, postgresEngine, type EngineDb } from '../testing/engine-databases.ts';
import { manualTime, type ManualTime } from '../testing/routing-test-kit.ts';
import { describeWithServices } from '../testing/services.ts';
import type { RoutingStore } from './routing-store.ts';

describeWithServices('PostgreSQL routing store: races between nodes', () => {
  const db = databaseEachTest(postgresEngine);
  let time: ManualTime;

  beforeEach(() => {
    time = manualTime();
  });

  /** `n` nodes, each on a pool of its own (2 connections: the least PgOptions allows); closed with the database. */
  async function nodeDbs(n: number): Promise<EngineDb[]> {
    const nodes: EngineDb[] = [];
    for (let i = 0; i < n; i++) nodes.push(await db().another({ poolSize: 2 }));
    return nodes;
  }

  /** `n` nodes: each a routing store on a pool of its own. */
  async function nodes(n: number): Promise<RoutingStore[]> {
    return (await nodeDbs(n)).map((node) => node.stores.routing(time.clock));
  }

  async function queued(group = 'mobile'): Promise<string> {
    const conversations = db().stores.conversations({ clock: time.clock });
    const { conversation } = await conversations.createConversation({ lang: 'zh' });
    await conversations.appendTurn(conversation.id, { visitorText: '转人工', handoff: { reason: 'requested', decision: {}, group } });
    return conversation.id;
  }

  /** Every outcome of concurrent calls: the value, or the error. */
  const settle = <T>(calls: Array<Promise<T>>) => Promise.allSettled(calls);

  /** `n` chats queued one after another (in this order in the queue). */
  async function queuedInOrder(n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(await queued());
    return ids;
  }

  it('20 agents on 20 nodes take one waiting chat at once: exactly one gets it', async () => {
    const c = await queued();
    const stores = await nodes(20);
    const results = await settle(stores.map((store, i) => store.take(c, { agentId: `a${i}`, capacity: 3 })));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    // Every loser is told the chat is gone, not some database error.
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
    const winner = (won[0] as PromiseFulfilledResult<{ agentId: string }>).value.agentId;
    expect(await db().stores.routing().get(c)).toMatchObject({ status: 'assigned', agentId: winner });
    // Only the winner's assignment was recorded anywhere.
    expect(await db().value('SELECT count(*) FROM agent_routing')).toBe(1);
    expect(await db().value('SELECT count(*) FROM conversation_agents WHERE conversation_id = ?', [c])).toBe(1);
  });

  it('takes of different chats by one agent of capacity 2, from 10 nodes at once, never pass 2', async () => {
    const chats = await Promise.all(Array.from({ length: 10 }, () => queued()));
    const stores = await nodes(10);
    const results = await settle(stores.map((store, i) => store.take(chats[i]!, { agentId: 'a1', capacity: 2 })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    for (const r of results) if (r.status === 'rejected') expect(String(r.reason)).toMatch(/capacity/);
    expect((await db().stores.routing().activeCounts()).get('a1')).toBe(2);
  });

  it('dispatchers on 8 nodes, takes and transfers at once never give an agent of capacity 2 a third chat', async () => {
    const chats = await Promise.all(Array.from({ length: 12 }, () => queued()));
    const held = await queued();
    await db().stores.routing(time.clock).take(held, { agentId: 'other', capacity: 5 });
    const stores = await nodes(8);
    const a1 = { agentId: 'a1', capacity: 2, groups: ['mobile'] };
    await settle<unknown>([
      ...stores.map((store) => store.assignNext(['mobile'], [a1])),
      ...stores.slice(0, 4).map((store, i) => store.take(chats[11 - i]!, a1)),
      stores[5]!.transfer(held, { from: 'other', to: { agent: a1 } }),
    ]);
    expect((await db().stores.routing().activeCounts()).get('a1')).toBe(2);
    // And no chat went to two agents: each assigned chat has one holder, the rest still wait.
    const queue = await db().stores.routing().queue();
    expect(queue.length + 2 + (await db().stores.routing().heldBy('other')).length).toBe(13);
  });

  it('dispatchers on 6 nodes share out a queue among agents, each chat once, every agent to capacity', async () => {
    const chats = await queuedInOrder(10);
    const candidates = [
      { agentId: 'a1', capacity: 2, groups: ['mobile'] },
      { agentId: 'a2', capacity: 3, groups: ['mobile'] },
      { agentId: 'a3', capacity: 1, groups: ['mobile'] },
    ];
    const stores = await nodes(6);
    // Each node dispatches until it finds nothing more to do, as the dispatcher loops.
    const assigned = (
      await Promise.all(
        stores.map(async (store) => {
          const mine: string[] = [];
          for (;;) {
            const next = await store.assignNext(['mobile'], candidates);
            if (!next) return mine;
            mine.push(next.conversationId);
          }
        }),
      )
    ).flat();
    expect(assigned).toHaveLength(6);
    expect(new Set(assigned).size).toBe(6);
    expect(await db().stores.routing().activeCounts()).toEqual(new Map([['a1', 2], ['a2', 3], ['a3', 1]]));
    // The front of the queue went first: the four left are the last four queued.
    expect((await db().stores.routing().queue()).map((e) => e.id)).toEqual(chats.slice(6));
  });

  it('the idle sweep of 10 nodes closes an idle chat once: one closure, the others find it closed', async () => {
    const c = await queued();
    await db().stores.routing(time.clock).take(c, { agentId: 'a1', capacity: 3 });
    time.advance(600_000);
    const stores = await nodes(10);
    const idleBefore = time.clock().toISOString();
    const results = await Promise.all(stores.map((store) => store.close(c, { by: 'idle', idleBefore })));
    expect(results.filter((r) => r.kind === 'closed')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'already_closed')).toHaveLength(9);
    expect(await db().value('SELECT count(*) FROM conversation_closures WHERE conversation_id = ?', [c])).toBe(1);
  });

  it('an agent\'s message waits for a transfer in flight on another node, then is refused: a1 no longer holds the chat', async () => {
    const c = await queued();
    await db().stores.routing(time.clock).take(c, { agentId: 'a1', capacity: 3 });
    const [nodeA, nodeB] = await nodeDbs(2);
    const [a, b] = [nodeA!.stores.routing(time.clock), nodeB!.stores.routing(time.clock)];
    const unit = nodeA!.stores.unitOfWork();
    let transferred!: () => void;
    const inFlight = new Promise<void>((resolve) => (transferred = resolve));
    // Node A transfers inside a unit of work that stays open a moment after the transfer (a route's audit row, say).
    const transferring = unit.withTransaction(async () => {
      await a!.transfer(c, { from: 'a1', to: { agent: { agentId: 'a2', capacity: 3, groups: ['mobile'] } } });
      transferred();
      await new Promise((resolve) => setTimeout(resolve, 150));
    });
    await inFlight;
    // Read without the row lock, node B would still see a1 holding the chat and store the message.
    const sending = b!.addMessage(c, { author: 'agent', text: 'too late', agentId: 'a1' }, { holder: 'a1' });
    await transferring;
    await expect(sending).rejects.toBeInstanceOf(ConflictError);
    expect(await db().value("SELECT count(*) FROM messages WHERE conversation_id = ? AND author = 'agent'", [c])).toBe(0);
  });
  it('an agent message retried on 5 nodes at once is stored once; every attempt gets that message back', async () => {
    // Each attempt is one statement while nothing is in its way; one whose snapshot predates the first attempt's
    // commit passes the "not stored yet" check, and the unique index on the client id must make it a replay.
    const c = await queued();
    await db().stores.routing(time.clock).take(c, { agentId: 'a1', capacity: 3 });
    const stores = await nodes(5);
    const sent = await Promise.all(
      stores.map((store) => store.addMessage(c, { author: 'agent', text: '您好', agentId: 'a1' }, { holder: 'a1', clientMessageId: 'agent:a1:m-1' })),
    );
    expect(sent.filter((m) => !m.replayed)).toHaveLength(1);
    expect(new Set(sent.map((m) => m.id)).size).toBe(1);
    expect(await db().value("SELECT count(*) FROM messages WHERE conversation_id = ? AND author = 'agent'", [c])).toBe(1);
  });

  it('"talk to a person" pressed on 5 nodes at once queues the chat once, with one note', async () => {
    const { conversation } = await db().stores.conversations({ clock: time.clock }).createConversation({ lang: 'zh' });
    const stores = await nodes(5);
    const results = await Promise.all(
      stores.map((store) =>
        store.requestHandoff(conversation.id, { groupId: 'mobile', reason: 'requested', decision: {}, note: { author: 'bot', text: '正在为您转接人工客服' } }),
      ),
    );
    // The first queues it; the others, waiting for its row lock, find it queued and change nothing.
    expect(results.filter((r) => r.kind === 'queued')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'unchanged')).toHaveLength(4);
    for (const r of results) expect(r.conversation).toMatchObject({ status: 'queued', groupId: 'mobile' });
    expect(await db().value('SELECT count(*) FROM messages WHERE conversation_id = ?', [conversation.id])).toBe(1);
  });
});
