// The sign-in limits through app.request(): 429 per address and per (username, address), only a bounded
// delay per username, so an attacker cannot lock the owner out; the bucket clock is injected, the delay real.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { addAgent, call, createKit, PASSWORD, sessionCookieOf, type Kit, type KitOptions } from '../testing/agent-test-kit.ts';

const kits: Kit[] = [];
afterEach(() => {
  for (const kit of kits.splice(0)) kit.close();
});
function kit(options: KitOptions = {}): Kit {
  const k = createKit(options);
  kits.push(k);
  return k;
}

const signIn = (k: Kit, username: string, password: string, ip: string) =>
  call(k, 'POST', '/api/agent/login', { body: { username, password }, ip });

/** The response and how long it took, in real milliseconds. */
async function timed(request: Promise<Response>): Promise<{ res: Response; ms: number }> {
  const start = performance.now();
  const res = await request;
  return { res, ms: performance.now() - start };
}

const ATTACKER = '203.0.113.66';
const OWNER = '198.51.100.7';

describe('login rate limits', () => {
  it('keeps the attacker limited while the owner, from another address, signs in (default limits)', async () => {
    const k = kit();
    await addAgent(k, 'admin', { role: 'admin' });
    for (let i = 0; i < 5; i++) expect((await signIn(k, 'admin', `guess ${i}`, ATTACKER)).status).toBe(401);
    for (let i = 0; i < 20; i++) {
      const res = await signIn(k, 'admin', `guess ${i}`, ATTACKER);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('60');
    }
    // The attacker keeps up one wrong try a minute, all the bucket gives back.
    for (let minute = 0; minute < 3; minute++) {
      k.clock.advance(60_000);
      expect((await signIn(k, 'admin', 'once a minute', ATTACKER)).status).toBe(401);
    }
    // Meanwhile the owner signs in from their own address, within the longest delay (3 s).
    const owner = await timed(signIn(k, 'ADMIN', PASSWORD, OWNER));
    expect(owner.res.status).toBe(200);
    expect(sessionCookieOf(owner.res)?.value).toBeTruthy();
    expect(owner.ms).toBeLessThan(3000 + 1000);
    // And the attacker's address is still limited, even with the right password.
    const still = await signIn(k, 'admin', PASSWORD, ATTACKER);
    expect(still.status).toBe(429);
    expect((await still.json()).error.code).toBe('rate_limited');
  });

  it('only slows a username guessed from many addresses: a delay up to the cap, never a 429 for the owner', async () => {
    const maxDelayMs = 200;
    const k = kit({ limiter: { perUsername: { freeFailures: 5, forgetPerMinute: 1, firstDelayMs: 25, maxDelayMs } } });
    await addAgent(k, 'admin', { role: 'admin' });
    const answers = new Set<string>();
    // A botnet: 3 addresses, each until its own limit for the pair (5 failures, then 429).
    for (let bot = 0; bot < 3; bot++) {
      for (let i = 0; i < 5; i++) expect((await signIn(k, 'admin', 'guess', `10.9.0.${bot}`)).status).toBe(401);
      const limited = await signIn(k, 'admin', 'guess', `10.9.0.${bot}`);
      expect(limited.status).toBe(429);
      answers.add(await limited.text());
    }
    // The same answer for a username that does not exist.
    for (let i = 0; i < 5; i++) await signIn(k, 'ghost', 'guess', '10.9.1.1');
    answers.add(await (await signIn(k, 'ghost', 'guess', '10.9.1.1')).text());
    expect(answers.size).toBe(1);

    const verify = vi.spyOn(k.passwords, 'verify');
    const owner = await timed(signIn(k, 'admin', PASSWORD, OWNER));
    expect(owner.res.status).toBe(200);
    // Slowed (15 failures: the full delay) but held no longer than the cap.
    expect(owner.ms).toBeGreaterThanOrEqual(maxDelayMs - 20);
    expect(owner.ms).toBeLessThan(maxDelayMs + 1000);
    expect(verify).toHaveBeenCalledTimes(1);
    expect(k.log.lines).toContainEqual(expect.objectContaining({ event: 'agent.login_slowed', address: OWNER, delayMs: maxDelayMs }));
    expect(JSON.stringify(k.log.lines.filter((l) => l.event === 'agent.login_slowed'))).not.toContain('admin');
  });

  it('waits on a timer: other sign-ins are answered while a slowed one waits', async () => {
    const k = kit({ limiter: { perUsername: { freeFailures: 1, forgetPerMinute: 1, firstDelayMs: 600, maxDelayMs: 600 } } });
    await addAgent(k, 'admin', { role: 'admin' });
    await addAgent(k, 'bob');
    expect((await signIn(k, 'admin', 'guess', ATTACKER)).status).toBe(401);
    const order: string[] = [];
    const slowed = signIn(k, 'admin', PASSWORD, OWNER).then((r) => order.push(`admin ${r.status}`));
    const other = signIn(k, 'bob', PASSWORD, '198.51.100.8').then((r) => order.push(`bob ${r.status}`));
    await Promise.all([slowed, other]);
    expect(order).toEqual(['bob 200', 'admin 200']);
  });

  it('clears the failures of a (username, address) at a successful sign-in from that address', async () => {
    const loose = { capacity: 1000, refillPerMinute: 600 };
    const k = kit({ limiter: { perAddress: loose, perUsername: { freeFailures: 1000, forgetPerMinute: 600, firstDelayMs: 1, maxDelayMs: 1 } } });
    await addAgent(k, 'alice');
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) expect((await signIn(k, 'alice', 'typo', OWNER)).status).toBe(401);
      expect((await signIn(k, 'alice', PASSWORD, OWNER)).status).toBe(200);
    }
  });

  it('limits failed attempts per address: 429 with Retry-After, even for the right password', async () => {
    const k = kit({ limiter: { perAddress: { capacity: 3, refillPerMinute: 2 } } });
    await addAgent(k, 'alice');
    for (let i = 0; i < 3; i++) {
      const res = await signIn(k, `user${i}`, 'nope', '203.0.113.9');
      expect(res.status).toBe(401);
    }
    const limited = await signIn(k, 'alice', PASSWORD, '203.0.113.9');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30');
    expect((await limited.json()).error.code).toBe('rate_limited');
    expect(sessionCookieOf(limited)).toBeUndefined();
    // Another address is not affected.
    expect((await signIn(k, 'alice', PASSWORD, '203.0.113.10')).status).toBe(200);
    // After the wait, one more attempt is allowed.
    k.clock.advance(30_000);
    expect((await signIn(k, 'alice', PASSWORD, '203.0.113.9')).status).toBe(200);
  });

  it('counts only failures: many agents behind one address can all sign in', async () => {
    const k = kit({ limiter: { perAddress: { capacity: 3, refillPerMinute: 1 } } });
    for (let i = 0; i < 10; i++) await addAgent(k, `agent${i}`);
    for (let i = 0; i < 10; i++) {
      expect((await signIn(k, `agent${i}`, PASSWORD, '10.0.0.1')).status).toBe(200);
    }
  });

  it('holds against a parallel burst: no more verifications than the burst allows', async () => {
    const k = kit({ limiter: { perAddress: { capacity: 5, refillPerMinute: 1 } } });
    await addAgent(k, 'alice');
    const verify = vi.spyOn(k.passwords, 'verify');
    const results = await Promise.all(
      Array.from({ length: 30 }, () => call(k, 'POST', '/api/agent/login', { body: { username: 'alice', password: 'guess' } })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(25);
    expect(verify).toHaveBeenCalledTimes(5);
  });
});
