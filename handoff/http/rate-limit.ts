// Token-bucket rate limiting by key (client address, conversation): the port the routes take, and its
// in-memory version for one process (redis-rate-limit.ts shares the buckets between nodes).
import { RateLimitedError } from '../platform/errors.ts';

export interface RateLimitOptions {
  /** Requests allowed in a burst. Range 1-10000. */
  capacity: number;
  /** Sustained requests per second. Range 0.01-1000. */
  refillPerSecond: number;
  /** Keys kept at most; full buckets are dropped first, so memory stays bounded under a flood of addresses. Default 50000. */
  maxKeys?: number;
}

/**
 * Per client address: generous, because many visitors can share one address (offices, carrier NAT).
 * Burst 300, then 5 per second.
 */
export const defaultIpRateLimit: RateLimitOptions = { capacity: 300, refillPerSecond: 5 };
/** Per conversation: a person types far slower than this. Burst 30, then one every 2 seconds. */
export const defaultConversationRateLimit: RateLimitOptions = { capacity: 30, refillPerSecond: 0.5 };
/**
 * New conversations per client address: each one is a stored row and a token, and a visitor starts one
 * per visit, so far fewer than requests. Burst 30, then one every 2 seconds.
 */
export const defaultConversationCreateRateLimit: RateLimitOptions = { capacity: 30, refillPerSecond: 0.5 };

export interface RateLimiter {
  /** Takes one token for `key`, or rejects with RateLimitedError and the seconds until one is available. */
  take(key: string): Promise<void>;
}

/**
 * Builds the limiter of one limit. `name` tells limits apart where buckets are shared (the Redis key), so two
 * limits never count in each other's buckets; routes receive a factory instead of building in-memory limiters,
 * so the composition decides where the buckets live.
 */
export type RateLimiterFactory = (name: string, options: RateLimitOptions) => RateLimiter;

/** The in-memory limiter: tells how many keys it holds (its memory bound is tested). */
export interface MemoryRateLimiter extends RateLimiter {
  /** Keys currently tracked. */
  readonly size: number;
}

/** One process: every limit in this node's memory. */
export const memoryRateLimiters: RateLimiterFactory = (_name, options) => createRateLimiter(options);

/** The Retry-After of an empty bucket: seconds until it holds one token again (at least 1). */
export function retryAfterSeconds(tokens: number, refillPerSecond: number): number {
  return Math.max(1, Math.ceil((1 - tokens) / refillPerSecond));
}

export function rateLimitedError(retryAfter: number): RateLimitedError {
  return new RateLimitedError('too many requests; please slow down', retryAfter);
}

interface Bucket {
  tokens: number;
  at: number;
}

export function createRateLimiter(options: RateLimitOptions, now: () => number = Date.now): MemoryRateLimiter {
  const { capacity, refillPerSecond, maxKeys = 50_000 } = options;
  const buckets = new Map<string, Bucket>();

  const refill = (bucket: Bucket, t: number) => {
    bucket.tokens = Math.min(capacity, bucket.tokens + ((t - bucket.at) / 1000) * refillPerSecond);
    bucket.at = t;
  };

  const prune = (t: number) => {
    for (const [key, bucket] of buckets) {
      refill(bucket, t);
      if (bucket.tokens >= capacity) buckets.delete(key);
    }
    // Still too many (a flood of distinct keys): forget the oldest, which errs on the side of letting through.
    for (const key of buckets.keys()) {
      if (buckets.size <= maxKeys * 0.9) break;
      buckets.delete(key);
    }
  };

  return {
    get size() {
      return buckets.size;
    },
    async take(key) {
      const t = now();
      let bucket = buckets.get(key);
      if (!bucket) {
        if (buckets.size >= maxKeys) prune(t);
        bucket = { tokens: capacity, at: t };
        buckets.set(key, bucket);
      } else {
        refill(bucket, t);
      }
      if (bucket.tokens < 1) throw rateLimitedError(retryAfterSeconds(bucket.tokens, refillPerSecond));
      bucket.tokens -= 1;
    },
  };
}
