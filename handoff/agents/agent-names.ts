// The names agents show visitors, looked up by id for every agent message a visitor reads (a chat may have two
// agents): kept a short while, so a busy chat's history and stream do not read the account row per message.
import type { Clock } from '../platform/clock.ts';
import { systemClock } from '../platform/clock.ts';

/** Undefined for an unknown id (an account since removed): the widget then shows "Agent". */
export type AgentNames = (agentId: string) => Promise<string | undefined>;

export interface AgentNamesOptions {
  /** How long a name is kept; a renamed agent shows the new name after this. Range 0-600000 ms; default 30000. */
  ttlMs: number;
  /** Names kept at most (the oldest go first). Range 10-100000; default 1000. */
  maxEntries: number;
}

export const defaultAgentNamesOptions: AgentNamesOptions = { ttlMs: 30_000, maxEntries: 1000 };

export function createAgentNames(
  agents: { find(id: string): Promise<{ displayName: string } | undefined> },
  { clock = systemClock, ...options }: Partial<AgentNamesOptions> & { clock?: Clock } = {},
): AgentNames {
  const opts: AgentNamesOptions = { ...defaultAgentNamesOptions, ...options };
  const kept = new Map<string, { name: Promise<string | undefined>; until: number }>();
  return (agentId) => {
    const now = clock().getTime();
    const hit = kept.get(agentId);
    if (hit && hit.until > now) return hit.name;
    const name = agents.find(agentId).then((a) => a?.displayName);
    // A failed read is not kept: the next message asks again.
    name.catch(() => {
      if (kept.get(agentId)?.name === name) kept.delete(agentId);
    });
    kept.delete(agentId);
    kept.set(agentId, { name, until: now + opts.ttlMs });
    if (kept.size > opts.maxEntries) kept.delete(kept.keys().next().value!);
    return name;
  };
}
