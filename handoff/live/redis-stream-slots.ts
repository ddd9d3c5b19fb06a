// Stream caps shared by the nodes through Redis: one hash per capped key, node id -> streams open there, summed in
// one Lua script over the nodes whose heartbeat is alive, so a killed node's places free themselves within the
// heartbeat's TTL (and are deleted by the next reservation under that key).
import type { NodeHeartbeat } from '../redis/node-heartbeat.ts';
import { commandReady, type RedisLink } from '../redis/redis-link.ts';
import { redisScript } from '../redis/redis-script.ts';
import { tooManyStreams } from './live-connections.ts';
import type { StreamSlots } from './stream-slots.ts';

export interface RedisStreamSlotsOptions {
  /**
   * A key untouched this long is deleted: only places of dead nodes can be left in it by then, as every stream
   * ends within its maximum age (live-routes.ts maxAgeMs, at most 24 h plus 10 %). Range above that; default 27 h.
   */
  idleKeyTtlMs: number;
}

export const defaultRedisStreamSlotsOptions: RedisStreamSlotsOptions = { idleKeyTtlMs: 27 * 3_600_000 };

/** onUnavailable is called at most this often (an outage fails every reservation). */
const REPORT_EVERY_MS = 10_000;

export interface RedisStreamSlots extends StreamSlots {
  /** Places this node holds now under `key` (tests, metrics). */
  held(key: string): number;
}

export interface RedisStreamSlotsDeps {
  /** When this node's heartbeat lapsed, another node may have deleted its places: they are written again. */
  heartbeat: NodeHeartbeat;
  /** A release or a rewrite that did not reach Redis. */
  onError?: (err: unknown) => void;
  /**
   * Redis out of reach at a reservation: the stream is let through uncounted and this is called (at most every
   * 10 s). A cap, like the request limits, must not keep every visitor's live stream shut while Redis recovers.
   * Default undefined: the error is thrown (the stream answers 503).
   */
  onUnavailable?: (err: unknown) => void;
}

// ARGV: prefix, node, max, ttl. 1: taken; 0: full.
const reserveScript = redisScript(`
local flat = redis.call('HGETALL', KEYS[1])
local taken = 0
for i = 1, #flat, 2 do
  if redis.call('EXISTS', ARGV[1] .. 'node:' .. flat[i]) == 1 then
    taken = taken + tonumber(flat[i + 1])
  else
    redis.call('HDEL', KEYS[1], flat[i])
  end
end
if taken >= tonumber(ARGV[3]) then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`);

// ARGV: node.
const releaseScript = redisScript(`
if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 1
`);

export function createRedisStreamSlots(link: RedisLink, deps: RedisStreamSlotsDeps, options: Partial<RedisStreamSlotsOptions> = {}): RedisStreamSlots {
  const { idleKeyTtlMs } = { ...defaultRedisStreamSlotsOptions, ...options };
  const prefix = link.key('');
  /** Places this node holds, by key: what it writes again after its heartbeat lapsed. */
  const held = new Map<string, number>();
  const hashOf = (key: string) => link.key(`slots:${key}`);
  let reportedAt = -Infinity;
  /** Not counted anywhere, so there is nothing to give back: the cap is loose by these streams while they last. */
  const uncounted = (err: unknown): (() => void) => {
    if (Date.now() - reportedAt >= REPORT_EVERY_MS) {
      reportedAt = Date.now();
      deps.onUnavailable!(err);
    }
    return () => {};
  };

  deps.heartbeat.onRevived(() => {
    for (const [key, count] of held) {
      const hash = hashOf(key);
      link.command
        .multi()
        .hset(hash, link.nodeId, count)
        .pexpire(hash, idleKeyTtlMs)
        .exec()
        .catch((err: unknown) => deps.onError?.(err));
    }
  });

  return {
    held: (key) => held.get(key) ?? 0,
    async reserve(key, max, retryAfterSeconds, code) {
      const hash = hashOf(key);
      // Known to be out of reach (reconnecting): through at once, not after the command's wait in the queue.
      if (deps.onUnavailable && !commandReady(link)) return uncounted(new Error(`redis: connection ${link.command.status}`));
      let taken: unknown;
      try {
        taken = await reserveScript(link.command, [hash], [prefix, link.nodeId, max, idleKeyTtlMs]);
      } catch (err) {
        if (!deps.onUnavailable) throw err;
        return uncounted(err);
      }
      if (taken !== 1) throw tooManyStreams(key, max, retryAfterSeconds, code);
      held.set(key, (held.get(key) ?? 0) + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (held.get(key) ?? 1) - 1;
        if (left > 0) held.set(key, left);
        else held.delete(key);
        releaseScript(link.command, [hash], [link.nodeId]).catch((err: unknown) => deps.onError?.(err));
      };
    },
  };
}
