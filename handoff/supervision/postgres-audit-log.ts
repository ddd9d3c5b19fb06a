// The audit log on PostgreSQL: one row per change, newest first, secrets scrubbed before writing; inside a unit of
// work the row commits with its change (the unit's connection runs the insert).
import type { PgDb } from '../postgres/pg-db.ts';
import { defaultAuditLogOptions, type AuditActor, type AuditDetails, type AuditLog, type AuditLogOptions, type AuditTarget } from './audit-log.ts';
import { auditPageLimit, storedAuditDetails, toAuditEntry, type AuditRow } from './audit-rows.ts';

export function createPostgresAuditLog(db: PgDb, options: Partial<AuditLogOptions> = {}): AuditLog {
  const { clock, defaultLimit, maxLimit } = { ...defaultAuditLogOptions, ...options };

  return {
    async record(actor: AuditActor, action: string, target: AuditTarget, details: AuditDetails = {}) {
      const row = await db.one<AuditRow>(
        `INSERT INTO audit_log (at, actor_id, actor_name, action, target_type, target_id, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [clock().toISOString(), actor.id, actor.displayName, action, target.type, target.id ?? null, storedAuditDetails(details)],
      );
      return toAuditEntry(row!);
    },
    async list(query = {}) {
      const limit = auditPageLimit(query.limit, defaultLimit, maxLimit);
      // NULL parameters filter nothing; the id cursor keeps pages stable while new rows arrive.
      const rows = await db.query<AuditRow>(
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
      return rows.map(toAuditEntry);
    },
  };
}
