// The login limiter with an injected clock: hard limits per address and per (username, address), a
// growing delay (never a refusal) per username, refunds, bounded memory.
import { describe, expect, it } from 'vitest';
import { testClock } from '../testing/agent-test-kit.ts';
import { RateLimitedError } from '../platform/errors.ts';
import { createLoginLimiter, loginLimitKeys } from './login-limiter.ts';

/** 'allowed' plus the delay, or the Retry-After seconds of a refusal. */
async function outcome(fn: () => Promise<{ delayMs: number }>): Promise<{ allowed: number } | { retryAfter: number }> {
  try {
    return { allowed: (await fn()).delayMs };
  } catch (err) {
    expect(err).toBeInstanceOf(RateLimitedError);
    return { retryAfter: (err as RateLimitedError).retryAfterSeconds };
  }
}

/** Usernames and pairs never limit here, so one bucket at a time can be looked at. */
const LOOSE = { capacity: 1000, refillPerMinute: 600 };
const NO_SLOWDOWN = { freeFailures: 1000, forgetPerMinute: 600, firstDelayMs: 1, maxDelayMs: 1 };

describe('createLoginLimiter', () => {
  it('allows a burst per address, then one attempt per refill interval', async () => {
    const clock = testClock();
    const limiter = createLoginLimiter({ clock: clock.clock, perAddress: { capacity: 3, refillPerMinute: 6 } });
    for (let i = 0; i < 3; i++) expect(await outcome(() => limiter.attempt('1.1.1.1', `u${i}`))).toEqual({ allowed: 0 });
    expect(await outcome(() => limiter.attempt('1.1.1.1', 'u9'))).toEqual({ retryAfter: 10 });
    clock.advance(9_000);
    expect(await outcome(() => limiter.attempt('1.1.1.1', 'u9'))).toEqual({ retryAfter: 1 });
    clock.advance(1_000);
    expect(await outcome(() => limiter.attempt('1.1.1.1', 'u9'))).toEqual({ allowed: 0 });
    expect(await outcome(() => limiter.attempt('2.2.2.2', 'u9'))).toEqual({ allowed: 0 });
  });

  it('limits one username from one address, leaving that username free from other addresses', async () => {
    const clock = testClock();
    const limiter = createLoginLimiter({
      clock: clock.clock,
      perAddress: LOOSE,
      perUsernameAndAddress: { capacity: 2, refillPerMinute: 1 },
      perUsername: NO_SLOWDOWN,
    });
    await limiter.attempt('6.6.6.6', 'admin');
    await limiter.attempt('6.6.6.6', 'admin');
    expect(await outcome(() => limiter.attempt('6.6.6.6', 'admin'))).toEqual({ retryAfter: 60 });
    // The same address may still try another account (up to its own limit), and others this one.
    expect(await outcome(() => limiter.attempt('6.6.6.6', 'bob'))).toEqual({ allowed: 0 });
    expect(await outcome(() => limiter.attempt('7.7.7.7', 'admin'))).toEqual({ allowed: 0 });
    clock.advance(60_000);
    expect(await outcome(() => limiter.attempt('6.6.6.6', 'admin'))).toEqual({ allowed: 0 });
  });

  it('only slows a username attacked from many addresses: a growing delay up to the cap, never a refusal', async () => {
    const clock = testClock();
    const limiter = createLoginLimiter({
      clock: clock.clock,
      perUsername: { freeFailures: 3, forgetPerMinute: 1, firstDelayMs: 250, maxDelayMs: 3000 },
    });
    const delays = [];
    for (let i = 0; i < 12; i++) delays.push(await outcome(() => limiter.attempt(`10.0.0.${i}`, 'admin')));
    expect(delays).toEqual([0, 0, 0, 250, 500, 1000, 2000, 3000, 3000, 3000, 3000, 3000].map((allowed) => ({ allowed })));
    // The owner, from an address of their own: let in after the longest delay.
    expect(await outcome(() => limiter.attempt('192.0.2.50', 'admin'))).toEqual({ allowed: 3000 });
    // Other usernames are not slowed.
    expect(await outcome(() => limiter.attempt('10.0.0.1', 'bob'))).toEqual({ allowed: 0 });
  });

  it('forgets per-username failures with time, back to no delay within minutes of the attack ending', async () => {
    const clock = testClock();
    const limiter = createLoginLimiter({
      clock: clock.clock,
      perUsername: { freeFailures: 3, forgetPerMinute: 1, firstDelayMs: 250, maxDelayMs: 3000 },
    });
    // A long attack: a thousand failures from a thousand addresses.
    for (let i = 0; i < 1000; i++) await limiter.attempt(`10.${i >> 8}.${i & 255}.1`, 'admin');
    clock.advance(3 * 60_000);
    expect(await outcome(() => limiter.attempt('192.0.2.50', 'admin'))).toEqual({ allowed: 1000 });
    clock.advance(10 * 60_000);
    expect(await outcome(() => limiter.attempt('192.0.2.50', 'admin'))).toEqual({ allowed: 0 });
  });

  it('takes nothing when refusing: a limited address does not drain the username or other pairs', async () => {
    const clock = testClock();
    const limiter = createLoginLimiter({
      clock: clock.clock,
      perAddress: { capacity: 1, refillPerMinute: 1 },
      perUsername: { freeFailures: 2, forgetPerMinute: 1, firstDelayMs: 100, maxDelayMs: 1000 },
    });
    await limiter.attempt('1.1.1.1', 'x');
    for (let i = 0; i < 5; i++) expect(await outcome(() => limiter.attempt('1.1.1.1', 'alice'))).toHaveProperty('retryAfter');
    expect(await outcome(() => limiter.attempt('2.2.2.2', 'alice'))).toEqual({ allowed: 0 });
    expect(await outcome(() => limiter.attempt('3.3.3.3', 'alice'))).toEqual({ allowed: 0 });
  });

  it('on success clears the (username, address) failures and gives the address and username their attempt back', async () => {
    const clock = testClock();
    const limiter = createLoginLimiter({
      clock: clock.clock,
      perAddress: LOOSE,
      perUsernameAndAddress: { capacity: 3, refillPerMinute: 1 },
      perUsername: NO_SLOWDOWN,
    });
    // Two typos, then the right password: the next three typos are allowed again.
    await limiter.attempt('1.1.1.1', 'alice');
    await limiter.attempt('1.1.1.1', 'alice');
    await limiter.attempt('1.1.1.1', 'alice');
    await limiter.succeeded('1.1.1.1', 'alice');
    for (let i = 0; i < 3; i++) expect(await outcome(() => limiter.attempt('1.1.1.1', 'alice'))).toEqual({ allowed: 0 });
    expect(await outcome(() => limiter.attempt('1.1.1.1', 'alice'))).toEqual({ retryAfter: 60 });
    expect(limiter.size.pairs).toBe(1);

    const strict = createLoginLimiter({ clock: clock.clock, perAddress: { capacity: 1, refillPerMinute: 1 } });
    for (let i = 0; i < 5; i++) {
      await strict.attempt('1.1.1.1', 'alice');
      await strict.succeeded('1.1.1.1', 'alice');
    }
    await strict.attempt('1.1.1.1', 'alice');
    expect(await outcome(() => strict.attempt('1.1.1.1', 'alice'))).toEqual({ retryAfter: 60 });
  });

  it('builds its keys in one function: the address first, so a username cannot pose as another address', async () => {
    expect(loginLimitKeys('2001:db8::1', 'admin')).toEqual({ address: '2001:db8::1', pair: '2001:db8::1 admin', username: 'admin' });
    expect(loginLimitKeys('1.1.1.1', '2.2.2.2 admin').pair).not.toBe(loginLimitKeys('2.2.2.2', 'admin').pair);
  });

  it('keeps memory bounded under a flood of distinct keys, forgetting full buckets first', async () => {
    const clock = testClock();
    const limiter = createLoginLimiter({ clock: clock.clock, maxKeys: 1000, perAddress: { capacity: 1, refillPerMinute: 1 } });
    await limiter.attempt('victim', 'v');
    for (let i = 0; i < 5000; i++) {
      clock.advance(1);
      await limiter.attempt(`10.0.${i >> 8}.${i & 255}`, `user${i}`);
    }
    expect(limiter.size.addresses).toBeLessThanOrEqual(1000);
    expect(limiter.size.pairs).toBeLessThanOrEqual(1000);
    expect(limiter.size.usernames).toBeLessThanOrEqual(1000);
    // The limiter still works for recent keys.
    expect(await outcome(() => limiter.attempt('10.0.19.135', 'user4999'))).toHaveProperty('retryAfter');
  });
});
