// The AgentStore on PostgreSQL: what SQLite's single writer decided (a free username, the first admin, the last
// admin) is decided here under one advisory lock that every agent write takes, so several nodes agree.
import { randomUUID } from 'node:crypto';
import { toAgentCredentials, toAgentRecord, type AgentRow } from './agent-rows.ts';
import { defaultAgentStoreOptions, normalizeUsername, type AgentRecord, type AgentStore, type AgentStoreOptions, type FirstAdminResult, type NewAgent } from './agent-store.ts';
import { ConflictError, NotFoundError } from '../platform/errors.ts';
import type { PgDb } from '../postgres/pg-db.ts';

/**
 * Held (until commit) by every write to agents. Row locks cannot guard a check about rows that do not exist yet
 * ("no admin", "no such username"), and two demotions of two different admins lock different rows; one lock
 * for the whole table can, and agent writes are rare (admin actions, the first start).
 */
const AGENTS_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('handoff/agents', 0))";

/** PostgreSQL's unique_violation: a writer that skipped the lock still cannot take a username twice. */
const UNIQUE_VIOLATION = '23505';

export function createPostgresAgentStore(db: PgDb, options: Partial<AgentStoreOptions> = {}): AgentStore {
  const { clock } = { ...defaultAgentStoreOptions, ...options };

  const selectById = (id: string) => db.one<AgentRow>('SELECT * FROM agents WHERE id = $1', [id]);
  const selectByUsername = (username: string) => db.one<AgentRow>('SELECT * FROM agents WHERE username = $1', [username]);
  const countEnabledAdmins = async () =>
    (await db.one<{ n: number }>("SELECT count(*) AS n FROM agents WHERE role = 'admin' AND disabled = 0"))?.n ?? 0;

  async function rowOrThrow(id: string): Promise<AgentRow> {
    const row = await selectById(id);
    if (!row) throw new NotFoundError(`handoff: no agent ${JSON.stringify(id)}`);
    return row;
  }

  /** Inside a transaction holding AGENTS_LOCK. */
  async function insertAgent(input: NewAgent): Promise<AgentRecord> {
    const username = normalizeUsername(input.username);
    const taken = () => new ConflictError(`handoff: the username ${JSON.stringify(username)} is taken`);
    if (await selectByUsername(username)) throw taken();
    const now = clock().toISOString();
    try {
      const row = await db.one<AgentRow>(
        `INSERT INTO agents (id, username, display_name, role, groups, capacity, disabled, password_hash,
                             password_changed_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $8, $8) RETURNING *`,
        [randomUUID(), username, input.displayName, input.role, JSON.stringify(input.groups), input.capacity, input.passwordHash, now],
      );
      return toAgentRecord(row!);
    } catch (err) {
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw taken();
      throw err;
    }
  }

  return {
    async create(input) {
      return db.transaction(async () => {
        await db.query(AGENTS_LOCK);
        return insertAgent(input);
      });
    },

    async createFirstAdmin(input): Promise<FirstAdminResult> {
      // The lock is held from the check to the insert: nodes starting at once make one admin.
      return db.transaction(async () => {
        await db.query(AGENTS_LOCK);
        if ((await countEnabledAdmins()) > 0) return { kind: 'admin_exists' };
        if (await selectByUsername(normalizeUsername(input.username))) return { kind: 'username_taken' };
        return { kind: 'created', agent: await insertAgent({ ...input, role: 'admin' }) };
      });
    },

    async get(id) {
      return toAgentRecord(await rowOrThrow(id));
    },
    async find(id) {
      const row = await selectById(id);
      return row ? toAgentRecord(row) : undefined;
    },
    async findByUsername(username) {
      const row = await selectByUsername(normalizeUsername(username));
      return row ? toAgentRecord(row) : undefined;
    },
    async credentials(username) {
      const row = await selectByUsername(normalizeUsername(username));
      return row ? toAgentCredentials(row) : undefined;
    },
    async credentialsById(id) {
      return toAgentCredentials(await rowOrThrow(id));
    },
    async list() {
      // COLLATE "C": byte order, as SQLite sorts; a database locale must not reorder the list.
      return (await db.query<AgentRow>('SELECT * FROM agents ORDER BY username COLLATE "C"')).map(toAgentRecord);
    },

    async update(id, patch) {
      return db.transaction(async () => {
        await db.query(AGENTS_LOCK);
        const before = await rowOrThrow(id);
        // Checked before writing (SQLite writes, counts and rolls back): a caller inside a unit of work that
        // catches the ConflictError must not find the change half made in its transaction.
        const wasActiveAdmin = before.role === 'admin' && before.disabled === 0;
        const staysActiveAdmin = (patch.role ?? before.role) === 'admin' && !(patch.disabled ?? before.disabled === 1);
        if (wasActiveAdmin && !staysActiveAdmin && (await countEnabledAdmins()) <= 1) {
          throw new ConflictError('handoff: this is the last enabled admin; make another admin first');
        }
        // NULL parameters leave a column as it is.
        const row = await db.one<AgentRow>(
          `UPDATE agents SET
             display_name        = coalesce($2, display_name),
             role                = coalesce($3, role),
             groups              = coalesce($4, groups),
             capacity            = coalesce($5::integer, capacity),
             disabled            = coalesce($6::integer, disabled),
             password_hash       = coalesce($7, password_hash),
             password_changed_at = CASE WHEN $7::text IS NULL THEN password_changed_at ELSE $8 END,
             updated_at          = $8
           WHERE id = $1 RETURNING *`,
          [
            id,
            patch.displayName ?? null,
            patch.role ?? null,
            patch.groups ? JSON.stringify(patch.groups) : null,
            patch.capacity ?? null,
            patch.disabled === undefined ? null : patch.disabled ? 1 : 0,
            patch.passwordHash ?? null,
            clock().toISOString(),
          ],
        );
        return toAgentRecord(row!);
      });
    },

    async rehash(id, currentHash, newHash) {
      return (await db.run('UPDATE agents SET password_hash = $3 WHERE id = $1 AND password_hash = $2', [id, currentHash, newHash])) === 1;
    },

    async hasEnabledAdmin() {
      return (await countEnabledAdmins()) > 0;
    },
  };
}
