// Token-bucket rate limiting by key (client address, conversation), in memory on this node.
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
  /** Takes one token for `key`, or throws RateLimitedError with the seconds until one is available. */
  take(key: string): void;
  /** Keys currently tracked. */
  readonly size: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function createRateLimiter(options: RateLimitOptions, now: () => number = Date.now): RateLimiter {
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
    take(key) {
      const t = now();
      let bucket = buckets.get(key);
      if (!bucket) {
        if (buckets.size >= maxKeys) prune(t);
        bucket = { tokens: capacity, at: t };
        buckets.set(key, bucket);
      } else {
        refill(bucket, t);
      }
      if (bucket.tokens < 1) {
        const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerSecond));
        throw new RateLimitedError('too many requests; please slow down', retryAfterSeconds);
      }
      bucket.tokens -= 1;
    },
  };
}
