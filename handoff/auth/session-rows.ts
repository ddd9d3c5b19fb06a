// A sessions row as both engines read it, and what it means at a given time (its expiry, the Session it shows).
import type { EndedSession, Session, SessionEndReason } from './session-store.ts';

export interface SessionRow {
  id: string;
  agent_id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ended_at: string | null;
  end_reason: SessionEndReason | null;
}

/** How a row that has ended ended, as a lookup reports it; undefined while it is open. */
export function endedBefore(row: SessionRow): EndedSession | undefined {
  return row.ended_at === null ? undefined : { id: row.id, agentId: row.agent_id, reason: row.end_reason ?? 'logout' };
}

/** Why a still-open row is no longer valid at `now` (ms), if it is not. */
export function sessionExpiryOf(row: SessionRow, now: number, idleTimeoutMs: number): SessionEndReason | undefined {
  if (now >= Date.parse(row.expires_at)) return 'expired';
  if (now >= Date.parse(row.last_seen_at) + idleTimeoutMs) return 'idle';
  return undefined;
}

export function sessionOfRow(row: SessionRow, idleTimeoutMs: number): Session {
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
