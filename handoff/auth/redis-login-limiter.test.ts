// The Redis sign-in limiter against a real Redis: the same rules as the in-memory one (every scenario gives the
// same answers on one process, on one Redis node, and alternating between two Redis nodes), and through the
// sign-in route, failures alternating between two nodes are refused at the attempt one node refuses.
import { afterEach, expect, it } from 'vitest';
import { addAgent, call, createKit, PASSWORD, testClock, type Kit, type TestClock } from '../testing/agent-test-kit.ts';
import { describeWithServices, testRedisPrefix, testRedisUrl } from '../testing/services.ts';
import { RateLimitedError } from '../platform/errors.ts';
import { createRedisLink, type RedisLink } from '../redis/redis-link.ts';
import { createLoginLimiter, type LoginLimiter, type LoginLimiterOptions } from './login-limiter.ts';
import { createRedisLoginLimiter } from './redis-login-limiter.ts';

const links: RedisLink[] = [];
const kits: Kit[] = [];
afterEach(async () => {
  for (const kit of kits.splice(0)) kit.close();
  await Promise.all(links.splice(0).map((l) => l.close()));
});

/** `n` nodes of one deployment: one fresh prefix, a link each. */
function nodes(n: number): RedisLink[] {
  const prefix = testRedisPrefix();
  const made = Array.from({ length: n }, (_, i) => createRedisLink(testRedisUrl(), { prefix, nodeId: `node-${i}` }));
  links.push(...made);
  return made;
}

type Step = { advance: number } | { attempt: [string, string] } | { succeeded: [string, string] };
type Outcome = { allowed: number } | { retryAfter: number } | 'ok';

/** Runs the steps, the k-th limiter call on limiters[k % n]: what each call answered. */
async function run(limiters: LoginLimiter[], clock: TestClock, steps: Step[]): Promise<Outcome[]> {
  const out: Outcome[] = [];
  let k = 0;
  for (const step of steps) {
    if ('advance' in step) {
      clock.advance(step.advance);
      continue;
    }
    const limiter = limiters[k++ % limiters.length]!;
    if ('succeeded' in step) {
      await limiter.succeeded(...step.succeeded);
      out.push('ok');
      continue;
    }
    try {
      out.push({ allowed: (await limiter.attempt(...step.attempt)).delayMs });
    } catch (err) {
      expect(err).toBeInstanceOf(RateLimitedError);
      out.push({ retryAfter: (err as RateLimitedError).retryAfterSeconds });
    }
  }
  return out;
}

/** The answers on one process, on one Redis node and alternating between two; they must all be the same. */
async function everywhere(options: Partial<LoginLimiterOptions>, steps: Step[]): Promise<Outcome[]> {
  const memoryClock = testClock();
  const memory = await run([createLoginLimiter({ ...options, clock: memoryClock.clock })], memoryClock, steps);
  const oneClock = testClock();
  const [solo] = nodes(1);
  const one = await run([createRedisLoginLimiter(solo!, { ...options, clock: oneClock.clock })], oneClock, steps);
  const twoClock = testClock();
  const two = await run(nodes(2).map((link) => createRedisLoginLimiter(link, { ...options, clock: twoClock.clock })), twoClock, steps);
  expect(one).toEqual(memory);
  expect(two).toEqual(memory);
  return memory;
}

const attempt = (address: string, username: string): Step => ({ attempt: [address, username] });
const LOOSE = { capacity: 1000, refillPerMinute: 600 };
const NO_SLOWDOWN = { freeFailures: 1000, forgetPerMinute: 600, firstDelayMs: 1, maxDelayMs: 1 };

