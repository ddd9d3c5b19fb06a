// Visitor blocking on the real service: a real HTTP server on 127.0.0.1 over a real SQLite file, visitors on
// their own loopback source addresses (Linux routes all of 127/8 to lo). Blocked by visitor id, that visitor
// is refused (new chat, continuing, catch-up) while another visitor id from the same address is served; agents
// see no address and may not block a loopback one (409 shared_address); blocked by an admin by address,
// everything from it is refused (never 429: the block comes before the limits) while another address is served;
// hits are counted and survive a restart; an admin's lift and an expiry let them back in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../bot/server/config.ts';
import { sendFrom, streamKeeper, type RawReply } from './http-kit.ts';
import { ADMIN, serveApp, testConfig, wireService, type TestConfig } from './service-kit.ts';

const ALICE = { username: 'alice', password: 'alice-pass-123' };
const QUESTION = '充值卡密码几位';
const AGENT_IP = '127.0.0.1';
/** Widget-style visitor ids (22 base64url characters). */
const VISITOR_A = 'visitorAAAAAAAAAAAAAAA';
const VISITOR_B = 'visitorBBBBBBBBBBBBBBB';
const VISITOR_C = 'visitorCCCCCCCCCCCCCCC';

let testData: TestConfig;
let config: Config;
/** Added to the real time by the service's clock: expiry without waiting. */
let clockOffsetMs = 0;
/** Alice's live stream: present, so handoffs queue instead of offering to leave a message. */
const streams = streamKeeper();
let service: { port: number; url: string; close(): Promise<void> };

/** The whole service as startServer wires it (createHandoffServices + createApp), with a clock the test moves. */
async function start(): Promise<typeof service> {
  const wired = await wireService(config, { clock: () => new Date(Date.now() + clockOffsetMs), asyncEngine: true });
  const served = await serveApp(wired.app);
  return {
    port: served.port,
    url: served.url,
    async close() {
      streams.closeAll();
      wired.handoff.connections.closeAll();
      await served.close();
      // Flushes the refused requests counted in memory (what a restart must not lose).
      await wired.stop();
    },
  };
}

type Reply = RawReply;

