// Agent presence in this process: live connections per agent, the status they chose, and a grace period
// before an agent whose connections all dropped counts as offline (a page reload must not requeue chats).
import type { AgentStatus } from '../agents/agent.ts';
import type { Hub } from '../platform/hub.ts';
import type { Presence } from './presence.ts';

export interface PresenceServiceOptions {
  /**
   * How long an agent with no live connection keeps their status (reloads, flaky networks) before going
   * offline and losing their chats to the queue. Range 0-300000 ms; default 30000.
   */
  graceMs: number;
}

export const defaultPresenceServiceOptions: PresenceServiceOptions = {
  graceMs: 30_000,
};

/** Timer functions, injectable so tests can drive the grace period. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  setTimeout(callback, ms) {
    const handle = setTimeout(callback, ms);
    // A pending grace timer must not keep the process alive at shutdown.
    handle.unref?.();
    return handle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

export type PresenceListener = (agentId: string, status: AgentStatus, previous: AgentStatus) => void;

export interface PresenceService extends Presence {
  /** Called after each change of an agent's effective status; returns the unsubscribe function. */
  onChange(listener: PresenceListener): () => void;
  /** Agents whose effective status is `online` (they receive new chats). */
  onlineAgents(): string[];
  /**
   * Agents not offline and not invisible (online, away or busy): someone is there to work the queue. An invisible
   * agent may take from the queue but is never counted here, so no visitor is queued on their account.
   */
  presentAgents(): string[];
  /** When the agent's effective status last changed (ISO), or undefined when never seen since start. */
  statusSince(agentId: string): string | undefined;
  /**
   * After a restart: this agent held chats but has no connection here yet. They count as `away` (no new
   * chats) for one grace period; unless they reconnect, they go offline and their chats back to the queue.
   */
  expectReconnect(agentId: string): void;
}

export interface PresenceServiceDeps {
  hub: Hub;
  /** Stamps statusSince (the monitor's "time in status"). Default: the system clock. */
  clock?: () => Date;
  timers?: Timers;
  /** A listener threw (a bug): reported here instead of breaking the caller. */
  onListenerError?: (err: unknown) => void;
}

interface AgentPresence {
  connections: number;
  /** What the agent chose; `offline` by choice holds even with connections open. */
  chosen: AgentStatus;
  /** Pending grace timer: the agent has no connection but keeps their status until it fires. */
  grace?: unknown;
  /** Created by expectReconnect: the first connection makes them online again. */
  restored: boolean;
  effective: AgentStatus;
  /** When `effective` last changed (ISO). */
  since?: string;
}

export function createPresenceService(deps: PresenceServiceDeps, options: Partial<PresenceServiceOptions> = {}): PresenceService {
  const { graceMs } = { ...defaultPresenceServiceOptions, ...options };
  const timers = deps.timers ?? systemTimers;
  const agents = new Map<string, AgentPresence>();
  const listeners = new Set<PresenceListener>();

  function entry(agentId: string): AgentPresence {
    let p = agents.get(agentId);
    if (!p) {
      // An agent seen for the first time (their console connected, or they chose a status) is online.
      p = { connections: 0, chosen: 'online', restored: false, effective: 'offline' };
      agents.set(agentId, p);
    }
    return p;
  }

  function effectiveOf(p: AgentPresence): AgentStatus {
    if (p.chosen === 'offline') return 'offline';
    if (p.connections === 0 && p.grace === undefined) return 'offline';
    return p.restored ? 'away' : p.chosen;
  }

  function update(agentId: string, p: AgentPresence): void {
    const next = effectiveOf(p);
    const previous = p.effective;
    if (next === previous) return;
    p.effective = next;
    p.since = (deps.clock?.() ?? new Date()).toISOString();
    const event = { type: 'presence', agentId, status: next } as const;
    deps.hub.publish(`agent:${agentId}`, event);
    deps.hub.publish('queue', event);
    deps.hub.publish('supervisor', { type: 'supervisor', change: 'presence', agentId, status: next });
    for (const listener of listeners) {
      try {
        listener(agentId, next, previous);
      } catch (err) {
        deps.onListenerError?.(err);
      }
    }
  }

  function startGrace(agentId: string, p: AgentPresence): void {
    if (p.grace !== undefined) return;
    p.grace = timers.setTimeout(() => {
      p.grace = undefined;
      if (p.connections === 0) p.restored = false;
      update(agentId, p);
    }, graceMs);
  }

  function stopGrace(p: AgentPresence): void {
    if (p.grace === undefined) return;
    timers.clearTimeout(p.grace);
    p.grace = undefined;
  }

  return {
    connected(agentId) {
      const p = entry(agentId);
      p.connections += 1;
      stopGrace(p);
      p.restored = false;
      update(agentId, p);
    },

    disconnected(agentId) {
      const p = agents.get(agentId);
      if (!p || p.connections === 0) return;
      p.connections -= 1;
      if (p.connections === 0) startGrace(agentId, p);
      update(agentId, p);
    },

    setStatus(agentId, status) {
      const p = entry(agentId);
      p.chosen = status;
      p.restored = false;
      // Chosen over HTTP before (or without) a live connection: it holds for one grace period.
      if (p.connections === 0 && status !== 'offline') startGrace(agentId, p);
      if (status === 'offline') stopGrace(p);
      update(agentId, p);
    },

    status(agentId) {
      return agents.get(agentId)?.effective ?? 'offline';
    },

    expectReconnect(agentId) {
      const p = entry(agentId);
      if (p.connections > 0 || p.effective !== 'offline') return;
      p.restored = true;
      startGrace(agentId, p);
      update(agentId, p);
    },

    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    onlineAgents() {
      return [...agents].filter(([, p]) => p.effective === 'online').map(([id]) => id);
    },

    presentAgents() {
      return [...agents].filter(([, p]) => p.effective !== 'offline' && p.effective !== 'invisible').map(([id]) => id);
    },

    statusSince(agentId) {
      return agents.get(agentId)?.since;
    },

    close() {
      for (const p of agents.values()) stopGrace(p);
      listeners.clear();
    },
  };
}
