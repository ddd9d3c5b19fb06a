// The audit log in SQLite (migration 011): one row per change, newest first, secrets scrubbed before writing.
import type { Db } from '../sqlite/db.ts';
import { gated } from '../sqlite/unit-of-work.ts';
import { defaultAuditLogOptions, type AuditActor, type AuditDetails, type AuditEntry, type AuditLog, type AuditLogOptions, type AuditTarget } from './audit-log.ts';
import { auditPageLimit, storedAuditDetails, toAuditEntry, type AuditRow } from './audit-rows.ts';

export function createSqliteAuditLog(db: Db, options: Partial<AuditLogOptions> = {}): AuditLog {
  const { clock, defaultLimit, maxLimit } = { ...defaultAuditLogOptions, ...options };
  const insert = db.prepare<[string, string | null, string, string, string, string | null, string]>(
    `INSERT INTO audit_log (at, actor_id, actor_name, action, target_type, target_id, details)
     VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
  );
  // NULL parameters filter nothing; the id cursor keeps pages stable while new rows arrive.
  const select = db.prepare<Record<string, string | number | null>, AuditRow>(`
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
      storedAuditDetails(details),
    ) as AuditRow;
    return toAuditEntry(row);
  }

  return gated(db, {
    async record(actor, action, target, details) {
      return record(actor, action, target, details);
    },
    async list(query = {}) {
      const limit = auditPageLimit(query.limit, defaultLimit, maxLimit);
      return select
        .all({
          from: query.from ?? null,
          to: query.to ?? null,
          actorId: query.actorId ?? null,
          action: query.action ?? null,
          before: query.before ?? null,
          limit,
        })
        .map(toAuditEntry);
    },
  });

}
