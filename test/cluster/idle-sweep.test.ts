// The idle sweep with three nodes running it (IDLE_CLOSE_MINUTES=0.05: a chat with no message for 3 s is closed,
// swept every second): each idle chat is closed once, not once per node. A second close would tell the visitor
// twice that the chat ended and count it twice in the reports.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithServices } from '../../handoff/testing/services.ts';
import type { SseClient } from '../../handoff/testing/sse-test-client.ts';
import { sleep, useCluster } from './cluster-kit.ts';
import { countSystem, createAgent, eventually, handedOff, presentOn, signInAdmin, streams, take, transcript, type Agent, type Visitor } from './cluster-clients.ts';

const NODES = ['A', 'B', 'C'];
const CHATS = 6;

describeWithServices('the idle sweep on several nodes', () => {
  const c = useCluster({ env: { RATE_LIMITS: 'off', IDLE_CLOSE_MINUTES: '0.05' } });
  const live = streams();
  const url = (name: string) => c.cluster.node(name).url;
  let fay: Agent;
  let fayStream: SseClient;

  beforeAll(async () => {
    const admin = await signInAdmin(url('A'));
    fay = await createAgent(admin, url('A'), 'fay', { capacity: 10 });
    fayStream = await presentOn(url('A'), fay, live, 'away');
  }, 60_000);
  afterAll(() => live.closeAll());

  it('closes each idle chat exactly once', async () => {
    const chats: Array<{ visitor: Visitor; stream: SseClient }> = [];
    for (let i = 0; i < CHATS; i++) {
      // Asked for on one node, watched by the visitor from the next, taken on the third. The stream opens
      // before the take, so it is there before the chat can be idle however slow the machine is.
      const { visitor } = await handedOff(url(NODES[i % 3]!));
      const stream = await live.visitor(url(NODES[(i + 1) % 3]!), visitor);
      await stream.waitFor((e) => e.event === 'ready', 10_000);
      await take(url(NODES[(i + 2) % 3]!), fay, visitor.id);
      chats.push({ visitor, stream });
    }

    // Nobody writes: 3 s after its last message each chat is closed by a sweep.
    await eventually('every chat closed for idleness', async () => {
      for (const { visitor } of chats) if ((await transcript(url('B'), visitor)).status !== 'closed') return undefined;
      return true;
    }, 60_000, 250);
    // Every node sweeps every second: give the others a few rounds to close them again, were they to.
    await sleep(4000);

    for (const [i, { visitor, stream }] of chats.entries()) {
      const { messages } = await transcript(url(NODES[i % 3]!), visitor);
      expect(countSystem(messages, 'closed_idle'), `chat ${i}: "closed for idleness" notes`).toBe(1);
      expect(countSystem(messages, 'closed'), `chat ${i}: ordinary close notes`).toBe(0);
      expect(stream.events.filter((e) => e.event === 'closed').map((e) => e.json.by), `chat ${i}: closed events on the visitor's stream`).toEqual(['idle']);
      expect(fayStream.events.filter((e) => e.event === 'closed' && e.json.conversationId === visitor.id), `chat ${i}: closed events on the agent's stream`).toHaveLength(1);
    }
    expect((await fay.call(url('C'), 'GET', '/api/agent/conversations')).json.conversations).toEqual([]);
  }, 120_000);
});
