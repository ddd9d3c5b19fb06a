// Races between agents on different nodes (three real processes on one PostgreSQL): a chat is taken by exactly
// one of twenty agents taking it at once, and one agent taking many chats at once through every node never holds
// more than their capacity. On one node SQLite's write lock decides these; across nodes only the database can.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithServices } from '../../handoff/testing/services.ts';
import { useCluster } from './cluster-kit.ts';
import { createAgent, handedOff, presentOn, signInAdmin, streams, transcript, type Agent, type Visitor } from './cluster-clients.ts';

const NODES = ['A', 'B', 'C'];
const RACERS = 20;

describeWithServices('takes racing across nodes', () => {
  const c = useCluster({ env: { RATE_LIMITS: 'off' } });
  const live = streams();
  const url = (name: string) => c.cluster.node(name).url;
  /** Node of the i-th request: every node takes part in every race. */
  const nodeOf = (i: number) => url(NODES[i % NODES.length]!);
  let admin: Agent;
  const racers: Agent[] = [];

  beforeAll(async () => {
    admin = await signInAdmin(url('A'));
    for (let i = 0; i < RACERS; i++) {
      const racer = await createAgent(admin, nodeOf(i), `racer${String(i).padStart(2, '0')}`);
      // Present (a stream on their own node) but away: nothing is handed to them, they take.
      await presentOn(nodeOf(i), racer, live, 'away');
      racers.push(racer);
    }
  }, 180_000);
  afterAll(() => live.closeAll());

  /** A chat that asked for a person and waits in the queue (every agent is away). */
  async function queued(at: string): Promise<Visitor> {
    const { visitor } = await handedOff(at);
    expect((await transcript(at, visitor)).status).toBe('queued');
    return visitor;
  }

  it('twenty agents on three nodes take one queued chat at once: exactly one 200, the others 409', async () => {
    // Three rounds: one race decided right by luck must not pass the test.
    for (let round = 0; round < 3; round++) {
      const visitor = await queued(nodeOf(round));
      const answers = await Promise.all(racers.map((racer, i) => racer.call(nodeOf(i), 'POST', `/api/agent/conversations/${visitor.id}/take`)));
      const statuses = answers.map((a) => a.status);
      const winners = racers.filter((_, i) => statuses[i] === 200);
      expect(winners.map((w) => w.username), `round ${round}: statuses ${JSON.stringify(statuses)}`).toHaveLength(1);
      expect(statuses.filter((s) => s === 409), `round ${round}: the losers are told it is taken`).toHaveLength(RACERS - 1);
      // Every node agrees on who has it, and only the winner holds it.
      for (const name of NODES) {
        const view = await admin.call(url(name), 'GET', `/api/agent/conversations/${visitor.id}`);
        expect(view.json.status, `node ${name}`).toBe('assigned');
        expect(view.json.agent?.id, `node ${name}`).toBe(winners[0]!.id);
      }
      const holders = await Promise.all(racers.map(async (r, i) => ((await r.call(nodeOf(i + 1), 'GET', '/api/agent/conversations')).json.conversations as { id: string }[]).some((x) => x.id === visitor.id)));
      expect(holders.filter(Boolean)).toHaveLength(1);
    }
  }, 120_000);

  it('one agent taking eight chats at once through every node holds exactly their capacity of three', async () => {
    const capped = await createAgent(admin, url('B'), 'capped', { capacity: 3 });
    await presentOn(url('B'), capped, live, 'away');
    const chats: Visitor[] = [];
    for (let i = 0; i < 8; i++) chats.push(await queued(nodeOf(i)));

    const answers = await Promise.all(chats.map((chat, i) => capped.call(nodeOf(i), 'POST', `/api/agent/conversations/${chat.id}/take`)));
    const statuses = answers.map((a) => a.status);
    // Capacity 3 and nothing held before: three takes succeed, the rest are refused as over capacity.
    expect(statuses.filter((s) => s === 200), JSON.stringify(statuses)).toHaveLength(3);
    expect(statuses.filter((s) => s === 409), JSON.stringify(statuses)).toHaveLength(5);
    const held = await capped.call(url('C'), 'GET', '/api/agent/conversations');
    expect(held.json.conversations).toHaveLength(3);
    const taken = chats.filter((_, i) => statuses[i] === 200).map((chat) => chat.id).sort();
    expect(held.json.conversations.map((x: { id: string }) => x.id).sort()).toEqual(taken);
    // The refused ones are still waiting for someone else.
    for (const [i, chat] of chats.entries()) {
      if (statuses[i] !== 200) expect((await transcript(nodeOf(i + 1), chat)).status).toBe('queued');
    }
  }, 120_000);
});
