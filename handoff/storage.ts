// Every store handoff keeps, on one engine: the embedded default (SQLite, one file under DATA_DIR) or
// PostgreSQL (DATABASE_URL, storage-postgres.ts) for several nodes. compose.ts takes whichever it is given;
// the features only ever see the store interfaces below.
import type { AgentStore } from './agents/agent-store.ts';
import type { SessionStore, SessionStoreOptions } from './auth/session-store.ts';
import type { CannedReplyStore } from './content/canned-reply-store.ts';
import type { FaqDraftStore } from './content/faq-draft-store.ts';
import type { UnansweredStore } from './content/unanswered-store.ts';
import type { ConversationStore } from './conversations/conversation-store.ts';
import type { Clock } from './platform/clock.ts';
import type { UnitOfWork } from './platform/unit-of-work.ts';
import type { GroupStore } from './routing/groups.ts';
import type { RoutingStore } from './routing/routing-store.ts';
import type { TicketStore } from './routing/tickets.ts';
import type { TranscriptStore } from './search/transcript-store.ts';
import type { AuditLog } from './supervision/audit-log.ts';
import type { Reports } from './supervision/reports.ts';
import type { InvitationRuleStore } from './visitors/invitation-rules.ts';
import type { VisitorBlockStore } from './visitors/visitor-blocks.ts';
import type { VisitorTranscripts } from './visitors/visitor-transcripts.ts';
import type { VisitorTextsStore } from './visitor-texts/visitor-texts.ts';
import type { Db } from './sqlite/db.ts';
import path from 'node:path';
import type { AttachmentStore } from './conversations/attachments/attachment-store.ts';
import type { AttachmentBlobs } from './conversations/attachments/attachment-blobs.ts';
import type { ReadMarkerStore } from './conversations/read-markers/read-marker-store.ts';
import { createSqliteReadMarkerStore } from './conversations/read-markers/sqlite-read-marker-store.ts';
import { createSqliteAttachmentStore } from './conversations/attachments/sqlite-attachment-store.ts';
import { createFolderAttachmentBlobs } from './conversations/attachments/folder-attachment-blobs.ts';
import { createSqliteUnitOfWork } from './sqlite/unit-of-work.ts';
import { createSqliteAgentStore } from './agents/sqlite-agent-store.ts';
import { createSqliteSessionStore } from './auth/sqlite-session-store.ts';
import { createSqliteCannedReplyStore } from './content/sqlite-canned-reply-store.ts';
import { createSqliteFaqDraftStore } from './content/sqlite-faq-draft-store.ts';
import { createSqliteUnansweredStore } from './content/sqlite-unanswered-store.ts';
import { createSqliteConversationStore } from './conversations/sqlite-conversation-store.ts';
import { createSqliteGroupStore } from './routing/sqlite-group-store.ts';
import { createSqliteRoutingStore } from './routing/sqlite-routing-store.ts';
import { createSqliteTicketStore } from './routing/sqlite-ticket-store.ts';
import { createSqliteTranscriptStore } from './search/sqlite-transcript-store.ts';
import { createSqliteAuditLog } from './supervision/sqlite-audit-log.ts';
import { createSqliteReports } from './supervision/sqlite-reports.ts';
import { createSqliteInvitationRuleStore } from './visitors/sqlite-invitation-rule-store.ts';
import { createSqliteVisitorBlockStore } from './visitors/sqlite-visitor-block-store.ts';
import { createSqliteVisitorTranscripts } from './visitors/sqlite-visitor-transcripts.ts';
import { createSqliteVisitorTextsStore } from './visitor-texts/sqlite-visitor-texts-store.ts';
import type { ParticipantStore } from './collaboration/participant-store.ts';
import { createSqliteParticipantStore } from './collaboration/sqlite-participant-store.ts';

export interface HandoffStorage {
  /** `sqlite` or `postgres`: for /healthz and the logs. */
  readonly engine: 'sqlite' | 'postgres';
  conversations: ConversationStore;
  agents: AgentStore;
  /** The session store with the server's timeouts (they come from configuration, read once). */
  sessions(options: Partial<SessionStoreOptions>): SessionStore;
  groups: GroupStore;
  routing: RoutingStore;
  tickets: TicketStore;
  transcripts: TranscriptStore;
  unanswered: UnansweredStore;
  visitorTranscripts: VisitorTranscripts;
  visitorBlocks: VisitorBlockStore;
  invitationRules: InvitationRuleStore;
  audit: AuditLog;
  cannedReplies: CannedReplyStore;
  reports: Reports;
  faqDrafts: FaqDraftStore;
  /** The widget's admin-edited welcome, warning banner and logo. */
  visitorTexts: VisitorTextsStore;
  /** Files sent in chats: their rows and messages, and where their bytes are (a folder beside the SQLite file, or PostgreSQL). */
  attachments: AttachmentStore;
  attachmentBlobs: AttachmentBlobs;
  /** How far each side of a conversation has read (read receipts). */
  readMarkers: ReadMarkerStore;
  /** Bytes of the canned library's files (a folder beside the SQLite file, or PostgreSQL); sent into chats as copies. */
  cannedFileBlobs: AttachmentBlobs;
  /** Routes that change several stores at once (a change and its audit row) commit them through this. */
  unitOfWork: UnitOfWork;
  /** Colleagues invited into chats, and consult notes between agents (handoff/collaboration/). */
  participants: ParticipantStore;
}

export function createSqliteStorage(db: Db, clock: Clock, conversations?: ConversationStore): HandoffStorage {
  return {
    engine: 'sqlite',
    conversations: conversations ?? createSqliteConversationStore(db, { clock }),
    agents: createSqliteAgentStore(db, { clock }),
    sessions: (options) => createSqliteSessionStore(db, { clock, ...options }),
    groups: createSqliteGroupStore(db, clock),
    routing: createSqliteRoutingStore(db, clock),
    tickets: createSqliteTicketStore(db, clock),
    transcripts: createSqliteTranscriptStore(db),
    unanswered: createSqliteUnansweredStore(db),
    visitorTranscripts: createSqliteVisitorTranscripts(db),
    visitorBlocks: createSqliteVisitorBlockStore(db),
    invitationRules: createSqliteInvitationRuleStore(db),
    audit: createSqliteAuditLog(db, { clock }),
    cannedReplies: createSqliteCannedReplyStore(db, { clock }),
    reports: createSqliteReports(db),
    faqDrafts: createSqliteFaqDraftStore(db),
    visitorTexts: createSqliteVisitorTextsStore(db),
    attachments: createSqliteAttachmentStore(db, { clock }),
    // DATA_DIR/attachments: beside the database file the rows are in.
    attachmentBlobs: createFolderAttachmentBlobs(path.join(path.dirname(db.name), 'attachments')),
    readMarkers: createSqliteReadMarkerStore(db),
    cannedFileBlobs: createFolderAttachmentBlobs(path.join(path.dirname(db.name), 'canned-files')),
    unitOfWork: createSqliteUnitOfWork(db),
    participants: createSqliteParticipantStore(db, { clock }),
  };
}
