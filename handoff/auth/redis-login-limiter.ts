// The sign-in limits of login-limiter.ts kept in Redis, so failed sign-ins spread over several nodes are refused
// at the same attempt as on one node. Each attempt and each refund is one Lua script over the three buckets
// (address, username and address, username), so two nodes never both spend an address's last attempt.
import { redisScript } from '../redis/redis-script.ts';
import type { RedisLink } from '../redis/redis-link.ts';
import {
  defaultLoginLimiterOptions,
  loginLimitedError,
  loginLimitKeys,
  loginWaitSeconds,
  slowdownDelayMs,
  slowdownMaxDebt,
  type LoginLimiter,
  type LoginLimiterOptions,
} from './login-limiter.ts';

/**
 * Buckets are hashes of `tokens` and `at` (ms); a key is deleted or expires once its bucket is full again, the
 * same as no key (so maxKeys has no use here: memory holds only the keys failing lately). ARGV[1] is now in ms,
 * or '' for Redis' own clock (TIME), so nodes whose clocks disagree still refill at one rate.
 */
const BUCKETS = `
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function load(key, capacity, perMs)
  local s = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(s[1])
  local at = tonumber(s[2])
  if not tokens or not at then return capacity end
  if now > at then tokens = math.min(capacity, tokens + (now - at) * perMs) end
  return tokens
end
local function save(key, tokens, capacity, perMs)
  if tokens >= capacity then
    redis.call('DEL', key)
    return
  end
  redis.call('HSET', key, 'tokens', tostring(tokens), 'at', tostring(now))
  redis.call('PEXPIRE', key, math.ceil((capacity - tokens) / perMs) + 1000)
end
`;

/**
 * KEYS: address, pair, username buckets. ARGV: now, then capacity and tokens per ms of the address, the pair and
 * the username (capacity = free failures), then the username's deepest debt. Returns {0, address tokens, pair
 * tokens} when refused (nothing taken), else {1, username tokens after this attempt}.
 */
const ATTEMPT = redisScript(`${BUCKETS}
local a = load(KEYS[1], tonumber(ARGV[2]), tonumber(ARGV[3]))
local p = load(KEYS[2], tonumber(ARGV[4]), tonumber(ARGV[5]))
if a < 1 or p < 1 then
  return {0, tostring(a), tostring(p)}
end
save(KEYS[1], a - 1, tonumber(ARGV[2]), tonumber(ARGV[3]))
save(KEYS[2], p - 1, tonumber(ARGV[4]), tonumber(ARGV[5]))
local u = math.max(-tonumber(ARGV[8]), load(KEYS[3], tonumber(ARGV[6]), tonumber(ARGV[7])) - 1)
save(KEYS[3], u, tonumber(ARGV[6]), tonumber(ARGV[7]))
return {1, tostring(u)}
`);

/** KEYS and ARGV as ATTEMPT's: the address and the username get their attempt back, the pair's failures are cleared. */
const SUCCEEDED = redisScript(`${BUCKETS}
save(KEYS[1], math.min(tonumber(ARGV[2]), load(KEYS[1], tonumber(ARGV[2]), tonumber(ARGV[3])) + 1), tonumber(ARGV[2]), tonumber(ARGV[3]))
redis.call('DEL', KEYS[2])
save(KEYS[3], math.min(tonumber(ARGV[6]), load(KEYS[3], tonumber(ARGV[6]), tonumber(ARGV[7])) + 1), tonumber(ARGV[6]), tonumber(ARGV[7]))
return 1
`);

/**
 * Keys `login:a:<address>`, `login:p:<address> <username>`, `login:u:<username>` under the link's prefix.
 * `options.clock`, when given, is the buckets' "now" (tests); without it Redis' clock is. Redis out of reach
 * fails an attempt (the sign-in answers an error): guessing must not get cheaper while the limits are blind.
 */
export function createRedisLoginLimiter(link: RedisLink, options: Partial<LoginLimiterOptions> = {}): LoginLimiter {
  const opts = { ...defaultLoginLimiterOptions, ...options };
  const clock = options.clock;
  const perMs = (perMinute: number) => perMinute / 60_000;
  const args = () => [
    clock ? String(clock().getTime()) : '',
    opts.perAddress.capacity, perMs(opts.perAddress.refillPerMinute),
    opts.perUsernameAndAddress.capacity, perMs(opts.perUsernameAndAddress.refillPerMinute),
    opts.perUsername.freeFailures, perMs(opts.perUsername.forgetPerMinute),
    slowdownMaxDebt(opts.perUsername),
  ];
  const keysOf = (address: string, username: string) => {
    const keys = loginLimitKeys(address, username);
    return [link.key(`login:a:${keys.address}`), link.key(`login:p:${keys.pair}`), link.key(`login:u:${keys.username}`)];
  };

  return {
    async attempt(address, username) {
      const reply = (await ATTEMPT(link.command, keysOf(address, username), args())) as [number, string, string?];
      if (reply[0] !== 1) {
        const a = Number(reply[1]);
        const p = Number(reply[2]);
        throw loginLimitedError(Math.max(
          a < 1 ? loginWaitSeconds(a, opts.perAddress.refillPerMinute) : 0,
          p < 1 ? loginWaitSeconds(p, opts.perUsernameAndAddress.refillPerMinute) : 0,
        ));
      }
      return { delayMs: slowdownDelayMs(Number(reply[1]), opts.perUsername) };
    },
    async succeeded(address, username) {
      await SUCCEEDED(link.command, keysOf(address, username), args());
    },
  };
}
