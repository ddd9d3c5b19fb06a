// The supervisors' monitor: every agent's presence and load, the queue, and the chats people hold, right now.
import type { Lang } from '../../knowledge/types.ts';
import type { Agent, AgentRole, AgentStatus } from '../agents/agent.ts';
import { type Clock, systemClock } from '../platform/clock.ts';
import type { PresenceService } from '../routing/presence-service.ts';
import type { RoutingStore } from '../routing/routing-store.ts';

export interface MonitorOptions {
  /** Preview of a chat's latest visitor message, in characters (after masking). Range 20-500; default 80. */
  previewChars: number;
}

export const defaultMonitorOptions: MonitorOptions = { previewChars: 80 };

export interface MonitorAgent {
  id: string;
  displayName: string;
  role: AgentRole;
  status: AgentStatus;
  /** When the status last changed (ISO); absent when the agent was not seen since the server started. */
  statusSince?: string;
  /** Chats held now. */
  load: number;
  capacity: number;
  groups: string[];
}

export interface MonitorQueueGroup {
  waiting: number;
  longestWaitSeconds: number;
}

export interface MonitorChat {
  id: string;
  agentId: string;
  lang: Lang;
  group?: string;
  startedAt: string;
  assignedAt: string;
  /** The last activity (a message either way, a take, a transfer). */
  lastMessageAt: string;
  /** The visitor's latest message, personal data masked, shortened. */
  preview?: string;
}

export interface MonitorSnapshot {
  agents: MonitorAgent[];
  queue: { waiting: number; longestWaitSeconds: number; byGroup: Record<string, MonitorQueueGroup> };
  active: MonitorChat[];
}

export interface MonitorDeps {
  store: Pick<RoutingStore, 'queue' | 'activeCounts' | 'agentsHoldingChats' | 'heldBy' | 'get'>;
  agents: { list(): Promise<Agent[]> };
  presence: Pick<PresenceService, 'status' | 'statusSince'>;
  /** Masks phone and ID numbers and the like (the bot's masking, passed in: handoff does not import the bot). */
  maskText: (text: string) => string;
  clock?: Clock;
  options?: Partial<MonitorOptions>;
}

export interface Monitor {
  snapshot(): Promise<MonitorSnapshot>;
}

/** Queued chats with no group are counted under this key of `byGroup`. */
export const NO_GROUP = 'none';

export function createMonitor(deps: MonitorDeps): Monitor {
  const { store, agents, presence, maskText } = deps;
  const clock = deps.clock ?? systemClock;
  const opts: MonitorOptions = { ...defaultMonitorOptions, ...deps.options };

  const preview = (text: string | undefined) => (text === undefined ? undefined : shorten(maskText(text), opts.previewChars));

  async function activeChats(): Promise<MonitorChat[]> {
    const chats: MonitorChat[] = [];
    for (const agentId of await store.agentsHoldingChats()) {
      for (const held of await store.heldBy(agentId)) {
        // The start of the conversation is not part of the held list; one keyed read per chat (few chats per agent).
        const row = await store.get(held.id).catch(() => undefined);
        if (!row) continue;
        const chat: MonitorChat = {
          id: held.id,
          agentId,
          lang: held.lang,
          startedAt: row.createdAt,
          assignedAt: held.assignedAt,
          lastMessageAt: held.updatedAt,
        };
        if (held.groupId !== undefined) chat.group = held.groupId;
        const p = preview(held.preview);
        if (p !== undefined) chat.preview = p;
        chats.push(chat);
      }
    }
    return chats.sort((a, b) => a.assignedAt.localeCompare(b.assignedAt));
  }

  return {
    async snapshot() {
      const now = clock().getTime();
      const [list, counts, queued, active] = await Promise.all([agents.list(), store.activeCounts(), store.queue(), activeChats()]);
      const waitOf = (queuedAt: string) => Math.max(0, Math.round((now - Date.parse(queuedAt)) / 1000));

      const byGroup: Record<string, MonitorQueueGroup> = {};
      let longestWaitSeconds = 0;
      for (const entry of queued) {
        const wait = waitOf(entry.queuedAt);
        const group = (byGroup[entry.groupId ?? NO_GROUP] ??= { waiting: 0, longestWaitSeconds: 0 });
        group.waiting += 1;
        group.longestWaitSeconds = Math.max(group.longestWaitSeconds, wait);
        longestWaitSeconds = Math.max(longestWaitSeconds, wait);
      }

      const monitorAgents = list
        .filter((a) => !a.disabled)
        .map((a): MonitorAgent => {
          const since = presence.statusSince(a.id);
          return {
            id: a.id,
            displayName: a.displayName,
            role: a.role,
            status: presence.status(a.id),
            ...(since !== undefined ? { statusSince: since } : {}),
            load: counts.get(a.id) ?? 0,
            capacity: a.capacity,
            groups: a.groups,
          };
        })
        // Who is working first, then by name: the supervisor looks at the present agents.
        .sort((a, b) => Number(a.status === 'offline') - Number(b.status === 'offline') || a.displayName.localeCompare(b.displayName));

      return { agents: monitorAgents, queue: { waiting: queued.length, longestWaitSeconds, byGroup }, active };
    },
  };
}

function shorten(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
