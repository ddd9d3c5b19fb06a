// Live delivery over real sockets: @hono/node-server on 127.0.0.1 with an ephemeral port, fetch-streaming
// SSE clients, the real SQLite store; resume after disconnects and after a restart on the same file.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { createErrorHandler } from '../http/error-handler.ts';
import { silentLog } from '../testing/silent-log.ts';
import type { Agent, AgentStatus } from '../agents/agent.ts';
import type { AgentEnv, RequireAgent } from '../agents/agent-env.ts';
import type { ConversationStore, MessageAuthor, StoredMessage } from '../conversations/conversation-store.ts';
import { openDatabase, type Db } from '../sqlite/db.ts';
import { UnauthorizedError } from '../platform/errors.ts';
import { createMemoryHub, type MemoryHub } from '../platform/hub.ts';
import { createLiveConnections, type LiveConnections } from './live-connections.ts';
import { createLocalStreamSlots, type StreamSlots } from './stream-slots.ts';
import { liveRoutes, type LiveLog, type LiveOptions } from './live-routes.ts';
import type { Presence } from '../routing/presence.ts';
import { createSqliteConversationStore } from '../conversations/sqlite-conversation-store.ts';
import { createSqliteTranscriptStore } from '../search/sqlite-transcript-store.ts';
import { connectSse, type SseClient, type SseMessage } from '../testing/sse-test-client.ts';
import type { TranscriptStore } from '../search/transcript-store.ts';

// ---------------------------------------------------------------------------------------------
// Harness

// The service's pino logger is what the composition root passes as `log`.
const pinoIsALiveLog: LiveLog = silentLog;
void pinoIsALiveLog;

/** Records what the live side reports; the real Presence (grace timers, requeue) is the routing side's. */
class RecordingPresence implements Presence {
  calls: Array<[string, string]> = [];
  connected(agentId: string) {
    this.calls.push(['connected', agentId]);
  }
  disconnected(agentId: string) {
    this.calls.push(['disconnected', agentId]);
  }
  setStatus() {}
  status(): AgentStatus {
    return 'online';
  }
  close() {}
}

const AGENTS: Record<string, Agent> = {
  a1: { id: 'a1', username: 'li', displayName: '小李', role: 'agent', groups: ['mobile'], capacity: 3, disabled: false },
  a2: { id: 'a2', username: 'wang', displayName: '小王', role: 'agent', groups: ['mobile'], capacity: 3, disabled: false },
  b1: { id: 'b1', username: 'zhao', displayName: '小赵', role: 'agent', groups: ['broadband'], capacity: 3, disabled: false },
  boss: { id: 'boss', username: 'boss', displayName: '值班经理', role: 'admin', groups: [], capacity: 3, disabled: false },
};

/** Stands in for the session middleware: `x-test-agent` names the agent, `x-test-session` the session. */
const testRequireAgent: RequireAgent = () => async (c, next) => {
  const agent = AGENTS[c.req.header('x-test-agent') ?? ''];
  if (!agent) throw new UnauthorizedError('sign in first');
  c.set('agent', agent);
  c.set('session', { id: c.req.header('x-test-session') ?? `s-${agent.id}` });
  await next();
};

interface Running {
  url: string;
  /** The routes themselves, for requests without a socket (app.request). */
  app: Hono<AgentEnv>;
  db: Db;
  hub: MemoryHub;
  store: ConversationStore;
  presence: RecordingPresence;
  connections: LiveConnections;
  /** Conversations each agent holds (the routing side's answer, here set by the test). */
  held: Map<string, Set<string>>;
  /** Agents for whom the routing side fails (heldConversations rejects). */
  failing: Set<string>;
  /** What the module logged at warn level. */
  warnings: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'live-routes-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function start(
  dataDir: string,
  options: Partial<LiveOptions> = {},
  wrapTranscripts: (t: TranscriptStore, r: Pick<Running, 'db' | 'hub'>) => TranscriptStore = (t) => t,
  allowedOrigins: string[] = [],
  streamSlots?: StreamSlots,
): Promise<Running> {
  const db = openDatabase(dataDir);
  const hub = createMemoryHub((err) => {
    throw err;
  });
  const store = createSqliteConversationStore(db);
  const transcripts = wrapTranscripts(createSqliteTranscriptStore(db), { db, hub });
  const presence = new RecordingPresence();
  const connections = createLiveConnections();
  const held = new Map<string, Set<string>>();
  const failing = new Set<string>();
  const warnings: Array<Record<string, unknown>> = [];
  const app = new Hono<AgentEnv>();
  app.route(
    '/',
    liveRoutes({
      store,
      transcripts,
      hub,
      presence,
      requireAgent: testRequireAgent,
      heldConversations: async (agentId) => {
        if (failing.has(agentId)) throw new Error('routing store unavailable');
        return [...(held.get(agentId) ?? [])];
      },
      connections,
      allowedOrigins,
      ...(streamSlots ? { streamSlots } : {}),
      log: { debug() {}, warn: (fields) => warnings.push(fields as Record<string, unknown>) },
      options: { heartbeatMs: 60_000, ...options },
    }),
  );
  app.onError(createErrorHandler(silentLog));
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    s.once('listening', () => resolve(s));
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    connections.closeAll();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    db.close();
  };
  cleanups.push(stop);
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, app, db, hub, store, presence, connections, held, failing, warnings, stop };
}

const clients: SseClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

async function open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const client = await connectSse(url, headers);
  clients.push(client);
  return client;
}

/** A conversation as the visitor's first turn leaves it: two messages (visitor, bot). */
async function newConversation(r: Running) {
  const { conversation, token, turn } = await r.store.createConversation({
    lang: 'zh',
    firstTurn: { visitorText: '你好', reply: { author: 'bot', text: '您好，请问有什么可以帮您？' } },
  });
  return { id: conversation.id, token, auth: { authorization: `Bearer ${token}` }, messages: turn!.messages };
}

