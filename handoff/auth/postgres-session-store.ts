// The SessionStore on PostgreSQL: sessions live in the shared database, so a cookie set by one node signs in on
// every node; each decision is one conditional statement, as on SQLite, so concurrent requests agree.
import type { PgDb } from '../postgres/pg-db.ts';
import { endedBefore, sessionExpiryOf, sessionOfRow, type SessionRow } from './session-rows.ts';
import { looksLikeSessionSecret, newSessionSecret, sessionIdOf, sessionStoreOptions, type EndedSession, type SessionEndReason, type SessionStore, type SessionStoreOptions } from './session-store.ts';

export function createPostgresSessionStore(db: PgDb, options: Partial<SessionStoreOptions> = {}): SessionStore {
  const opts = sessionStoreOptions(options);
  const { idleTimeoutMs, absoluteTimeoutMs, touchIntervalMs, clock } = opts;

  const select = (id: string) => db.one<SessionRow>('SELECT * FROM sessions WHERE id = $1', [id]);

  const expiryOf = (row: SessionRow, now: number) => sessionExpiryOf(row, now, idleTimeoutMs);
  const toSession = (row: SessionRow) => sessionOfRow(row, idleTimeoutMs);

  async function endNow(id: string, reason: SessionEndReason): Promise<EndedSession | undefined> {
    const row = await db.one<{ id: string; agent_id: string }>(
      'UPDATE sessions SET ended_at = $2, end_reason = $3 WHERE id = $1 AND ended_at IS NULL RETURNING id, agent_id',
      [id, clock().toISOString(), reason],
    );
    return row ? { id: row.id, agentId: row.agent_id, reason } : undefined;
  }

  return {
    options: opts,

    async create({ agentId, passwordHash }) {
      const secret = newSessionSecret();
      const now = clock();
      const iso = now.toISOString();
      // The agent must still be enabled and still have the hash the caller verified (see SessionStore.create).
      // FOR SHARE waits for a disable or password change in flight and then re-reads the row, as SQLite's write
      // lock would have ordered them: a login never slips in beside a disable that another node is committing.
      const row = await db.one<SessionRow>(
        `INSERT INTO sessions (id, agent_id, created_at, last_seen_at, expires_at)
         SELECT $1, id, $2, $2, $3 FROM agents
         WHERE id = $4 AND disabled = 0 AND password_hash = $5
         FOR SHARE
         RETURNING *`,
        [sessionIdOf(secret), iso, new Date(now.getTime() + absoluteTimeoutMs).toISOString(), agentId, passwordHash],
      );
      if (!row) return { kind: 'refused' };
      return { kind: 'created', session: toSession(row), secret };
    },

    async resolve(secret) {
      if (!looksLikeSessionSecret(secret)) return { kind: 'unknown' };
      const id = sessionIdOf(secret);
      const row = await select(id);
      if (!row) return { kind: 'unknown' };
      const before = endedBefore(row);
      if (before) return { kind: 'ended', ended: before, endedNow: false };
      const now = clock();
      const expired = expiryOf(row, now.getTime());
      if (expired) {
        // Whoever ends it first (this request, another node's, or the sweeper) decides the reason and announces it.
        const ended = await endNow(id, expired);
        return { kind: 'ended', ended: ended ?? { id, agentId: row.agent_id, reason: expired }, endedNow: ended !== undefined };
      }
      if (now.getTime() - Date.parse(row.last_seen_at) >= touchIntervalMs) {
        const iso = now.toISOString();
        const touched = await db.run(
          'UPDATE sessions SET last_seen_at = $2 WHERE id = $1 AND ended_at IS NULL AND last_seen_at < $2',
          [id, iso],
        );
        if (touched === 1) row.last_seen_at = iso;
      }
      return { kind: 'active', session: toSession(row) };
    },

    async get(id) {
      const row = await select(id);
      if (!row || row.ended_at !== null || expiryOf(row, clock().getTime())) return undefined;
      return toSession(row);
    },

    async end(id, reason) {
      return endNow(id, reason);
    },

    async endAllOf(agentId, reason, { except } = {}) {
      const rows = await db.query<{ id: string; agent_id: string }>(
        `UPDATE sessions SET ended_at = $3, end_reason = $4
         WHERE agent_id = $1 AND ended_at IS NULL AND ($2::text IS NULL OR id <> $2)
         RETURNING id, agent_id`,
        [agentId, except ?? null, clock().toISOString(), reason],
      );
      return rows.map((r) => ({ id: r.id, agentId: r.agent_id, reason }));
    },

    async listActive(agentId) {
      const now = clock().getTime();
      const rows = await db.query<SessionRow>(
        'SELECT * FROM sessions WHERE agent_id = $1 AND ended_at IS NULL ORDER BY created_at DESC, id COLLATE "C"',
        [agentId],
      );
      return rows.filter((row) => !expiryOf(row, now)).map(toSession);
    },

    async sweep() {
      const now = clock();
      const iso = now.toISOString();
      const idleCutoff = new Date(now.getTime() - idleTimeoutMs).toISOString();
      // Two nodes sweeping at once each remove (and return) a row at most once: DELETE waits on the other's lock.
      return db.transaction(async () => {
        await db.run("UPDATE sessions SET ended_at = $1, end_reason = 'expired' WHERE ended_at IS NULL AND expires_at <= $1", [iso]);
        await db.run("UPDATE sessions SET ended_at = $1, end_reason = 'idle' WHERE ended_at IS NULL AND last_seen_at <= $2", [iso, idleCutoff]);
        const removed = await db.query<{ id: string; agent_id: string; end_reason: SessionEndReason }>(
          'DELETE FROM sessions WHERE ended_at IS NOT NULL RETURNING id, agent_id, end_reason',
        );
        return removed.map((r) => ({ id: r.id, agentId: r.agent_id, reason: r.end_reason }));
      });
    },
  };
}
