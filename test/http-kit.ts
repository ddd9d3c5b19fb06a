// Talking to a test service over HTTP as the widget and the console do: sign-in cookies, JSON calls, visitor chats, live streams, requests from a chosen loopback address.
import { request as httpRequest } from 'node:http';
import { expect } from 'vitest';
import { connectSse, type SseClient } from '../handoff/testing/sse-test-client.ts';

/** The session cookie(s) a response sets, as a Cookie header. */
export function cookieOf(res: Response): string {
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

/** Anything that answers a Request: app.request() in process, or fetch against a base URL. */
export type Requester = (route: string, init: RequestInit) => Promise<Response>;

export const overFetch = (base: string): Requester => (route, init) => fetch(`${base}${route}`, init);
export const overApp = (app: { request(route: string, init: RequestInit): Response | Promise<Response> }): Requester => async (route, init) => app.request(route, init);

/** Signs in through POST /api/agent/login from `origin` (expects 200) and returns the response, for its cookie and agent. */
export async function login(request: Requester, origin: string, who: { username: string; password: string }): Promise<Response> {
  const res = await request('/api/agent/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify(who),
  });
  expect(res.status).toBe(200);
  return res;
}

/** The cookie of a fresh sign-in (expects 200). */
export async function signInCookie(request: Requester, origin: string, who: { username: string; password: string }): Promise<string> {
  return cookieOf(await login(request, origin, who));
}

export interface JsonReply {
  status: number;
  json: any;
}

export type JsonCall = (method: string, route: string, body?: unknown) => Promise<JsonReply>;

/** JSON calls with `cookie` from the service's own origin (cookie-authenticated changes refuse any other). */
export function jsonCaller(base: string, cookie: string): JsonCall {
  return async (method, route, body) => {
    const r = await fetch(`${base}${route}`, {
      method,
      headers: { cookie, origin: base, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : undefined };
  };
}

export interface SignedIn {
  id: string;
  cookie: string;
  call: JsonCall;
}

/** An agent signed in over HTTP at `base`: its id, cookie and JSON calls with it. */
export async function signIn(base: string, username: string, password: string): Promise<SignedIn> {
  const res = await login(overFetch(base), base, { username, password });
  const cookie = cookieOf(res);
  const { agent } = (await res.json()) as { agent: { id: string } };
  return { id: agent.id, cookie, call: jsonCaller(base, cookie) };
}

/** A visitor's conversation: its id and bearer token. */
export interface Chat {
  id: string;
  token: string;
}

/** A visitor message to POST /api/chat at `base` (a new conversation, or `auth`'s); expects 200. */
export async function postChat<R = { conversationId: string; token?: string; reply: { kind: string } | null }>(base: string, text: string, auth?: Chat): Promise<R> {
  const res = await fetch(`${base}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth.token}` } : {}) },
    body: JSON.stringify(auth ? { text, conversationId: auth.id } : { text }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as R;
}

/** Starts a conversation through `request` (in process or over fetch); expects 200 and returns id and token. */
export async function startChat(request: Requester, text = '你好'): Promise<Chat> {
  const res = await request('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
  expect(res.status).toBe(200);
  const json = (await res.json()) as { conversationId: string; token: string };
  return { id: json.conversationId, token: json.token };
}

/** Opens SSE streams and closes them all at the end of the file (closeAll in afterAll). */
export function streamKeeper() {
  const open: SseClient[] = [];
  return {
    /** Opens `url`, expects 200, keeps it for closeAll. */
    async open(url: string, headers: Record<string, string>): Promise<SseClient> {
      const s = await connectSse(url, headers);
      open.push(s);
      expect(s.status).toBe(200);
      return s;
    },
    closeAll(): void {
      for (const s of open.splice(0)) s.close();
    },
  };
}

export interface RawReply {
  status: number;
  retryAfter: string | undefined;
  json: any;
  /** The session cookie(s) the answer sets, as a Cookie header ('' when none). */
  cookie: string;
}

/** One HTTP request to 127.0.0.1:`port` from the loopback source address `from` (Linux routes all of 127/8 to lo), a fresh connection each time. */
export function sendFrom(port: number, from: string, method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<RawReply> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        localAddress: from,
        method,
        path: route,
        agent: false,
        headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const retryAfter = res.headers['retry-after'];
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
            json: text ? JSON.parse(text) : undefined,
            cookie: (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; '),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * An agent signed in at `base`, present (a live stream kept by `streams`) and away, so that nothing is given to
 * them automatically: tests hand chats out by take and transfer.
 */
export async function presentAwayAgent(base: string, streams: ReturnType<typeof streamKeeper>, username: string, password: string): Promise<SignedIn> {
  const agent = await signIn(base, username, password);
  await streams.open(`${base}/api/agent/events`, { cookie: agent.cookie });
  expect((await agent.call('POST', '/api/agent/status', { status: 'away' })).status).toBe(200);
  return agent;
}

/** Agents created by an admin over the API (password `<username>-pass-123`, groups mobile and billing). */
export async function createAgents(admin: SignedIn, usernames: readonly string[]): Promise<void> {
  for (const username of usernames) {
    const created = await admin.call('POST', '/api/admin/agents', {
      username, displayName: username, password: `${username}-pass-123`, role: 'agent', groups: ['mobile', 'billing'], capacity: 5,
    });
    expect(created.status).toBe(201);
  }
}
