// What the nodes of one deployment share beside the database: live fan-out, agent presence, limits, the
// leader lease of the timed jobs. The embedded default keeps all of it in this process (createLocalCoordination);
// with REDIS_URL, coordination-redis.ts shares it through Redis. compose.ts takes whichever it is given.
import { createMemoryHub, type Hub } from './platform/hub.ts';
import { createPresenceService, type PresenceService, type PresenceServiceDeps, type PresenceServiceOptions } from './routing/presence-service.ts';

export interface Coordination {
  /** `local` (one process) or `redis`: for /healthz and the logs. */
  readonly mode: 'local' | 'redis';
  /** Live events between the parts that change conversations and the streams, on every node. */
  readonly hub: Hub;
  /** Agent presence as every node sees it. */
  createPresence(deps: PresenceServiceDeps, options: Partial<PresenceServiceOptions>): PresenceService;
  /**
   * True while this node holds the lease of the timed jobs (idle close, requeue after grace, invitation sweep,
   * retention, session sweep): exactly one node runs each tick. Always true in one process.
   */
  isLeader(): boolean;
  /** Connects (heartbeat, subscriptions, lease); call once before serving. */
  start(): Promise<void>;
  /** Leaves the cluster cleanly (drops this node's connections and lease) and closes the links. */
  stop(): Promise<void>;
}

export function createLocalCoordination(onListenerError: (err: unknown) => void): Coordination {
  const hub = createMemoryHub(onListenerError);
  return {
    mode: 'local',
    hub,
    createPresence: (deps, options) => createPresenceService(deps, options),
    isLeader: () => true,
    async start() {},
    async stop() {},
  };
}
