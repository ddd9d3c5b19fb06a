// The audit log: who changed what (accounts, roles, groups, blocks, privacy, shared replies, content), in SQLite.
import type { Agent } from '../agents/agent.ts';
import { systemClock, type Clock } from '../platform/clock.ts';
import type { Db } from '../sqlite/db.ts';

/** Who made a change: a signed-in account, or the admin CLI (no account: `id` null). */
export interface AuditActor {
  id: string | null;
  displayName: string;
}

/** What the change was about: `agent`, `group`, `block`, `conversations`, `canned_reply`, `unanswered_group`, `faq_draft` ... */
export interface AuditTarget {
  type: string;
  id?: string | null;
}

/** Ids, field names, counts, before/after of roles and groups: never passwords, tokens, message text or addresses. */
export type AuditDetails = Record<string, unknown>;

/** One row of the HTTP contract (`GET /api/admin/audit`). */
export interface AuditEntry {
  id: number;
  at: string;
  actor: { id: string | null; displayName: string };
  action: string;
  target: { type: string; id: string | null };
  details: AuditDetails;
}

/** The actions written today; the column takes any dotted verb so a new kind needs no migration. */
export const AuditAction = {
  agentCreated: 'agent.created',
  agentUpdated: 'agent.updated',
  agentRoleChanged: 'agent.role_changed',
  agentDisabled: 'agent.disabled',
  agentEnabled: 'agent.enabled',
  agentPasswordReset: 'agent.password_reset',
  groupSaved: 'group.saved',
  visitorBlocked: 'visitor.blocked',
  visitorUnblocked: 'visitor.unblocked',
  transcriptsExported: 'privacy.transcripts_exported',
  transcriptsDeleted: 'privacy.transcripts_deleted',
  cannedReplyCreated: 'canned_reply.created',
  cannedReplyUpdated: 'canned_reply.updated',
  cannedReplyDeleted: 'canned_reply.deleted',
  kbChangeGenerated: 'kb_change.generated',
  unansweredDismissed: 'unanswered.dismissed',
  faqDraftCreated: 'faq_draft.created',
  faqDraftDismissed: 'faq_draft.dismissed',
  invitationRulesSaved: 'invitation_rules.saved',
} as const;

export interface AuditQuery {
  /** ISO times, inclusive. */
  from?: string;
  to?: string;
  actorId?: string;
  action?: string;
  /** Entries older than this id (the previous page's last id). */
  before?: number;
  /** Range 1-500; default 50. */
  limit?: number;
}

export interface AuditLog {
  /** Writes one row now (inside the caller's transaction when there is one) and returns it. */
  record(actor: AuditActor, action: string, target: AuditTarget, details?: AuditDetails): AuditEntry;
  /**
   * Runs a synchronous change on the same database and its audit row in one transaction: the row is never
   * written for a change that failed, and a change is never kept without its row.
   */
  recordWith<T>(change: () => T, entry: (result: T) => { actor: AuditActor; action: string; target: AuditTarget; details?: AuditDetails }): T;
  /** Newest first. */
  list(query?: AuditQuery): AuditEntry[];
}

export interface SqliteAuditLogOptions {
  /** Source of timestamps (tests pin it). Default the system clock. */
  clock: Clock;
  /** Entries per page when the query names no limit. Range 1-500; default 50. */
  defaultLimit: number;
  /** Most entries per page. Range 1-1000; default 500. */
  maxLimit: number;
}

export const defaultSqliteAuditLogOptions: SqliteAuditLogOptions = { clock: systemClock, defaultLimit: 50, maxLimit: 500 };

/**
 * Keys that would put a secret or personal data in clear into the log; a caller's slip is dropped here, not
 * stored (the rows are read by every admin and kept for good).
 */
const FORBIDDEN_KEY = /pass(word)?|hash|token|secret|cookie|address|^(text|message|messagetext|body|ip|value)$/i;

/** An account as the actor of its own request. */
export function actorOf(agent: Pick<Agent, 'id' | 'displayName'>): AuditActor {
  return { id: agent.id, displayName: agent.displayName };
}

/** The admin CLI works on the file directly, with no account signed in. */
export const CLI_ACTOR: AuditActor = { id: null, displayName: 'admin CLI' };

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

  return {
    record,
    recordWith(change, entry) {
      return db.transaction(() => {
        const result = change();
        const { actor, action, target, details } = entry(result);
        record(actor, action, target, details);
        return result;
      })();
    },
    list(query = {}) {
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
