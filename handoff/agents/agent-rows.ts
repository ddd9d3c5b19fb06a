// An agents row as both engines read it (SQLite and PostgreSQL store the same columns), and the records made of it.
import type { AgentRole } from './agent.ts';
import type { AgentCredentials, AgentRecord } from './agent-store.ts';

export interface AgentRow {
  id: string;
  username: string;
  display_name: string;
  role: AgentRole;
  /** JSON array of group ids. */
  groups: string;
  capacity: number;
  disabled: 0 | 1;
  password_hash: string;
  password_changed_at: string;
  created_at: string;
  updated_at: string;
}

export function toAgentRecord(row: AgentRow): AgentRecord {
  const groups: unknown = JSON.parse(row.groups);
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
    capacity: row.capacity,
    disabled: row.disabled === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    passwordChangedAt: row.password_changed_at,
  };
}

export function toAgentCredentials(row: AgentRow): AgentCredentials {
  return { agent: toAgentRecord(row), passwordHash: row.password_hash };
}
