// The audit log on PostgreSQL: one row per change, newest first, secrets scrubbed before writing; inside a unit of
// work the row commits with its change (the unit's connection runs the insert).
import type { PgDb } from '../postgres/pg-db.ts';
import { defaultSqliteAuditLogOptions, FORBIDDEN_KEY, type AuditActor, type AuditDetails, type AuditEntry, type AuditLog, type AuditTarget, type SqliteAuditLogOptions } from './audit-log.ts';

/** The same options as SQLite's log (clock, page sizes). */
export type PostgresAuditLogOptions = SqliteAuditLogOptions;

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

export function createPostgresAuditLog(db: PgDb, options: Partial<PostgresAuditLogOptions> = {}): AuditLog {
  const { clock, defaultLimit, maxLimit } = { ...defaultSqliteAuditLogOptions, ...options };

  return {
    async record(actor: AuditActor, action: string, target: AuditTarget, details: AuditDetails = {}) {
      const row = await db.one<Row>(
        `INSERT INTO audit_log (at, actor_id, actor_name, action, target_type, target_id, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [clock().toISOString(), actor.id, actor.displayName, action, target.type, target.id ?? null, JSON.stringify(scrub(details))],
      );
      return toEntry(row!);
    },
    async list(query = {}) {
      const limit = Math.min(Math.max(1, Math.trunc(query.limit ?? defaultLimit)), maxLimit);
      // NULL parameters filter nothing; the id cursor keeps pages stable while new rows arrive.
      const rows = await db.query<Row>(
        `SELECT * FROM audit_log
         WHERE ($1::text IS NULL OR at >= $1)
           AND ($2::text IS NULL OR at <= $2)
           AND ($3::text IS NULL OR actor_id = $3)
           AND ($4::text IS NULL OR action = $4)
           AND ($5::bigint IS NULL OR id < $5)
         ORDER BY id DESC
         LIMIT $6`,
        [query.from ?? null, query.to ?? null, query.actorId ?? null, query.action ?? null, query.before ?? null, limit],
      );
      return rows.map(toEntry);
    },
  };
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
