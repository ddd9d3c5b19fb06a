import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '../platform/errors.ts';
import { createRateLimiter } from './rate-limit.ts';

describe('createRateLimiter', () => {
  it('allows a burst, then refills at the set rate, per key', () => {
    let t = 0;
    const limiter = createRateLimiter({ capacity: 3, refillPerSecond: 1 }, () => t);
    for (let i = 0; i < 3; i++) limiter.take('a');
    expect(() => limiter.take('a')).toThrow(RateLimitedError);
    limiter.take('b'); // other keys are unaffected
    t += 999;
    expect(() => limiter.take('a')).toThrow(RateLimitedError);
    t += 1;
    limiter.take('a');
    expect(() => limiter.take('a')).toThrow(RateLimitedError);
  });

  it('says how long to wait', () => {
    const limiter = createRateLimiter({ capacity: 1, refillPerSecond: 0.25 }, () => 0);
    limiter.take('a');
    try {
      limiter.take('a');
      expect.unreachable();
    } catch (err) {
      expect((err as RateLimitedError).retryAfterSeconds).toBe(4);
    }
  });

  it('stays bounded under many keys without blocking newcomers', () => {
    let t = 0;
    const limiter = createRateLimiter({ capacity: 2, refillPerSecond: 1, maxKeys: 100 }, () => t);
    for (let i = 0; i < 1000; i++) {
      limiter.take(`k${i}`);
      t += 1;
      expect(limiter.size).toBeLessThanOrEqual(100);
    }
    limiter.take('newcomer');
    expect(limiter.size).toBeLessThanOrEqual(100);
  });
});
