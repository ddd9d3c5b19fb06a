// What the nodes of one deployment share beside the database: live fan-out, agent presence, limits, the
// leader lease of the timed jobs. The embedded default keeps all of it in this process (createLocalCoordination);
// with REDIS_URL, coordination-redis.ts shares it through Redis. compose.ts takes whichever it is given.
import { createMemoryHub, type Hub } from './platform/hub.ts';
import { createPresenceService, type PresenceService, type PresenceServiceDeps, type PresenceServiceOptions } from './routing/presence-service.ts';
import { createLocalStreamSlots, type StreamSlots } from './live/stream-slots.ts';
import { memoryRateLimiters, type RateLimiterFactory } from './http/rate-limit.ts';
import { createLoginLimiter, type LoginLimiter, type LoginLimiterOptions } from './auth/login-limiter.ts';
import { localBlockNotices, type BlockNotices } from './visitors/block-notices.ts';
import { createVisitorPresence, type VisitorPresence, type VisitorPresenceOptions } from './visitors/visitor-presence.ts';

export interface Coordination {
  /** `local` (one process) or `redis`: for /healthz and the logs. */
  readonly mode: 'local' | 'redis';
  /** Live events between the parts that change conversations and the streams, on every node. */
  readonly hub: Hub;
  /** Agent presence as every node sees it. */
  createPresence(deps: PresenceServiceDeps, options: Partial<PresenceServiceOptions>): PresenceService;
  /** Stream caps counted on every node (the visitor streams of one client address). */
  readonly streamSlots: StreamSlots;
  /** Where rate-limit buckets live: a client gets one allowance whatever node its requests reach. */
  readonly rateLimiters: RateLimiterFactory;
  /** The sign-in limiter, its failures counted over every node (always on; RATE_LIMITS=off leaves it). */
  loginLimiter(options: Partial<LoginLimiterOptions>): LoginLimiter;
  /** How a node tells the others that visitor blocks changed, so every node's gate follows within a second. */
  readonly blockNotices: BlockNotices;
  /** Visitors online and their invitations as every node sees them (the caller starts and stops it). */
  createVisitorPresence(options: Partial<VisitorPresenceOptions>): VisitorPresence;
  /**
   * True while this node holds the lease of the timed jobs (idle close, requeue after grace, session sweep,
   * retention): exactly one node runs each tick. Always true in one process.
   */
  isLeader(): boolean;
  /** Connects (heartbeat, subscriptions, lease); call once, before the handoff services start. */
  start(): Promise<void>;
  /**
   * Leaves the cluster cleanly (drops this node's connections and lease); call after the handoff services stopped.
   * The Redis link stays open: whoever created it closes it.
   */
  stop(): Promise<void>;
}

export function createLocalCoordination(onListenerError: (err: unknown) => void): Coordination {
  const hub = createMemoryHub(onListenerError);
  return {
    mode: 'local',
    hub,
    createPresence: (deps, options) => createPresenceService(deps, options),
    streamSlots: createLocalStreamSlots(),
    rateLimiters: memoryRateLimiters,
    loginLimiter: (options) => createLoginLimiter(options),
    blockNotices: localBlockNotices,
    createVisitorPresence: (options) => createVisitorPresence(options),
    isLeader: () => true,
    async start() {},
    async stop() {},
  };
}
