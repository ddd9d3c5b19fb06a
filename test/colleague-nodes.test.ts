// A colleague on another node (two servers in this process on one PostgreSQL and Redis, as two nodes of a deployment):
// the invitation, the answer, both agents' messages and a consult travel through the shared hub, so the holder on one
// node and the colleague on the other work one chat live, and the visitor (reading a third way in) sees both names.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeWithServices, testRedisPrefix, testRedisUrl, type TestDatabase } from '../handoff/testing/services.ts';
import type { RunningServer } from '../bot/server/start-server.ts';
import { createAgents, postChat, presentAwayAgent, streamKeeper, type Chat, type SignedIn } from './http-kit.ts';
import { ADMIN, startTestServer } from './service-kit.ts';

/** The multi-node contract elsewhere (test/cluster/live-delivery.test.ts): seen on every node within a second. */
const LIVE_MS = 3000;

describeWithServices('a colleague on another node', () => {
  const streams = streamKeeper();
  let database: TestDatabase;
  let a: RunningServer;
  let b: RunningServer;
  let amy: SignedIn;
  let bob: SignedIn;

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = { DATABASE_URL: database.url, REDIS_URL: testRedisUrl(), REDIS_PREFIX: testRedisPrefix() };
    a = await startTestServer('colleague-node-a-', env);
    b = await startTestServer('colleague-node-b-', env);
    const lead = await presentAwayAgent(a.url, streams, ADMIN.username, ADMIN.password);
    await createAgents(lead, ['amy', 'bob']);
    amy = await presentAwayAgent(a.url, streams, 'amy', 'amy-pass-123');
    bob = await presentAwayAgent(b.url, streams, 'bob', 'bob-pass-123');
    expect((await bob.call('POST', '/api/agent/status', { status: 'busy' })).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    streams.closeAll();
    await a?.close();
    await b?.close();
    await database?.drop().catch(() => {});
  }, 30_000);

  it('works one chat from two nodes: invitation, answer, messages and consults arrive live on the other node', async () => {
    const first = await postChat(a.url, '充值卡密码几位');
    const visitor: Chat = { id: first.conversationId, token: first.token! };
    expect((await postChat(a.url, '转人工', visitor)).reply?.kind).toBe('handoff');
    expect((await amy.call('POST', `/api/agent/conversations/${visitor.id}/take`)).status).toBe(200);

    const amyLive = await streams.open(`${a.url}/api/agent/events`, { cookie: amy.cookie });
    const bobLive = await streams.open(`${b.url}/api/agent/events`, { cookie: bob.cookie });
    const visitorLive = await streams.open(`${b.url}/api/conversations/${visitor.id}/events`, { authorization: `Bearer ${visitor.token}` });
    await Promise.all([amyLive, bobLive, visitorLive].map((s) => s.waitFor((e) => e.event === 'ready', 10_000)));

    // Amy (on A) invites; Bob's console on B is told.
    expect((await amy.call('POST', `/api/agent/conversations/${visitor.id}/invite`, { agent: bob.id })).status).toBe(201);
    await bobLive.waitFor((e) => e.event === 'participants' && e.json.conversationId === visitor.id && e.json.change === 'invited', LIVE_MS);
    // Bob accepts on B: Amy's console on A, and the visitor, learn it.
    expect((await fetch(`${b.url}/api/agent/chat-invitations`, { headers: { cookie: bob.cookie } }).then((r) => r.json())).invitations).toHaveLength(1);
    expect((await bob.call('POST', `/api/agent/conversations/${visitor.id}/accept`)).status).toBe(200);
    await amyLive.waitFor((e) => e.event === 'participants' && e.json.change === 'joined' && e.json.agentId === bob.id, LIVE_MS);
    await visitorLive.waitFor((e) => e.event === 'message' && e.json.author === 'system' && e.json.text.includes('bob'), LIVE_MS);

    // Both write, each on their own node; each sees the other's message live.
    expect((await bob.call('POST', `/api/agent/conversations/${visitor.id}/messages`, { text: 'bob 在 B 上回复' })).status).toBe(201);
    await amyLive.waitFor((e) => e.event === 'message' && e.json.text === 'bob 在 B 上回复', LIVE_MS);
    expect((await amy.call('POST', `/api/agent/conversations/${visitor.id}/messages`, { text: 'amy 在 A 上回复' })).status).toBe(201);
    await bobLive.waitFor((e) => e.event === 'message' && e.json.text === 'amy 在 A 上回复', LIVE_MS);
    expect((await visitorLive.waitFor((e) => e.event === 'message' && e.json.text === 'bob 在 B 上回复', LIVE_MS)).json.agentName).toBe('bob');
    expect((await visitorLive.waitFor((e) => e.event === 'message' && e.json.text === 'amy 在 A 上回复', LIVE_MS)).json.agentName).toBe('amy');

    // A consult from A reaches B's console; never the visitor.
    const asked = await amy.call('POST', `/api/agent/conversations/${visitor.id}/consult`, { text: 'PRIVATE 能给优惠吗', to: bob.id });
    expect(asked.status).toBe(201);
    await bobLive.waitFor((e) => e.event === 'consult' && e.json.id === asked.json.note.id, LIVE_MS);
    expect(JSON.stringify(visitorLive.events)).not.toContain('PRIVATE');

    expect((await amy.call('POST', `/api/agent/conversations/${visitor.id}/close`)).status).toBe(200);
    await bobLive.waitFor((e) => e.event === 'closed' && e.json.conversationId === visitor.id, LIVE_MS);
  }, 60_000);
});
