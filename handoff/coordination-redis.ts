// The Coordination of several nodes (REDIS_URL): live fan-out over Redis pub/sub, agent presence counted per node
// with a node heartbeat, stream caps summed over the live nodes, and the leader lease of the timed jobs.
// One Redis server (standalone or behind Sentinel): the Lua scripts build their keys from the prefix, which a Redis
// Cluster would refuse.
import type { Coordination } from './coordination.ts';
import { createRedisStreamSlots } from './live/redis-stream-slots.ts';
import { createLeaderLease, defaultLeaderLeaseOptions } from './redis/leader-lease.ts';
import { createNodeHeartbeat, defaultNodeHeartbeatOptions, type NodeHeartbeat } from './redis/node-heartbeat.ts';
import { createRedisHub, type RedisHub } from './redis/redis-hub.ts';
import type { RedisLink } from './redis/redis-link.ts';
import { createRedisPresence, defaultRedisPresenceOptions, type RedisPresence } from './routing/redis-presence.ts';
import type { PresenceServiceDeps, PresenceServiceOptions } from './routing/presence-service.ts';
import { createRedisRateLimiters } from './http/redis-rate-limit.ts';
import { createRedisLoginLimiter } from './auth/redis-login-limiter.ts';
import { createRedisBlockNotices } from './visitors/redis-block-notices.ts';
import { createRedisVisitorPresence } from './visitors/redis-visitor-presence.ts';

export interface RedisCoordinationOptions {
  /** PRESENCE_GRACE_SECONDS in ms, unless createPresence is given its own graceMs. Range 0-300000; default 30000. */
  presenceGraceMs: number;
  /** How often this node's heartbeat key is refreshed. Range 100-10000 ms; default 1000. */
  heartbeatMs: number;
  /** The heartbeat key's TTL: a node silent this long is dead to the others. Range 3 x heartbeatMs-60000 ms; default 3000. */
  nodeTtlMs: number;
  /** The leader lease's TTL (renewed every third of it). Range 300-60000 ms; default 5000. */
  leaseTtlMs: number;
  /** How often the leader ends due presence grace periods and clears dead nodes. Range 100-5000 ms; default 500. */
  presenceSweepMs: number;
  /** How often each node reloads its presence mirror and rewrites its counts. Range 1000-60000 ms; default 5000. */
  presenceRefreshMs: number;
}

export const defaultRedisCoordinationOptions: RedisCoordinationOptions = {
  presenceGraceMs: defaultRedisPresenceOptions.graceMs,
  heartbeatMs: defaultNodeHeartbeatOptions.intervalMs,
  nodeTtlMs: defaultNodeHeartbeatOptions.ttlMs,
  leaseTtlMs: defaultLeaderLeaseOptions.ttlMs,
  presenceSweepMs: defaultRedisPresenceOptions.sweepMs,
  presenceRefreshMs: defaultRedisPresenceOptions.refreshMs,
};

/** Structured logging as pino does it (only what this module uses). */
export interface CoordinationLog {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Stable codes in the `event` field of this module's log lines. */
export const CoordinationLogEvent = {
  redisFailed: 'coordination.redis_failed',
  listenerFailed: 'hub.listener_failed',
} as const;

export interface RedisCoordination extends Coordination {
  readonly mode: 'redis';
  readonly hub: RedisHub;
  readonly link: RedisLink;
  /** This node's heartbeat, for whatever else counts per node in Redis (counts of a dead node stop counting). */
  readonly heartbeat: NodeHeartbeat;
  createPresence(deps: PresenceServiceDeps, options: Partial<PresenceServiceOptions>): RedisPresence;
  /** Resolves once every presence created so far has loaded its mirror and subscribed (tests; start() waits for them). */
  ready(): Promise<void>;
}

/**
 * Call start() before the handoff services start, stop() after they stopped, then close the link:
 *   const coordination = createRedisCoordination(link, { presenceGraceMs: config.agents.presenceGraceSeconds * 1000, logger });
 */
export function createRedisCoordination(
  link: RedisLink,
  options: Partial<RedisCoordinationOptions> & { logger?: CoordinationLog } = {},
): RedisCoordination {
  const { logger, ...given } = options;
  const opts: RedisCoordinationOptions = { ...defaultRedisCoordinationOptions, ...given };
  const failed = (what: string) => (err: unknown) =>
    logger?.warn({ event: CoordinationLogEvent.redisFailed, what, node: link.nodeId, err }, `coordination: ${what} failed`);
  const heartbeat = createNodeHeartbeat(link, { onError: failed('node heartbeat') }, { intervalMs: opts.heartbeatMs, ttlMs: opts.nodeTtlMs });
  const hub = createRedisHub(link, {
    onListenerError: (err) => logger?.error({ event: CoordinationLogEvent.listenerFailed, err }, 'live listener failed'),
    onError: failed('hub'),
  });
  const lease = createLeaderLease(link, { onError: failed('leader lease') }, { ttlMs: opts.leaseTtlMs });
  // Out of reach, a visitor's stream opens uncounted (logged) rather than not at all, as the request limits do.
  const streamSlots = createRedisStreamSlots(link, { heartbeat, onError: failed('stream slots'), onUnavailable: failed('stream slots') });
  const presences: RedisPresence[] = [];
  const starting = new Set<Promise<void>>();
  let started = false;

  const startPresence = (presence: RedisPresence) => {
    const p = presence.start().catch(failed('presence start'));
    starting.add(p);
    void p.finally(() => starting.delete(p));
    return p;
  };

  return {
    mode: 'redis',
    hub,
    link,
    heartbeat,
    streamSlots,
    // Out of reach, the rate limits let requests through (logged) rather than refuse every visitor; the sign-in
    // limiter fails the attempt instead (guessing must not get cheaper while the limits are blind).
    rateLimiters: createRedisRateLimiters(link, { onUnavailable: failed('rate limit') }),
    loginLimiter: (loginOptions) => createRedisLoginLimiter(link, loginOptions),
    blockNotices: createRedisBlockNotices(link, { onError: failed('visitor block notice') }),
    createVisitorPresence: (presenceOptions) => createRedisVisitorPresence(link, { ...presenceOptions, onError: failed('visitor presence') }),
    isLeader: () => lease.isLeader(),
    createPresence(deps, presenceOptions) {
      const presence = createRedisPresence(
        { ...deps, link, heartbeat, isLeader: () => lease.isLeader(), onError: failed('presence') },
        {
          graceMs: presenceOptions.graceMs ?? opts.presenceGraceMs,
          sweepMs: opts.presenceSweepMs,
          refreshMs: opts.presenceRefreshMs,
        },
      );
      presences.push(presence);
      // Created after start (the server builds the handoff services on a started coordination): starts now.
      if (started) void startPresence(presence);
      return presence;
    },
    async ready() {
      while (starting.size > 0) await Promise.allSettled([...starting]);
    },
    async start() {
      if (started) return;
      // The heartbeat first: a connection counted before this node's key exists would not count.
      await heartbeat.start();
      await hub.start();
      await lease.start();
      started = true;
      await Promise.all(presences.map(startPresence));
    },
    async stop() {
      if (!started) return;
      started = false;
      for (const presence of presences.splice(0)) await presence.leave().catch(failed('presence leave'));
      await lease.stop().catch(failed('leader lease release'));
      await heartbeat.stop().catch(failed('node heartbeat stop'));
      await hub.stop();
    },
  };
}
