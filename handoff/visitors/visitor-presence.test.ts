// Visitor presence bounds with an injected clock: the agents' list is capped and ordered with a short trail, long
// paths are cut, one address cannot hold more than its share of presences or streams while others still get in.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { createErrorHandler } from '../http/error-handler.ts';
import { silentLog } from '../testing/silent-log.ts';
import type { AgentEnv, RequireAgent } from '../agents/agent-env.ts';
import { openDatabase, type Db } from '../sqlite/db.ts';
import { RateLimitedError } from '../platform/errors.ts';
import { createSqliteInvitationRuleStore } from './sqlite-invitation-rule-store.ts';
import { createSqliteUnitOfWork } from '../sqlite/unit-of-work.ts';
import { createLiveConnections } from '../live/live-connections.ts';
import { visitorPresenceRoutes } from './visitor-presence-routes.ts';
import { createVisitorPresence } from './visitor-presence.ts';

let ms = Date.parse('2025-03-01T08:00:00Z');
const clock = () => new Date(ms);
const tick = (seconds: number) => (ms += seconds * 1000);

describe('createVisitorPresence bounds', () => {
  it('keeps the source given when the presence began (direct when none), whatever later views say', async () => {
    const presence = createVisitorPresence({ clock });
    const first = await presence.pageView({ url: 'https://shop.example/plans', title: 'Plans', source: { kind: 'search', name: 'baidu' } });
    await presence.pageView({ token: first.token, url: 'https://shop.example/bills', title: 'Bills', source: { kind: 'site', name: 'weibo.com' } });
    const plain = await presence.pageView({ url: 'https://shop.example/', title: 'Home' });
    expect((await presence.get(first.presenceId))!.source).toEqual({ kind: 'search', name: 'baidu' });
    expect((await presence.get(plain.presenceId))!.source).toEqual({ kind: 'direct', name: null });
  });

  it('list() returns the listLimit most recently active visitors, latest first, with total online', async () => {
    const presence = createVisitorPresence({ clock, listLimit: 3 });
    const tokens: string[] = [];
    for (let i = 0; i < 6; i++) {
      tokens.push((await presence.pageView({ address: `10.0.0.${i}`, url: `https://shop.example/p${i}`, title: `P${i}` })).token!);
      tick(1);
    }
    // Visitor 1 comes back: now the most recent.
    await presence.pageView({ token: tokens[1], url: 'https://shop.example/back', title: 'Back' });
    const { visitors, total } = await presence.list();
    expect(total).toBe(6);
    expect(visitors.map((v) => v.currentPage.url)).toEqual(['https://shop.example/back', 'https://shop.example/p5', 'https://shop.example/p4']);
  });

  it('each listed visitor carries only the last listTrail pages; pages still counts them all', async () => {
    const presence = createVisitorPresence({ clock, listTrail: 5 });
    const { token } = await presence.pageView({ url: 'https://shop.example/0', title: '0' });
    for (let i = 1; i < 20; i++) {
      tick(2);
      await presence.pageView({ token, url: `https://shop.example/${i}`, title: String(i) });
    }
    const [me] = (await presence.list()).visitors;
    expect(me!.pages).toBe(20);
    expect(me!.trail.map((p) => p.title)).toEqual(['15', '16', '17', '18', '19']);
    expect(me!.trail.slice(0, 4).every((p) => p.seconds === 2)).toBe(true);
    expect(me!.currentPage.url).toBe('https://shop.example/19');
  });

  it('long paths are cut to maxPathChars (never inside a %XX escape)', async () => {
    const presence = createVisitorPresence({ clock, maxPathChars: 512 });
    await presence.pageView({ url: `https://shop.example/${'a'.repeat(2000)}`, title: 'Long' });
    tick(1);
    // "/" + 509 a's puts the escape %E4 across the cut at 512: it is dropped whole.
    await presence.pageView({ url: `https://other.example/${'b'.repeat(509)}%E4%B8%AD`, title: 'Escape' });
    const [escaped, long] = (await presence.list()).visitors;
    expect(long!.currentPage.url).toBe(`https://shop.example/${'a'.repeat(511)}`);
    expect(new URL(long!.currentPage.url).pathname).toHaveLength(512);
    expect(escaped!.currentPage.url).toBe(`https://other.example/${'b'.repeat(509)}`);
  });

  it('per address: over maxPerAddress the quietest non-streaming presence goes; all streaming is 429; other addresses get in', async () => {
    const presence = createVisitorPresence({ clock, maxPerAddress: 3 });
    const nat = '203.0.113.7';
    const ids = [];
    for (const i of [0, 1, 2]) {
      ids.push(await presence.pageView({ address: nat, url: `https://shop.example/nat${i}`, title: '' }));
      tick(1);
    }
    // The first visitor is active again: the second is now the quietest.
    await presence.pageView({ token: ids[0]!.token, url: 'https://shop.example/nat0-again', title: '' });
    tick(1);
    await presence.pageView({ address: nat, url: 'https://shop.example/nat3', title: '' });
    expect(presence.size).toBe(3);
    expect(await presence.get(ids[1]!.presenceId)).toBeUndefined();
    expect(await presence.get(ids[0]!.presenceId)).toBeDefined();

    // Every presence of the address streams: the next one is refused, nobody is dropped.
    for (const v of (await presence.list()).visitors) await presence.subscribe(v.id, () => {});
    let refused: unknown;
    try {
      await presence.pageView({ address: nat, url: 'https://shop.example/nat4', title: '' });
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
    expect(presence.size).toBe(3);

    // Another address is not affected.
    expect((await presence.pageView({ address: '198.51.100.1', url: 'https://shop.example/other', title: '' })).token).toBeDefined();
    expect(presence.size).toBe(4);
  });
});

describe('visitor presence routes bounds', () => {
  let dir = '';
  let db: Db | undefined;
  afterEach(() => {
    db?.close();
    db = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function appWith(presenceOptions: Parameters<typeof createVisitorPresence>[0], routeOptions = {}) {
    dir = mkdtempSync(path.join(tmpdir(), 'presence-unit-'));
    db = openDatabase(dir);
    const presence = createVisitorPresence({ clock, ...presenceOptions });
    // The agent routes are reached signed in as one agent; sign-in itself is tested in agent-auth-routes.
    const requireAgent: RequireAgent = () => async (c, next) => {
      c.set('agent', { id: 'a1', displayName: 'Ann', role: 'admin' } as never);
      await next();
    };
    const app = new Hono<AgentEnv>();
    app.route('/', visitorPresenceRoutes({
      presence, rules: createSqliteInvitationRuleStore(db), unitOfWork: createSqliteUnitOfWork(db), requireAgent, clock,
      clientAddress: (c) => c.req.header('x-test-address') ?? '127.0.0.1',
      visitorGate: () => {}, inChat: async () => false, connections: createLiveConnections(),
      options: { rateLimit: 'off', ...routeOptions },
    }));
    app.onError(createErrorHandler(silentLog));
    const view = (address: string, page: string) =>
      app.request('/api/visitor/pageview', { method: 'POST', headers: { 'content-type': 'application/json', 'x-test-address': address }, body: JSON.stringify({ url: `https://shop.example/${page}` }) });
    return { app, presence, view };
  }

  it('GET /api/agent/visitors returns at most listLimit visitors and the total', async () => {
    const { app, view } = appWith({ listLimit: 2 });
    for (let i = 0; i < 4; i++) {
      expect((await view(`10.1.0.${i}`, `v${i}`)).status).toBe(200);
      tick(1);
    }
    const res = await app.request('/api/agent/visitors');
    const json = (await res.json()) as { visitors: Array<{ currentPage: { url: string } }>; total: number };
    expect(json.total).toBe(4);
    expect(json.visitors.map((v) => v.currentPage.url)).toEqual(['https://shop.example/v3', 'https://shop.example/v2']);
  });

  it('page views carry the client address: one address at its cap with every presence streaming gets 429, another gets in', async () => {
    const { presence, view } = appWith({ maxPerAddress: 2 });
    for (const page of ['a', 'b']) expect((await view('203.0.113.9', page)).status).toBe(200);
    for (const v of (await presence.list()).visitors) await presence.subscribe(v.id, () => {});
    const refused = await view('203.0.113.9', 'c');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    expect((await view('198.51.100.2', 'd')).status).toBe(200);
  });

  it('an IPv6 client is its /64: presences from rotating addresses inside it share one address cap', async () => {
    const { presence, view } = appWith({ maxPerAddress: 2 });
    for (const [ip, page] of [['2001:db8:7:7::1', 'a'], ['2001:db8:7:7::2', 'b']]) expect((await view(ip!, page!)).status).toBe(200);
    for (const v of (await presence.list()).visitors) await presence.subscribe(v.id, () => {});
    expect((await view('2001:db8:7:7:dead:beef:0:3', 'c')).status).toBe(429);
    // The next /64 is another client; an IPv4-mapped address is its IPv4 one.
    expect((await view('2001:db8:7:8::1', 'd')).status).toBe(200);
    expect((await view('::ffff:203.0.113.9', 'e')).status).toBe(200);
    expect((await view('203.0.113.9', 'f')).status).toBe(200);
    for (const v of (await presence.list()).visitors) await presence.subscribe(v.id, () => {});
    expect((await view('::ffff:203.0.113.9', 'g')).status).toBe(429);
  });

  it('presence streams are capped per address, not only per presence', async () => {
    const { app, view } = appWith({}, { maxStreamsPerAddress: 1, maxStreamsPerVisitor: 5 });
    const tokens: string[] = [];
    for (const page of ['s1', 's2']) tokens.push(((await (await view('203.0.113.10', page)).json()) as { token: string }).token);
    const open = (token: string) => app.request('/api/visitor/events', { headers: { authorization: `Bearer ${token}`, 'x-test-address': '203.0.113.10' } });
    const first = await open(tokens[0]!);
    expect(first.status).toBe(200);
    const second = await open(tokens[1]!);
    expect(second.status).toBe(429);
    await first.body?.cancel();
  });
});
