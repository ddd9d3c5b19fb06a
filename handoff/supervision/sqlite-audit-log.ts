// The audit log in SQLite (migration 011): one row per change, newest first, secrets scrubbed before writing.
import type { Db } from '../sqlite/db.ts';
import { gated } from '../sqlite/unit-of-work.ts';
import { defaultSqliteAuditLogOptions, FORBIDDEN_KEY, type AuditActor, type AuditDetails, type AuditEntry, type AuditLog, type AuditTarget, type SqliteAuditLogOptions } from './audit-log.ts';

interface Row {
  id: number;
  at: string;
  actor_id: string | null;
  actor_name: string;
  action: string;
  target_type: string;
  target_id: string | null;
  details: string;
}

export function createSqliteAuditLog(db: Db, options: Partial<SqliteAuditLogOptions> = {}): AuditLog {
  const { clock, defaultLimit, maxLimit } = { ...defaultSqliteAuditLogOptions, ...options };
  const insert = db.prepare<[string, string | null, string, string, string, string | null, string]>(
    `INSERT INTO audit_log (at, actor_id, actor_name, action, target_type, target_id, details)
     VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
  );
  // NULL parameters filter nothing; the id cursor keeps pages stable while new rows arrive.
  const select = db.prepare<Record<string, string | number | null>, Row>(`
    SELECT * FROM audit_log
    WHERE (@from IS NULL OR at >= @from)
      AND (@to IS NULL OR at <= @to)
      AND (@actorId IS NULL OR actor_id = @actorId)
      AND (@action IS NULL OR action = @action)
      AND (@before IS NULL OR id < @before)
    ORDER BY id DESC
    LIMIT @limit`);

  function record(actor: AuditActor, action: string, target: AuditTarget, details: AuditDetails = {}): AuditEntry {
    const row = insert.get(
      clock().toISOString(),
      actor.id,
      actor.displayName,
      action,
      target.type,
      target.id ?? null,
      JSON.stringify(scrub(details)),
    ) as Row;
    return toEntry(row);
  }

  return gated(db, {
    async record(actor, action, target, details) {
      return record(actor, action, target, details);
    },
    async list(query = {}) {
      const limit = Math.min(Math.max(1, Math.trunc(query.limit ?? defaultLimit)), maxLimit);
      return select
        .all({
          from: query.from ?? null,
          to: query.to ?? null,
          actorId: query.actorId ?? null,
          action: query.action ?? null,
          before: query.before ?? null,
          limit,
        })
        .map(toEntry);
    },
  });

}

/** A copy without forbidden keys, at any depth. */
function scrub(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrub);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (!FORBIDDEN_KEY.test(key) && inner !== undefined) out[key] = scrub(inner);
  }
  return out;
}

function toEntry(row: Row): AuditEntry {
  let details: AuditDetails = {};
  try {
    const parsed: unknown = JSON.parse(row.details);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) details = parsed as AuditDetails;
  } catch {
    // The column's CHECK keeps it valid JSON; a hand-edited row reads as no details.
  }
  return {
    id: row.id,
    at: row.at,
    actor: { id: row.actor_id, displayName: row.actor_name },
    action: row.action,
    target: { type: row.target_type, id: row.target_id },
    details,
  };
}
