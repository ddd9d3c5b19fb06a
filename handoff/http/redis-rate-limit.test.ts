// The Redis token bucket against a real Redis: two links with their own node ids on one prefix stand for two
// nodes. The bucket is one per key whatever node takes from it, so the refusal comes at the same request count.
import { afterEach, expect, it } from 'vitest';
import { testClock } from '../testing/agent-test-kit.ts';
import { describeWithServices, testRedisPrefix, testRedisUrl } from '../testing/services.ts';
import { RateLimitedError } from '../platform/errors.ts';
import { createRedisLink, type RedisLink } from '../redis/redis-link.ts';
import { createRateLimiter, type RateLimiter } from './rate-limit.ts';
import { createRedisRateLimiters } from './redis-rate-limit.ts';

const links: RedisLink[] = [];
afterEach(async () => {
  await Promise.all(links.splice(0).map((l) => l.close()));
});

/** Two nodes of one deployment: one prefix, two connections, two node ids. */
function twoNodes(): [RedisLink, RedisLink] {
  const prefix = testRedisPrefix();
  const a = createRedisLink(testRedisUrl(), { prefix, nodeId: 'node-a' });
  const b = createRedisLink(testRedisUrl(), { prefix, nodeId: 'node-b' });
  links.push(a, b);
  return [a, b];
}

/** Takes until refused (at most `max`), spreading the takes over `limiters` in turn; the 1-based count of the refused take. */
async function refusedAt(limiters: RateLimiter[], key: string, max = 100): Promise<{ at: number; error: RateLimitedError }> {
  for (let i = 0; i < max; i++) {
    try {
      await limiters[i % limiters.length]!.take(key);
    } catch (err) {
      expect(err).toBeInstanceOf(RateLimitedError);
      return { at: i + 1, error: err as RateLimitedError };
    }
  }
  throw new Error(`never refused in ${max} takes`);
}

describeWithServices('Redis rate limits shared by two nodes', () => {
  const limit = { capacity: 10, refillPerSecond: 0.5 };

  it('refuses at the same request count as one node, whatever node each request hits', async () => {
    const clock = testClock();
    // One node alone, in memory: the 11th request of a burst of 10 is refused.
    let t = 0;
    const alone = await refusedAt([createRateLimiter(limit, () => t)], 'x');
    expect(alone.at).toBe(11);

    const [a, b] = twoNodes();
    const onA = createRedisRateLimiters(a, { clock: clock.clock })('chat-ip', limit);
    const onB = createRedisRateLimiters(b, { clock: clock.clock })('chat-ip', limit);
    const shared = await refusedAt([onA, onB], '203.0.113.7');
    // Alternating A, B, A, ...: with per-node buckets this would take 21 requests.
    expect(shared.at).toBe(alone.at);
    expect(shared.error.retryAfterSeconds).toBe(2);
    // Either node refuses now; another key and another limit name have buckets of their own.
    await expect(onA.take('203.0.113.7')).rejects.toThrow(RateLimitedError);
    await onB.take('198.51.100.1');
    await createRedisRateLimiters(b, { clock: clock.clock })('chat-create', limit).take('203.0.113.7');
    // Refill is shared too: two seconds give one token back, which one node takes and the other then misses.
    clock.advance(2_000);
    await onB.take('203.0.113.7');
    await expect(onA.take('203.0.113.7')).rejects.toThrow(RateLimitedError);
  });

  it("holds against a parallel burst spread over both nodes (Redis' own clock)", async () => {
    const [a, b] = twoNodes();
    const onA = createRedisRateLimiters(a)('search', { capacity: 7, refillPerSecond: 0.01 });
    const onB = createRedisRateLimiters(b)('search', { capacity: 7, refillPerSecond: 0.01 });
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => (i % 2 ? onA : onB).take('agent-1')));
    // Each take is one script run: exactly the burst gets through, never one more.
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(7);
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof RateLimitedError)).toBe(true);
  });

  it('keeps a bucket only until it would be full again (the key expires)', async () => {
    const [a] = twoNodes();
    const limiter = createRedisRateLimiters(a)('typing', { capacity: 2, refillPerSecond: 1 });
    await limiter.take('c1:visitor');
    const ttl = await a.command.pttl(a.key('rl:typing:c1:visitor'));
    // One token short: full again in 1 s, plus the second of margin.
    expect(ttl).toBeGreaterThan(1_000);
    expect(ttl).toBeLessThanOrEqual(2_000);
  });

  it('lets requests through and reports it when Redis is unreachable, if asked to', async () => {
    const down = createRedisLink('redis://127.0.0.1:1', { prefix: testRedisPrefix() });
    links.push(down);
    const reported: unknown[] = [];
    const failOpen = createRedisRateLimiters(down, { onUnavailable: (err) => reported.push(err) })('chat-ip', limit);
    await failOpen.take('203.0.113.7');
    expect(reported).toHaveLength(1);
    // Reported once per 10 s, not once per request.
    await failOpen.take('203.0.113.7');
    expect(reported).toHaveLength(1);
    const failClosed = createRedisRateLimiters(down)('chat-ip', limit);
    await expect(failClosed.take('203.0.113.7')).rejects.toThrow();
  });

  it('lets a request through at once while the connection is known to be down (no wait in the offline queue)', async () => {
    const down = createRedisLink('redis://127.0.0.1:1', { prefix: testRedisPrefix() });
    links.push(down);
    const failOpen = createRedisRateLimiters(down, { onUnavailable: () => {} })('chat-ip', limit);
    while (down.command.status !== 'reconnecting') await new Promise((r) => setTimeout(r, 10));
    // A command sent now would wait for the connection to fail again (up to 1.5 s), and every request with it.
    const started = Date.now();
    await failOpen.take('203.0.113.7');
    expect(Date.now() - started).toBeLessThan(100);
  });
});
