// Visitor presence shared through a real Redis: two RedisLinks with their own node ids on one prefix stand for
// two nodes, with one clock the test moves. A visitor reporting through node A is listed (and invited) through
// node B; an invitation reaches the node holding the visitor's stream, by notice or by the streams' refresh when
// the notice is lost; a rule swept on both nodes invites once; an invitation is claimed once; the in-memory
// version's bounds (per-address cap, list order and size, trail, expiry) hold the same way.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { AgentEnv, RequireAgent } from '../agents/agent-env.ts';
import { createErrorHandler } from '../http/error-handler.ts';
import { createRedisRateLimiters } from '../http/redis-rate-limit.ts';
import { createRedisStreamSlots } from '../live/redis-stream-slots.ts';
import { createNodeHeartbeat, type NodeHeartbeat } from '../redis/node-heartbeat.ts';
import { openDatabase } from '../sqlite/db.ts';
import { createSqliteUnitOfWork } from '../sqlite/unit-of-work.ts';
import { connectSse } from '../testing/sse-test-client.ts';
import { silentLog } from '../testing/silent-log.ts';
import { createSqliteInvitationRuleStore } from './sqlite-invitation-rule-store.ts';
import { visitorPresenceRoutes } from './visitor-presence-routes.ts';
import { ConflictError, NotFoundError, RateLimitedError, UnauthorizedError } from '../platform/errors.ts';
import { createRedisLink, type RedisLink } from '../redis/redis-link.ts';
import { describeWithServices, testRedisPrefix, testRedisUrl } from '../testing/services.ts';
import type { InvitationRule } from './invitation-rules.ts';
import { createRedisVisitorPresence, type RedisVisitorPresenceOptions } from './redis-visitor-presence.ts';
import type { Invitation, PresenceEvent, VisitorPresence } from './visitor-presence.ts';

let ms = Date.parse('2025-03-01T08:00:00Z');
const clock = () => new Date(ms);
const tick = (seconds: number) => (ms += seconds * 1000);

let prefix: string;
const links: RedisLink[] = [];
const started: VisitorPresence[] = [];

beforeEach(() => {
  prefix = testRedisPrefix();
});
afterEach(async () => {
  for (const p of started.splice(0)) await p.stop();
  await Promise.all(links.splice(0).map((l) => l.close()));
});

async function node(name: string, options: Partial<RedisVisitorPresenceOptions> = {}): Promise<{ presence: VisitorPresence; link: RedisLink }> {
  const link = createRedisLink(testRedisUrl(), { prefix, nodeId: name });
  links.push(link);
  const presence = createRedisVisitorPresence(link, { clock, ...options });
  await presence.start();
  started.push(presence);
  return { presence, link };
}

