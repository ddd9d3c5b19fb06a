// Token buckets shared by every node through Redis: a client gets the same allowance whichever node its
// requests reach. One Lua script per take reads, refills and takes atomically, so two nodes never both
// spend the last token.
import type { Clock } from '../platform/clock.ts';
import { commandReady, type RedisLink } from '../redis/redis-link.ts';
import { redisScript } from '../redis/redis-script.ts';
import { rateLimitedError, retryAfterSeconds, type RateLimiterFactory } from './rate-limit.ts';

export interface RedisRateLimitOptions {
  /**
   * Source of "now" for the buckets. Default none: Redis' own clock (TIME), so that nodes whose clocks
   * disagree still refill one bucket at one rate. Tests pass theirs to move time.
   */
  clock: Clock | undefined;
  /**
   * Called when Redis cannot be reached; the request is then let through. A limit exists against abuse, and
   * refusing every visitor while Redis recovers would be the bigger harm. Default undefined: the error is thrown.
   */
  onUnavailable: ((err: unknown) => void) | undefined;
  /** onUnavailable is called at most this often (an outage fails every request). Range 0-600000 ms; default 10000. */
  reportEveryMs: number;
}

export const defaultRedisRateLimitOptions: RedisRateLimitOptions = { clock: undefined, onUnavailable: undefined, reportEveryMs: 10_000 };

/**
 * KEYS[1]: the bucket, a hash of `tokens` and `at` (ms). ARGV: capacity, tokens regained per ms, now in ms (''
 * for Redis' TIME). Returns {1 | 0 (refused), tokens left as text}. The key expires once the bucket would be
 * full again, which is the same as no key: memory stays bounded by the clients active lately.
 */
const TAKE = redisScript(`
local capacity = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if not tokens or not at then
  tokens = capacity
  at = now
elseif now > at then
  tokens = math.min(capacity, tokens + (now - at) * perMs)
  at = now
end
if tokens < 1 then
  return {0, tostring(tokens)}
end
tokens = tokens - 1
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / perMs) + 1000)
return {1, tostring(tokens)}
`);

/** Every limit's buckets under `rl:<name>:<key>` of the link's prefix. */
export function createRedisRateLimiters(link: RedisLink, options: Partial<RedisRateLimitOptions> = {}): RateLimiterFactory {
  const { clock, onUnavailable, reportEveryMs } = { ...defaultRedisRateLimitOptions, ...options };
  let reportedAt = -Infinity;
  const letThrough = (err: unknown) => {
    if (Date.now() - reportedAt >= reportEveryMs) {
      reportedAt = Date.now();
      onUnavailable!(err);
    }
  };
  return (name, limit) => {
    const perMs = limit.refillPerSecond / 1000;
    return {
      async take(key) {
        // Known to be out of reach (reconnecting): through at once, not after the command's wait in the queue.
        if (onUnavailable && !commandReady(link)) return letThrough(new Error(`redis: connection ${link.command.status}`));
        let reply: [number, string];
        try {
          const now = clock ? String(clock().getTime()) : '';
          reply = (await TAKE(link.command, [link.key(`rl:${name}:${key}`)], [limit.capacity, perMs, now])) as [number, string];
        } catch (err) {
          if (!onUnavailable) throw err;
          return letThrough(err);
        }
        if (reply[0] !== 1) throw rateLimitedError(retryAfterSeconds(Number(reply[1]), limit.refillPerSecond));
      },
    };
  };
}
