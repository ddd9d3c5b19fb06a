// This node's sign of life in Redis: a key with a short TTL, refreshed on a timer, and the set of nodes ever seen.
// What a node counts in Redis (agent connections, stream slots) counts only while its key exists, so the counts of
// a node killed with `kill -9` stop counting within the TTL and the leader can clear them.
import type { RedisLink } from './redis-link.ts';
import { redisScript } from './redis-script.ts';

export interface NodeHeartbeatOptions {
  /** How often the key is refreshed. Range 100-10000 ms; default 1000. */
  intervalMs: number;
  /** The key's TTL: a node silent this long counts as dead. Range 3 x intervalMs-60000 ms; default 3000. */
  ttlMs: number;
}

export const defaultNodeHeartbeatOptions: NodeHeartbeatOptions = { intervalMs: 1_000, ttlMs: 3_000 };

/** The key of a node's heartbeat (`KEYS` and Lua scripts of the redis-* adapters build the same name). */
export const nodeKeyName = (nodeId: string): string => `node:${nodeId}`;
/** The set of node ids the leader looks through for dead ones. */
export const NODES_KEY_NAME = 'nodes';

export interface NodeHeartbeat {
  /** Writes the key at once and then on the timer. */
  start(): Promise<void>;
  /** Stops the timer and deletes the key: this node's counts stop counting at once. */
  stop(): Promise<void>;
  /**
   * Called when a refresh found the key gone (the process stalled past the TTL, or Redis lost it): the leader
   * may have cleared this node's counts meanwhile, so the owners of those counts write them again.
   */
  onRevived(listener: () => void): () => void;
}

export interface NodeHeartbeatDeps {
  /** A failed refresh (Redis unreachable): reported, retried on the next tick. */
  onError?: (err: unknown) => void;
}

// Returns 1 when the key did not exist before this write.
const beat = redisScript(`
local old = redis.call('SET', KEYS[1], '1', 'PX', ARGV[1], 'GET')
redis.call('SADD', KEYS[2], ARGV[2])
if old then return 0 end
return 1
`);

export function createNodeHeartbeat(link: RedisLink, deps: NodeHeartbeatDeps = {}, options: Partial<NodeHeartbeatOptions> = {}): NodeHeartbeat {
  const { intervalMs, ttlMs } = { ...defaultNodeHeartbeatOptions, ...options };
  const key = link.key(nodeKeyName(link.nodeId));
  const listeners = new Set<() => void>();
  let timer: ReturnType<typeof setInterval> | undefined;
  let beating = false;
  let first = true;

  async function tick(): Promise<void> {
    if (beating) return;
    beating = true;
    try {
      const revived = (await beat(link.command, [key, link.key(NODES_KEY_NAME)], [ttlMs, link.nodeId])) === 1;
      // The first write always finds no key: nothing was counted before it.
      if (revived && !first) {
        for (const listener of listeners) {
          try {
            listener();
          } catch (err) {
            deps.onError?.(err);
          }
        }
      }
      first = false;
    } finally {
      beating = false;
    }
  }

  return {
    async start() {
      await tick();
      timer = setInterval(() => {
        tick().catch((err: unknown) => deps.onError?.(err));
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await link.command.del(key);
    },
    onRevived(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
