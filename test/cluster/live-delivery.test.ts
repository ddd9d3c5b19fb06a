// Live delivery between nodes (three real processes on one PostgreSQL and Redis): a visitor on one node and an
// agent on another talk as if they were on one server; a handoff reaches an agent connected elsewhere; a stream
// resumed on another node misses nothing and repeats nothing while every node writes.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithServices } from '../../handoff/testing/services.ts';
import type { SseClient } from '../../handoff/testing/sse-test-client.ts';
import { sleep, useCluster } from './cluster-kit.ts';
import {
  arrivesWithin, createAgent, eventually, handedOff, presentOn, say, signInAdmin, streams, take, transcript, visitorCall,
  type Agent, type Visitor,
} from './cluster-clients.ts';

/** The contract: what happens on one node is seen live on every other within this long. */
const LIVE_MS = 1000;

describeWithServices('live delivery across nodes', () => {
  // Rate limits are not what this file tests (limits-and-blocks.test.ts does): the writers below may be quick.
  const c = useCluster({ env: { RATE_LIMITS: 'off' } });
  const live = streams();
  const url = (name: string) => c.cluster.node(name).url;
  let admin: Agent;
  let amy: Agent;
  let bob: Agent;

  beforeAll(async () => {
    admin = await signInAdmin(url('B'));
    amy = await createAgent(admin, url('B'), 'amy', { displayName: 'Amy' });
    bob = await createAgent(admin, url('B'), 'bob', { displayName: 'Bob' });
  }, 60_000);
  afterAll(() => live.closeAll());

  it('a visitor on A and an agent on B: messages, typing and status arrive both ways within 1 s', async () => {
    // Amy is present on B only, away: the chat waits for her take instead of being given to her.
    const agentStream = await presentOn(url('B'), amy, live, 'away');
    const { visitor } = await handedOff(url('A'));
    const visitorStream = await live.visitor(url('A'), visitor);
    await visitorStream.waitFor((e) => e.event === 'ready' && e.json.status === 'queued', 5000);

    // Status, agent to visitor: the take on B reaches the visitor's stream on A.
    await arrivesWithin(visitorStream, 'the visitor on A sees the take made on B',
      (e) => e.event === 'status' && e.json.status === 'assigned' && e.json.agent?.displayName === 'Amy',
      () => take(url('B'), amy, visitor.id), LIVE_MS);
    await agentStream.waitFor((e) => e.event === 'assigned' && e.json.conversationId === visitor.id, 5000);

    // Messages both ways.
    await arrivesWithin(agentStream, "the agent on B gets the visitor's message sent to A",
      (e) => e.event === 'message' && e.json.conversationId === visitor.id && e.json.author === 'visitor' && e.json.text === '我的流量用完了',
      () => say(url('A'), visitor, '我的流量用完了'), LIVE_MS);
    await arrivesWithin(visitorStream, "the visitor on A gets the agent's reply sent to B",
      (e) => e.event === 'message' && e.json.author === 'agent' && e.json.text === '您好，我来帮您查一下',
      async () => expect((await amy.call(url('B'), 'POST', `/api/agent/conversations/${visitor.id}/messages`, { text: '您好，我来帮您查一下' })).status).toBe(201),
      LIVE_MS);

    // Typing both ways.
    await arrivesWithin(agentStream, 'the agent on B sees the visitor typing on A',
      (e) => e.event === 'typing' && e.json.conversationId === visitor.id && e.json.author === 'visitor' && e.json.typing === true,
      async () => expect((await visitorCall(url('A'), visitor, 'POST', `/api/conversations/${visitor.id}/typing`, { typing: true })).status).toBe(204),
      LIVE_MS);
    await arrivesWithin(visitorStream, 'the visitor on A sees the agent typing on B',
      (e) => e.event === 'typing' && e.json.author === 'agent' && e.json.typing === true,
      async () => expect((await amy.call(url('B'), 'POST', `/api/agent/conversations/${visitor.id}/typing`, { typing: true })).status).toBe(204),
      LIVE_MS);

    // Status, visitor to agent: the visitor ends the chat on A, the agent's console on B learns it.
    await arrivesWithin(agentStream, 'the agent on B sees the chat closed by the visitor on A',
      (e) => e.event === 'closed' && e.json.conversationId === visitor.id && e.json.by === 'visitor',
      async () => expect((await visitorCall(url('A'), visitor, 'POST', `/api/conversations/${visitor.id}/close`)).status).toBe(200),
      LIVE_MS);
  }, 60_000);

  it('a handoff on A, while the only online agent is connected to B, is assigned to that agent', async () => {
    // Amy (away since the first test) takes nothing automatically; Bob, online on B only, has free slots.
    const bobStream = await presentOn(url('B'), bob, live, 'online');
    const { visitor, reply } = await handedOff(url('A'));
    // A knows someone is there: a node that did not see B's agents would offer to leave a message instead.
    expect(reply.leaveMessage, `A did not see the agents connected to B: ${JSON.stringify(reply)}`).toBeUndefined();
    // Single-node behaviour: an online agent with a free slot gets a waiting chat at once. The assignment reaches
    // his console on B (live, through the shared hub) and is what every node reads.
    await bobStream.waitFor((e) => e.event === 'assigned' && e.json.conversationId === visitor.id && e.json.agentId === bob.id, 5000);
    for (const name of ['A', 'B', 'C']) {
      const held = await bob.call(url(name), 'GET', '/api/agent/conversations');
      expect(held.json.conversations.map((x: { id: string }) => x.id), `bob's chats as node ${name} sees them`).toContain(visitor.id);
    }
    expect((await transcript(url('C'), visitor)).status).toBe('assigned');
  }, 60_000);

  it('a stream resumed on another node with Last-Event-ID has no gap and no duplicate while several nodes write', async () => {
    const { visitor } = await handedOff(url('A'));
    // Bob (online, free slots) may have been given it already; a take of one's own chat is a 200 too.
    await take(url('C'), bob, visitor.id);

    // Readers: the visitor's stream and the agent's, each hopping to the next node every ~200 ms with the id of
    // the last event it received (as EventSource resends it), while the writers below go on.
    const nodes = ['A', 'B', 'C'];
    let visitorHops = 0;
    let agentHops = 0;
    /** Writers go on until both readers have moved at least this often, however fast or slow the machine. */
    const enoughHops = () => visitorHops >= 6 && agentHops >= 6;

    // Writers on every node at once: the visitor through A and B, the agent through B and C.
    const visitorWrites = (async () => {
      for (let i = 0; i < 24 || !enoughHops(); i++) {
        await say(url(i % 2 === 0 ? 'A' : 'B'), visitor, `visitor ${i}`);
        await sleep(10 + Math.random() * 30);
      }
    })();
    const agentWrites = (async () => {
      for (let i = 0; i < 24 || !enoughHops(); i++) {
        const res = await bob.call(url(i % 2 === 0 ? 'C' : 'B'), 'POST', `/api/agent/conversations/${visitor.id}/messages`, { text: `agent ${i}` });
        expect(res.status).toBe(201);
        await sleep(10 + Math.random() * 30);
      }
    })();
    let writing = true;
    const writers = Promise.all([visitorWrites, agentWrites]).finally(() => (writing = false));

    const visitorSegments = new Resumer((last) => live.visitor(url(nodes[visitorHops++ % 3]!), visitor, last));
    const agentSegments = new Resumer((last) => live.agent(url(nodes[(agentHops++ + 1) % 3]!), bob, last));
    await Promise.all([visitorSegments.open(), agentSegments.open()]);
    const agentFrom = agentSegments.firstReadyId!;
    while (writing) {
      await sleep(200);
      await Promise.all([visitorSegments.hop(), agentSegments.hop()]);
    }
    await writers;

    // Everything is written: the last segments must catch up to the end of the transcript.
    const { messages } = await transcript(url('C'), visitor);
    const lastId = messages.at(-1)!.id;
    await eventually('the last visitor segment reaches the last message', () => (visitorSegments.ids(visitor.id).at(-1) === lastId ? true : undefined), 10_000);
    await eventually('the last agent segment reaches the last message', () => (agentSegments.ids(visitor.id).at(-1) === lastId ? true : undefined), 10_000);

    // The visitor's stream started from nothing: it must hold the whole transcript, in order, each message once.
    expect(visitorSegments.ids(visitor.id), `visitor stream over ${visitorHops} segments`).toEqual(messages.map((m) => m.id));
    // The agent's started at its first `ready`: every message after it, in order, each once.
    expect(agentSegments.ids(visitor.id).filter((id) => id > agentFrom), `agent stream over ${agentHops} segments`)
      .toEqual(messages.filter((m) => m.id > agentFrom).map((m) => m.id));
    // Both really moved between nodes while the writers wrote.
    expect(visitorHops).toBeGreaterThanOrEqual(6);
  }, 120_000);
});

