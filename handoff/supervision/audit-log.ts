// The audit log: who changed what (accounts, roles, groups, blocks, privacy, shared replies, content) and who read
// personal data they do not handle themselves (admins' views and watches of chats, transcript searches).
import type { Agent } from '../agents/agent.ts';
import { systemClock, type Clock } from '../platform/clock.ts';

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
  transcriptsExpired: 'privacy.transcripts_expired',
  cannedReplyCreated: 'canned_reply.created',
  cannedReplyUpdated: 'canned_reply.updated',
  cannedReplyDeleted: 'canned_reply.deleted',
  kbChangeGenerated: 'kb_change.generated',
  unansweredDismissed: 'unanswered.dismissed',
  faqDraftCreated: 'faq_draft.created',
  faqDraftDismissed: 'faq_draft.dismissed',
  invitationRulesSaved: 'invitation_rules.saved',
  // The widget's admin-edited welcome, warning banner and logo (handoff/visitor-texts/).
  visitorTextsSaved: 'visitor_texts.saved',
  visitorLogoSaved: 'visitor_texts.logo_saved',
  visitorLogoRemoved: 'visitor_texts.logo_removed',
  // Reads of personal data (SECURITY.md "Audit log"): one row per request or watch, counts only, never text.
  conversationViewed: 'conversation.viewed',
  conversationWatched: 'conversation.watched',
  transcriptsSearched: 'transcripts.searched',
  // A chat's customer history (the visitor's other conversations) listed (handoff/search/visitor-history-routes.ts).
  visitorHistoryViewed: 'visitor.history_viewed',
  // A file of a chat downloaded by an admin who does not hold it (handoff/conversations/attachments/).
  attachmentViewed: 'attachment.viewed',
  // Colleagues in a chat (handoff/collaboration/): who invited whom, and each answer and departure.
  colleagueInvited: 'colleague.invited',
  colleagueJoined: 'colleague.joined',
  colleagueDeclined: 'colleague.declined',
  colleagueLeft: 'colleague.left',
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
  /**
   * Writes one row and returns it. Inside a unit of work (UnitOfWork.withTransaction) the row commits with the
   * change it describes, or not at all.
   */
  record(actor: AuditActor, action: string, target: AuditTarget, details?: AuditDetails): Promise<AuditEntry>;
  /** Newest first. */
  list(query?: AuditQuery): Promise<AuditEntry[]>;
}

export interface AuditLogOptions {
  /** Source of timestamps (tests pin it). Default the system clock. */
  clock: Clock;
  /** Entries per page when the query names no limit. Range 1-500; default 50. */
  defaultLimit: number;
  /** Most entries per page. Range 1-1000; default 500. */
  maxLimit: number;
}

export const defaultAuditLogOptions: AuditLogOptions = { clock: systemClock, defaultLimit: 50, maxLimit: 500 };

/**
 * Keys that would put a secret or personal data in clear into the log; a caller's slip is dropped here, not
 * stored (the rows are read by every admin and kept for good).
 */
export const FORBIDDEN_KEY = /pass(word)?|hash|token|secret|cookie|address|^(text|message|messagetext|body|ip|value)$/i;

/** An account as the actor of its own request. */
export function actorOf(agent: Pick<Agent, 'id' | 'displayName'>): AuditActor {
  return { id: agent.id, displayName: agent.displayName };
}

/** The admin CLI works on the file directly, with no account signed in. */
export const CLI_ACTOR: AuditActor = { id: null, displayName: 'admin CLI' };

/** The daily retention job (RETENTION_DAYS), erasing on no one's request but the operator's setting. */
export const RETENTION_ACTOR: AuditActor = { id: null, displayName: 'retention job' };

/** The service itself, acting on what it saw (a colleague gone offline leaves the chats they joined). */
export const SYSTEM_ACTOR: AuditActor = { id: null, displayName: 'system' };
