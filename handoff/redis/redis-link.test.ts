// The link's behaviour when Redis goes away (README: a request answers 503 in seconds, never hangs, and the node
// resumes by itself), through a TCP relay in front of the test Redis that the test cuts (connections refused, as
// when Redis stops) or stalls (bytes held, as when Redis or the network freezes).
import { Hono } from 'hono';
import { afterEach, expect, it } from 'vitest';
import { createErrorHandler } from '../http/error-handler.ts';
import { describeWithServices, testRedisPrefix, testRedisUrl } from '../testing/services.ts';
import { startTcpRelay, type TcpRelay } from '../testing/tcp-relay.ts';
import { COMMAND_TIMEOUT_MS, RECONNECT_MAX_MS, createRedisLink, type RedisLink } from './redis-link.ts';

/** The status and error code the HTTP error handler gives `err` (what a route that awaited the command answers). */
async function answerFor(err: unknown): Promise<{ status: number; code: string; retryAfter: string | null }> {
  const app = new Hono();
  app.get('/x', () => {
    throw err;
  });
  app.onError(createErrorHandler({ warn: () => {}, error: () => {} }));
  const res = await app.request('/x');
  return { status: res.status, code: ((await res.json()) as { error: { code: string } }).error.code, retryAfter: res.headers.get('retry-after') };
}

async function failureOf(p: Promise<unknown>): Promise<{ err: unknown; ms: number }> {
  const started = Date.now();
  try {
    await p;
  } catch (err) {
    return { err, ms: Date.now() - started };
  }
  throw new Error('the command succeeded without Redis');
}

describeWithServices('redis link when Redis goes away', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function linkThroughRelay(): Promise<{ link: RedisLink; r: TcpRelay }> {
    const target = new URL(testRedisUrl());
    const r = await startTcpRelay({ host: target.hostname, port: Number(target.port) });
    cleanup.push(() => r.close());
    const link = createRedisLink(`redis://127.0.0.1:${r.port}`, { prefix: testRedisPrefix() });
    cleanup.push(() => {
      link.command.disconnect();
      link.subscriber.disconnect();
    });
    await link.command.ping();
    return { link, r };
  }

  it('stopped for a while: a command fails within seconds as a 503, and the link works again soon after Redis is back', async () => {
    const { link, r } = await linkThroughRelay();
    await r.cut();
    // Long enough for ioredis's default backoff (doubling up to 5 s) to have grown: a command sent now used to
    // wait about 12 s in the offline queue before failing, holding its request that long.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const { err, ms } = await failureOf(link.command.get(link.key('x')));
    expect(ms, `failed after ${ms} ms with ${String(err)}`).toBeLessThan(3 * RECONNECT_MAX_MS + 1000);
    expect(await answerFor(err)).toEqual({ status: 503, code: 'unavailable', retryAfter: '5' });

    await r.reopen();
    const back = Date.now();
    for (;;) {
      try {
        await link.command.set(link.key('x'), '1');
        break;
      } catch {
        // Still reconnecting.
      }
    }
    expect(Date.now() - back, 'from Redis back to a working link').toBeLessThan(RECONNECT_MAX_MS + 1500);
    expect(await link.command.get(link.key('x'))).toBe('1');
  }, 30_000);

  it('frozen (the socket stays open, no reply comes): a command fails after the command timeout as a 503, and later replies stay in order', async () => {
    const { link, r } = await linkThroughRelay();
    await link.command.set(link.key('a'), 'A');
    r.stall();
    const { err, ms } = await failureOf(link.command.get(link.key('a')));
    expect(ms).toBeGreaterThanOrEqual(COMMAND_TIMEOUT_MS - 50);
    expect(ms).toBeLessThan(COMMAND_TIMEOUT_MS + 1000);
    expect(await answerFor(err)).toEqual({ status: 503, code: 'unavailable', retryAfter: '5' });
    // The stalled bytes arrive late: the late reply goes to the command that timed out, never to the next one.
    await link.command.set(link.key('b'), 'B').catch(() => {});
    r.resume();
    expect(await link.command.get(link.key('b'))).toBe('B');
    expect(await link.command.get(link.key('a'))).toBe('A');
  }, 30_000);
});
