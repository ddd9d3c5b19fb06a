// Ending an agent session ends its live connection, end to end: a real server on 127.0.0.1 (real SQLite
// file, real sessions), a real streaming HTTP client on GET /api/agent/events, and each way a session ends
// -- sign-out, an admin disabling the agent, a password change made from another session, idle expiry found
// by the session sweeper -- must reach the open stream as `session_ended`, end it, and leave the old cookie
// refused with 401. Time is an injected clock, so expiry needs no waiting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../bot/server/config.ts';
import type { HandoffServices } from '../handoff/compose.ts';
import { createSqliteSessionStore } from '../handoff/auth/sqlite-session-store.ts';
import { startSessionSweeper } from '../handoff/auth/session-sweeper.ts';
import type { Db } from '../handoff/sqlite/db.ts';
import { connectSse, type SseClient } from '../handoff/testing/sse-test-client.ts';
import { overFetch, signInCookie } from './http-kit.ts';
import { ADMIN, serveApp, testConfig, wireService, type Served, type TestConfig, type WiredService } from './service-kit.ts';

const PASSWORD = 'agent-secret-pass-1';

/** The injected clock: tests move `now` forward instead of waiting. */
let now = Date.now();
const clock = () => new Date(now);

let testData: TestConfig;
let config: Config;
let db: Db;
let handoff: HandoffServices;
let service: WiredService;
let served: Served;
let base: string;
let adminCookie: string;

/** A JSON request from the service's own origin (cookie-authenticated changes refuse any other). */
async function call(method: string, route: string, cookie: string | undefined, body?: unknown): Promise<Response> {
  return fetch(base + route, {
    method,
    headers: {
      origin: base,
      ...(cookie ? { cookie } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function login(username: string, password: string): Promise<string> {
  const cookie = await signInCookie(overFetch(base), base, { username, password });
  expect(cookie).not.toBe('');
  return cookie;
}

/** A new agent account (created by the admin) and its id. */
async function newAgent(username: string): Promise<string> {
  const res = await call('POST', '/api/admin/agents', adminCookie, { username, displayName: username, password: PASSWORD });
  expect(res.status).toBe(201);
  return ((await res.json()) as { agent: { id: string } }).agent.id;
}

const openStream = (cookie: string) => connectSse(`${base}/api/agent/events`, { cookie, origin: base });

/** An agent signed in with its console's live stream open (the first event proves it is wired to the hub). */
async function signedInWithStream(username: string): Promise<{ cookie: string; stream: SseClient }> {
  const cookie = await login(username, PASSWORD);
  const stream = await openStream(cookie);
  expect(stream.status).toBe(200);
  await stream.waitFor(() => true);
  expect(stream.isEnded).toBe(false);
  return { cookie, stream };
}

/**
 * The stream must get `session_ended` and then be ended by the server, before anything else touches the
 * old cookie (a request with it would find the session gone and announce the end itself).
 */
async function expectEndedByServer(stream: SseClient, cookie: string): Promise<void> {
  await stream.waitFor((m) => m.event === 'session_ended', 3000);
  await Promise.race([
    stream.ended,
    new Promise((_, reject) => setTimeout(() => reject(new Error('the server did not end the stream')), 3000)),
  ]);
  expect(stream.isEnded).toBe(true);
  const again = await openStream(cookie);
  expect(again.status).toBe(401);
  again.close();
  expect((await call('GET', '/api/agent/me', cookie)).status).toBe(401);
}

beforeAll(async () => {
  // Rate limits as shipped (on).
  testData = testConfig('session-end-live-', { HOST: '127.0.0.1', PORT: '0', RATE_LIMITS: undefined });
  config = testData.config;
  service = await wireService(config, { clock });
  ({ db, handoff } = service);
  served = await serveApp(service.app);
  base = served.url;
  adminCookie = await login(ADMIN.username, ADMIN.password);
}, 60_000);

afterAll(async () => {
  await served?.close();
  await service?.stop();
  testData?.remove();
});

describe('ending a session ends its live connection (real server, real SSE client)', () => {
  it('sign-out', async () => {
    await newAgent('amy');
    const { cookie, stream } = await signedInWithStream('amy');
    expect((await call('POST', '/api/agent/logout', cookie)).status).toBe(204);
    await expectEndedByServer(stream, cookie);
  });

  it('an admin disabling the agent', async () => {
    const id = await newAgent('ben');
    const { cookie, stream } = await signedInWithStream('ben');
    const res = await call('PATCH', `/api/admin/agents/${id}`, adminCookie, { disabled: true });
    expect(res.status).toBe(200);
    await expectEndedByServer(stream, cookie);
  });

  it('a password change ends the agent\'s other sessions (the one that changed it stays)', async () => {
    await newAgent('cat');
    // The console open on one machine; the password changed from another.
    const { cookie, stream } = await signedInWithStream('cat');
    const other = await login('cat', PASSWORD);
    const res = await call('POST', '/api/agent/password', other, { current: PASSWORD, next: 'agent-secret-pass-2' });
    expect(res.status).toBe(200);
    await expectEndedByServer(stream, cookie);
    expect((await call('GET', '/api/agent/me', other)).status).toBe(200);
  });

  // Last: moving the clock past the idle timeout expires every session opened above.
  it('idle expiry, found by the session sweeper', async () => {
    await newAgent('dan');
    const { cookie, stream } = await signedInWithStream('dan');
    now += (config.agents.sessionIdleMinutes + 1) * 60_000;
    // The production sweeper over the same database, hub and clock (its timer is a minute; this sweeps now).
    const a = config.agents;
    const sweeper = startSessionSweeper(
      {
        sessions: createSqliteSessionStore(db, {
          clock,
          idleTimeoutMs: a.sessionIdleMinutes * 60_000,
          absoluteTimeoutMs: a.sessionMaxHours * 3_600_000,
          touchIntervalMs: Math.min(60_000, a.sessionIdleMinutes * 30_000),
        }),
        hub: handoff.hub,
      },
      { intervalMs: 600_000 },
    );
    try {
      expect(await sweeper.sweep()).toBeGreaterThanOrEqual(1);
    } finally {
      sweeper.stop();
    }
    await expectEndedByServer(stream, cookie);
  });
});
