// Who works the queue: agents and admins, as routes and routing see them (no password material).

export type AgentRole = 'agent' | 'admin';

/** Presence as agents and routing see it; `online` alone receives new chats. */
export type AgentStatus = 'online' | 'away' | 'busy' | 'offline';

export interface Agent {
  id: string;
  username: string;
  displayName: string;
  role: AgentRole;
  /** Skill groups (mobile, broadband, billing ...) whose chats this agent takes. */
  groups: string[];
  /** Most chats held at once. */
  capacity: number;
  disabled: boolean;
}

/** Just the Agent fields of a richer record (a stored agent, a view), for the request context and replies. */
export function toAgent(agent: Agent): Agent {
  const { id, username, displayName, role, groups, capacity, disabled } = agent;
  return { id, username, displayName, role, groups, capacity, disabled };
}
