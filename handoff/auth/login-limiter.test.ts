// The login limiter with an injected clock: per address, per username, refunds, waits, bounded memory.
import { describe, expect, it } from 'vitest';
import { testClock } from '../testing/agent-test-kit.ts';
import { RateLimitedError } from '../platform/errors.ts';
import { createLoginLimiter } from './login-limiter.ts';

function retryAfter(fn: () => void): number | 'allowed' {
  try {
    fn();
    return 'allowed';
  } catch (err) {
    expect(err).toBeInstanceOf(RateLimitedError);
    return (err as RateLimitedError).retryAfterSeconds;
  }
}

describe('createLoginLimiter', () => {
  it('allows a burst per address, then one attempt per refill interval', () => {
    const clock = testClock();
    const limiter = createLoginLimiter({ clock: clock.clock, perAddress: { capacity: 3, refillPerMinute: 6 } });
    for (let i = 0; i < 3; i++) expect(retryAfter(() => limiter.attempt('1.1.1.1', `u${i}`))).toBe('allowed');
    expect(retryAfter(() => limiter.attempt('1.1.1.1', 'u9'))).toBe(10);
    clock.advance(9_000);
    expect(retryAfter(() => limiter.attempt('1.1.1.1', 'u9'))).toBe(1);
    clock.advance(1_000);
    expect(retryAfter(() => limiter.attempt('1.1.1.1', 'u9'))).toBe('allowed');
    expect(retryAfter(() => limiter.attempt('2.2.2.2', 'u9'))).toBe('allowed');
  });

  it('limits a username whatever the address, and reports the longer wait when both are empty', () => {
    const clock = testClock();
    const limiter = createLoginLimiter({
      clock: clock.clock,
      perAddress: { capacity: 2, refillPerMinute: 6 },
      perUsername: { capacity: 2, refillPerMinute: 1 },
    });
    limiter.attempt('1.1.1.1', 'alice');
    limiter.attempt('2.2.2.2', 'alice');
    expect(retryAfter(() => limiter.attempt('3.3.3.3', 'alice'))).toBe(60);
    limiter.attempt('1.1.1.1', 'bob');
    expect(retryAfter(() => limiter.attempt('1.1.1.1', 'alice'))).toBe(60);
  });

  it('takes nothing when refusing: a limited address does not drain the username', () => {
    const clock = testClock();
    const limiter = createLoginLimiter({
      clock: clock.clock,
      perAddress: { capacity: 1, refillPerMinute: 1 },
      perUsername: { capacity: 2, refillPerMinute: 1 },
    });
    limiter.attempt('1.1.1.1', 'x');
    for (let i = 0; i < 5; i++) expect(retryAfter(() => limiter.attempt('1.1.1.1', 'alice'))).not.toBe('allowed');
    limiter.attempt('2.2.2.2', 'alice');
    limiter.attempt('3.3.3.3', 'alice');
  });

  it('gives both attempts back on success', () => {
    const clock = testClock();
    const limiter = createLoginLimiter({ clock: clock.clock, perAddress: { capacity: 1, refillPerMinute: 1 }, perUsername: { capacity: 1, refillPerMinute: 1 } });
    for (let i = 0; i < 5; i++) {
      limiter.attempt('1.1.1.1', 'alice');
      limiter.succeeded('1.1.1.1', 'alice');
    }
    limiter.attempt('1.1.1.1', 'alice');
    expect(retryAfter(() => limiter.attempt('1.1.1.1', 'alice'))).toBe(60);
  });

  it('keeps memory bounded under a flood of distinct keys, forgetting full buckets first', () => {
    const clock = testClock();
    const limiter = createLoginLimiter({ clock: clock.clock, maxKeys: 1000, perAddress: { capacity: 1, refillPerMinute: 1 } });
    limiter.attempt('victim', 'v');
    for (let i = 0; i < 5000; i++) {
      clock.advance(1);
      limiter.attempt(`10.0.${i >> 8}.${i & 255}`, `user${i}`);
    }
    expect(limiter.size.addresses).toBeLessThanOrEqual(1000);
    expect(limiter.size.usernames).toBeLessThanOrEqual(1000);
    // The limiter still works for recent keys.
    expect(retryAfter(() => limiter.attempt('10.0.19.135', 'user4999'))).not.toBe('allowed');
  });
});
