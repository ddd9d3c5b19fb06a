// What the auth and admin code needs from storage about agents. SQLite today (sqlite-agent-store.ts);
// a PostgreSQL adapter implements the same interface later, hence every method is async.
import type { Agent, AgentRole } from './agent.ts';
import { systemClock, type Clock } from '../platform/clock.ts';

/** An agent as admins see it: the Agent plus bookkeeping times. Never password material. */
export interface AgentRecord extends Agent {
  createdAt: string;
  updatedAt: string;
  passwordChangedAt: string;
}

/** What login and password checks read: the record and its argon2id hash, which never leaves the server. */
export interface AgentCredentials {
  agent: AgentRecord;
  passwordHash: string;
}

export interface NewAgent {
  /** Normalized by the store (see normalizeUsername). */
  username: string;
  displayName: string;
  role: AgentRole;
  groups: string[];
  capacity: number;
  passwordHash: string;
}

/** Absent fields stay as they are; a new `passwordHash` also sets passwordChangedAt. */
export interface AgentPatch {
  displayName?: string;
  role?: AgentRole;
  groups?: string[];
  capacity?: number;
  disabled?: boolean;
  passwordHash?: string;
}

export type FirstAdminResult =
  | { kind: 'created'; agent: AgentRecord }
  /** An enabled admin already exists: nothing was written. */
  | { kind: 'admin_exists' }
  /** No admin, but the username belongs to an agent already: nothing was written. */
  | { kind: 'username_taken' };

export interface AgentStoreOptions {
  /** Source of timestamps (tests pin it). Default the system clock. */
  clock: Clock;
}

export const defaultAgentStoreOptions: AgentStoreOptions = { clock: systemClock };

export interface AgentStore {
  /** ConflictError when the username is taken (case-insensitively). */
  create(input: NewAgent): Promise<AgentRecord>;
  /**
   * Creates `input` (an admin) only while no enabled admin exists, atomically: two processes starting
   * at once on one database make one admin.
   */
  createFirstAdmin(input: NewAgent): Promise<FirstAdminResult>;
  /** NotFoundError when unknown. */
  get(id: string): Promise<AgentRecord>;
  /** Undefined when unknown (routing's AgentDirectory is `{ get: (id) => agents.find(id) }`). */
  find(id: string): Promise<AgentRecord | undefined>;
  /** Undefined when no agent has this username. */
  findByUsername(username: string): Promise<AgentRecord | undefined>;
  /** For login: undefined when no agent has this username. */
  credentials(username: string): Promise<AgentCredentials | undefined>;
  /** For a password check of a signed-in agent; NotFoundError when unknown. */
  credentialsById(id: string): Promise<AgentCredentials>;
  /** Every agent, by username. */
  list(): Promise<AgentRecord[]>;
  /**
   * NotFoundError when unknown; ConflictError when the change would leave no enabled admin (the check
   * and the write are one transaction).
   */
  update(id: string, patch: AgentPatch): Promise<AgentRecord>;
  /**
   * Replaces the hash with one of the same password under today's parameters, only if it is still
   * `currentHash` (a password change in between wins). Does not count as a password change.
   */
  rehash(id: string, currentHash: string, newHash: string): Promise<boolean>;
  hasEnabledAdmin(): Promise<boolean>;
}

/** Usernames compare as NFKC lower case, trimmed: "Alice", "ａｌｉｃｅ" and "alice " are one user. */
export function normalizeUsername(username: string): string {
  return username.normalize('NFKC').trim().toLowerCase();
}
