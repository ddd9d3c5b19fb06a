// Agent sign-in through app.request(): cookies, sessions and their expiry, Origin, password change, and
// every failure answered the same way whatever the cause (the sign-in limits: login-limits.test.ts).
import * as argon2 from '@node-rs/argon2';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { addAgent, call, createKit, login, PASSWORD, sessionCookieOf, type Kit, type KitOptions } from '../testing/agent-test-kit.ts';
import { createPasswordHasher } from './password.ts';
import { sessionIdOf } from './session-store.ts';

// The real argon2, counted: unknown users must cost one real verification like everyone else.
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const real = await importOriginal<typeof import('@node-rs/argon2')>();
  return { ...real, verify: vi.fn(real.verify) };
});

const kits: Kit[] = [];
afterEach(() => {
  for (const kit of kits.splice(0)) kit.close();
});
function kit(options: KitOptions = {}): Kit {
  const k = createKit(options);
  kits.push(k);
  return k;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('POST /api/agent/login', () => {
  it('signs in: HttpOnly SameSite=Strict cookie on Path=/, Max-Age the absolute lifetime, the agent in the body', async () => {
    const k = kit();
    const alice = await addAgent(k, 'alice', { displayName: 'Alice Li', groups: ['mobile', 'billing'] });
    const res = await call(k, 'POST', '/api/agent/login', { body: { username: 'alice', password: PASSWORD } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const cookie = sessionCookieOf(res)!;
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie.attributes).toMatch(/; Path=\//);
    expect(cookie.attributes).toMatch(/; HttpOnly/);
    expect(cookie.attributes).toMatch(/; SameSite=Strict/);
    expect(cookie.attributes).toMatch(/; Max-Age=43200/);
    // Plain http (app.request's default URL): no Secure, or the browser would drop the cookie.
    expect(cookie.attributes).not.toMatch(/Secure/);
    const body = await res.json();
    expect(body.agent).toEqual({
      id: alice.id,
      username: 'alice',
      displayName: 'Alice Li',
      role: 'agent',
      groups: ['mobile', 'billing'],
      capacity: 3,
      disabled: false,
    });
    expect(body.session).toEqual({ createdAt: '2025-03-03T01:00:00.000Z', expiresAt: '2025-03-03T13:00:00.000Z', idleTimeoutSeconds: 1800 });
    // Only the hash of the cookie is stored.
    const ids = k.db.prepare('SELECT id FROM sessions').pluck().all();
    expect(ids).toEqual([sessionIdOf(cookie.value)]);
    expect(JSON.stringify(k.db.prepare('SELECT * FROM sessions').all())).not.toContain(cookie.value);
  });

  it('marks the cookie Secure over https, and always or never when told', async () => {
    const k = kit();
    await addAgent(k, 'alice');
    const https = await call(k, 'POST', '/api/agent/login', { base: 'https://cs.example.com', body: { username: 'alice', password: PASSWORD } });
    expect(sessionCookieOf(https)!.attributes).toMatch(/; Secure/);

    const always = kit({ secureCookies: 'always' });
    await addAgent(always, 'bob');
    const res = await call(always, 'POST', '/api/agent/login', { body: { username: 'bob', password: PASSWORD } });
    expect(sessionCookieOf(res)!.attributes).toMatch(/; Secure/);
  });

  it('accepts the username in any case and width, with spaces around it', async () => {
    const k = kit();
    await addAgent(k, 'alice');
    for (const username of ['ALICE', ' Alice ', 'ａｌｉｃｅ']) {
      expect(await login(k, username)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
  });

  it('answers an unknown user, a wrong password and a disabled account with the same 401', async () => {
    const k = kit();
    await addAgent(k, 'alice');
    const carol = await addAgent(k, 'carol');
    await k.accounts.update(carol.id, { disabled: true });
    const answers = [];
    for (const [username, password] of [
      ['nobody', PASSWORD],
      ['alice', 'wrong password!'],
      ['carol', PASSWORD],
    ] as const) {
      const res = await call(k, 'POST', '/api/agent/login', { body: { username, password }, ip: `198.51.100.${answers.length}` });
      expect(sessionCookieOf(res)).toBeUndefined();
      answers.push({ status: res.status, body: await res.json() });
    }
    expect(answers[0]).toEqual({ status: 401, body: { error: { code: 'unauthorized', message: 'wrong username or password' } } });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(k.db.prepare('SELECT count(*) FROM sessions').pluck().get()).toBe(0);
    // The log says why, without the typed username or password.
    const failed = k.log.lines.filter((l) => l.event === 'agent.login_failed').map((l) => l.reason);
    expect(failed).toEqual(['unknown_user', 'wrong_password', 'disabled']);
    expect(JSON.stringify(k.log.lines)).not.toContain('nobody');
    expect(JSON.stringify(k.log.lines)).not.toContain('wrong password!');
  });

  it('does the same argon2 work for an unknown user as for a wrong password', async () => {
    const k = kit();
    await addAgent(k, 'alice');
    const argonVerify = vi.mocked(argon2.verify);
    argonVerify.mockClear();
    await call(k, 'POST', '/api/agent/login', { body: { username: 'nobody', password: 'x' } });
    expect(argonVerify).toHaveBeenCalledTimes(1);
    // Against a hash made with today's parameters, like a real account's.
    const dummyHash = String(argonVerify.mock.calls[0]![0]);
    const aliceHash = k.db.prepare("SELECT password_hash FROM agents WHERE username = 'alice'").pluck().get() as string;
    expect(argon2.parseOptions(dummyHash)).toEqual(argon2.parseOptions(aliceHash));
    await call(k, 'POST', '/api/agent/login', { body: { username: 'alice', password: 'x' } });
    expect(argonVerify).toHaveBeenCalledTimes(2);
    expect(argonVerify.mock.calls[1]![0]).toBe(aliceHash);
  });

  it('upgrades a hash made with older parameters at a successful login', async () => {
    const k = kit();
    const alice = await addAgent(k, 'alice');
    const older = createPasswordHasher({ memoryCostKiB: 512, timeCost: 1 });
    await k.agents.update(alice.id, { passwordHash: await older.hash(PASSWORD) });
    const stored = () => k.db.prepare('SELECT password_hash FROM agents WHERE id = ?').pluck().get(alice.id) as string;
    expect(stored()).toMatch(/m=512,t=1/);
    await call(k, 'POST', '/api/agent/login', { body: { username: 'alice', password: 'wrong one' } });
    expect(stored()).toMatch(/m=512,t=1/);
    await login(k, 'alice');
    expect(stored()).toMatch(/m=1024,t=1/);
    await login(k, 'alice');
  });

  it('gives a new session id at every login and ends the session the browser came with', async () => {
    const k = kit();
    const alice = await addAgent(k, 'alice');
    const first = await login(k, 'alice');
    const second = await login(k, 'alice', PASSWORD, { cookie: first });
    expect(second).not.toBe(first);
    expect((await call(k, 'GET', '/api/agent/me', { cookie: first })).status).toBe(401);
    expect((await call(k, 'GET', '/api/agent/me', { cookie: second })).status).toBe(200);
    expect(k.hub.events).toContainEqual({
      topic: `agent:${alice.id}`,
      event: { type: 'session_ended', agentId: alice.id, sessionId: sessionIdOf(first) },
    });
    // A login elsewhere (no cookie) leaves other sessions alone: an agent may use two browsers.
    const third = await login(k, 'alice');
    expect((await call(k, 'GET', '/api/agent/me', { cookie: second })).status).toBe(200);
    expect((await call(k, 'GET', '/api/agent/me', { cookie: third })).status).toBe(200);
  });

  it('refuses bad bodies with 400 naming the field, non-JSON with 415, huge bodies with 413', async () => {
    const k = kit();
    const cases: Array<[unknown, number, string, string | undefined]> = [
      [{ password: PASSWORD }, 400, 'missing_field', 'username'],
      [{ username: 'alice' }, 400, 'missing_field', 'password'],
      [{ username: 42, password: PASSWORD }, 400, 'invalid_username', 'username'],
      [{ username: 'alice', password: '' }, 400, 'invalid_password', 'password'],
      [[1, 2], 400, 'invalid_body', undefined],
      ['{"username":', 400, 'malformed_json', undefined],
    ];
    for (const [body, status, code, field] of cases) {
      const res = await call(k, 'POST', '/api/agent/login', { body });
      expect(res.status, JSON.stringify(body)).toBe(status);
      const { error } = await res.json();
      expect(error.code).toBe(code);
      expect(error.field).toBe(field);
    }
    const form = await call(k, 'POST', '/api/agent/login', { body: 'username=a', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    const huge = await call(k, 'POST', '/api/agent/login', { body: { username: 'a', password: 'x'.repeat(20_000) } });
    expect(huge.status).toBe(413);
  });
});

describe('POST /api/agent/logout', () => {
  it('ends the session: the same cookie is useless afterwards, the end is announced, the cookie cleared', async () => {
    const k = kit();
    const alice = await addAgent(k, 'alice');
    const cookie = await login(k, 'alice');
    expect((await call(k, 'GET', '/api/agent/me', { cookie })).status).toBe(200);
    const res = await call(k, 'POST', '/api/agent/logout', { cookie });
    expect(res.status).toBe(204);
    const cleared = sessionCookieOf(res)!;
    expect(cleared.value).toBe('');
    expect(cleared.attributes).toMatch(/Max-Age=0/);
    expect(k.hub.events).toEqual([
      { topic: `agent:${alice.id}`, event: { type: 'session_ended', agentId: alice.id, sessionId: sessionIdOf(cookie) } },
    ]);
    for (const [method, path] of [
      ['GET', '/api/agent/me'],
      ['GET', '/api/agent/canned'],
      ['POST', '/api/agent/password'],
    ] as const) {
      const after = await call(k, method, path, { cookie, body: method === 'POST' ? { current: PASSWORD, next: 'another long one' } : undefined });
      expect(after.status, path).toBe(401);
    }
  });

  it('succeeds without a cookie or with a dead one (signing out never fails)', async () => {
    const k = kit();
    expect((await call(k, 'POST', '/api/agent/logout')).status).toBe(204);
    expect((await call(k, 'POST', '/api/agent/logout', { cookie: 'x'.repeat(43) })).status).toBe(204);
    expect(k.hub.events).toEqual([]);
  });
});

describe('GET /api/agent/me', () => {
  it('returns the agent and the session times; 401 without a cookie or with a forged one', async () => {
    const k = kit();
    const alice = await addAgent(k, 'alice');
    const cookie = await login(k, 'alice');
    const res = await call(k, 'GET', '/api/agent/me', { cookie });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({
      agent: { id: alice.id, username: 'alice', displayName: 'alice', role: 'agent', groups: ['mobile'], capacity: 3, disabled: false },
      session: { createdAt: '2025-03-03T01:00:00.000Z', expiresAt: '2025-03-03T13:00:00.000Z', idleExpiresAt: '2025-03-03T01:30:00.000Z' },
    });
    expect((await call(k, 'GET', '/api/agent/me')).status).toBe(401);
    const forged = await call(k, 'GET', '/api/agent/me', { cookie: 'A'.repeat(43) });
    expect(forged.status).toBe(401);
    expect(sessionCookieOf(forged)!.value).toBe('');
    expect((await call(k, 'GET', '/api/agent/me', { cookie: 'not a cookie value' })).status).toBe(401);
  });
});

describe('session expiry (injected clock)', () => {
  it('ends a session idle for longer than the idle timeout, and announces it', async () => {
    const k = kit({ sessions: { idleTimeoutMs: 30 * MINUTE, touchIntervalMs: MINUTE } });
    const alice = await addAgent(k, 'alice');
    const cookie = await login(k, 'alice');
    // Activity keeps it alive well past the idle timeout.
    for (let i = 0; i < 4; i++) {
      k.clock.advance(20 * MINUTE);
      expect((await call(k, 'GET', '/api/agent/me', { cookie })).status).toBe(200);
    }
    k.clock.advance(30 * MINUTE);
    const res = await call(k, 'GET', '/api/agent/me', { cookie });
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toMatch(/expired/);
    expect(sessionCookieOf(res)!.value).toBe('');
    expect(k.hub.events).toContainEqual({
      topic: `agent:${alice.id}`,
      event: { type: 'session_ended', agentId: alice.id, sessionId: sessionIdOf(cookie) },
    });
    // Going back in activity cannot revive it.
    expect((await call(k, 'GET', '/api/agent/me', { cookie })).status).toBe(401);
  });

  it('ends a busy session at its absolute expiry', async () => {
    const k = kit({ sessions: { idleTimeoutMs: 30 * MINUTE, absoluteTimeoutMs: 2 * HOUR } });
    await addAgent(k, 'alice');
    const cookie = await login(k, 'alice');
    for (let t = 0; t < 2 * HOUR - 10 * MINUTE; t += 10 * MINUTE) {
      k.clock.advance(10 * MINUTE);
      expect((await call(k, 'GET', '/api/agent/me', { cookie })).status).toBe(200);
    }
    k.clock.advance(10 * MINUTE);
    const res = await call(k, 'GET', '/api/agent/me', { cookie });
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toMatch(/expired/);
    // A fresh login works and starts a new absolute lifetime.
    const again = await login(k, 'alice');
    expect((await call(k, 'GET', '/api/agent/me', { cookie: again })).status).toBe(200);
  });
});

describe('POST /api/agent/password', () => {
  it('changes the password and ends the other sessions (announced one by one), keeping this one', async () => {
    const k = kit();
    const alice = await addAgent(k, 'alice');
    const here = await login(k, 'alice');
    const elsewhere = await login(k, 'alice');
    const res = await call(k, 'POST', '/api/agent/password', { cookie: here, body: { current: PASSWORD, next: 'a new long passphrase' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect((await call(k, 'GET', '/api/agent/me', { cookie: here })).status).toBe(200);
    expect((await call(k, 'GET', '/api/agent/me', { cookie: elsewhere })).status).toBe(401);
    expect(k.hub.events).toEqual([
      { topic: `agent:${alice.id}`, event: { type: 'session_ended', agentId: alice.id, sessionId: sessionIdOf(elsewhere) } },
    ]);
    expect((await call(k, 'POST', '/api/agent/login', { body: { username: 'alice', password: PASSWORD } })).status).toBe(401);
    await login(k, 'alice', 'a new long passphrase');
  });

  it('refuses a wrong current password (400 on current), a weak or unchanged next one (400 on next)', async () => {
    const k = kit();
    await addAgent(k, 'alice');
    const cookie = await login(k, 'alice');
    const cases: Array<[unknown, string, string]> = [
      [{ current: 'not it at all', next: 'a new long passphrase' }, 'wrong_password', 'current'],
      [{ current: PASSWORD, next: 'short' }, 'weak_password', 'next'],
      [{ current: PASSWORD, next: PASSWORD }, 'password_unchanged', 'next'],
      [{ current: PASSWORD, next: 'aaaaaaaaaaaaaaaa' }, 'weak_password', 'next'],
      [{ current: PASSWORD, next: 'password123' }, 'weak_password', 'next'],
      [{ current: PASSWORD }, 'missing_field', 'next'],
    ];
    for (const [body, code, field] of cases) {
      const res = await call(k, 'POST', '/api/agent/password', { cookie, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json()).error).toMatchObject({ code, field });
    }
    await login(k, 'alice'); // unchanged
  });

  it('limits guesses of the current password like sign-in', async () => {
    const k = kit({ limiter: { perUsernameAndAddress: { capacity: 2, refillPerMinute: 1 } } });
    await addAgent(k, 'alice');
    const cookie = await login(k, 'alice');
    for (let i = 0; i < 2; i++) {
      expect((await call(k, 'POST', '/api/agent/password', { cookie, body: { current: `guess ${i}`, next: 'a new long passphrase' } })).status).toBe(400);
    }
    const limited = await call(k, 'POST', '/api/agent/password', { cookie, body: { current: PASSWORD, next: 'a new long passphrase' } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('needs a session', async () => {
    const k = kit();
    const res = await call(k, 'POST', '/api/agent/password', { body: { current: PASSWORD, next: 'a new long passphrase' } });
    expect(res.status).toBe(401);
  });
});

describe('Origin check', () => {
  it('refuses sign-in, sign-out and password change from a foreign Origin with 403, before anything else', async () => {
    const k = kit();
    const alice = await addAgent(k, 'alice');
    const cookie = await login(k, 'alice');
    const foreign = 'https://evil.example';
    const loginRes = await call(k, 'POST', '/api/agent/login', { origin: foreign, body: { username: 'alice', password: PASSWORD } });
    expect(loginRes.status).toBe(403);
    expect(sessionCookieOf(loginRes)).toBeUndefined();
    expect((await loginRes.json()).error.code).toBe('forbidden');
    const logoutRes = await call(k, 'POST', '/api/agent/logout', { origin: foreign, cookie });
    expect(logoutRes.status).toBe(403);
    const pw = await call(k, 'POST', '/api/agent/password', { origin: foreign, cookie, body: { current: PASSWORD, next: 'a new long passphrase' } });
    expect(pw.status).toBe(403);
    // 'null' (sandboxed frames) and a cross-site fetch without Origin are foreign too.
    expect((await call(k, 'POST', '/api/agent/logout', { origin: 'null', cookie })).status).toBe(403);
    expect((await call(k, 'POST', '/api/agent/logout', { cookie, headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    // Nothing happened: the session lives, no event.
    expect((await call(k, 'GET', '/api/agent/me', { cookie })).status).toBe(200);
    expect(k.hub.events.filter((e) => e.topic === `agent:${alice.id}`)).toEqual([]);
  });

  it('lets the request own origin, a configured origin, and reads from anywhere through', async () => {
    const k = kit({ allowedOrigins: ['https://cs.example.com'] });
    await addAgent(k, 'alice');
    expect((await call(k, 'POST', '/api/agent/login', { origin: 'http://localhost', body: { username: 'alice', password: PASSWORD } })).status).toBe(200);
    const cookie = await login(k, 'alice', PASSWORD, { origin: 'https://cs.example.com' });
    // GET changes nothing: a foreign Origin on a read is not refused (SameSite keeps the cookie away anyway).
    expect((await call(k, 'GET', '/api/agent/me', { cookie, origin: 'https://evil.example' })).status).toBe(200);
    expect((await call(k, 'POST', '/api/agent/logout', { cookie, origin: 'https://cs.example.com' })).status).toBe(204);
  });
});
