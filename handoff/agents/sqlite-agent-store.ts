// The AgentStore on better-sqlite3: statements prepared once, every check-then-write in one transaction.
import { randomUUID } from 'node:crypto';
import type { AgentRole } from './agent.ts';
import {
  normalizeUsername,
  type AgentCredentials,
  type AgentPatch,
  type AgentRecord,
  type AgentStore,
  type FirstAdminResult,
  type NewAgent,
} from './agent-store.ts';
import { systemClock, type Clock } from '../platform/clock.ts';
import type { Db } from '../sqlite/db.ts';
import { gated } from '../sqlite/unit-of-work.ts';
import { ConflictError, NotFoundError } from '../platform/errors.ts';

export interface SqliteAgentStoreOptions {
  /** Source of timestamps (tests pin it). Default the system clock. */
  clock: Clock;
}

export const defaultSqliteAgentStoreOptions: SqliteAgentStoreOptions = { clock: systemClock };

interface AgentRow {
  id: string;
  username: string;
  display_name: string;
  role: AgentRole;
  groups: string;
  capacity: number;
  disabled: 0 | 1;
  password_hash: string;
  password_changed_at: string;
  created_at: string;
  updated_at: string;
}

export function createSqliteAgentStore(db: Db, options: Partial<SqliteAgentStoreOptions> = {}): AgentStore {
  const { clock } = { ...defaultSqliteAgentStoreOptions, ...options };

  const insert = db.prepare(`
    INSERT INTO agents (id, username, display_name, role, groups, capacity, disabled, password_hash,
                        password_changed_at, created_at, updated_at)
    VALUES (@id, @username, @displayName, @role, @groups, @capacity, 0, @passwordHash, @now, @now, @now)`);
  const selectById = db.prepare<[string], AgentRow>('SELECT * FROM agents WHERE id = ?');
  const selectByUsername = db.prepare<[string], AgentRow>('SELECT * FROM agents WHERE username = ?');
  const selectAll = db.prepare<[], AgentRow>('SELECT * FROM agents ORDER BY username');
  const countEnabledAdmins = db.prepare<[], { n: number }>(
    "SELECT count(*) AS n FROM agents WHERE role = 'admin' AND disabled = 0",
  );
  // NULL parameters leave a column as it is.
  const update = db.prepare(`
    UPDATE agents SET
      display_name        = coalesce(@displayName, display_name),
      role                = coalesce(@role, role),
      groups              = coalesce(@groups, groups),
      capacity            = coalesce(@capacity, capacity),
      disabled            = coalesce(@disabled, disabled),
      password_hash       = coalesce(@passwordHash, password_hash),
      password_changed_at = CASE WHEN @passwordHash IS NULL THEN password_changed_at ELSE @now END,
      updated_at          = @now
    WHERE id = @id`);
  const rehash = db.prepare(
    'UPDATE agents SET password_hash = @newHash WHERE id = @id AND password_hash = @currentHash',
  );

  function rowOrThrow(id: string): AgentRow {
    const row = selectById.get(id);
    if (!row) throw new NotFoundError(`handoff: no agent ${JSON.stringify(id)}`);
    return row;
  }

  function insertAgent(input: NewAgent): AgentRecord {
    const username = normalizeUsername(input.username);
    if (selectByUsername.get(username)) {
      throw new ConflictError(`handoff: the username ${JSON.stringify(username)} is taken`);
    }
    const id = randomUUID();
    insert.run({
      id,
      username,
      displayName: input.displayName,
      role: input.role,
      groups: JSON.stringify(input.groups),
      capacity: input.capacity,
      passwordHash: input.passwordHash,
      now: clock().toISOString(),
    });
    return toRecord(rowOrThrow(id));
  }

  const createTx = db.transaction(insertAgent);

  const createFirstAdminTx = db.transaction((input: NewAgent): FirstAdminResult => {
    if ((countEnabledAdmins.get()?.n ?? 0) > 0) return { kind: 'admin_exists' };
    if (selectByUsername.get(normalizeUsername(input.username))) return { kind: 'username_taken' };
    return { kind: 'created', agent: insertAgent({ ...input, role: 'admin' }) };
  });

  const updateTx = db.transaction((id: string, patch: AgentPatch): AgentRecord => {
    const before = rowOrThrow(id);
    update.run({
      id,
      displayName: patch.displayName ?? null,
      role: patch.role ?? null,
      groups: patch.groups ? JSON.stringify(patch.groups) : null,
      capacity: patch.capacity ?? null,
      disabled: patch.disabled === undefined ? null : patch.disabled ? 1 : 0,
      passwordHash: patch.passwordHash ?? null,
      now: clock().toISOString(),
    });
    const wasActiveAdmin = before.role === 'admin' && before.disabled === 0;
    // Throwing rolls the update back: the last admin cannot lock everyone out of the admin API.
    if (wasActiveAdmin && (countEnabledAdmins.get()?.n ?? 0) === 0) {
      throw new ConflictError('handoff: this is the last enabled admin; make another admin first');
    }
    return toRecord(rowOrThrow(id));
  });

  return gated(db, {
    async create(input) {
      return createTx.immediate(input);
    },
    async createFirstAdmin(input) {
      // IMMEDIATE: the write lock is held from the check to the insert.
      return createFirstAdminTx.immediate(input);
    },
    async get(id) {
      return toRecord(rowOrThrow(id));
    },
    async find(id) {
      const row = selectById.get(id);
      return row ? toRecord(row) : undefined;
    },
    async findByUsername(username) {
      const row = selectByUsername.get(normalizeUsername(username));
      return row ? toRecord(row) : undefined;
    },
    async credentials(username) {
      const row = selectByUsername.get(normalizeUsername(username));
      return row ? toCredentials(row) : undefined;
    },
    async credentialsById(id) {
      return toCredentials(rowOrThrow(id));
    },
    async list() {
      return selectAll.all().map(toRecord);
    },
    async update(id, patch) {
      return updateTx.immediate(id, patch);
    },
    async rehash(id, currentHash, newHash) {
      return rehash.run({ id, currentHash, newHash }).changes === 1;
    },
    async hasEnabledAdmin() {
      return (countEnabledAdmins.get()?.n ?? 0) > 0;
    },
  });
}

function toRecord(row: AgentRow): AgentRecord {
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

function toCredentials(row: AgentRow): AgentCredentials {
  return { agent: toRecord(row), passwordHash: row.password_hash };
}
