// Slows password guessing without letting anyone lock an account: hard limits (429) per client address
// and per (username, address); per username from all addresses only a growing delay, never a refusal.
// Always on (RATE_LIMITS=off never turns it off). A correct password gives its tokens back, so only failures
// add up: an office of agents behind one address can all sign in at once. This file holds the port, the rules'
// arithmetic and the in-memory version of one process; redis-login-limiter.ts applies the same rules on Redis,
// so failures spread over several nodes count as on one.
import { systemClock, type Clock } from '../platform/clock.ts';
import { RateLimitedError } from '../platform/errors.ts';

export interface LoginBucketOptions {
  /** Failed attempts allowed in a burst. Range 1-1000. */
  capacity: number;
  /** Attempts regained per minute. Range 0.1-600. */
  refillPerMinute: number;
}

export interface LoginSlowdownOptions {
  /** Failures for one username, from any address, before its attempts are slowed. Range 1-1000; default 5. */
  freeFailures: number;
  /** Failures forgotten per minute. Range 0.1-600; default 1. */
  forgetPerMinute: number;
  /** Wait of the first slowed attempt, doubled for each failure after it. Range 1-5000 ms; default 250. */
  firstDelayMs: number;
  /** Longest wait: no attempt is held longer. Range 1-10000 ms; default 3000. */
  maxDelayMs: number;
}

export interface LoginLimiterOptions {
  /** Per client address, whatever the username (one address trying many accounts). Default burst 10, then 5 a minute. */
  perAddress: LoginBucketOptions;
  /** Per username from one address (one address guessing one account). Default burst 5, then 1 a minute. */
  perUsernameAndAddress: LoginBucketOptions;
  /**
   * Per username from every address (a botnet guessing one account): a growing delay before the password
   * is checked, never a 429, so an attacker elsewhere cannot keep the owner out. Every guess costs the
   * attacker the delay too, and the per-address limits still bound how many addresses may guess at once.
   */
  perUsername: LoginSlowdownOptions;
  /** Keys kept per bucket kind; full buckets are dropped first. Range 1000-1000000; default 50000. */
  maxKeys: number;
  /** Source of "now". Default the system clock. */
  clock: Clock;
}

export const defaultLoginLimiterOptions: LoginLimiterOptions = {
  perAddress: { capacity: 10, refillPerMinute: 5 },
  perUsernameAndAddress: { capacity: 5, refillPerMinute: 1 },
  perUsername: { freeFailures: 5, forgetPerMinute: 1, firstDelayMs: 250, maxDelayMs: 3000 },
  maxKeys: 50_000,
  clock: systemClock,
};

/** An attempt let through; wait `delayMs` (0 to maxDelayMs) without blocking, then check the password. */
export interface LoginAdmission {
  delayMs: number;
}

export interface LoginLimiter {
  /**
   * Takes one attempt from the address, the (username, address) pair and the username, or none: rejects with
   * RateLimitedError (429, Retry-After the longer wait) when the address or the pair is empty. Call before
   * checking the password, and wait the admission's delay first.
   */
  attempt(address: string, username: string): Promise<LoginAdmission>;
  /** The password was right: the (username, address) failures are cleared, the others given back. */
  succeeded(address: string, username: string): Promise<void>;
}

/** The in-memory limiter: tells how many keys it holds (its memory bound is tested). */
export interface MemoryLoginLimiter extends LoginLimiter {
  /** Keys tracked now (bounded by maxKeys each). */
  readonly size: { addresses: number; pairs: number; usernames: number };
}

/** The same words whichever bucket is empty: the answer does not tell whether the username exists. */
export function loginLimitedError(waitSeconds: number): RateLimitedError {
  return new RateLimitedError('too many sign-in attempts; please wait before trying again', waitSeconds);
}

/** Seconds until a bucket holding `tokens` has one again (at least 1). */
export function loginWaitSeconds(tokens: number, refillPerMinute: number): number {
  return Math.max(1, Math.ceil((1 - tokens) / (refillPerMinute / 60_000) / 1000));
}

/** How far below zero the per-username bucket goes: the failures past the free ones that still lengthen the delay. */
export function slowdownMaxDebt(options: LoginSlowdownOptions): number {
  return Math.max(1, Math.ceil(Math.log2(options.maxDelayMs / options.firstDelayMs)) + 1);
}

/** The wait of an attempt that left the per-username bucket at `tokens` (0 while tokens are not below zero). */
export function slowdownDelayMs(tokens: number, options: LoginSlowdownOptions): number {
  if (tokens >= 0) return 0;
  const steps = Math.ceil(-tokens);
  return Math.min(options.maxDelayMs, Math.round(options.firstDelayMs * 2 ** (steps - 1)));
}

