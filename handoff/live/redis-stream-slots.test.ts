// Stream caps across nodes on a real Redis: each node is a started Redis coordination on its own link (own node id,
// one prefix); its streamSlots is what live-routes.ts reserves the per-address visitor streams with.
import { afterEach, expect, it } from 'vitest';
import { describeWithServices, testRedisPrefix, testRedisUrl } from '../testing/services.ts';
import { createRedisLink, type RedisLink } from '../redis/redis-link.ts';
import { createRedisCoordination, type RedisCoordination } from '../coordination-redis.ts';
import { RateLimitedError } from '../platform/errors.ts';
import { createLocalStreamSlots } from './stream-slots.ts';
import { createRedisStreamSlots } from './redis-stream-slots.ts';

const TTL = 400;
const KEY = 'visitor-address:203.0.113.7';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startNode(prefix: string, id: string): Promise<{ link: RedisLink; coordination: RedisCoordination }> {
  const link = createRedisLink(testRedisUrl(), { prefix, nodeId: id });
  const coordination = createRedisCoordination(link, { heartbeatMs: 100, nodeTtlMs: TTL });
  await coordination.start();
  cleanups.push(async () => {
    await coordination.stop();
    await link.close();
  });
  return { link, coordination };
}

async function refused(p: Promise<unknown>): Promise<RateLimitedError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RateLimitedError);
  return err as RateLimitedError;
}

async function until(check: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describeWithServices('stream slots on Redis', () => {
  it('the cap holds across two nodes; a place given back on one node frees it for the other', async () => {
    const prefix = testRedisPrefix();
    const a = await startNode(prefix, 'node-a');
    const b = await startNode(prefix, 'node-b');
    const slotsA = a.coordination.streamSlots;
    const slotsB = b.coordination.streamSlots;
    const first = await slotsA.reserve(KEY, 3, 3, 'too_many_streams');
    await slotsA.reserve(KEY, 3, 3, 'too_many_streams');
    await slotsB.reserve(KEY, 3, 3, 'too_many_streams');
    // Three open over two nodes: a fourth on either node is refused, as one process would refuse it.
    const err = await refused(slotsB.reserve(KEY, 3, 3, 'too_many_streams'));
    expect(err.code).toBe('too_many_streams');
    expect(err.retryAfterSeconds).toBe(3);
    await refused(slotsA.reserve(KEY, 3, 3, 'too_many_streams'));
    // Another address has its own count.
    await slotsB.reserve('visitor-address:198.51.100.1', 3, 3);

    first();
    first(); // a second release gives back nothing more
    await until(async () => (await a.link.command.hget(a.link.key(`slots:${KEY}`), 'node-a')) === '1');
    await slotsB.reserve(KEY, 3, 3, 'too_many_streams');
    await refused(slotsA.reserve(KEY, 3, 3, 'too_many_streams'));
  });

  it('the places of a node that dies free themselves once its heartbeat runs out', async () => {
    const prefix = testRedisPrefix();
    const a = await startNode(prefix, 'node-a');
    const b = await startNode(prefix, 'node-b');
    await a.coordination.streamSlots.reserve(KEY, 2, 3);
    await a.coordination.streamSlots.reserve(KEY, 2, 3);
    await refused(b.coordination.streamSlots.reserve(KEY, 2, 3));
    // As kill -9: A's streams are gone with it, but it never gives its places back.
    a.link.command.disconnect();
    a.link.subscriber.disconnect();
    const killed = Date.now();
    await until(async () => {
      try {
        await b.coordination.streamSlots.reserve(KEY, 2, 3);
        return true;
      } catch (err) {
        if (err instanceof RateLimitedError) return false;
        throw err;
      }
    });
    expect(Date.now() - killed).toBeLessThan(TTL + 1000);
    // The dead node's field was deleted by that reservation; B holds the one place it took.
    expect(await b.link.command.hgetall(b.link.key(`slots:${KEY}`))).toEqual({ 'node-b': '1' });
  });

  it('Redis out of reach: a stream opens uncounted and at once when asked to (reported), else the reservation fails', async () => {
    const link = createRedisLink('redis://127.0.0.1:1', { prefix: testRedisPrefix() });
    cleanups.push(() => link.close());
    const heartbeat = { start: async () => {}, stop: async () => {}, onRevived: () => () => {} };
    const reported: unknown[] = [];
    const failOpen = createRedisStreamSlots(link, { heartbeat, onUnavailable: (err) => reported.push(err) });
    while (link.command.status !== 'reconnecting') await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    const release = await failOpen.reserve(KEY, 1, 3);
    await failOpen.reserve(KEY, 1, 3);
    expect(Date.now() - started, 'no wait for the connection to fail again').toBeLessThan(100);
    // Nothing was counted, so nothing is given back, and the place of no other stream is taken back by it.
    expect(failOpen.held(KEY)).toBe(0);
    release();
    // Reported once per 10 s, not once per stream.
    expect(reported).toHaveLength(1);
    const failClosed = createRedisStreamSlots(link, { heartbeat });
    await expect(failClosed.reserve(KEY, 1, 3)).rejects.toThrow();
  });

  it('a clean stop frees the node’s places at once', async () => {
    const prefix = testRedisPrefix();
    const a = await startNode(prefix, 'node-a');
    const b = await startNode(prefix, 'node-b');
    await a.coordination.streamSlots.reserve(KEY, 1, 3);
    await refused(b.coordination.streamSlots.reserve(KEY, 1, 3));
    await a.coordination.stop();
    await b.coordination.streamSlots.reserve(KEY, 1, 3);
  });
});

it('the local slots (one process) keep the same rule', async () => {
  const slots = createLocalStreamSlots();
  const release = await slots.reserve(KEY, 1, 2, 'too_many_streams');
  const err = await refused(slots.reserve(KEY, 1, 2, 'too_many_streams'));
  expect(err.code).toBe('too_many_streams');
  release();
  await slots.reserve(KEY, 1, 2);
});
