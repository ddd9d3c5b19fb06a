// The Redis side of the multi-node mode (REDIS_URL=redis://…): a command connection, a subscriber connection
// (a connection in subscribe mode can run nothing else), this node's id, and the key prefix every key and
// channel of this deployment carries (tests run several clusters on one Redis, each under its own prefix).
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export interface RedisLink {
  readonly command: Redis;
  readonly subscriber: Redis;
  /** This process's id: random per start, so a restarted node never inherits its former self's counts. */
  readonly nodeId: string;
  /** `prefix + name`: every key and channel goes through this. */
  key(name: string): string;
  close(): Promise<void>;
}

export interface RedisLinkOptions {
  /** Default `tc:`. */
  prefix: string;
  nodeId: string;
}

/** The longest pause between two reconnection attempts: how late a returned Redis is noticed. */
export const RECONNECT_MAX_MS = 500;
/** A command with no reply after this long fails (Redis frozen or cut off without the socket closing). */
export const COMMAND_TIMEOUT_MS = 2_000;

/**
 * Whether the command connection is up. While it is not, a command waits in ioredis's offline queue until the
 * connection fails again (up to 1.5 s): a caller that lets the request through without Redis anyway (the request
 * limits, the stream caps) asks this first, so an outage does not slow every request down.
 */
export function commandReady(link: RedisLink): boolean {
  return link.command.status === 'ready';
}

export function createRedisLink(url: string, options: Partial<RedisLinkOptions> = {}): RedisLink {
  const prefix = options.prefix ?? 'tc:';
  const common = {
    // A command issued while Redis is unreachable waits in the offline queue until its connection has failed
    // maxRetriesPerRequest + 1 more times, then fails (the route answers 503 or lets the request through). ioredis
    // backs off exponentially up to 5 s by default, which kept a command waiting 15 s into an outage: capped here,
    // a command fails within 1.5 s and a returned Redis is found within half a second.
    maxRetriesPerRequest: 2,
    retryStrategy: (attempt: number) => Math.min(attempt * 100, RECONNECT_MAX_MS),
    enableOfflineQueue: true,
    connectTimeout: 5_000,
    lazyConnect: false,
  };
  const command = new Redis(url, { ...common, commandTimeout: COMMAND_TIMEOUT_MS });
  // No timeout: (re)subscribing waits for Redis, and ioredis subscribes again by itself after a reconnection.
  const subscriber = new Redis(url, { ...common, maxRetriesPerRequest: null });
  // ioredis reconnects by itself; an 'error' event without a listener would crash the process.
  command.on('error', () => {});
  subscriber.on('error', () => {});
  return {
    command,
    subscriber,
    nodeId: options.nodeId ?? randomUUID(),
    key: (name) => prefix + name,
    async close() {
      await Promise.allSettled([command.quit(), subscriber.quit()]);
    },
  };
}