/**
 * The keys one attempt is counted under. `address` is already the client key (an IPv6 client by its /64
 * prefix, handoff/http/address-key.ts), as the composition hands it to the sign-in routes.
 */
export function loginLimitKeys(address: string, username: string): { address: string; pair: string; username: string } {
  // No address contains a space, so the pair cannot be forged by a username holding one.
  return { address, pair: `${address} ${username}`, username };
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
    private readonly capacity: number,
    private readonly refillPerMinute: number,
    private readonly maxKeys: number,
  ) {
    this.perMs = refillPerMinute / 60_000;
  }

  /** The bucket of `key` refilled to `t` (created full). */
  bucket(key: string, t: number): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.prune(t);
      bucket = { tokens: this.capacity, at: t };
      this.buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(this.capacity, bucket.tokens + (t - bucket.at) * this.perMs);
      bucket.at = t;
    }
    return bucket;
  }

  /** Seconds until one token is back (at least 1). */
  waitSeconds(bucket: Bucket): number {
    return loginWaitSeconds(bucket.tokens, this.refillPerMinute);
  }

  giveBack(key: string, t: number): void {
    const bucket = this.bucket(key, t);
    bucket.tokens = Math.min(this.capacity, bucket.tokens + 1);
    if (bucket.tokens >= this.capacity) this.buckets.delete(key);
  }

  forget(key: string): void {
    this.buckets.delete(key);
  }

  private prune(t: number): void {
    for (const key of [...this.buckets.keys()]) {
      const b = this.bucket(key, t);
      if (b.tokens >= this.capacity) this.buckets.delete(key);
    }
    // Still too many (a flood of distinct keys): forget the oldest entries.
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= this.maxKeys * 0.9) break;
      this.buckets.delete(key);
    }
  }
}

/**
 * Per-username failures as a bucket that may go below zero: each failure past `freeFailures` is one step
 * of debt, and the delay doubles per step up to the cap. Debt stops growing where the delay reaches the
 * cap, so once an attack stops the account is back to no delay within minutes, not days.
 */
class Slowdown {
  private readonly buckets: Buckets;
  private readonly maxDebt: number;

  get size(): number {
    return this.buckets.size;
  }

  constructor(
    private readonly options: LoginSlowdownOptions,
    maxKeys: number,
  ) {
    this.buckets = new Buckets(options.freeFailures, options.forgetPerMinute, maxKeys);
    this.maxDebt = slowdownMaxDebt(options);
  }

  /** Counts one attempt and returns how long it waits. */
  take(key: string, t: number): number {
    const bucket = this.buckets.bucket(key, t);
    bucket.tokens = Math.max(-this.maxDebt, bucket.tokens - 1);
    return slowdownDelayMs(bucket.tokens, this.options);
  }

  giveBack(key: string, t: number): void {
    this.buckets.giveBack(key, t);
  }
}

export function createLoginLimiter(options: Partial<LoginLimiterOptions> = {}): MemoryLoginLimiter {
  const opts = { ...defaultLoginLimiterOptions, ...options };
  const byAddress = new Buckets(opts.perAddress.capacity, opts.perAddress.refillPerMinute, opts.maxKeys);
  const byPair = new Buckets(opts.perUsernameAndAddress.capacity, opts.perUsernameAndAddress.refillPerMinute, opts.maxKeys);
  const byUsername = new Slowdown(opts.perUsername, opts.maxKeys);

  return {
    get size() {
      return { addresses: byAddress.size, pairs: byPair.size, usernames: byUsername.size };
    },
    async attempt(address, username) {
      const keys = loginLimitKeys(address, username);
      const t = opts.clock().getTime();
      const a = byAddress.bucket(keys.address, t);
      const p = byPair.bucket(keys.pair, t);
      if (a.tokens < 1 || p.tokens < 1) {
        throw loginLimitedError(Math.max(a.tokens < 1 ? byAddress.waitSeconds(a) : 0, p.tokens < 1 ? byPair.waitSeconds(p) : 0));
      }
      a.tokens -= 1;
      p.tokens -= 1;
      return { delayMs: byUsername.take(keys.username, t) };
    },
    async succeeded(address, username) {
      const keys = loginLimitKeys(address, username);
      const t = opts.clock().getTime();
      byAddress.giveBack(keys.address, t);
      // This address knows the password: its earlier typos for this account no longer count.
      byPair.forget(keys.pair);
      byUsername.giveBack(keys.username, t);
    },
  };
}