/** Stores a message and publishes it, as the routing side does for every stored message. */
function addMessage(r: Pick<Running, 'db' | 'hub'>, conversationId: string, author: MessageAuthor, text: string, publish = true): StoredMessage {
  const message = storeMessage(r.db, conversationId, author, text);
  if (publish) r.hub.publish(`conversation:${conversationId}`, { type: 'message', conversationId, message });
  return message;
}

function storeMessage(db: Db, conversationId: string, author: MessageAuthor, text: string): StoredMessage {
  const createdAt = new Date().toISOString();
  const { lastInsertRowid } = db
    .prepare('INSERT INTO messages (conversation_id, author, text, created_at) VALUES (?, ?, ?, ?)')
    .run(conversationId, author, text, createdAt);
  return { id: Number(lastInsertRowid), conversationId, author, text, createdAt };
}

const messageIds = (client: SseClient) => client.events.filter((e) => e.event === 'message').map((e) => Number(e.id));
const isReady = (e: SseMessage) => e.event === 'ready';

async function eventually(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

// ---------------------------------------------------------------------------------------------
// Visitor stream

describe('visitor stream', () => {
  it('needs the conversation’s token: 401 without, 404 with a wrong one, 400 for a bad resume point', async () => {
    const r = await start(tempDir());
    const c = await newConversation(r);
    const url = `${r.url}/api/conversations/${c.id}/events`;
    const none = await open(url);
    expect(none.status).toBe(401);
    const wrong = await open(url, { authorization: 'Bearer not-the-token' });
    expect(wrong.status).toBe(404);
    const bad = await open(url, { ...c.auth, 'last-event-id': 'abc' });
    expect(bad.status).toBe(400);
    expect(bad.error.error).toMatchObject({ code: 'invalid_after', field: 'Last-Event-ID' });
    const badQuery = await open(`${url}?after=-1`, c.auth);
    expect(badQuery.status).toBe(400);
    expect(badQuery.error.error.field).toBe('after');
    expect(r.connections.size).toBe(0);
  });

  it('sends the transcript, then ready, then live events; hides what is not for visitors', async () => {
    const r = await start(tempDir(), { retryMs: 2500 });
    const c = await newConversation(r);
    const client = await open(`${r.url}/api/conversations/${c.id}/events`, c.auth);
    expect(client.status).toBe(200);
    expect(client.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(client.headers.get('cache-control')).toBe('no-store');

    const ready = await client.waitFor(isReady);
    expect(client.retry).toBe(2500);
    expect(client.events.map((e) => e.event)).toEqual(['message', 'message', 'ready']);
    expect(messageIds(client)).toEqual(c.messages.map((m) => m.id));
    expect(client.events[0]!.json).toEqual({
      conversationId: c.id,
      id: c.messages[0]!.id,
      author: 'visitor',
      text: '你好',
      createdAt: c.messages[0]!.createdAt,
    });
    expect(ready.id).toBe(String(c.messages[1]!.id));
    expect(ready.json).toEqual({ conversationId: c.id, status: 'bot', lastMessageId: c.messages[1]!.id });

    const topic = `conversation:${c.id}` as const;
    const m = addMessage(r, c.id, 'agent', '您好，我是客服小李');
    r.hub.publish(topic, { type: 'typing', conversationId: c.id, author: 'visitor', typing: true }); // own echo: not sent
    r.hub.publish(topic, { type: 'typing', conversationId: c.id, author: 'agent', typing: true });
    r.hub.publish(topic, { type: 'status', conversationId: c.id, status: 'assigned', agent: { id: 'a1', displayName: '小李' } });
    r.hub.publish(topic, { type: 'queue_position', conversationId: c.id, position: 2, etaSeconds: 240 });
    r.hub.publish(topic, { type: 'transfer', conversationId: c.id, from: 'a1', toGroup: 'billing', note: 'VIP, angry' });
    r.hub.publish(topic, { type: 'closed', conversationId: c.id, by: 'agent' });
    await client.waitFor((e) => e.event === 'closed');

    const live = client.events.slice(3);
    expect(live.map((e) => e.event)).toEqual(['message', 'typing', 'status', 'queue_position', 'transfer', 'closed']);
    expect(live[0]).toMatchObject({ id: String(m.id), json: { id: m.id, author: 'agent', text: '您好，我是客服小李' } });
    expect(live[1]!.json).toEqual({ conversationId: c.id, author: 'agent', typing: true });
    // The visitor sees the agent's chosen name, never internal ids or the note between agents.
    expect(live[2]!.json).toEqual({ conversationId: c.id, status: 'assigned', agent: { displayName: '小李' } });
    expect(live[3]!.json).toEqual({ conversationId: c.id, position: 2, etaSeconds: 240 });
    expect(live[4]!.json).toEqual({ conversationId: c.id });
    expect(live[5]!.json).toEqual({ conversationId: c.id, by: 'agent' });
    expect(live.filter((e) => e.id !== undefined).map((e) => e.id)).toEqual([String(m.id)]);
  });

  it('reports the queue position in ready when queued', async () => {
    const r = await start(tempDir());
    const c = await newConversation(r);
    await r.store.appendTurn(c.id, { visitorText: '转人工', handoff: { reason: 'requested', decision: {} } });
    const client = await open(`${r.url}/api/conversations/${c.id}/events`, c.auth);
    const ready = await client.waitFor(isReady);
    expect(ready.json).toMatchObject({ status: 'queued', queue: { position: 1 } });
  });

  it('unsubscribes from the hub when the client goes away (no listener leaks)', async () => {
    const r = await start(tempDir());
    const c = await newConversation(r);
    const streams = await Promise.all([1, 2, 3].map(() => open(`${r.url}/api/conversations/${c.id}/events`, c.auth)));
    await Promise.all(streams.map((s) => s.waitFor(isReady)));
    expect(r.hub.listenerCount(`conversation:${c.id}`)).toBe(3);
    expect(r.connections.count(`conversation:${c.id}`)).toBe(3);
    for (const s of streams) s.close();
    await eventually(() => r.hub.listenerCount() === 0 && r.connections.size === 0);
    expect(r.connections.count(`conversation:${c.id}`)).toBe(0);
  });

  it('caps the streams of one conversation (429), and frees the place when one closes', async () => {
    const r = await start(tempDir(), { maxStreamsPerConversation: 2 });
    const c = await newConversation(r);
    const url = `${r.url}/api/conversations/${c.id}/events`;
    const first = await open(url, c.auth);
    await open(url, c.auth);
    const third = await open(url, c.auth);
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('3');
    first.close();
    await eventually(() => r.connections.count(`conversation:${c.id}`) === 1);
    expect((await open(url, c.auth)).status).toBe(200);
  });

  it('drops a client that falls too far behind; it resumes without losing anything', async () => {
    const r = await start(tempDir(), { maxPendingWrites: 20 });
    const c = await newConversation(r);
    const url = `${r.url}/api/conversations/${c.id}/events`;
    const client = await open(url, c.auth);
    await client.waitFor(isReady);
    // Published in one tick: far more writes queued than the stream may have pending.
    const burst: StoredMessage[] = [];
    for (let i = 0; i < 50; i++) {
      burst.push(addMessage(r, c.id, 'agent', `burst ${i}`));
      r.hub.publish(`conversation:${c.id}`, { type: 'typing', conversationId: c.id, author: 'agent', typing: i % 2 === 0 });
    }
    await client.ended;
    await eventually(() => r.hub.listenerCount() === 0);
    const again = await open(url, { ...c.auth, 'last-event-id': client.lastEventId! });
    await again.waitFor(isReady);
    expect([...messageIds(client), ...messageIds(again)]).toEqual([...c.messages, ...burst].map((m) => m.id));
  });

  it('streams the same way without a Node socket (app.request, other runtimes), and stops when the body is cancelled', async () => {
    const r = await start(tempDir(), { retryMs: 2500 });
    const c = await newConversation(r);
    const res = await r.app.request(`/api/conversations/${c.id}/events`, { headers: c.auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended before ${JSON.stringify(needle)}: ${text}`);
        text += value;
      }
    };
    await readUntil('event: ready');
    expect(text.startsWith('retry: 2500\n\n')).toBe(true);
    expect(text).toContain(`event: message\nid: ${c.messages[0]!.id}\ndata: `);
    const m = addMessage(r, c.id, 'agent', 'no socket needed');
    await readUntil('no socket needed');
    expect(text).toContain(`event: message\nid: ${m.id}\ndata: ${JSON.stringify({ conversationId: c.id, id: m.id, author: 'agent', text: 'no socket needed', createdAt: m.createdAt })}\n\n`);
    await reader.cancel();
    await eventually(() => r.hub.listenerCount() === 0 && r.connections.size === 0);
  });

  it('sends a heartbeat comment and ends the stream at its maximum age', async () => {
    const r = await start(tempDir(), { heartbeatMs: 40, maxAgeMs: 400 });
    const c = await newConversation(r);
    const client = await open(`${r.url}/api/conversations/${c.id}/events`, c.auth);
    await client.waitForComments(2, 2000);
    expect(client.comments[0]).toBe('ping');
    await client.ended;
    expect(client.isEnded).toBe(true);
    await eventually(() => r.hub.listenerCount() === 0 && r.connections.size === 0);
  });
});

describe('several nodes', () => {
  it('with catchUpOnHeartbeat, a message whose event was dropped (pub/sub between nodes) arrives by the next heartbeat', async () => {
    const r = await start(tempDir(), { heartbeatMs: 100, catchUpOnHeartbeat: true });
    const c = await newConversation(r);
    const client = await open(`${r.url}/api/conversations/${c.id}/events`, c.auth);
    await client.waitFor(isReady);
    const dropped = addMessage(r, c.id, 'agent', '您好，我是客服小李', false);
    await client.waitFor((e) => e.id === String(dropped.id), 1000);
    const announced = addMessage(r, c.id, 'visitor', '谢谢');
    await client.waitFor((e) => e.id === String(announced.id));
    // Later heartbeats read again and find nothing new: nothing is sent twice.
    await client.waitForComments(4, 2000);
    expect(messageIds(client)).toEqual([...c.messages.map((m) => m.id), dropped.id, announced.id]);
  });

  it('without it (one process: the in-process hub drops nothing) heartbeats do not read the store', async () => {
    const r = await start(tempDir(), { heartbeatMs: 100 });
    const c = await newConversation(r);
    const client = await open(`${r.url}/api/conversations/${c.id}/events`, c.auth);
    await client.waitFor(isReady);
    // Never announced, so only a heartbeat read could send it: three heartbeats pass without it.
    addMessage(r, c.id, 'agent', '您好', false);
    await client.waitForComments(3, 2000);
    expect(messageIds(client)).toEqual(c.messages.map((m) => m.id));
  });

  it('an agent stream catches up the same way on its held conversations', async () => {
    const r = await start(tempDir(), { heartbeatMs: 100, catchUpOnHeartbeat: true });
    const held = await newConversation(r);
    const other = await newConversation(r);
    r.held.set('a1', new Set([held.id]));
    const client = await open(`${r.url}/api/agent/events`, asAgent('a1'));
    await client.waitFor(isReady);
    addMessage(r, other.id, 'visitor', 'not held', false);
    const dropped = addMessage(r, held.id, 'visitor', '在吗？', false);
    await client.waitFor((e) => e.id === String(dropped.id), 1000);
    await client.waitForComments(3, 2000);
    expect(messageIds(client)).toEqual([dropped.id]);
  });

  it('the per-address cap counts the streams of every node sharing the stream slots; the per-conversation cap is per node', async () => {
    const dir = tempDir();
    // Two nodes on one database, as behind a load balancer; the slots stand for the Redis ones (redis-stream-slots.test.ts).
    const slots = createLocalStreamSlots();
    const options = { maxVisitorStreamsPerAddress: 3, maxStreamsPerConversation: 2 };
    const a = await start(dir, options, undefined, [], slots);
    const b = await start(dir, options, undefined, [], slots);
    const x = await newConversation(a);
    const y = await newConversation(a);
    const url = (r: Running, c: { id: string }) => `${r.url}/api/conversations/${c.id}/events`;
    expect((await open(url(a, x), x.auth)).status).toBe(200);
    expect((await open(url(a, x), x.auth)).status).toBe(200);
    // A third stream of x: refused on A (per node), but B has room for x.
    expect((await open(url(a, x), x.auth)).status).toBe(429);
    const third = await open(url(b, y), y.auth);
    expect(third.status).toBe(200);
    // Three streams from this address over both nodes: a fourth is refused on either node.
    const refused = await open(url(b, x), x.auth);
    expect(refused.status).toBe(429);
    expect(refused.error.error.code).toBe('too_many_streams');
    expect((await open(url(a, y), y.auth)).status).toBe(429);
    third.close();
    await eventually(() => b.connections.size === 0);
    expect((await open(url(b, x), x.auth)).status).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------------
// Resume

describe('resume', () => {
  it('with Last-Event-ID after a disconnect: exactly the messages stored meanwhile, then live ones', async () => {
    const r = await start(tempDir());
    const c = await newConversation(r);
    const url = `${r.url}/api/conversations/${c.id}/events`;
    const first = await open(url, c.auth);
    await first.waitFor(isReady);
    const seen = addMessage(r, c.id, 'agent', 'one');
    await first.waitFor((e) => e.id === String(seen.id));
    first.close();
    await eventually(() => r.hub.listenerCount() === 0);

    // Stored and published while nobody listens.
    const missed = ['two', 'three', 'four'].map((text) => addMessage(r, c.id, 'agent', text));
    const second = await open(url, { ...c.auth, 'last-event-id': first.lastEventId! });
    await second.waitFor(isReady);
    const live = addMessage(r, c.id, 'visitor', 'five');
    await second.waitFor((e) => e.id === String(live.id));
    expect(messageIds(second)).toEqual([...missed, live].map((m) => m.id));

    // ?after= does the same; the header wins when both are sent (it is the newer, EventSource's own).
    const third = await open(`${url}?after=${missed[1]!.id}`, c.auth);
    await third.waitFor(isReady);
    expect(messageIds(third)).toEqual([missed[2]!.id, live.id]);
    const both = await open(`${url}?after=0`, { ...c.auth, 'last-event-id': String(live.id) });
    expect((await both.waitFor(isReady)).json.lastMessageId).toBe(live.id);
    expect(messageIds(both)).toEqual([]);
  });

  it('a resume point beyond the newest message (a restored database) does not hide new messages', async () => {
    const r = await start(tempDir());
    const c = await newConversation(r);
    const client = await open(`${r.url}/api/conversations/${c.id}/events`, { ...c.auth, 'last-event-id': '999999' });
    const ready = await client.waitFor(isReady);
    expect(ready.json.lastMessageId).toBe(c.messages[1]!.id);
    const next = addMessage(r, c.id, 'agent', 'after the restore');
    await client.waitFor((e) => e.id === String(next.id));
    expect(messageIds(client)).toEqual([next.id]);
  });

  it('misses nothing and repeats nothing while messages pour in across reconnects', async () => {
    const r = await start(tempDir());
    const c = await newConversation(r);
    const url = `${r.url}/api/conversations/${c.id}/events`;
    const written: number[] = c.messages.map((m) => m.id);
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        written.push(addMessage(r, c.id, i % 2 ? 'agent' : 'visitor', `m${i}`).id);
        await new Promise((res) => setTimeout(res, i % 3));
      }
    })();

    const received: number[] = [];
    let last: string | undefined;
    for (let round = 0; round < 6; round++) {
      const client = await open(url, last ? { ...c.auth, 'last-event-id': last } : c.auth);
      await client.waitFor(isReady);
      await new Promise((res) => setTimeout(res, 30));
      client.close();
      await client.ended;
      received.push(...messageIds(client));
      last = client.lastEventId ?? last;
    }
    writing = false;
    await writer;
    const final = await open(url, { ...c.auth, 'last-event-id': last! });
    await final.waitFor(isReady);
    received.push(...messageIds(final));

    expect(new Set(received).size).toBe(received.length);
    expect(received).toEqual(written);
    expect(written.length).toBeGreaterThan(20);
  });

  it('delivers a message stored between the catch-up read and the live phase (subscribed before reading)', async () => {
    // The store answers the catch-up's last read (nothing more), and right then, before the stream
    // is live, a message lands.
    let landed: StoredMessage | undefined;
    let target = '';
    const r = await start(tempDir(), {}, (t, live) => ({
      ...t,
      async messagesAfter(ids, after, limit) {
        const page = await t.messagesAfter(ids, after, limit);
        if (!landed && page.length === 0 && ids.includes(target)) landed = addMessage(live, target, 'agent', 'landed during catch-up');
        return page;
      },
    }));
    const c = await newConversation(r);
    target = c.id;
    const client = await open(`${r.url}/api/conversations/${c.id}/events`, c.auth);
    await client.waitFor((e) => e.id === String(landed?.id));
    expect(messageIds(client)).toEqual([...c.messages.map((m) => m.id), landed!.id]);

    // The same for an agent joining the conversation it holds.
    landed = undefined;
    const d = await newConversation(r);
    r.held.set('a1', new Set([d.id]));
    target = d.id;
    const agent = await open(`${r.url}/api/agent/events?after=${d.messages[1]!.id}`, asAgent('a1'));
    await agent.waitFor((e) => e.id === String(landed?.id));
    expect(messageIds(agent)).toEqual([landed!.id]);
  });

  it('sends messages in id order even when they are published out of order', async () => {
    const r = await start(tempDir());
    const c = await newConversation(r);
    const client = await open(`${r.url}/api/conversations/${c.id}/events`, c.auth);
    await client.waitFor(isReady);
    const first = addMessage(r, c.id, 'visitor', 'first', false);
    const second = addMessage(r, c.id, 'agent', 'second', false);
    const topic = `conversation:${c.id}` as const;
    r.hub.publish(topic, { type: 'message', conversationId: c.id, message: second });
    r.hub.publish(topic, { type: 'message', conversationId: c.id, message: first });
    await client.waitFor((e) => e.id === String(second.id));
    await new Promise((res) => setTimeout(res, 50));
    expect(messageIds(client).slice(-2)).toEqual([first.id, second.id]);
    expect(messageIds(client)).toHaveLength(4);
  });

  it('after a server restart on the same SQLite file: nothing missed, nothing repeated', async () => {
    const dir = tempDir();
    const before = await start(dir);
    const c = await newConversation(before);
    const a = addMessage(before, c.id, 'agent', '重启前');
    const first = await open(`${before.url}/api/conversations/${c.id}/events`, c.auth);
    await first.waitFor((e) => e.id === String(a.id));
    await before.stop();
    await first.ended;
    expect(first.lastEventId).toBe(String(a.id));

    // The service is down; another process (or the restarted one) stores more.
    const offline = openDatabase(dir);
    const whileDown = [storeMessage(offline, c.id, 'visitor', '人呢？'), storeMessage(offline, c.id, 'agent', '在的')];
    offline.close();

    const after = await start(dir);
    after.held.set('a1', new Set([c.id]));
    const second = await open(`${after.url}/api/conversations/${c.id}/events`, { ...c.auth, 'last-event-id': first.lastEventId! });
    const agent = await open(`${after.url}/api/agent/events`, { ...asAgent('a1'), 'last-event-id': first.lastEventId! });
    await second.waitFor(isReady);
    await agent.waitFor(isReady);
    const live = addMessage(after, c.id, 'agent', '重启后');
    await second.waitFor((e) => e.id === String(live.id));
    await agent.waitFor((e) => e.id === String(live.id));
    expect(messageIds(second)).toEqual([...whileDown, live].map((m) => m.id));
    expect(messageIds(agent)).toEqual([...whileDown, live].map((m) => m.id));
    expect(second.events.find((e) => e.id === String(whileDown[0]!.id))!.json.text).toBe('人呢？');
  });
});

// ---------------------------------------------------------------------------------------------
// Agent stream

const asAgent = (id: string, session?: string) => ({ 'x-test-agent': id, ...(session ? { 'x-test-session': session } : {}) });

describe('agent stream', () => {
  it('needs a signed-in agent, and reports the connection to presence until it closes', async () => {
    const r = await start(tempDir());
    expect((await open(`${r.url}/api/agent/events`)).status).toBe(401);
    expect(r.presence.calls).toEqual([]);

    const client = await open(`${r.url}/api/agent/events`, asAgent('a1'));
    const ready = await client.waitFor(isReady);
    expect(ready.json).toEqual({ agentId: 'a1', conversations: [], lastMessageId: expect.any(Number) });
    expect(r.presence.calls).toEqual([['connected', 'a1']]);
    client.close();
    await eventually(() => r.presence.calls.length === 2);
    expect(r.presence.calls).toEqual([
      ['connected', 'a1'],
      ['disconnected', 'a1'],
    ]);
    await eventually(() => r.hub.listenerCount() === 0);
  });

  it('shows an invisible colleague as offline, and the agent their own invisible status', async () => {
    const r = await start(tempDir());
    const client = await open(`${r.url}/api/agent/events`, asAgent('a1'));
    await client.waitFor(isReady);
    r.hub.publish('queue', { type: 'presence', agentId: 'a2', status: 'invisible' });
    r.hub.publish('queue', { type: 'presence', agentId: 'a1', status: 'invisible' });
    await eventually(() => client.events.filter((e) => e.event === 'presence').length === 2);
    expect(client.events.filter((e) => e.event === 'presence').map((e) => e.json)).toEqual([
      { agentId: 'a2', status: 'offline' },
      { agentId: 'a1', status: 'invisible' },
    ]);
    client.close();
    await eventually(() => r.hub.listenerCount() === 0);
  });

  it('carries queue and presence, and the conversations the agent holds: joined on assigned, left on close', async () => {
    const r = await start(tempDir());
    const mine = await newConversation(r);
    const other = await newConversation(r);
    const later = await newConversation(r);
    r.held.set('a1', new Set([mine.id]));
    const client = await open(`${r.url}/api/agent/events`, asAgent('a1'));
    const ready = await client.waitFor(isReady);
    expect(ready.json.conversations).toEqual([mine.id]);
    // A fresh stream starts at the newest message: transcripts are loaded after ready.
    expect(ready.json.lastMessageId).toBe(later.messages[1]!.id);
    expect(messageIds(client)).toEqual([]);

    // A burst of queue changes reaches the console as one refetch.
    r.hub.publish('queue', { type: 'queue_changed' });
    r.hub.publish('queue', { type: 'queue_changed' });
    r.hub.publish('queue', { type: 'queue_changed' });
    r.hub.publish('queue', { type: 'presence', agentId: 'a2', status: 'away' });
    r.hub.publish('agent:a1', { type: 'presence', agentId: 'a1', status: 'online' }); // also on `queue`: sent from there only
    r.hub.publish('queue', { type: 'presence', agentId: 'a1', status: 'online' });
    const m1 = addMessage(r, mine.id, 'visitor', '我的宽带断了');
    addMessage(r, other.id, 'visitor', '别人的会话');
    r.hub.publish(`conversation:${mine.id}`, { type: 'typing', conversationId: mine.id, author: 'visitor', typing: true });
    r.hub.publish(`conversation:${mine.id}`, { type: 'typing', conversationId: mine.id, author: 'agent', typing: true }); // own echo
    await client.waitFor((e) => e.event === 'typing');
    expect(client.events.slice(1).map((e) => e.event)).toEqual(['queue_changed', 'presence', 'presence', 'message', 'typing']);
    expect(client.events.filter((e) => e.event === 'presence').map((e) => e.json)).toEqual([
      { agentId: 'a2', status: 'away' },
      { agentId: 'a1', status: 'online' },
    ]);
    expect(client.events.find((e) => e.event === 'message')).toMatchObject({
      id: String(m1.id),
      json: { conversationId: mine.id, id: m1.id, author: 'visitor', text: '我的宽带断了' },
    });

    // Assigned: the stream joins the conversation at once.
    r.held.get('a1')!.add(later.id);
    r.hub.publish('agent:a2', { type: 'assigned', conversationId: other.id, agentId: 'a2' }); // someone else's topic
    r.hub.publish('agent:a1', { type: 'assigned', conversationId: later.id, agentId: 'a1' });
    expect(r.hub.listenerCount(`conversation:${later.id}`)).toBe(1);
    const m2 = addMessage(r, later.id, 'visitor', 'hello?');
    await client.waitFor((e) => e.id === String(m2.id));
    expect(client.events.find((e) => e.event === 'assigned')!.json).toEqual({ conversationId: later.id, agentId: 'a1' });

    // Closed: the event is delivered, then the stream leaves the conversation.
    r.held.get('a1')!.delete(mine.id);
    r.hub.publish(`conversation:${mine.id}`, { type: 'closed', conversationId: mine.id, by: 'visitor' });
    await client.waitFor((e) => e.event === 'closed');
    await eventually(() => r.hub.listenerCount(`conversation:${mine.id}`) === 0);
    expect(r.hub.listenerCount(`conversation:${later.id}`)).toBe(1);

    // Transferred away and straight back (assigned again before the check): the stream stays. Published
    // as the routing side does: without the note on the conversation, with it on the agent's and the queue's topics.
    const toBilling = { type: 'transfer', conversationId: later.id, from: 'a1', toGroup: 'billing' } as const;
    r.hub.publish(`conversation:${later.id}`, toBilling);
    r.hub.publish('queue', { ...toBilling, note: '账单问题' });
    r.hub.publish('agent:a1', { ...toBilling, note: '账单问题' });
    r.hub.publish('agent:a1', { type: 'assigned', conversationId: later.id, agentId: 'a1' });
    const transfer = await client.waitFor((e) => e.event === 'transfer');
    expect(transfer.json).toEqual({ conversationId: later.id, from: 'a1', toGroup: 'billing', note: '账单问题' });
    // A colleague's transfer to a group shows in the queue views.
    r.hub.publish('queue', { type: 'transfer', conversationId: other.id, from: 'a2', toGroup: 'mobile', note: '换组' });
    await client.waitFor((e) => e.event === 'transfer' && e.json.from === 'a2');
    const m3 = addMessage(r, later.id, 'visitor', 'still there?');
    await client.waitFor((e) => e.id === String(m3.id));

    // Transferred to a colleague: left.
    r.held.get('a1')!.delete(later.id);
    r.hub.publish(`conversation:${later.id}`, { type: 'transfer', conversationId: later.id, from: 'a1', toAgent: 'a2' });
    r.hub.publish('agent:a1', { type: 'transfer', conversationId: later.id, from: 'a1', toAgent: 'a2', note: '请跟进' });
    await eventually(() => r.hub.listenerCount(`conversation:${later.id}`) === 0);
    addMessage(r, later.id, 'visitor', 'for a2 only');
    r.hub.publish('queue', { type: 'queue_changed' });
    await eventually(() => client.events.filter((e) => e.event === 'queue_changed').length === 2);
    expect(messageIds(client)).toEqual([m1.id, m2.id, m3.id]);
    // Each transfer once, with its note.
    expect(client.events.filter((e) => e.event === 'transfer').map((e) => e.json.note)).toEqual(['账单问题', '换组', '请跟进']);

    client.close();
    await eventually(() => r.hub.listenerCount() === 0 && r.connections.size === 0);
  });

  it('gives a transfer to a group, with its note, only to agents who may open the chat: the group and admins', async () => {
    const r = await start(tempDir());
    const c = await newConversation(r);
    const streams = Object.fromEntries(
      await Promise.all(['a1', 'b1', 'boss'].map(async (id) => {
        const client = await open(`${r.url}/api/agent/events`, asAgent(id));
        await client.waitFor(isReady);
        return [id, client] as const;
      })),
    );
    // a2 (mobile) sends the chat to broadband with a note about the visitor.
    r.hub.publish('queue', { type: 'transfer', conversationId: c.id, from: 'a2', toGroup: 'broadband', note: '用户身份证110105199003071234' });
    r.hub.publish('queue', { type: 'queue_changed' });
    for (const id of ['b1', 'boss']) {
      const transfer = await streams[id]!.waitFor((e) => e.event === 'transfer');
      expect(transfer.json.note).toBe('用户身份证110105199003071234');
    }
    // a1 (mobile) gets the queue refetch but not the transfer or its note.
    await streams.a1!.waitFor((e) => e.event === 'queue_changed');
    expect(streams.a1!.events.filter((e) => e.event === 'transfer')).toEqual([]);
    for (const client of Object.values(streams)) client.close();
    await eventually(() => r.hub.listenerCount() === 0);
  });

  it('follows a chat that becomes held mid-stream from its `assigned` on; its history below the cursor is the transcript’s', async () => {
    // What test/cluster/outage.test.ts saw (and took for a gap after a frozen database): the chat the agent takes is
    // written first (visitor and bot, ids 83 and 84 there), then a chat left in the queue is assigned to her and its
    // note (85) moves the stream's one cursor; the taken chat joins after that, so 83 and 84 are never streamed while
    // everything from its own note (86) on is. The console loads a chat's transcript on `assigned` for that reason.
    const r = await start(tempDir());
    const leftInQueue = await newConversation(r);
    const client = await open(`${r.url}/api/agent/events`, asAgent('a1'));
    await client.waitFor(isReady);
    const taken = await newConversation(r);

    r.held.set('a1', new Set([leftInQueue.id]));
    r.hub.publish('agent:a1', { type: 'assigned', conversationId: leftInQueue.id, agentId: 'a1' });
    const otherNote = addMessage(r, leftInQueue.id, 'system', '客服 小李 已接入');
    await client.waitFor((e) => e.id === String(otherNote.id));

    r.held.get('a1')!.add(taken.id);
    r.hub.publish('agent:a1', { type: 'assigned', conversationId: taken.id, agentId: 'a1' });
    const after = [addMessage(r, taken.id, 'system', '客服 小李 已接入'), addMessage(r, taken.id, 'visitor', '在吗')];
    await client.waitFor((e) => e.id === String(after[1]!.id));

    const ofTaken = (e: SseMessage) => e.event === 'message' && e.json.conversationId === taken.id;
    expect(client.events.filter(ofTaken).map((e) => Number(e.id))).toEqual(after.map((m) => m.id));
    expect(taken.messages.every((m) => m.id < otherNote.id)).toBe(true);
    // The stream's position when the chat joined (the last id before its `assigned`): every message after it arrives.
    const joined = client.events.findIndex((e) => e.event === 'assigned' && e.json.conversationId === taken.id);
    expect(client.events.slice(0, joined).filter((e) => e.id !== undefined).at(-1)!.id).toBe(String(otherNote.id));
    client.close();
  });

  it('resumes with Last-Event-ID across the held conversations, in id order', async () => {
    const r = await start(tempDir());
    const x = await newConversation(r);
    const y = await newConversation(r);
    r.held.set('a1', new Set([x.id, y.id]));
    const first = await open(`${r.url}/api/agent/events`, asAgent('a1'));
    await first.waitFor(isReady);
    const seen = addMessage(r, x.id, 'visitor', 'x1');
    await first.waitFor((e) => e.id === String(seen.id));
    first.close();
    await eventually(() => r.hub.listenerCount() === 0);

    const missed = [addMessage(r, y.id, 'visitor', 'y1'), addMessage(r, x.id, 'visitor', 'x2'), addMessage(r, y.id, 'visitor', 'y2')];
    addMessage(r, (await newConversation(r)).id, 'visitor', 'not held');
    const second = await open(`${r.url}/api/agent/events`, { ...asAgent('a1'), 'last-event-id': first.lastEventId! });
    const ready = await second.waitFor(isReady);
    expect(messageIds(second)).toEqual(missed.map((m) => m.id));
    expect(ready.id).toBe(String(missed[2]!.id));
  });

  it('closes on session_ended for its session (or all sessions), not for another session', async () => {
    const r = await start(tempDir());
    const client = await open(`${r.url}/api/agent/events`, asAgent('a1', 'sess-1'));
    const other = await open(`${r.url}/api/agent/events`, asAgent('a1', 'sess-2'));
    await client.waitFor(isReady);
    await other.waitFor(isReady);

    r.hub.publish('agent:a1', { type: 'session_ended', agentId: 'a1', sessionId: 'sess-2' });
    await other.ended;
    expect(other.events.at(-1)!.event).toBe('session_ended');
    r.hub.publish('queue', { type: 'queue_changed' });
    await client.waitFor((e) => e.event === 'queue_changed');
    expect(client.isEnded).toBe(false);

    r.hub.publish('agent:a1', { type: 'session_ended', agentId: 'a1' });
    await client.ended;
    expect(client.events.at(-1)!.event).toBe('session_ended');
    await eventually(() => r.presence.calls.filter(([what]) => what === 'disconnected').length === 2);
    expect(r.presence.calls.filter(([what]) => what === 'connected')).toHaveLength(2);
    await eventually(() => r.hub.listenerCount() === 0 && r.connections.size === 0);
  });

  it('ends the stream (and logs) when the routing side fails, reporting the disconnection', async () => {
    const r = await start(tempDir());
    r.failing.add('a1');
    const client = await open(`${r.url}/api/agent/events`, asAgent('a1'));
    expect(client.status).toBe(200);
    await client.ended;
    expect(client.events.map((e) => e.event)).toEqual([]);
    expect(r.warnings).toEqual([expect.objectContaining({ event: 'live.failed', agentId: 'a1', err: expect.any(Error) })]);
    await eventually(() => r.presence.calls.length === 2 && r.hub.listenerCount() === 0 && r.connections.size === 0);
    expect(r.presence.calls).toEqual([
      ['connected', 'a1'],
      ['disconnected', 'a1'],
    ]);
  });

  it('shutdown ends every stream and reports the disconnections', async () => {
    const r = await start(tempDir());
    const c = await newConversation(r);
    const agent = await open(`${r.url}/api/agent/events`, asAgent('a2'));
    const visitor = await open(`${r.url}/api/conversations/${c.id}/events`, c.auth);
    await agent.waitFor(isReady);
    await visitor.waitFor(isReady);
    r.connections.closeAll();
    await Promise.all([agent.ended, visitor.ended]);
    // Each stream's last event tells the client to come back, with a longer retry hint than usual.
    for (const client of [agent, visitor]) {
      expect(client.events.at(-1)).toMatchObject({ event: 'server_restarting', json: { retryMs: 5000 } });
      expect(client.retry).toBe(5000);
    }
    expect(r.presence.calls).toEqual([
      ['connected', 'a2'],
      ['disconnected', 'a2'],
    ]);
    expect(r.hub.listenerCount()).toBe(0);
  });

  it('a stream ended for another reason gets no restart event', async () => {
    const r = await start(tempDir());
    const agent = await open(`${r.url}/api/agent/events`, asAgent('a1'));
    await agent.waitFor(isReady);
    r.connections.closeAll('max_age');
    await agent.ended;
    expect(agent.events.map((e) => e.event)).not.toContain('server_restarting');
    expect(agent.retry).toBe(3000);
  });

  it('refuses a stream from a foreign Origin before authenticating; own and allowed origins stream', async () => {
    const r = await start(tempDir(), {}, undefined, ['https://cs.example.com']);
    const c = await newConversation(r);
    const agentUrl = `${r.url}/api/agent/events`;
    const visitorUrl = `${r.url}/api/conversations/${c.id}/events`;
    expect((await open(agentUrl, { ...asAgent('a1'), origin: 'https://evil.example' })).status).toBe(403);
    expect((await open(visitorUrl, { ...c.auth, origin: 'https://evil.example' })).status).toBe(403);
    // Checked before the credential: no hint whether the token or session is good.
    expect((await open(visitorUrl, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await open(agentUrl, { ...asAgent('a1'), origin: r.url })).status).toBe(200);
    expect((await open(visitorUrl, { ...c.auth, origin: 'https://cs.example.com' })).status).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------------
// Typing

describe('typing', () => {
  async function post(url: string, body: unknown, headers: Record<string, string>) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, json: res.status === 204 ? undefined : ((await res.json()) as any) };
  }

  it('goes from visitor to agent and from agent to visitor, published, never stored', async () => {
    const r = await start(tempDir());
    const c = await newConversation(r);
    r.held.set('a1', new Set([c.id]));
    const agent = await open(`${r.url}/api/agent/events`, asAgent('a1'));
    const visitor = await open(`${r.url}/api/conversations/${c.id}/events`, c.auth);
    await agent.waitFor(isReady);
    await visitor.waitFor(isReady);

    expect((await post(`${r.url}/api/conversations/${c.id}/typing`, { typing: true }, c.auth)).status).toBe(204);
    expect((await agent.waitFor((e) => e.event === 'typing')).json).toEqual({ conversationId: c.id, author: 'visitor', typing: true });
    expect((await post(`${r.url}/api/agent/conversations/${c.id}/typing`, { typing: false }, asAgent('a1'))).status).toBe(204);
    expect((await visitor.waitFor((e) => e.event === 'typing')).json).toEqual({ conversationId: c.id, author: 'agent', typing: false });

    expect(r.db.prepare('SELECT count(*) FROM messages WHERE conversation_id = ?').pluck().get(c.id)).toBe(2);
    // Neither side gets its own typing back.
    await new Promise((res) => setTimeout(res, 50));
    expect(agent.events.filter((e) => e.event === 'typing')).toHaveLength(1);
    expect(visitor.events.filter((e) => e.event === 'typing')).toHaveLength(1);
  });

  it('refuses bad requests: token, body, an agent who does not hold the chat', async () => {
    const r = await start(tempDir());
    const c = await newConversation(r);
    const visitorUrl = `${r.url}/api/conversations/${c.id}/typing`;
    expect((await post(visitorUrl, { typing: true }, {})).status).toBe(401);
    expect((await post(visitorUrl, { typing: true }, { authorization: 'Bearer nope' })).status).toBe(404);
    const missing = await post(visitorUrl, {}, c.auth);
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatchObject({ code: 'missing_field', field: 'typing' });
    const wrongType = await post(visitorUrl, { typing: 'yes' }, c.auth);
    expect(wrongType.json.error).toMatchObject({ code: 'invalid_typing', field: 'typing' });
    expect((await post(visitorUrl, '[true]', c.auth)).status).toBe(400);
    expect((await post(visitorUrl, '{"typing":', c.auth)).json.error.code).toBe('malformed_json');
    expect((await post(visitorUrl, JSON.stringify({ typing: true, pad: 'x'.repeat(2000) }), c.auth)).status).toBe(413);
    const notJson = await fetch(visitorUrl, { method: 'POST', headers: { ...c.auth, 'content-type': 'text/plain' }, body: 'typing' });
    expect(notJson.status).toBe(415);

    const agentUrl = `${r.url}/api/agent/conversations/${c.id}/typing`;
    expect((await post(agentUrl, { typing: true }, {})).status).toBe(401);
    const notHeld = await post(agentUrl, { typing: true }, asAgent('a2'));
    expect(notHeld.status).toBe(403);
    expect(notHeld.json.error.code).toBe('forbidden');
  });

  it('is rate limited per conversation and side, unless limits are off', async () => {
    const r = await start(tempDir(), { typingRateLimit: { capacity: 3, refillPerSecond: 0.01 } });
    const c = await newConversation(r);
    r.held.set('a1', new Set([c.id]));
    const url = `${r.url}/api/conversations/${c.id}/typing`;
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(url, { typing: i % 2 === 0 }, c.auth)).status);
    expect(statuses).toEqual([204, 204, 204, 429]);
    const limited = await post(url, { typing: true }, c.auth);
    expect(limited.headers.get('retry-after')).toEqual(expect.stringMatching(/^\d+$/));
    // The agent's side has its own bucket.
    expect((await post(`${r.url}/api/agent/conversations/${c.id}/typing`, { typing: true }, asAgent('a1'))).status).toBe(204);

    const unlimited = await start(tempDir(), { typingRateLimit: 'off' });
    const d = await newConversation(unlimited);
    for (let i = 0; i < 20; i++) {
      expect((await post(`${unlimited.url}/api/conversations/${d.id}/typing`, { typing: true }, d.auth)).status).toBe(204);
    }
  });
});
