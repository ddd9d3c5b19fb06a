// The AgentStore on better-sqlite3: statements prepared once, every check-then-write in one transaction.
import { randomUUID } from 'node:crypto';
import { toAgentCredentials, toAgentRecord, type AgentRow } from './agent-rows.ts';
import { defaultAgentStoreOptions, normalizeUsername, type AgentPatch, type AgentRecord, type AgentStore, type AgentStoreOptions, type FirstAdminResult, type NewAgent } from './agent-store.ts';
import type { Db } from '../sqlite/db.ts';
import { gated } from '../sqlite/unit-of-work.ts';
import { ConflictError, NotFoundError } from '../platform/errors.ts';

export function createSqliteAgentStore(db: Db, options: Partial<AgentStoreOptions> = {}): AgentStore {
  const { clock } = { ...defaultAgentStoreOptions, ...options };

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
    return toAgentRecord(rowOrThrow(id));
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
    return toAgentRecord(rowOrThrow(id));
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
      return toAgentRecord(rowOrThrow(id));
    },
    async find(id) {
      const row = selectById.get(id);
      return row ? toAgentRecord(row) : undefined;
    },
    async findByUsername(username) {
      const row = selectByUsername.get(normalizeUsername(username));
      return row ? toAgentRecord(row) : undefined;
    },
    async credentials(username) {
      const row = selectByUsername.get(normalizeUsername(username));
      return row ? toAgentCredentials(row) : undefined;
    },
    async credentialsById(id) {
      return toAgentCredentials(rowOrThrow(id));
    },
    async list() {
      return selectAll.all().map(toAgentRecord);
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
