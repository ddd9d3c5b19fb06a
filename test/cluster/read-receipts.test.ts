// Read receipts across nodes (two real processes on one PostgreSQL and Redis): a marker moved through one node
// reaches the other side's stream on the other node, both ways, and reads the same through either.
import { afterAll, expect, it } from 'vitest';
import { describeWithServices } from '../../handoff/testing/services.ts';
import { useCluster } from './cluster-kit.ts';
import { arrivesWithin, createAgent, handedOff, presentOn, signInAdmin, streams, take, transcript, visitorCall } from './cluster-clients.ts';

/** The contract for live events between nodes (live-delivery.test.ts): within 1 s. */
const LIVE_MS = 1000;

describeWithServices('read receipts across nodes', () => {
  const c = useCluster({ names: ['A', 'B'], env: { RATE_LIMITS: 'off' } });
  const live = streams();
  const url = (name: string) => c.cluster.node(name).url;
  afterAll(() => live.closeAll());

  it('the agent reading on B reaches the visitor on A, the visitor reading on A reaches the agent on B', async () => {
    const admin = await signInAdmin(url('B'));
    const amy = await createAgent(admin, url('B'), 'amy', { displayName: 'Amy' });
    const agentStream = await presentOn(url('B'), amy, live, 'away');
    const { visitor } = await handedOff(url('A'));
    await take(url('B'), amy, visitor.id);
    const reply = await amy.call(url('B'), 'POST', `/api/agent/conversations/${visitor.id}/messages`, { text: '您好，我是 Amy' });
    expect(reply.status).toBe(201);
    const visitorMessage = (await transcript(url('A'), visitor)).messages.filter((m) => m.author === 'visitor').at(-1)!.id;
    const visitorStream = await live.visitor(url('A'), visitor);
    await visitorStream.waitFor((e) => e.event === 'ready', 5000);

    const seen = await arrivesWithin(visitorStream, "the visitor on A hears of the agent's reading on B",
      (e) => e.event === 'read' && e.json.reader === 'agent',
      () => amy.call(url('B'), 'POST', `/api/agent/conversations/${visitor.id}/read`, { upTo: visitorMessage }), LIVE_MS);
    expect(seen.json).toMatchObject({ conversationId: visitor.id, upTo: visitorMessage });

    const heard = await arrivesWithin(agentStream, "the agent on B hears of the visitor's reading on A",
      (e) => e.event === 'read' && e.json.conversationId === visitor.id && e.json.reader === 'visitor',
      () => visitorCall(url('A'), visitor, 'POST', `/api/conversations/${visitor.id}/read`, { upTo: reply.json.message.id }), LIVE_MS);
    expect(heard.json.upTo).toBe(reply.json.message.id);

    for (const node of ['A', 'B']) {
      const state = await visitorCall(url(node), visitor, 'GET', `/api/conversations/${visitor.id}/read`);
      expect(state.json.read, node).toMatchObject({ visitor: { upTo: reply.json.message.id }, agent: { upTo: visitorMessage } });
    }
  }, 60_000);
});
