// Which node runs the timed jobs (idle close, presence grace and dead nodes, invitation sweep, sessions, retention):
// the holder of one key with a TTL, renewed while it lives. A node that stops renewing (killed, stalled, cut off)
// loses the lease within the TTL and another takes it.
import { performance } from 'node:perf_hooks';
import type { RedisLink } from './redis-link.ts';
import { redisScript } from './redis-script.ts';

export interface LeaderLeaseOptions {
  /**
   * The lease's TTL; it is renewed every third of it. The longest a timed job goes unrun after its leader dies.
   * Range 300-60000 ms; default 5000.
   */
  ttlMs: number;
}

export const defaultLeaderLeaseOptions: LeaderLeaseOptions = { ttlMs: 5_000 };

export interface LeaderLease {
  /** True while this node holds the lease (and its last renewal has not run out). */
  isLeader(): boolean;
  /** Tries to take the lease at once, then keeps trying (or renewing) on a timer. */
  start(): Promise<void>;
  /** Stops renewing and gives the lease up, so another node takes over without waiting for the TTL. */
  stop(): Promise<void>;
}

export interface LeaderLeaseDeps {
  /** A failed attempt (Redis unreachable): reported, retried on the next tick. */
  onError?: (err: unknown) => void;
}

export const LEADER_KEY_NAME = 'leader';

// Takes a free lease or renews our own; 1 when we hold it afterwards.
const takeOrRenew = redisScript(`
local holder = redis.call('GET', KEYS[1])
if holder == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`);

const release = redisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

export function createLeaderLease(link: RedisLink, deps: LeaderLeaseDeps = {}, options: Partial<LeaderLeaseOptions> = {}): LeaderLease {
  const { ttlMs } = { ...defaultLeaderLeaseOptions, ...options };
  const key = link.key(LEADER_KEY_NAME);
  /** performance.now() until which the lease is ours: measured from before the request, so never later than Redis's. */
  let validUntil = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let trying = false;
  let stopped = false;

  async function tick(): Promise<void> {
    if (trying || stopped) return;
    trying = true;
    try {
      const sent = performance.now();
      const held = (await takeOrRenew(link.command, [key], [link.nodeId, ttlMs])) === 1;
      validUntil = held && !stopped ? sent + ttlMs : 0;
    } finally {
      trying = false;
    }
  }

  return {
    isLeader: () => performance.now() < validUntil,
    async start() {
      stopped = false;
      await tick().catch((err: unknown) => deps.onError?.(err));
      timer = setInterval(() => {
        tick().catch((err: unknown) => deps.onError?.(err));
      }, Math.max(1, Math.floor(ttlMs / 3)));
      timer.unref();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      timer = undefined;
      validUntil = 0;
      await release(link.command, [key], [link.nodeId]);
    },
  };
}
