// Who gets the next chat: the agent with the fewest active chats under capacity; ties go round-robin.

export interface AgentLoad {
  agentId: string;
  /** Chats the agent holds now. */
  active: number;
  /** Most chats the agent holds at once. */
  capacity: number;
  /** ISO time of the agent's latest assignment; undefined for one never assigned (first in line). */
  lastAssignedAt?: string | undefined;
}

/**
 * The least loaded agent with a free slot; among equals the one assigned least recently, so ties
 * rotate through the group (round-robin that survives restarts and agents joining or leaving).
 * Agent id settles a tie on both, making the choice deterministic. Undefined when everyone is full.
 */
export function pickAgent(loads: readonly AgentLoad[]): AgentLoad | undefined {
  let best: AgentLoad | undefined;
  for (const load of loads) {
    if (load.active >= load.capacity) continue;
    if (!best || before(load, best)) best = load;
  }
  return best;
}

function before(a: AgentLoad, b: AgentLoad): boolean {
  if (a.active !== b.active) return a.active < b.active;
  const at = a.lastAssignedAt ?? '';
  const bt = b.lastAssignedAt ?? '';
  if (at !== bt) return at < bt;
  return a.agentId < b.agentId;
}