/** A listener that records what it is given, and a wait for its next invitation. */
function recorder() {
  const events: PresenceEvent[] = [];
  return {
    events,
    listener: (event: PresenceEvent) => void events.push(event),
    invitations: () => events.filter((e) => e.type === 'invitation').map((e) => (e as { invitation: Invitation }).invitation),
    async next(count: number, limitMs = 2000): Promise<void> {
      const start = Date.now();
      while (events.length < count) {
        if (Date.now() - start > limitMs) throw new Error(`${count} events expected, got ${events.length}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

const rule = (id: string, urlPattern: string, dwellSeconds = 10): InvitationRule =>
  ({ id, enabled: true, urlPattern, dwellSeconds, text: { zh: '需要帮助吗？', en: 'Need help?' } }) as InvitationRule;

describeWithServices('visitor presence on two nodes (Redis)', () => {
  it('keeps the source the presence began with, as node B reads it; direct when none was given', async () => {
    const { presence: a } = await node('node-a');
    const { presence: b } = await node('node-b');
    const first = await a.pageView({ url: 'https://shop.example/plans', title: 'Plans', source: { kind: 'site', name: 'tieba.baidu.com' } });
    await b.pageView({ token: first.token, url: 'https://shop.example/bills', title: 'Bills', source: { kind: 'search', name: 'bing' } });
    const plain = await b.pageView({ url: 'https://shop.example/', title: 'Home' });
    expect((await b.get(first.presenceId))!.source).toEqual({ kind: 'site', name: 'tieba.baidu.com' });
    const listed = new Map((await a.list()).visitors.map((v) => [v.id, v.source]));
    expect(listed.get(first.presenceId)).toEqual({ kind: 'site', name: 'tieba.baidu.com' });
    expect(listed.get(plain.presenceId)).toEqual({ kind: 'direct', name: null });
  });

  it('a visitor seen through node A is listed on node B, with its trail, and its token works on node B', async () => {
    const { presence: a } = await node('node-a');
    const { presence: b } = await node('node-b');
    const first = await a.pageView({ visitorId: 'visitor-0000000001', address: '203.0.113.1', url: 'https://shop.example/plans', title: '套餐' });
    expect(first.token).toBeDefined();
    tick(5);
    // The next report reaches node B: the same presence, one more page.
    const again = await b.pageView({ token: first.token, url: 'https://shop.example/bills', title: 'Bills' });
    expect(again).toEqual({ presenceId: first.presenceId });
    tick(2);
    await a.pageLeave(first.token!);
    expect(await b.authenticate(first.token!)).toEqual({ presenceId: first.presenceId, visitorId: 'visitor-0000000001' });
    await expect(b.authenticate('not-a-token')).rejects.toThrow(UnauthorizedError);

    const { visitors, total } = await b.list();
    expect(total).toBe(1);
    expect(visitors).toHaveLength(1);
    const [v] = visitors;
    expect(v!.id).toBe(first.presenceId);
    expect(v!.pages).toBe(2);
    expect(v!.currentPage).toEqual({ url: 'https://shop.example/bills', title: 'Bills', since: new Date(ms - 2000).toISOString() });
    expect(v!.trail.map((p) => [p.title, p.seconds])).toEqual([['套餐', 5], ['Bills', 2]]);
    // The visitor's chat, noted on one node, shows on the other.
    await b.noteConversation('visitor-0000000001', 'conv-1');
    expect((await a.get(first.presenceId))!.conversationId).toBe('conv-1');
  });

  it('keeps the in-memory bounds: list order and size, trail length, cut paths, per-address cap, expiry', async () => {
    // Streams count for an hour without a refresh: the test's clock jumps further than the real refresh timer runs.
    const bounds = { listLimit: 3, listTrail: 2, maxPerAddress: 3, streamTtlMs: 3_600_000 };
    const { presence: a } = await node('node-a', bounds);
    const { presence: b } = await node('node-b', bounds);
    const nat = '203.0.113.7';
    const views = [];
    for (let i = 0; i < 3; i++) {
      views.push(await (i % 2 ? b : a).pageView({ address: nat, url: `https://shop.example/nat${i}`, title: `N${i}` }));
      tick(1);
    }
    // The first is active again (through B, three pages now): the second is the quietest.
    await b.pageView({ token: views[0]!.token, url: `https://shop.example/${'a'.repeat(600)}`, title: 'Long' });
    await b.pageView({ token: views[0]!.token, url: 'https://shop.example/nat0-again', title: 'N0 again' });
    tick(1);
    await a.pageView({ address: nat, url: 'https://shop.example/nat3', title: 'N3' });
    expect(await b.get(views[1]!.presenceId)).toBeUndefined();
    const listed = await b.list();
    expect(listed.total).toBe(3);
    expect(listed.visitors.map((v) => v.currentPage.title)).toEqual(['N3', 'N0 again', 'N2']);
    const returning = listed.visitors[1]!;
    expect(returning.pages).toBe(3);
    expect(returning.trail.map((p) => p.title)).toEqual(['Long', 'N0 again']);
    expect(new URL(returning.trail[0]!.url).pathname).toHaveLength(512);

    // Every presence of the address streams (on either node): the next one is refused, nobody dropped.
    for (const [i, v] of (await a.list()).visitors.entries()) await (i % 2 ? a : b).subscribe(v.id, () => {});
    await expect(a.pageView({ address: nat, url: 'https://shop.example/nat4', title: '' })).rejects.toThrow(RateLimitedError);
    expect((await a.list()).total).toBe(3);
    expect((await b.pageView({ address: '198.51.100.1', url: 'https://shop.example/other', title: '' })).token).toBeDefined();

    // Streaming presences stay online; one without a stream goes after onlineSeconds (60).
    tick(61);
    const after = await a.list();
    expect(after.total).toBe(3);
    expect(after.visitors.map((v) => v.currentPage.title).sort()).toEqual(['N0 again', 'N2', 'N3']);
  });

  it("a node's streams stop counting when it stops, or when it is gone and stops refreshing", async () => {
    const { presence: a } = await node('node-a', { streamTtlMs: 30_000 });
    const { presence: b } = await node('node-b', { streamTtlMs: 30_000 });
    const one = await a.pageView({ url: 'https://shop.example/one', title: 'One' });
    const two = await a.pageView({ url: 'https://shop.example/two', title: 'Two' });
    await a.subscribe(one.presenceId, () => {});
    await a.subscribe(two.presenceId, () => {});
    // Node A stops cleanly: online for onlineSeconds after that, then gone.
    await a.stop();
    tick(59);
    expect((await b.list()).total).toBe(2);
    tick(2);
    expect((await b.list()).total).toBe(0);

    // A node that dies (never refreshes again): its stream keeps the presence for streamTtlMs only.
    const { presence: c } = await node('node-c', { streamTtlMs: 30_000, refreshMs: 600_000 });
    const three = await c.pageView({ url: 'https://shop.example/three', title: 'Three' });
    await c.subscribe(three.presenceId, () => {});
    tick(55);
    expect((await b.list()).total).toBe(1);
    tick(10);
    expect((await b.list()).total).toBe(0);
  });

  it("an agent's invitation made on node B reaches the stream on node A, once; a second one is refused", async () => {
    const { presence: a } = await node('node-a');
    const { presence: b } = await node('node-b');
    const { presenceId } = await a.pageView({ visitorId: 'visitor-0000000002', url: 'https://shop.example/plans', title: 'Plans' });
    const tab = recorder();
    await a.subscribe(presenceId, tab.listener);
    const invitation = await b.invite(presenceId, { kind: 'agent', agentId: 'ag1', agentName: 'Ann' }, 'Hello!');
    await tab.next(1);
    expect(tab.invitations()).toEqual([invitation]);
    await expect(a.invite(presenceId, { kind: 'agent', agentId: 'ag2', agentName: 'Bo' }, undefined)).rejects.toThrow(ConflictError);
    await expect(b.invite('no-such-visitor', { kind: 'agent', agentId: 'ag1', agentName: 'Ann' }, undefined)).rejects.toThrow(NotFoundError);
    expect((await b.get(presenceId))!.invited).toEqual({ id: invitation.id, by: 'agent', agentName: 'Ann', at: invitation.createdAt, state: 'pending' });

    // Accepted through node A, claimed through node B once, and by this visitor only.
    expect((await a.accept(presenceId, invitation.id)).state).toBe('accepted');
    expect(await b.claim(invitation.id, 'visitor-0000000009')).toBeUndefined();
    expect(await b.claim(invitation.id, 'visitor-0000000002')).toMatchObject({ id: invitation.id, state: 'used', from: { kind: 'agent', agentId: 'ag1' } });
    expect(await a.claim(invitation.id, 'visitor-0000000002')).toBeUndefined();
    await expect(a.accept(presenceId, invitation.id)).rejects.toThrow(ConflictError);
    // A new tab's stream on node B is not given the used invitation.
    const late = recorder();
    await b.subscribe(presenceId, late.listener);
    await new Promise((r) => setTimeout(r, 100));
    expect(late.events).toEqual([]);
    expect(tab.events).toHaveLength(1);
  });

  it('an invitation whose notice is lost reaches the stream at its next refresh', async () => {
    const { presence: a, link: linkA } = await node('node-a', { refreshMs: 300 });
    const { presence: b } = await node('node-b');
    const { presenceId } = await b.pageView({ url: 'https://shop.example/plans', title: 'Plans' });
    const tab = recorder();
    await a.subscribe(presenceId, tab.listener);
    // Node A no longer hears the channel (its subscriber reconnecting, say).
    await linkA.subscriber.unsubscribe(linkA.key('vp:events'));
    const invitation = await b.invite(presenceId, { kind: 'agent', agentId: 'ag1', agentName: 'Ann' }, undefined);
    await tab.next(1, 2000);
    expect(tab.invitations().map((i) => i.id)).toEqual([invitation.id]);
    // Later refreshes do not give it again.
    await new Promise((r) => setTimeout(r, 700));
    expect(tab.events).toHaveLength(1);
  });

  it('a rule swept on both nodes at once invites once, even with a stream on each node', async () => {
    // Streams count for an hour without a refresh: the test's clock jumps further than the real refresh timer runs.
    const { presence: a } = await node('node-a', { streamTtlMs: 3_600_000 });
    const { presence: b } = await node('node-b', { streamTtlMs: 3_600_000 });
    const { presenceId } = await a.pageView({ visitorId: 'visitor-0000000003', url: 'https://shop.example/broadband/fiber', title: 'Fiber' });
    const onA = recorder();
    const onB = recorder();
    await a.subscribe(presenceId, onA.listener);
    await b.subscribe(presenceId, onB.listener);
    const rules = [rule('r-broadband', '/broadband/*', 10)];
    const open = async () => true;
    const none = async () => false;
    // Not yet: 10 s on the page are needed.
    expect([...(await a.sweep(rules, none)), ...(await b.sweep(rules, none))]).toEqual([]);
    tick(11);
    const sent = (await Promise.all([a.sweep(rules, none), b.sweep(rules, none), a.sweep(rules, none), b.sweep(rules, none)])).flat();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.from).toEqual({ kind: 'rule', ruleId: 'r-broadband' });
    await onA.next(1);
    await onB.next(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(onA.invitations().map((i) => i.id)).toEqual([sent[0]!.id]);
    expect(onB.invitations().map((i) => i.id)).toEqual([sent[0]!.id]);

    // Dismissed through node B: no rule invites again within quietSeconds, from either node.
    await b.dismiss(presenceId, sent[0]!.id);
    tick(600);
    expect([...(await a.sweep(rules, none)), ...(await b.sweep(rules, none))]).toEqual([]);
    // Past the quiet time the rule may invite again, once, unless the visitor is in a chat.
    tick(1201);
    await a.noteConversation('visitor-0000000003', 'conv-3');
    expect(await a.sweep(rules, open)).toEqual([]);
    expect((await Promise.all([a.sweep(rules, none), b.sweep(rules, none)])).flat()).toHaveLength(1);
  });

  it('a rule invites only visitors streaming now, on a page they are still on', async () => {
    const { presence: a } = await node('node-a');
    const rules = [rule('r-any', '/*', 0)];
    const quiet = await a.pageView({ url: 'https://shop.example/a', title: 'No stream' });
    const left = await a.pageView({ url: 'https://shop.example/b', title: 'Left' });
    await a.subscribe(left.presenceId, () => {});
    await a.pageLeave(left.token!);
    tick(1);
    expect(await a.sweep(rules, async () => false)).toEqual([]);
    await a.subscribe(quiet.presenceId, () => {});
    expect(await a.sweep(rules, async () => false)).toHaveLength(1);
  });

  it('through the routes: a page view on node A is listed and invited on node B, the stream on A gets it; one report allowance', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'presence-2n-'));
    const db = openDatabase(dir);
    const servers: Server[] = [];
    const heartbeats: NodeHeartbeat[] = [];
    try {
      // The agent routes are reached signed in as one agent; sign-in itself is tested in agent-auth-routes.
      const requireAgent: RequireAgent = () => async (c, next) => {
        c.set('agent', { id: 'a1', displayName: 'Ann', role: 'admin' } as never);
        await next();
      };
      const urls: string[] = [];
      for (const name of ['node-a', 'node-b']) {
        const { presence, link } = await node(name);
        const heartbeat = createNodeHeartbeat(link);
        await heartbeat.start();
        heartbeats.push(heartbeat);
        const app = new Hono<AgentEnv>();
        app.route('/', visitorPresenceRoutes({
          presence, rules: createSqliteInvitationRuleStore(db), unitOfWork: createSqliteUnitOfWork(db), requireAgent, clock,
          clientAddress: (c) => c.req.header('x-test-address') ?? '127.0.0.1',
          visitorGate: () => {}, inChat: async () => false,
          rateLimiters: createRedisRateLimiters(link),
          streamSlots: createRedisStreamSlots(link, { heartbeat }),
          options: { rateLimit: { capacity: 6, refillPerSecond: 0.01 }, maxStreamsPerVisitor: 1 },
        }));
        app.onError(createErrorHandler(silentLog));
        const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
        await new Promise<void>((resolve) => server.once('listening', () => resolve()));
        servers.push(server);
        urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      }
      const [onA, onB] = urls as [string, string];
      const post = (base: string, route: string, body: object, headers: Record<string, string> = {}) =>
        fetch(base + route, { method: 'POST', headers: { 'content-type': 'application/json', 'x-test-address': '203.0.113.30', ...headers }, body: JSON.stringify(body) });

      const viewed = await post(onA, '/api/visitor/pageview', { url: 'https://shop.example/plans?phone=138', title: 'Plans' });
      expect(viewed.status).toBe(200);
      const { token } = (await viewed.json()) as { token: string };
      const listed = (await (await fetch(`${onB}/api/agent/visitors`)).json()) as { visitors: Array<{ id: string; currentPage: { url: string } }>; total: number };
      expect(listed.total).toBe(1);
      expect(listed.visitors[0]!.currentPage.url).toBe('https://shop.example/plans');

      const stream = await connectSse(`${onA}/api/visitor/events`, { authorization: `Bearer ${token}`, 'x-test-address': '203.0.113.30' });
      expect(stream.status).toBe(200);
      await stream.waitFor((m) => m.event === 'ready');
      const invited = await post(onB, `/api/agent/visitors/${listed.visitors[0]!.id}/invite`, { text: 'May I help?' });
      expect(invited.status).toBe(200);
      const sent = ((await invited.json()) as { invitation: { id: string } }).invitation;
      const received = await stream.waitFor((m) => m.event === 'invitation');
      expect(received.json).toMatchObject({ id: sent.id, from: 'agent', agentName: 'Ann', text: 'May I help?', state: 'pending' });
      expect((await post(onB, `/api/agent/visitors/${listed.visitors[0]!.id}/invite`, {})).status).toBe(409);
      // One stream per visitor in all: a second tab's stream on node B is refused while A's is open.
      const second = await fetch(`${onB}/api/visitor/events`, { headers: { authorization: `Bearer ${token}`, 'x-test-address': '203.0.113.30' } });
      expect(second.status).toBe(429);
      await second.body?.cancel();
      stream.close();

      // The address's report allowance (burst 6) is one whatever node the reports reach: 3 used above (the page
      // view on A, the streams on A and B; agent routes do not count), so three more on either node, then 429.
      expect((await post(onB, '/api/visitor/pageview', { url: 'https://shop.example/a' }, { authorization: `Bearer ${token}` })).status).toBe(200);
      expect((await post(onA, '/api/visitor/pageview', { url: 'https://shop.example/b' }, { authorization: `Bearer ${token}` })).status).toBe(200);
      expect((await post(onB, '/api/visitor/pageview', { url: 'https://shop.example/c' }, { authorization: `Bearer ${token}` })).status).toBe(200);
      expect((await post(onA, '/api/visitor/pageview', { url: 'https://shop.example/d' }, { authorization: `Bearer ${token}` })).status).toBe(429);
    } finally {
      for (const heartbeat of heartbeats) await heartbeat.stop();
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
