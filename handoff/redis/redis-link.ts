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

export function createRedisLink(url: string, options: Partial<RedisLinkOptions> = {}): RedisLink {
  const prefix = options.prefix ?? 'tc:';
  const common = {
    // A command issued while Redis is unreachable fails fast (the route answers 503) instead of queueing for ever.
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    connectTimeout: 5_000,
    lazyConnect: false,
  };
  const command = new Redis(url, common);
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
