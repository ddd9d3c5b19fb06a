// Visitor blocking on the real service: a real HTTP server on 127.0.0.1 over a real SQLite file, visitors on
// their own loopback source addresses (Linux routes all of 127/8 to lo). Blocked by visitor id, that visitor
// is refused (new chat, continuing, catch-up) while another visitor id from the same address is served; blocked
// by address, everything from it is refused (never 429: the block comes before the limits) while another
// address is served; hits are counted and survive a restart; an admin's lift and an expiry let them back in.
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../bot/app.ts';
import { loadConfig, type Config } from '../bot/config.ts';
import { createEngineAsync } from '../bot/engine.ts';
import { createHandoffServices } from '../bot/handoff-services.ts';
import { createKnowledgeRuntime } from '../bot/knowledge-runtime.ts';
import { createLogger } from '../bot/logger.ts';
import { createSqliteConversationStore, openDatabase } from '../handoff/index.ts';
import { connectSse, type SseClient } from '../handoff/sse-test-client.ts';
import { loadKnowledge } from '../knowledge/index.ts';

const ADMIN = { username: 'lead', password: 'lead-secret-pass' };
const ALICE = { username: 'alice', password: 'alice-pass-123' };
const QUESTION = '充值卡密码几位';
const AGENT_IP = '127.0.0.1';
/** Widget-style visitor ids (22 base64url characters). */
const VISITOR_A = 'visitorAAAAAAAAAAAAAAA';
const VISITOR_B = 'visitorBBBBBBBBBBBBBBB';
const VISITOR_C = 'visitorCCCCCCCCCCCCCCC';

let dataDir: string;
let config: Config;
/** Added to the real time by the service's clock: expiry without waiting. */
let clockOffsetMs = 0;
/** Alice's live stream: present, so handoffs queue instead of offering to leave a message. */
const streams: SseClient[] = [];
let service: { port: number; url: string; close(): Promise<void> };

/** The whole service as startServer wires it (createHandoffServices + createApp), with a clock the test moves. */
async function start(): Promise<typeof service> {
  const logger = createLogger({ level: 'silent' });
  const db = openDatabase(config.dataDir);
  const store = createSqliteConversationStore(db);
  const runtime = await createKnowledgeRuntime({ dir: config.knowledgeDir, load: (dir) => loadKnowledge(dir), build: (kb) => createEngineAsync(kb, config.engine), logger });
  const handoff = createHandoffServices({ db, config, store, runtime, logger, clock: () => new Date(Date.now() + clockOffsetMs) });
  await handoff.start();
  const app = createApp({ config, store, runtime, logger, handoff });
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s as Server)) as Server;
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const s of streams.splice(0)) s.close();
      handoff.connections.closeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // Flushes the refused requests counted in memory (what a restart must not lose).
      await handoff.stop();
      db.close();
    },
  };
}

interface Reply {
  status: number;
  json: any;
}

/** One HTTP request from the loopback source address `from` (a fresh connection each time). */
function send(from: string, method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: service.port,
        localAddress: from,
        method,
        path: route,
        agent: false,
        headers: {
          origin: service.url,
          ...headers,
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

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
  const login = await new Promise<string>((resolve, reject) => {
    const payload = JSON.stringify(user);
    const req = httpRequest(
      { host: '127.0.0.1', port: service.port, method: 'POST', path: '/api/agent/login', agent: false,
        headers: { origin: service.url, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve((res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ')));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
  const call = (method: string, route: string, body?: unknown) => send(AGENT_IP, method, route, body, { cookie: login });
  return Object.assign(call, { cookie: login });
}

/** Alice connected (present) but away, so nothing is assigned to her automatically: she takes chats herself. */
async function present(agent: Caller): Promise<void> {
  const events = await connectSse(`${service.url}/api/agent/events`, { cookie: agent.cookie });
  streams.push(events);
  expect(events.status).toBe(200);
  expect((await agent('POST', '/api/agent/status', { status: 'away' })).status).toBe(200);
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'visitor-blocking-'));
  config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    KNOWLEDGE_DIR: path.resolve(import.meta.dirname, '../knowledge'),
    BUSINESS_HOURS: 'always',
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
  });
  // Rate limits stay on: a blocked flood must get 403s, never 429s.
  expect(config.rateLimits).toBe(true);
  service = await start();
}, 60_000);

afterAll(async () => {
  await service?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
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
    expect(view.json.visitor).toMatchObject({ visitorId: VISITOR_A, ip: '127.0.0.2' });

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
    const blocked = await alice('POST', `/api/agent/conversations/${chat.id}/block`, { by: 'ip', reason: 'flood' });
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
