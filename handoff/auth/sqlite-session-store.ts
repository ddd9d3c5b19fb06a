// The SessionStore on better-sqlite3: one conditional statement per decision, so concurrent requests agree.
import type { Db } from '../sqlite/db.ts';
import { gated } from '../sqlite/unit-of-work.ts';
import { endedBefore, sessionExpiryOf, sessionOfRow, type SessionRow } from './session-rows.ts';
import { looksLikeSessionSecret, newSessionSecret, sessionIdOf, sessionStoreOptions, type EndedSession, type SessionEndReason, type SessionStore, type SessionStoreOptions } from './session-store.ts';

export function createSqliteSessionStore(db: Db, options: Partial<SessionStoreOptions> = {}): SessionStore {
  const opts = sessionStoreOptions(options);
  const { idleTimeoutMs, absoluteTimeoutMs, touchIntervalMs, clock } = opts;

  // The agent must still be enabled and still have the hash the caller verified (see SessionStore.create).
  const insert = db.prepare(`
    INSERT INTO sessions (id, agent_id, created_at, last_seen_at, expires_at)
    SELECT @id, id, @now, @now, @expiresAt FROM agents
    WHERE id = @agentId AND disabled = 0 AND password_hash = @passwordHash`);
  const select = db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id = ?');
  const touch = db.prepare(
    'UPDATE sessions SET last_seen_at = @now WHERE id = @id AND ended_at IS NULL AND last_seen_at < @now',
  );
  const endOne = db.prepare<{ id: string; now: string; reason: SessionEndReason }, { id: string; agent_id: string }>(
    'UPDATE sessions SET ended_at = @now, end_reason = @reason WHERE id = @id AND ended_at IS NULL RETURNING id, agent_id',
  );
  const endAllOfAgent = db.prepare<
    { agentId: string; except: string | null; now: string; reason: SessionEndReason },
    { id: string; agent_id: string }
  >(`
    UPDATE sessions SET ended_at = @now, end_reason = @reason
    WHERE agent_id = @agentId AND ended_at IS NULL AND (@except IS NULL OR id <> @except)
    RETURNING id, agent_id`);
  const selectActiveOf = db.prepare<[string], SessionRow>(
    'SELECT * FROM sessions WHERE agent_id = ? AND ended_at IS NULL ORDER BY created_at DESC, id',
  );
  const endExpired = db.prepare(`
    UPDATE sessions SET ended_at = @now, end_reason = 'expired' WHERE ended_at IS NULL AND expires_at <= @now`);
  const endIdle = db.prepare(`
    UPDATE sessions SET ended_at = @now, end_reason = 'idle' WHERE ended_at IS NULL AND last_seen_at <= @idleCutoff`);
  const removeEnded = db.prepare<[], { id: string; agent_id: string; end_reason: SessionEndReason }>(
    'DELETE FROM sessions WHERE ended_at IS NOT NULL RETURNING id, agent_id, end_reason',
  );

  const sweepTx = db.transaction((now: Date): EndedSession[] => {
    const iso = now.toISOString();
    endExpired.run({ now: iso });
    endIdle.run({ now: iso, idleCutoff: new Date(now.getTime() - idleTimeoutMs).toISOString() });
    return removeEnded.all().map((r) => ({ id: r.id, agentId: r.agent_id, reason: r.end_reason }));
  });

  const expiryOf = (row: SessionRow, now: number) => sessionExpiryOf(row, now, idleTimeoutMs);
  const toSession = (row: SessionRow) => sessionOfRow(row, idleTimeoutMs);

  function endNow(id: string, reason: SessionEndReason): EndedSession | undefined {
    const row = endOne.get({ id, now: clock().toISOString(), reason });
    return row ? { id: row.id, agentId: row.agent_id, reason } : undefined;
  }

  return gated(db, {
    options: opts,

    async create({ agentId, passwordHash }) {
      const secret = newSessionSecret();
      const now = clock();
      const { changes } = insert.run({
        id: sessionIdOf(secret),
        agentId,
        passwordHash,
        now: now.toISOString(),
        expiresAt: new Date(now.getTime() + absoluteTimeoutMs).toISOString(),
      });
      if (changes !== 1) return { kind: 'refused' };
      return { kind: 'created', session: toSession(select.get(sessionIdOf(secret))!), secret };
    },

    async resolve(secret) {
      if (!looksLikeSessionSecret(secret)) return { kind: 'unknown' };
      const id = sessionIdOf(secret);
      const row = select.get(id);
      if (!row) return { kind: 'unknown' };
      const before = endedBefore(row);
      if (before) return { kind: 'ended', ended: before, endedNow: false };
      const now = clock();
      const expired = expiryOf(row, now.getTime());
      if (expired) {
        // Whoever ends it first (this request or the sweeper) decides the reason and announces it.
        const ended = endNow(id, expired);
        return { kind: 'ended', ended: ended ?? { id, agentId: row.agent_id, reason: expired }, endedNow: ended !== undefined };
      }
      if (now.getTime() - Date.parse(row.last_seen_at) >= touchIntervalMs) {
        const iso = now.toISOString();
        if (touch.run({ id, now: iso }).changes === 1) row.last_seen_at = iso;
      }
      return { kind: 'active', session: toSession(row) };
    },

    async get(id) {
      const row = select.get(id);
      if (!row || row.ended_at !== null || expiryOf(row, clock().getTime())) return undefined;
      return toSession(row);
    },

    async end(id, reason) {
      return endNow(id, reason);
    },

    async endAllOf(agentId, reason, { except } = {}) {
      return endAllOfAgent
        .all({ agentId, except: except ?? null, now: clock().toISOString(), reason })
        .map((r) => ({ id: r.id, agentId: r.agent_id, reason }));
    },

    async listActive(agentId) {
      const now = clock().getTime();
      return selectActiveOf
        .all(agentId)
        .filter((row) => !expiryOf(row, now))
        .map(toSession);
    },

    async sweep() {
      return sweepTx.immediate(clock());
    },
  });
}