describeWithServices('the sign-in limiter on Redis', () => {
  it('per address (default limits): the 11th failure is refused, on one node as alternating between two', async () => {
    // Eleven usernames from one address: the address bucket (burst 10) decides, not the pairs.
    const steps = Array.from({ length: 12 }, (_, i) => attempt('203.0.113.66', `user${i}`));
    const answers = await everywhere({}, steps);
    expect(answers.findIndex((a) => typeof a === 'object' && 'retryAfter' in a)).toBe(10);
    // 5 a minute: 12 s until the next attempt.
    expect(answers[10]).toEqual({ retryAfter: 12 });
  });

  it('refills at the set rate, per address', async () => {
    const answers = await everywhere({ perAddress: { capacity: 3, refillPerMinute: 6 } }, [
      attempt('1.1.1.1', 'u0'), attempt('1.1.1.1', 'u1'), attempt('1.1.1.1', 'u2'), attempt('1.1.1.1', 'u9'),
      { advance: 9_000 }, attempt('1.1.1.1', 'u9'), { advance: 1_000 }, attempt('1.1.1.1', 'u9'), attempt('2.2.2.2', 'u9'),
    ]);
    expect(answers).toEqual([{ allowed: 0 }, { allowed: 0 }, { allowed: 0 }, { retryAfter: 10 }, { retryAfter: 1 }, { allowed: 0 }, { allowed: 0 }]);
  });

  it('per (username, address): refused at the same attempt, the username still free elsewhere', async () => {
    const answers = await everywhere({ perAddress: LOOSE, perUsernameAndAddress: { capacity: 2, refillPerMinute: 1 }, perUsername: NO_SLOWDOWN }, [
      attempt('6.6.6.6', 'admin'), attempt('6.6.6.6', 'admin'), attempt('6.6.6.6', 'admin'),
      attempt('6.6.6.6', 'bob'), attempt('7.7.7.7', 'admin'), { advance: 60_000 }, attempt('6.6.6.6', 'admin'),
    ]);
    expect(answers).toEqual([{ allowed: 0 }, { allowed: 0 }, { retryAfter: 60 }, { allowed: 0 }, { allowed: 0 }, { allowed: 0 }]);
  });

  it('per username from many addresses: the same growing delay, capped, forgotten with time', async () => {
    const perUsername = { freeFailures: 3, forgetPerMinute: 1, firstDelayMs: 250, maxDelayMs: 3000 };
    const steps: Step[] = Array.from({ length: 40 }, (_, i) => attempt(`10.0.0.${i}`, 'admin'));
    steps.push(attempt('192.0.2.50', 'admin'), attempt('10.0.0.1', 'bob'), { advance: 3 * 60_000 }, attempt('192.0.2.50', 'admin'));
    steps.push({ advance: 10 * 60_000 }, attempt('192.0.2.50', 'admin'));
    const answers = await everywhere({ perUsername }, steps);
    expect(answers.slice(0, 8)).toEqual([0, 0, 0, 250, 500, 1000, 2000, 3000].map((allowed) => ({ allowed })));
    expect(answers.slice(40)).toEqual([{ allowed: 3000 }, { allowed: 0 }, { allowed: 1000 }, { allowed: 0 }]);
  });

  it('takes nothing when refusing, and a right password gives the attempts back', async () => {
    const refusing = await everywhere({ perAddress: { capacity: 1, refillPerMinute: 1 }, perUsername: { freeFailures: 2, forgetPerMinute: 1, firstDelayMs: 100, maxDelayMs: 1000 } }, [
      attempt('1.1.1.1', 'x'), ...Array.from({ length: 5 }, () => attempt('1.1.1.1', 'alice')), attempt('2.2.2.2', 'alice'), attempt('3.3.3.3', 'alice'),
    ]);
    expect(refusing.slice(1, 6).every((a) => typeof a === 'object' && 'retryAfter' in a)).toBe(true);
    expect(refusing.slice(6)).toEqual([{ allowed: 0 }, { allowed: 0 }]);

    const ok = { succeeded: ['1.1.1.1', 'alice'] as [string, string] };
    const refunds = await everywhere({ perAddress: LOOSE, perUsernameAndAddress: { capacity: 3, refillPerMinute: 1 }, perUsername: NO_SLOWDOWN }, [
      attempt('1.1.1.1', 'alice'), attempt('1.1.1.1', 'alice'), attempt('1.1.1.1', 'alice'), ok,
      attempt('1.1.1.1', 'alice'), attempt('1.1.1.1', 'alice'), attempt('1.1.1.1', 'alice'), attempt('1.1.1.1', 'alice'),
    ]);
    expect(refunds.slice(4)).toEqual([{ allowed: 0 }, { allowed: 0 }, { allowed: 0 }, { retryAfter: 60 }]);
  });

  it('holds against a parallel burst spread over both nodes (Redis\' own clock)', async () => {
    const [a, b] = nodes(2).map((link) => createRedisLoginLimiter(link, { perAddress: { capacity: 5, refillPerMinute: 1 } }));
    const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => (i % 2 ? a! : b!).attempt('203.0.113.9', `u${i}`)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
  });

  it('keeps only failing keys, each until its bucket is full again', async () => {
    const [link] = nodes(1);
    const limiter = createRedisLoginLimiter(link!, {});
    await limiter.attempt('1.1.1.1', 'alice');
    // One of 10 spent at 5 a minute: full again in 12 s (plus the second of margin).
    const ttl = await link!.command.pttl(link!.key('login:a:1.1.1.1'));
    expect(ttl).toBeGreaterThan(11_000);
    expect(ttl).toBeLessThanOrEqual(13_000);
    await limiter.succeeded('1.1.1.1', 'alice');
    expect(await link!.command.exists(link!.key('login:a:1.1.1.1'), link!.key('login:p:1.1.1.1 alice'), link!.key('login:u:alice'))).toBe(0);
  });

  it('through the sign-in route: failures alternating between two nodes get 429 at the attempt one node gives it', async () => {
    /** The attempt (1-based) first answered 429 when wrong passwords are sent to the kits in turn. */
    async function limitedAt(nodesOf: Kit[]): Promise<number> {
      for (let i = 0; i < 40; i++) {
        const res = await call(nodesOf[i % nodesOf.length]!, 'POST', '/api/agent/login', { body: { username: 'admin', password: `guess ${i}` }, ip: '203.0.113.66' });
        if (res.status === 429) return i + 1;
        expect(res.status).toBe(401);
      }
      throw new Error('never limited');
    }
    const single = createKit();
    kits.push(single);
    await addAgent(single, 'admin', { role: 'admin' });
    const alone = await limitedAt([single]);
    // The default pair limit: 5 failures for one username from one address, the 6th is refused.
    expect(alone).toBe(6);

    // Two nodes: their own process and database each (the agent exists on both), one Redis prefix.
    const pair = nodes(2).map((link) => {
      const kit = createKit({ loginLimiter: createRedisLoginLimiter(link) });
      kits.push(kit);
      return kit;
    });
    for (const kit of pair) await addAgent(kit, 'admin', { role: 'admin' });
    expect(await limitedAt(pair)).toBe(alone);
    // The owner, elsewhere, still signs in on either node.
    expect((await call(pair[1]!, 'POST', '/api/agent/login', { body: { username: 'admin', password: PASSWORD }, ip: '198.51.100.7' })).status).toBe(200);
  });
});