/** One HTTP request from the loopback source address `from` (a fresh connection each time), from the service's own origin. */
const send = (from: string, method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> =>
  sendFrom(service.port, from, method, route, body, { origin: service.url, ...headers });

interface Chat {
  id: string;
  token: string;
  from: string;
}

const newChat = (from: string, visitorId?: string) => send(from, 'POST', '/api/chat', { text: QUESTION, ...(visitorId ? { visitorId } : {}) });
const say = (chat: Chat, text: string) =>
  send(chat.from, 'POST', '/api/chat', { text, conversationId: chat.id }, { authorization: `Bearer ${chat.token}` });
const catchUp = (chat: Chat) => send(chat.from, 'GET', `/api/conversations/${chat.id}/messages`, undefined, { authorization: `Bearer ${chat.token}` });

async function startChat(from: string, visitorId?: string): Promise<Chat> {
  const res = await newChat(from, visitorId);
  expect(res.status).toBe(200);
  return { id: res.json.conversationId, token: res.json.token, from };
}

function expectBlocked(res: Reply): void {
  expect(res.status).toBe(403);
  expect(res.json).toEqual({ error: { code: 'visitor_blocked', message: 'this chat is not available' } });
}

const signIn = (user: { username: string; password: string }) => cookieOf(user);

/** Signs in again and returns a JSON caller with the session cookie (from the agents' address). */
async function cookieOf(user: { username: string; password: string }) {
  const login = (await send(AGENT_IP, 'POST', '/api/agent/login', user)).cookie;
  const call = (method: string, route: string, body?: unknown) => send(AGENT_IP, method, route, body, { cookie: login });
  return Object.assign(call, { cookie: login });
}

/** Alice connected (present) but away, so nothing is assigned to her automatically: she takes chats herself. */
async function present(agent: Caller): Promise<void> {
  await streams.open(`${service.url}/api/agent/events`, { cookie: agent.cookie });
  expect((await agent('POST', '/api/agent/status', { status: 'away' })).status).toBe(200);
}

beforeAll(async () => {
  testData = testConfig('visitor-blocking-', { PORT: '0', HOST: '127.0.0.1', RATE_LIMITS: undefined });
  config = testData.config;
  // Rate limits stay on: a blocked flood must get 403s, never 429s.
  expect(config.rateLimits).toBe(true);
  service = await start();
}, 60_000);

afterAll(async () => {
  await service?.close();
  testData?.remove();
});

type Caller = Awaited<ReturnType<typeof signIn>>;
let lead: Caller;
let alice: Caller;

/** A visitor chat handed to a person and taken by alice. */
async function heldByAlice(from: string, visitorId?: string): Promise<Chat> {
  const chat = await startChat(from, visitorId);
  const handoff = await say(chat, '转人工');
  expect(handoff.status).toBe(200);
  expect(handoff.json.reply.kind).toBe('handoff');
  const take = await alice('POST', `/api/agent/conversations/${chat.id}/take`);
  expect(take.status, JSON.stringify(take.json)).toBe(200);
  return chat;
}

describe('visitor blocking on the real service', () => {
  beforeAll(async () => {
    lead = await signIn(ADMIN);
    const created = await lead('POST', '/api/admin/agents', {
      username: ALICE.username, displayName: 'Alice', password: ALICE.password, role: 'agent', groups: ['mobile', 'billing', 'broadband'], capacity: 5,
    });
    expect(created.status).toBe(201);
    alice = await signIn(ALICE);
    await present(alice);
  });

  it('by visitor id: that visitor is refused everywhere; another visitor id from the same address is served', async () => {
    const chat = await heldByAlice('127.0.0.2', VISITOR_A);
    // The agent sees what the visitor may be blocked by.
    const view = await alice('GET', `/api/agent/conversations/${chat.id}`);
    // The address is admin-only: the agent learns that it is known, not what it is.
    expect(view.json.visitor).toMatchObject({ visitorId: VISITOR_A, hasIp: true });
    expect(view.json.visitor).not.toHaveProperty('ip');
    expect((await lead('GET', `/api/agent/conversations/${chat.id}`)).json.visitor).toMatchObject({ ip: '127.0.0.2' });

    const blocked = await alice('POST', `/api/agent/conversations/${chat.id}/block`, { by: 'visitor', durationHours: 24 });
    expect(blocked.status).toBe(200);
    expect(blocked.json.block).toMatchObject({ by: 'visitor', value: VISITOR_A, active: true, createdBy: { displayName: 'Alice' } });
    // Closed the normal way: alice no longer holds it.
    expect((await alice('GET', '/api/agent/conversations')).json.conversations).toEqual([]);

    expectBlocked(await say(chat, '还在吗'));
    expectBlocked(await catchUp(chat));
    expectBlocked(await send(chat.from, 'POST', `/api/conversations/${chat.id}/handoff`, undefined, { authorization: `Bearer ${chat.token}` }));
    expectBlocked(await newChat('127.0.0.2', VISITOR_A));
    expectBlocked(await newChat('127.0.0.5', VISITOR_A));
    // Same address, another browser: served.
    const other = await newChat('127.0.0.2', VISITOR_B);
    expect(other.status).toBe(200);
    expect((await catchUp({ id: other.json.conversationId, token: other.json.token, from: '127.0.0.2' })).status).toBe(200);

    const summary = await alice('GET', '/api/agent/blocks/summary');
    expect(summary.status).toBe(200);
    expect(summary.json).toEqual({ active: 1, hits: 5, hitsToday: 5 });
  });

  it('by address: every request from it is refused (403 before any 429) while another address is served', async () => {
    const chat = await heldByAlice('127.0.0.3', VISITOR_C);
    // Loopback is a shared address (a local proxy puts every chat on it): the agent may not, an admin may.
    const refused = await alice('POST', `/api/agent/conversations/${chat.id}/block`, { by: 'ip', reason: 'flood' });
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('shared_address');
    expect((await newChat('127.0.0.3')).status).toBe(200);
    const blocked = await lead('POST', `/api/agent/conversations/${chat.id}/block`, { by: 'ip', reason: 'flood' });
    expect(blocked.status).toBe(200);
    expect(blocked.json.block).toMatchObject({ by: 'ip', value: '127.0.0.3', expiresAt: null, reason: 'flood' });

    expectBlocked(await say(chat, '还在吗'));
    expectBlocked(await newChat('127.0.0.3'));
    expectBlocked(await newChat('127.0.0.3', 'someOtherBrowser123456'));
    // Past the per-address limits (30 new chats, 300 requests): still 403, never 429.
    const statuses = new Set<number>();
    for (let i = 0; i < 320; i++) statuses.add((await newChat('127.0.0.3')).status);
    expect([...statuses]).toEqual([403]);
    expect((await newChat('127.0.0.4')).status).toBe(200);
    // The agents' own routes are not visitor routes.
    expect((await alice('GET', '/api/agent/blocks/summary')).json).toMatchObject({ active: 2, hits: 5 + 3 + 320 });
  });

  it('agents get 403 on the admin routes; the admin lists blocks', async () => {
    expect((await alice('GET', '/api/admin/blocks')).status).toBe(403);
    const list = await lead('GET', '/api/admin/blocks');
    expect(list.status).toBe(200);
    expect(list.json.blocks.map((b: { by: string }) => b.by)).toEqual(['ip', 'visitor']);
    expect((await alice('DELETE', `/api/admin/blocks/${list.json.blocks[0].id}`)).status).toBe(403);
    expectBlocked(await newChat('127.0.0.3'));
  });

  it('hits and blocks survive a restart on the same SQLite file', async () => {
    const before = (await alice('GET', '/api/agent/blocks/summary')).json;
    // Refused requests still in memory when the service stops are written by stop().
    expectBlocked(await newChat('127.0.0.3'));
    await service.close();
    service = await start();
    lead = await cookieOf(ADMIN);
    alice = await cookieOf(ALICE);
    expect((await alice('GET', '/api/agent/blocks/summary')).json).toEqual({ active: 2, hits: before.hits + 1, hitsToday: before.hitsToday + 1 });
    expectBlocked(await newChat('127.0.0.3'));
    expectBlocked(await newChat('127.0.0.2', VISITOR_A));
  }, 60_000);

  it('an admin lifting the address block lets that address back in', async () => {
    const list = (await lead('GET', '/api/admin/blocks')).json.blocks as Array<{ id: string; by: string }>;
    const ipBlock = list.find((b) => b.by === 'ip')!;
    const lifted = await lead('DELETE', `/api/admin/blocks/${ipBlock.id}`);
    expect(lifted.status).toBe(200);
    expect(lifted.json.block).toMatchObject({ id: ipBlock.id, active: false });
    expect((await newChat('127.0.0.3')).status).toBe(200);
    expect((await lead('DELETE', '/api/admin/blocks/no-such-block')).status).toBe(404);
  });

  it('a block that expires lets the visitor back in', async () => {
    expectBlocked(await newChat('127.0.0.2', VISITOR_A));
    // The visitor-id block was for 24 hours.
    clockOffsetMs = 24 * 3_600_000 + 1000;
    expect((await newChat('127.0.0.2', VISITOR_A)).status).toBe(200);
  });
});
