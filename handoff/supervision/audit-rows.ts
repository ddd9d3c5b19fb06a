// What both engines' audit logs share around their SQL: the row, the entry made of it, the details as stored
// (scrubbed of secrets) and the page size of a list.
import { FORBIDDEN_KEY, type AuditDetails, type AuditEntry } from './audit-log.ts';

export interface AuditRow {
  id: number;
  at: string;
  actor_id: string | null;
  actor_name: string;
  action: string;
  target_type: string;
  target_id: string | null;
  details: string;
}

/** The details column: JSON without forbidden keys, at any depth (a caller's slip is dropped, not stored). */
export function storedAuditDetails(details: AuditDetails): string {
  return JSON.stringify(scrub(details));
}

/** Entries of one list call: the query's limit (or the default), within 1 and the maximum. */
export function auditPageLimit(limit: number | undefined, defaultLimit: number, maxLimit: number): number {
  return Math.min(Math.max(1, Math.trunc(limit ?? defaultLimit)), maxLimit);
}

export function toAuditEntry(row: AuditRow): AuditEntry {
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

function scrub(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrub);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (!FORBIDDEN_KEY.test(key) && inner !== undefined) out[key] = scrub(inner);
  }
  return out;
}
