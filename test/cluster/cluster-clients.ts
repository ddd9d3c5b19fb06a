// Visitors and agents of the multi-node tests, over real HTTP to a chosen node (or the proxy): each visitor has its
// own client address (X-Forwarded-For, believed from loopback), agents sign in once and use their session cookie
// on any node; live streams through the SSE test client; polling until a deadline for "within N s".
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { expect } from 'vitest';
import { connectSse, type SseClient } from '../../handoff/testing/sse-test-client.ts';
import { handoffText, type HandoffTextKey, type Messages } from '../../handoff/routing/handoff-texts.ts';
import { ADMIN, SHIPPED_KNOWLEDGE, sleep } from './cluster-kit.ts';

export interface Reply {
  status: number;
  json: any;
}

let addressCounter = 0;
/** A client address no other visitor of this test file has (198.18.0.0/15, set aside for tests by RFC 2544). */
export function newAddress(): string {
  addressCounter++;
  return `198.18.${Math.floor(addressCounter / 250)}.${(addressCounter % 250) + 1}`;
}

async function send(base: string, method: string, route: string, body: unknown, headers: Record<string, string>): Promise<Reply> {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

// ---- visitors ----

export interface Visitor {
  id: string;
  token: string;
  /** The client address its requests come from. */
  address: string;
}

/** A request of `visitor` to `base`, with its token and address. */
export function visitorCall(base: string, visitor: Visitor, method: string, route: string, body?: unknown): Promise<Reply> {
  return send(base, method, route, body, { authorization: `Bearer ${visitor.token}`, 'x-forwarded-for': visitor.address });
}

/** A new conversation on `base` from a fresh address (or `address`); expects 200. */
export async function startVisitor(base: string, text: string, address = newAddress()): Promise<{ visitor: Visitor; reply: any }> {
  const res = await send(base, 'POST', '/api/chat', { text }, { 'x-forwarded-for': address });
  expect(res.status, `POST ${base}/api/chat ${JSON.stringify(res.json)}`).toBe(200);
  return { visitor: { id: res.json.conversationId, token: res.json.token, address }, reply: res.json.reply };
}

/** The visitor writes on `base`; expects 200. */
export async function say(base: string, visitor: Visitor, text: string): Promise<any> {
  const res = await visitorCall(base, visitor, 'POST', '/api/chat', { text, conversationId: visitor.id });
  expect(res.status, `POST ${base}/api/chat ${JSON.stringify(res.json)}`).toBe(200);
  return res.json;
}

export interface TranscriptMessage {
  id: number;
  author: 'visitor' | 'bot' | 'agent' | 'system';
  text: string;
  createdAt: string;
}

/** Status and every message of the conversation (paging through `more`), read on `base`. */
export async function transcript(base: string, visitor: Visitor): Promise<{ status: string; messages: TranscriptMessage[] }> {
  const messages: TranscriptMessage[] = [];
  let after = 0;
  for (;;) {
    const res = await visitorCall(base, visitor, 'GET', `/api/conversations/${visitor.id}/messages?after=${after}`);
    expect(res.status, `GET messages on ${base}: ${JSON.stringify(res.json)}`).toBe(200);
    messages.push(...res.json.messages);
    if (!res.json.more) return { status: res.json.status, messages };
    after = messages.at(-1)!.id;
  }
}

/** A visitor conversation that asked for a person on `base` (its first message): queued or assigned. */
export async function handedOff(base: string, address?: string): Promise<{ visitor: Visitor; reply: any }> {
  const started = await startVisitor(base, '转人工', address);
  expect(started.reply?.kind, `the first message 转人工 is a request for a person: ${JSON.stringify(started.reply)}`).toBe('handoff');
  return started;
}

// ---- agents ----

export interface Agent {
  id: string;
  username: string;
  displayName: string;
  cookie: string;
  /** A JSON call with this agent's session on `base`, from that node's own origin (as the console sends it). */
  call(base: string, method: string, route: string, body?: unknown): Promise<Reply>;
}

/** Signs in on `base` (expects 200): the session is in the shared database, so the cookie works on every node. */
export async function signInAgent(base: string, username: string, password: string): Promise<Agent> {
  const res = await fetch(`${base}/api/agent/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as any;
  expect(res.status, `sign-in of ${username} on ${base}: ${JSON.stringify(body)}`).toBe(200);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return {
    id: body.agent.id,
    username,
    displayName: body.agent.displayName,
    cookie,
    call: (at, method, route, payload) => send(at, method, route, payload, { cookie, origin: at }),
  };
}

export const signInAdmin = (base: string) => signInAgent(base, ADMIN.username, ADMIN.password);

/** Every group of the shipped configuration: such an agent may take any chat. */
export const ALL_GROUPS = ['mobile', 'billing', 'broadband'];

/** An agent account made by `admin` on `base` (password `<username>-pass-123`), then signed in there. */
export async function createAgent(admin: Agent, base: string, username: string, options: { capacity?: number; groups?: string[]; displayName?: string } = {}): Promise<Agent> {
  const password = `${username}-pass-123`;
  const created = await admin.call(base, 'POST', '/api/admin/agents', {
    username,
    displayName: options.displayName ?? username,
    password,
    role: 'agent',
    groups: options.groups ?? ALL_GROUPS,
    capacity: options.capacity ?? 5,
  });
  expect(created.status, `creating ${username}: ${JSON.stringify(created.json)}`).toBe(201);
  return signInAgent(base, username, password);
}

/** Sets the agent's status through `base`; expects 200. */
export async function setStatus(base: string, agent: Agent, status: 'online' | 'away' | 'busy' | 'invisible' | 'offline'): Promise<void> {
  const res = await agent.call(base, 'POST', '/api/agent/status', { status });
  expect(res.status, `status ${status} for ${agent.username}: ${JSON.stringify(res.json)}`).toBe(200);
}

/** Takes a queued conversation through `base`; expects 200. */
export async function take(base: string, agent: Agent, conversationId: string): Promise<void> {
  const res = await agent.call(base, 'POST', `/api/agent/conversations/${conversationId}/take`);
  expect(res.status, `take of ${conversationId} by ${agent.username} on ${base}: ${JSON.stringify(res.json)}`).toBe(200);
}

// ---- live streams ----

/** Opens SSE streams (each on the node asked) and closes them all at the end. */
export function streams() {
  const open: SseClient[] = [];
  const opened = async (url: string, headers: Record<string, string>): Promise<SseClient> => {
    const s = await connectSse(url, headers);
    open.push(s);
    expect(s.status, `GET ${url}: ${JSON.stringify(s.error)}`).toBe(200);
    return s;
  };
  return {
    /** The agent's stream on `base` (Last-Event-ID when given). */
    agent(base: string, agent: Agent, lastEventId?: string | number): Promise<SseClient> {
      return opened(`${base}/api/agent/events`, { cookie: agent.cookie, origin: base, ...(lastEventId !== undefined ? { 'last-event-id': String(lastEventId) } : {}) });
    },
    /** The visitor's stream on `base` (Last-Event-ID when given). */
    visitor(base: string, visitor: Visitor, lastEventId?: string | number): Promise<SseClient> {
      return opened(`${base}/api/conversations/${visitor.id}/events`, {
        authorization: `Bearer ${visitor.token}`,
        'x-forwarded-for': visitor.address,
        ...(lastEventId !== undefined ? { 'last-event-id': String(lastEventId) } : {}),
      });
    },
    closeAll(): void {
      for (const s of open.splice(0)) s.close();
    },
  };
}

/** An agent present on `base` (a live stream there) with `status`: what the console does after sign-in. */
export async function presentOn(base: string, agent: Agent, keeper: ReturnType<typeof streams>, status: 'online' | 'away' = 'online'): Promise<SseClient> {
  const stream = await keeper.agent(base, agent);
  await stream.waitFor((e) => e.event === 'ready', 10_000);
  await setStatus(base, agent, status);
  return stream;
}

// ---- waiting ----

/**
 * Polls `check` every `everyMs` until it returns something other than undefined; fails after `timeoutMs` naming
 * `what` and the last value seen by `describe` (for "within N s" contracts and slow background work alike).
 */
export async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(everyMs);
  }
}

/**
 * Runs `action`, then waits at most `ms` after it returned for an event of `stream` matching `match` among those
 * that came after the action started (an earlier look-alike never counts). Returns the event.
 */
export async function arrivesWithin(stream: SseClient, what: string, match: (e: SseClient['events'][number]) => boolean, action: () => Promise<unknown>, ms = 1000): Promise<SseClient['events'][number]> {
  const from = stream.events.length;
  await action();
  return eventually(`${what} (events seen: ${JSON.stringify(stream.events.slice(from).map((e) => e.event))})`, () => stream.events.slice(from).find(match), ms, 10);
}

// ---- what visitors are told ----

const kbMessages = (parse(readFileSync(path.join(SHIPPED_KNOWLEDGE, 'messages.yaml'), 'utf8')) as { messages?: Messages }).messages;

/** The system message `key` as the shipped knowledge base words it (messages.yaml, else handoff's default). */
export function systemText(key: HandoffTextKey, lang: 'zh' | 'en' = 'zh'): string {
  return handoffText(kbMessages, key, lang);
}

/** How many system messages of the transcript are `key`'s text. */
export function countSystem(messages: readonly TranscriptMessage[], key: HandoffTextKey, lang: 'zh' | 'en' = 'zh'): number {
  const text = systemText(key, lang);
  return messages.filter((m) => m.author === 'system' && m.text === text).length;
}