/** One logical stream made of segments: each closed one is followed by a new one resuming from its last event id. */
class Resumer {
  private readonly segments: SseClient[] = [];
  /** The Last-Event-ID sent last (kept when a segment received nothing). */
  private lastSent: string | undefined;
  firstReadyId: number | undefined;
  constructor(private readonly connect: (lastEventId: string | undefined) => Promise<SseClient>) {}

  async open(): Promise<void> {
    const previous = this.segments.at(-1);
    // The id of the last whole event received: what a browser's EventSource sends back as Last-Event-ID.
    const last = previous ? [...previous.events].reverse().find((e) => e.id !== undefined)?.id ?? this.lastSent : undefined;
    this.lastSent = last;
    const segment = await this.connect(last);
    this.segments.push(segment);
    const ready = await segment.waitFor((e) => e.event === 'ready', 10_000);
    this.firstReadyId ??= Number(ready.id);
  }

  /** Closes the current segment and opens the next (on the next node). */
  async hop(): Promise<void> {
    this.segments.at(-1)?.close();
    await this.open();
  }

  /** The ids of `conversationId`'s message events over every segment, in the order received. */
  ids(conversationId: string): number[] {
    return this.segments.flatMap((s) => s.events.filter((e) => e.event === 'message' && e.json?.conversationId === conversationId).map((e) => Number(e.id)));
  }
}
