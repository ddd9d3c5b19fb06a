import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '../platform/errors.ts';
import { createRateLimiter } from './rate-limit.ts';

describe('createRateLimiter', () => {
  it('allows a burst, then refills at the set rate, per key', async () => {
    let t = 0;
    const limiter = createRateLimiter({ capacity: 3, refillPerSecond: 1 }, () => t);
    for (let i = 0; i < 3; i++) await limiter.take('a');
    await expect(limiter.take('a')).rejects.toThrow(RateLimitedError);
    await limiter.take('b'); // other keys are unaffected
    t += 999;
    await expect(limiter.take('a')).rejects.toThrow(RateLimitedError);
    t += 1;
    await limiter.take('a');
    await expect(limiter.take('a')).rejects.toThrow(RateLimitedError);
  });

  it('says how long to wait', async () => {
    const limiter = createRateLimiter({ capacity: 1, refillPerSecond: 0.25 }, () => 0);
    await limiter.take('a');
    await expect(limiter.take('a')).rejects.toMatchObject({ retryAfterSeconds: 4 });
  });

  it('stays bounded under many keys without blocking newcomers', async () => {
    let t = 0;
    const limiter = createRateLimiter({ capacity: 2, refillPerSecond: 1, maxKeys: 100 }, () => t);
    for (let i = 0; i < 1000; i++) {
      await limiter.take(`k${i}`);
      t += 1;
      expect(limiter.size).toBeLessThanOrEqual(100);
    }
    await limiter.take('newcomer');
    expect(limiter.size).toBeLessThanOrEqual(100);
  });
});
