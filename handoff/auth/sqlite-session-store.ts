// The SessionStore on better-sqlite3: one conditional statement per decision, so concurrent requests agree.
import type { Db } from '../sqlite/db.ts';
import { gated } from '../sqlite/unit-of-work.ts';
import {
  defaultSessionStoreOptions,
  looksLikeSessionSecret,
  newSessionSecret,
  sessionIdOf,
  type EndedSession,
  type Session,
  type SessionEndReason,
  type SessionStore,
  type SessionStoreOptions,
} from './session-store.ts';

interface SessionRow {
  id: string;
  agent_id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ended_at: string | null;
  end_reason: SessionEndReason | null;
}

export function createSqliteSessionStore(db: Db, options: Partial<SessionStoreOptions> = {}): SessionStore {
  const opts: SessionStoreOptions = { ...defaultSessionStoreOptions, ...options };
  const { idleTimeoutMs, absoluteTimeoutMs, touchIntervalMs, clock } = opts;
  if (!(touchIntervalMs < idleTimeoutMs)) {
    throw new RangeError(`handoff/sessions: touchIntervalMs (${touchIntervalMs}) must be below idleTimeoutMs (${idleTimeoutMs})`);
  }

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

  /** Why a still-open row is no longer valid at `now`, if it is not. */
  function expiryOf(row: SessionRow, now: number): SessionEndReason | undefined {
    if (now >= Date.parse(row.expires_at)) return 'expired';
    if (now >= Date.parse(row.last_seen_at) + idleTimeoutMs) return 'idle';
    return undefined;
  }

  function toSession(row: SessionRow): Session {
    const idleExpires = Math.min(Date.parse(row.last_seen_at) + idleTimeoutMs, Date.parse(row.expires_at));
    return {
      id: row.id,
      agentId: row.agent_id,
      createdAt: row.created_at,
      lastSeenAt: row.last_seen_at,
      expiresAt: row.expires_at,
      idleExpiresAt: new Date(idleExpires).toISOString(),
    };
  }

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
      if (row.ended_at !== null) {
        return { kind: 'ended', ended: { id, agentId: row.agent_id, reason: row.end_reason ?? 'logout' }, endedNow: false };
      }
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
