// The visitor API's limits on two nodes: two apps with the chat routes (one shared SQLite store, as two nodes
// share PostgreSQL), each with Redis rate limiters on its own link and node id, one prefix. Requests alternating
// between the nodes are refused at the same count as requests to one node; RATE_LIMITS=off still limits nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createSqliteConversationStore } from '../../handoff/conversations/sqlite-conversation-store.ts';
import { createErrorHandler } from '../../handoff/http/error-handler.ts';
import type { AppEnv } from '../../handoff/http/app-env.ts';
import { memoryRateLimiters, type RateLimiterFactory } from '../../handoff/http/rate-limit.ts';
import { createRedisRateLimiters } from '../../handoff/http/redis-rate-limit.ts';
import { createRedisLink, type RedisLink } from '../../handoff/redis/redis-link.ts';
import { openDatabase, type Db } from '../../handoff/sqlite/db.ts';
import { silentLog } from '../../handoff/testing/silent-log.ts';
import { describeWithServices, testRedisPrefix, testRedisUrl } from '../../handoff/testing/services.ts';
import type { ConversationStore } from '../../handoff/conversations/conversation-store.ts';
import { loadKnowledge } from '../../knowledge/index.ts';
import { createEngine, type Engine } from '../engine/engine.ts';
import { loadConfig } from '../server/config.ts';
import { chatRoutes } from './chat-routes.ts';

const KNOWLEDGE_DIR = path.resolve(import.meta.dirname, '../../knowledge');
let engine: Engine;
let dir: string;
let db: Db;
let store: ConversationStore;
const links: RedisLink[] = [];

beforeAll(async () => {
  const loaded = await loadKnowledge(KNOWLEDGE_DIR);
  if (!loaded.ok) throw new Error('shipped knowledge base is broken');
  engine = createEngine(loaded.kb, loadConfig({}).engine);
  dir = mkdtempSync(path.join(tmpdir(), 'chat-redis-'));
  db = openDatabase(dir);
  store = createSqliteConversationStore(db);
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(links.splice(0).map((l) => l.close()));
});

/** Small limits, so a burst is quick to use up; refills are too slow to matter during a test. */
const LIMITS = { ip: { capacity: 6, refillPerSecond: 0.01 }, conversation: { capacity: 3, refillPerSecond: 0.01 }, create: { capacity: 100, refillPerSecond: 0.01 } };

function app(rateLimiters: RateLimiterFactory, rateLimits = true, limits: typeof LIMITS = LIMITS): Hono<AppEnv> {
  const a = new Hono<AppEnv>();
  a.route('/', chatRoutes({ config: { rateLimits, explain: false, maxBodyBytes: 65_536, maxMessageChars: 2000 }, store, runtime: { engine }, rateLimits: limits, rateLimiters }));
  a.onError(createErrorHandler(silentLog));
  return a;
}

/** Two nodes' apps on one fresh prefix. */
function twoNodes(rateLimits = true, limits: typeof LIMITS = LIMITS): Hono<AppEnv>[] {
  const prefix = testRedisPrefix();
  return ['node-a', 'node-b'].map((nodeId) => {
    const link = createRedisLink(testRedisUrl(), { prefix, nodeId });
    links.push(link);
    return app(createRedisRateLimiters(link), rateLimits, limits);
  });
}

const chat = (node: Hono<AppEnv>, body: object, token?: string): Promise<Response> | Response =>
  node.request('/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

/** The 1-based request first answered 429, sending `send(node)` to the nodes in turn. */
async function limitedAt(nodes: Hono<AppEnv>[], send: (node: Hono<AppEnv>) => Response | Promise<Response>): Promise<number> {
  for (let i = 0; i < 30; i++) {
    const res = await send(nodes[i % nodes.length]!);
    if (res.status === 429) return i + 1;
    expect(res.status).toBe(200);
  }
  throw new Error('never limited');
}

describeWithServices('chat rate limits on two nodes (Redis)', () => {
  it('per client address: the request one node refuses is refused when they alternate between two nodes', async () => {
    // app.request() has no socket: every request is the same client ("unknown"), on both nodes.
    const alone = await limitedAt([app(memoryRateLimiters)], (node) => chat(node, { text: '你好' }));
    expect(alone).toBe(LIMITS.ip.capacity + 1);
    expect(await limitedAt(twoNodes(), (node) => chat(node, { text: '你好' }))).toBe(alone);
  });

  it('per conversation: the same turn is refused whatever node each turn reaches', async () => {
    const loose = { ...LIMITS, ip: { capacity: 1000, refillPerSecond: 1 } };
    async function turnsUntilLimited(nodes: Hono<AppEnv>[]): Promise<number> {
      const started = (await (await chat(nodes[0]!, { text: '你好' })).json()) as { conversationId: string; token: string };
      return limitedAt(nodes, (node) => chat(node, { text: '查话费', conversationId: started.conversationId }, started.token));
    }
    const alone = await turnsUntilLimited([app(memoryRateLimiters, true, loose)]);
    expect(alone).toBe(LIMITS.conversation.capacity + 1);
    expect(await turnsUntilLimited(twoNodes(true, loose))).toBe(alone);
  });

  it('RATE_LIMITS=off limits nothing, with the Redis factory too', async () => {
    const nodes = twoNodes(false);
    for (let i = 0; i < 3 * LIMITS.ip.capacity; i++) expect((await chat(nodes[i % 2]!, { text: '你好' })).status).toBe(200);
  });
});
