// A colleague on another node (two servers in this process on one PostgreSQL and Redis, as two nodes of a deployment):
// the invitation, the answer, both agents' messages and a consult travel through the shared hub, so the holder on one
// node and the colleague on the other work one chat live, and the visitor (reading a third way in) sees both names.
// A colleague whose connection on one node is lost for good leaves the chat once, whichever node ends their grace.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeWithServices, testRedisPrefix, testRedisUrl, type TestDatabase } from '../handoff/testing/services.ts';
import type { RunningServer } from '../bot/server/start-server.ts';
import { connectSse } from '../handoff/testing/sse-test-client.ts';
import { createAgents, postChat, presentAwayAgent, signIn, streamKeeper, type Chat, type SignedIn } from './http-kit.ts';
import { ADMIN, startTestServer } from './service-kit.ts';

/** The multi-node contract elsewhere (test/cluster/live-delivery.test.ts): seen on every node within a second. */
const LIVE_MS = 3000;

describeWithServices('a colleague on another node', () => {
  const streams = streamKeeper();
  let database: TestDatabase;
  let a: RunningServer;
  let b: RunningServer;
  let lead: SignedIn;
  let amy: SignedIn;
  let bob: SignedIn;

  beforeAll(async () => {
    database = await createTestDatabase();
    // A short presence grace: a colleague whose connection is lost goes offline within the test.
    const env = { DATABASE_URL: database.url, REDIS_URL: testRedisUrl(), REDIS_PREFIX: testRedisPrefix(), PRESENCE_GRACE_SECONDS: '1' };
    a = await startTestServer('colleague-node-a-', env);
    b = await startTestServer('colleague-node-b-', env);
    lead = await presentAwayAgent(a.url, streams, ADMIN.username, ADMIN.password);
    await createAgents(lead, ['amy', 'bob', 'cy']);
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

  it('leaves the chat once when a colleague\'s connection on the other node is lost for good', async () => {
    const first = await postChat(a.url, '充值卡密码几位');
    const visitor: Chat = { id: first.conversationId, token: first.token! };
    expect((await postChat(a.url, '转人工', visitor)).reply?.kind).toBe('handoff');
    expect((await amy.call('POST', `/api/agent/conversations/${visitor.id}/take`)).status).toBe(200);
    // Cy works on B with one connection, which the test drops.
    const cy = await signIn(b.url, 'cy', 'cy-pass-123');
    const cyLive = await connectSse(`${b.url}/api/agent/events`, { cookie: cy.cookie });
    await cyLive.waitFor((e) => e.event === 'ready', 10_000);
    expect((await cy.call('POST', '/api/agent/status', { status: 'busy' })).status).toBe(200);
    expect((await amy.call('POST', `/api/agent/conversations/${visitor.id}/invite`, { agent: cy.id })).status).toBe(201);
    expect((await cy.call('POST', `/api/agent/conversations/${visitor.id}/accept`)).status).toBe(200);
    const amyLive = await streams.open(`${a.url}/api/agent/events`, { cookie: amy.cookie });
    await amyLive.waitFor((e) => e.event === 'ready', 10_000);

    cyLive.close();
    // The leader ends the grace (on either node); the holder's console on A learns it.
    await amyLive.waitFor((e) => e.event === 'participants' && e.json.conversationId === visitor.id && e.json.agentId === cy.id && e.json.change === 'left', 15_000);
    const leaveNotes = async () => {
      const res = await fetch(`${b.url}/api/conversations/${visitor.id}/messages`, { headers: { authorization: `Bearer ${visitor.token}` } });
      const { messages } = (await res.json()) as { messages: Array<{ author: string; text: string }> };
      return messages.filter((m) => m.author === 'system' && m.text.includes('cy') && m.text.includes('离开')).length;
    };
    await expect.poll(leaveNotes, { timeout: LIVE_MS }).toBe(1);
    // Given time for a second node to do it again: it does not.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await leaveNotes()).toBe(1);
    const audit = await lead.call('GET', '/api/admin/audit?limit=100');
    const left = (audit.json.entries as Array<{ action: string; target: { id: string }; actor: { id: string | null } }>)
      .filter((e) => e.target.id === visitor.id && e.action === 'colleague.left');
    expect(left).toEqual([expect.objectContaining({ actor: expect.objectContaining({ id: null }) })]);
    expect((await amy.call('GET', `/api/agent/conversations/${visitor.id}/participants`)).json.participants).toEqual([]);
    expect((await amy.call('POST', `/api/agent/conversations/${visitor.id}/close`)).status).toBe(200);
  }, 60_000);
});
