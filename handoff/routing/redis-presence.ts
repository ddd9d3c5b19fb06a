// Agent presence shared by every node through Redis: the same rules as presence-service.ts (chosen status,
// connection counts, a grace period before offline, expectReconnect after a restart), with connections counted per
// node, so that one node's restart or death does not send the chats of agents connected elsewhere back to the queue.
//
// Each change is one Lua script (redis-presence-scripts.ts). The node whose script changed an agent's effective
// status runs the onChange listeners (routing: dispatch or requeue, which must happen once) and publishes the hub
// events; every node learns the new status on the presence channel. Reads are synchronous, from a mirror kept by
// this node's own script results, the channel, and a reload every few seconds (pub/sub can drop a message).
import type { AgentStatus } from '../agents/agent.ts';
import type { RedisLink } from '../redis/redis-link.ts';
import type { NodeHeartbeat } from '../redis/node-heartbeat.ts';
import type { RedisScript } from '../redis/redis-script.ts';
import { defaultPresenceServiceOptions, type PresenceListener, type PresenceService, type PresenceServiceDeps, type PresenceServiceOptions } from './presence-service.ts';
import {
  connectedScript, disconnectedScript, expectReconnectScript, leaveScript, setStatusScript, snapshotScript, sweepScript, syncScript,
} from './redis-presence-scripts.ts';

export interface RedisPresenceOptions extends PresenceServiceOptions {
  /** How often the leader ends due grace periods and clears dead nodes. Range 100-5000 ms; default 500. */
  sweepMs: number;
  /**
   * How often the mirror is reloaded and this node's counts are written again (repairs a dropped message or a
   * change that failed to reach Redis). Range 1000-60000 ms; default 5000.
   */
  refreshMs: number;
}

export const defaultRedisPresenceOptions: RedisPresenceOptions = {
  ...defaultPresenceServiceOptions,
  sweepMs: 500,
  refreshMs: 5_000,
};

export interface RedisPresenceDeps extends PresenceServiceDeps {
  link: RedisLink;
  /** This node's heartbeat: when it lapsed, this node's counts are written again. */
  heartbeat: NodeHeartbeat;
  /** Only the leader runs the timed part (grace expiry, dead nodes). */
  isLeader: () => boolean;
  /** A script or the channel failed (Redis unreachable, a bad message). */
  onError?: (err: unknown) => void;
}

export interface RedisPresence extends PresenceService {
  /** Subscribes to the presence channel, loads the mirror, starts the timers. */
  start(): Promise<void>;
  /** This node leaves cleanly: its connections stop counting (their agents start the grace unless connected elsewhere). */
  leave(): Promise<void>;
  /** Resolves once every change sent so far has been applied (tests, shutdown). */
  settled(): Promise<void>;
  /** One run of the leader's timed part now, leader or not (tests). */
  sweep(): Promise<void>;
}

/** An agent's state as a script or the channel reports it. */
interface AgentState {
  agentId: string;
  status: AgentStatus;
  chosen: AgentStatus;
  since: string;
  ver: number;
  /** On a change only. */
  previous?: AgentStatus;
}

interface ScriptReply {
  states: AgentState[];
  changes: AgentState[];
}

interface MirrorEntry {
  status: AgentStatus;
  chosen: AgentStatus;
  since?: string;
  ver: number;
  /** Changes of this agent sent by this node and not yet answered: a reload must not undo their prediction. */
  pending: number;
  /** The value of `heard` when Redis's word (a script reply, the channel) last changed this entry. */
  heardAt: number;
}

export const PRESENCE_CHANNEL_NAME = 'presence';

