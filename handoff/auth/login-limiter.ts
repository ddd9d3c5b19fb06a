// Slows password guessing: token buckets per client address and per username, in memory on this node.
// Always on (RATE_LIMITS=off never turns it off). A correct password gives its tokens back, so only
// failures add up: an office of agents behind one address can all sign in at the start of a shift.
import { systemClock, type Clock } from '../platform/clock.ts';
import { RateLimitedError } from '../platform/errors.ts';

export interface LoginBucketOptions {
  /** Failed attempts allowed in a burst. Range 1-1000. */
  capacity: number;
  /** Attempts regained per minute. Range 0.1-600. */
  refillPerMinute: number;
}

export interface LoginLimiterOptions {
  /** Per client address. Default burst 10, then 5 a minute (one every 12 s). */
  perAddress: LoginBucketOptions;
  /**
   * Per username, whatever the address (a botnet guessing one account). Default burst 5, then 1 a
   * minute. Someone can keep an account slowed this way; they cannot get in faster by spreading out.
   */
  perUsername: LoginBucketOptions;
  /** Keys kept per bucket kind; full buckets are dropped first. Range 1000-1000000; default 50000. */
  maxKeys: number;
  /** Source of "now". Default the system clock. */
  clock: Clock;
}

export const defaultLoginLimiterOptions: LoginLimiterOptions = {
  perAddress: { capacity: 10, refillPerMinute: 5 },
  perUsername: { capacity: 5, refillPerMinute: 1 },
  maxKeys: 50_000,
  clock: systemClock,
};

export interface LoginLimiter {
  /**
   * Takes one attempt from the address and from the username, or neither: throws RateLimitedError
   * (429, Retry-After the longer of the two waits) when either is empty. Call before checking the password.
   */
  attempt(address: string, username: string): void;
  /** The password was right: both attempts are given back. */
  succeeded(address: string, username: string): void;
  /** Keys tracked now (bounded by maxKeys each). */
  readonly size: { addresses: number; usernames: number };
}

interface Bucket {
  tokens: number;
  at: number;
}

class Buckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  get size(): number {
    return this.buckets.size;
  }

  constructor(
    private readonly options: LoginBucketOptions,
    private readonly maxKeys: number,
  ) {
    this.perMs = options.refillPerMinute / 60_000;
  }

  /** The bucket of `key` refilled to `t` (created full). */
  bucket(key: string, t: number): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.prune(t);
      bucket = { tokens: this.options.capacity, at: t };
      this.buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(this.options.capacity, bucket.tokens + (t - bucket.at) * this.perMs);
      bucket.at = t;
    }
    return bucket;
  }

  /** Seconds until one token is back (at least 1). */
  waitSeconds(bucket: Bucket): number {
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000));
  }

  giveBack(key: string, t: number): void {
    const bucket = this.bucket(key, t);
    bucket.tokens = Math.min(this.options.capacity, bucket.tokens + 1);
    if (bucket.tokens >= this.options.capacity) this.buckets.delete(key);
  }

  private prune(t: number): void {
    for (const key of [...this.buckets.keys()]) {
      const b = this.bucket(key, t);
      if (b.tokens >= this.options.capacity) this.buckets.delete(key);
    }
    // Still too many (a flood of distinct keys): forget the oldest entries.
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= this.maxKeys * 0.9) break;
      this.buckets.delete(key);
    }
  }
}

export function createLoginLimiter(options: Partial<LoginLimiterOptions> = {}): LoginLimiter {
  const opts = { ...defaultLoginLimiterOptions, ...options };
  const byAddress = new Buckets(opts.perAddress, opts.maxKeys);
  const byUsername = new Buckets(opts.perUsername, opts.maxKeys);

  return {
    get size() {
      return { addresses: byAddress.size, usernames: byUsername.size };
    },
    attempt(address, username) {
      const t = opts.clock().getTime();
      const a = byAddress.bucket(address, t);
      const u = byUsername.bucket(username, t);
      if (a.tokens < 1 || u.tokens < 1) {
        const wait = Math.max(a.tokens < 1 ? byAddress.waitSeconds(a) : 0, u.tokens < 1 ? byUsername.waitSeconds(u) : 0);
        // The same words whichever bucket is empty: the answer does not tell whether the username exists.
        throw new RateLimitedError('too many sign-in attempts; please wait before trying again', wait);
      }
      a.tokens -= 1;
      u.tokens -= 1;
    },
    succeeded(address, username) {
      const t = opts.clock().getTime();
      byAddress.giveBack(address, t);
      byUsername.giveBack(username, t);
    },
  };
}
