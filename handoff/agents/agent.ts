// Who signs in to the console: agents, editors and admins, as routes and routing see them (no password material).

/**
 * - `agent`: works chats (queue, transcripts, canned replies).
 * - `editor`: content only (the unanswered inbox, FAQ drafts); sees no chats or visitors, is never routed chats.
 * - `admin`: everything, including accounts, reports and privacy.
 */
export type AgentRole = 'agent' | 'editor' | 'admin';

export const AGENT_ROLES: readonly AgentRole[] = ['agent', 'editor', 'admin'];

/**
 * What a route asks of the signed-in account (the authorization table's levels): `signed-in` any role (own
 * account: who am I, own password), `agent` chat work (agents and admins), `content` content work (editors
 * and admins), `admin` admins only.
 */
export type AgentAccess = 'signed-in' | 'agent' | 'content' | 'admin';

export const ROLES_WITH_ACCESS: Readonly<Record<AgentAccess, readonly AgentRole[]>> = {
  'signed-in': AGENT_ROLES,
  agent: ['agent', 'admin'],
  content: ['editor', 'admin'],
  admin: ['admin'],
};

/** Whether `role` passes `access` (a level, or an explicit set of roles). */
export function roleAllows(role: AgentRole, access: AgentAccess | readonly AgentRole[]): boolean {
  const roles = typeof access === 'string' ? ROLES_WITH_ACCESS[access] : access;
  return roles.includes(role);
}

/**
 * Presence as agents and routing see it; `online` alone receives new chats. `invisible` (隐身) works like away for
 * routing (no chat offered, may take from the queue) and shows as offline to colleagues and visitors; only the agent
 * themselves and the admins' monitor see it.
 */
export type AgentStatus = 'online' | 'away' | 'busy' | 'invisible' | 'offline';

/** What colleagues (and anything visitor-facing) are told of an agent's status: invisible reads as offline. */
export function publicStatus(status: AgentStatus): AgentStatus {
  return status === 'invisible' ? 'offline' : status;
}

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