export function createRedisPresence(deps: RedisPresenceDeps, options: Partial<RedisPresenceOptions> = {}): RedisPresence {
  const { graceMs, sweepMs, refreshMs } = { ...defaultRedisPresenceOptions, ...options };
  const { link, hub } = deps;
  const prefix = link.key('');
  const channel = link.key(PRESENCE_CHANNEL_NAME);
  const clock = deps.clock ?? (() => new Date());
  const onError = (err: unknown) => deps.onError?.(err);
  const mirror = new Map<string, MirrorEntry>();
  const listeners = new Set<PresenceListener>();
  /** Connections of each agent open on this node (what this node writes again after a lapse). */
  const local = new Map<string, number>();
  const inFlight = new Set<Promise<unknown>>();
  const timers: Array<ReturnType<typeof setInterval>> = [];
  let started = false;
  let left = false;
  let sweeping = false;
  let unrevive: (() => void) | undefined;
  /** Counts the states taken from Redis, so that a reload knows whether an entry changed since it was asked for. */
  let heard = 0;

  function entry(agentId: string): MirrorEntry {
    let m = mirror.get(agentId);
    if (!m) mirror.set(agentId, (m = { status: 'offline', chosen: 'online', ver: 0, pending: 0, heardAt: 0 }));
    return m;
  }

  /** `own`: this node's script answered, which is newer than anything it sent before. */
  function remember(state: AgentState, own: boolean): void {
    const m = entry(state.agentId);
    if (state.ver < m.ver || (state.ver === m.ver && !own && m.pending > 0)) return;
    m.status = state.status;
    m.chosen = state.chosen;
    m.ver = state.ver;
    // Redis's word over a prediction that turned out wrong; '' is "never changed".
    m.since = state.since === '' ? undefined : state.since;
    m.heardAt = ++heard;
  }

  /** What this node's change is sure to lead to, shown at once (the route answers with it) until Redis answers. */
  function predict(agentId: string, status: AgentStatus): void {
    const m = entry(agentId);
    if (m.status === status) return;
    m.status = status;
    m.since = clock().toISOString();
  }

  function announce(change: AgentState): void {
    const { agentId, status, previous = 'offline' } = change;
    const event = { type: 'presence', agentId, status } as const;
    hub.publish(`agent:${agentId}`, event);
    hub.publish('queue', event);
    hub.publish('supervisor', { type: 'supervisor', change: 'presence', agentId, status });
    for (const listener of listeners) {
      try {
        listener(agentId, status, previous);
      } catch (err) {
        deps.onListenerError?.(err);
      }
    }
  }

  function apply(raw: unknown): void {
    const reply = JSON.parse(String(raw)) as ScriptReply;
    for (const state of list(reply.states)) remember(state, true);
    for (const change of list(reply.changes)) announce(change);
  }

  /** Runs a change script; `agentId` is the agent whose mirror entry it may correct. */
  function run(script: RedisScript, args: Array<string | number>, agentId?: string): Promise<void> {
    const m = agentId === undefined ? undefined : entry(agentId);
    if (m) m.pending += 1;
    const p = script(link.command, [], [prefix, link.nodeId, graceMs, clock().toISOString(), ...args])
      .then(apply)
      .catch(onError)
      .finally(() => {
        if (m) m.pending -= 1;
        inFlight.delete(p);
      });
    inFlight.add(p);
    return p;
  }

  async function reload(): Promise<void> {
    const askedAt = heard;
    const raw = await snapshotScript(link.command, [], [prefix, link.nodeId, graceMs, '']);
    const states = list((JSON.parse(String(raw)) as ScriptReply).states);
    // Versions only grow in Redis, and the snapshot ran after everything heard before it was asked for: an older
    // version (or no record) there than here, with nothing heard since, means Redis lost data (restarted empty,
    // or a failover to a replica that missed the last changes). Its word is the truth again; without this the
    // mirror would keep ignoring every change until the versions caught up.
    const lost = (m: MirrorEntry | undefined, ver: number) => m !== undefined && ver < m.ver && m.pending === 0 && m.heardAt <= askedAt;
    const inRedis = new Set(states.map((state) => state.agentId));
    for (const [agentId, m] of mirror) {
      if (!inRedis.has(agentId) && lost(m, 0)) Object.assign(m, { status: 'offline', chosen: 'online', ver: 0, since: undefined });
    }
    for (const state of states) {
      const m = mirror.get(state.agentId);
      if (lost(m, state.ver)) m!.ver = state.ver;
      remember(state, false);
    }
  }

  /** Writes this node's counts as they are; forgets agents whose zero count Redis now has. */
  function sync(): Promise<void> {
    if (local.size === 0 || left) return Promise.resolve();
    const counts = [...local];
    const args = counts.flatMap(([agentId, count]) => [agentId, count]);
    return run(syncScript, args).then(() => {
      for (const [agentId, count] of counts) if (count === 0 && local.get(agentId) === 0) local.delete(agentId);
    });
  }

  const onMessage = (from: string, text: string) => {
    if (from !== channel) return;
    try {
      remember(JSON.parse(text) as AgentState, false);
    } catch (err) {
      onError(err);
    }
  };

  const every = (ms: number, task: () => Promise<void>) => {
    const timer = setInterval(() => {
      task().catch(onError);
    }, ms);
    timer.unref();
    timers.push(timer);
  };

  const presence: RedisPresence = {
    connected(agentId) {
      if (left) return;
      local.set(agentId, (local.get(agentId) ?? 0) + 1);
      const chosen = mirror.get(agentId)?.chosen ?? 'online';
      if (chosen !== 'offline') predict(agentId, chosen);
      void run(connectedScript, [agentId], agentId);
    },

    disconnected(agentId) {
      const count = local.get(agentId) ?? 0;
      // A stray extra close; or after leave(), which took this node's counts out already.
      if (count === 0 || left) return;
      local.set(agentId, count - 1);
      void run(disconnectedScript, [agentId], agentId);
    },

    setStatus(agentId, status) {
      if (left) return;
      // The effective status after a choice is the choice: a connection or a new grace keeps it.
      predict(agentId, status);
      entry(agentId).chosen = status;
      void run(setStatusScript, [agentId, status], agentId);
    },

    status(agentId) {
      return mirror.get(agentId)?.status ?? 'offline';
    },

    expectReconnect(agentId) {
      if (left) return;
      void run(expectReconnectScript, [agentId], agentId);
    },

    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    onlineAgents() {
      return [...mirror].filter(([, m]) => m.status === 'online').map(([id]) => id);
    },

    presentAgents() {
      // As presence-service.ts: an invisible agent is never counted as there for visitors.
      return [...mirror].filter(([, m]) => m.status !== 'offline' && m.status !== 'invisible').map(([id]) => id);
    },

    statusSince(agentId) {
      return mirror.get(agentId)?.since;
    },

    async start() {
      if (started) return;
      started = true;
      link.subscriber.on('message', onMessage);
      unrevive = deps.heartbeat.onRevived(() => {
        sync().catch(onError);
      });
      // The timers first: should the first load fail, the next refresh loads again.
      every(sweepMs, async () => {
        if (deps.isLeader()) await presence.sweep();
      });
      every(refreshMs, async () => {
        await Promise.all([reload(), sync()]);
      });
      // Subscribed before loading: a change between the two is heard, and its version keeps the newer state.
      await link.subscriber.subscribe(channel);
      await reload();
    },

    async sweep() {
      // One at a time: a slow Redis is not stacked on by the next tick.
      if (sweeping || left) return;
      sweeping = true;
      try {
        await run(sweepScript, []);
      } finally {
        sweeping = false;
      }
    },

    close() {
      for (const timer of timers.splice(0)) clearInterval(timer);
      unrevive?.();
      listeners.clear();
    },

    async settled() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },

    async leave() {
      if (left) return;
      presence.close();
      await presence.settled();
      left = true;
      try {
        await run(leaveScript, []);
      } finally {
        local.clear();
        link.subscriber.off('message', onMessage);
        if (started) await link.subscriber.unsubscribe(channel).catch(onError);
      }
    },
  };
  return presence;
}

/** cjson writes an empty list as `{}`. */
function list<T>(value: T[] | Record<string, never> | undefined): T[] {
  return Array.isArray(value) ? value : [];
}
