// Every store on PostgreSQL (DATABASE_URL): the multi-node mode's counterpart of storage.ts's SQLite storage.
// Each feature's SQL is in its own postgres-* file, beside the sqlite-* one it mirrors.
import type { PgDb } from './postgres/pg-db.ts';
import { createPostgresUnitOfWork } from './postgres/unit-of-work.ts';
import type { Clock } from './platform/clock.ts';
import type { HandoffStorage } from './storage.ts';
import { createPostgresAgentStore } from './agents/postgres-agent-store.ts';
import { createPostgresSessionStore } from './auth/postgres-session-store.ts';
import { createPostgresCannedReplyStore } from './content/postgres-canned-reply-store.ts';
import { createPostgresFaqDraftStore } from './content/postgres-faq-draft-store.ts';
import { createPostgresUnansweredStore } from './content/postgres-unanswered-store.ts';
import { createPostgresConversationStore } from './conversations/postgres-conversation-store.ts';
import { createPostgresGroupStore } from './routing/postgres-group-store.ts';
import { createPostgresRoutingStore } from './routing/postgres-routing-store.ts';
import { createPostgresTicketStore } from './routing/postgres-ticket-store.ts';
import { createPostgresTranscriptStore } from './search/postgres-transcript-store.ts';
import { createPostgresAuditLog } from './supervision/postgres-audit-log.ts';
import { createPostgresReports } from './supervision/postgres-reports.ts';
import { createPostgresInvitationRuleStore } from './visitors/postgres-invitation-rule-store.ts';
import { createPostgresVisitorBlockStore } from './visitors/postgres-visitor-block-store.ts';
import { createPostgresVisitorTranscripts } from './visitors/postgres-visitor-transcripts.ts';
import { createPostgresAttachmentStore } from './conversations/attachments/postgres-attachment-store.ts';
import { createPostgresAttachmentBlobs } from './conversations/attachments/postgres-attachment-blobs.ts';
import { createPostgresVisitorTextsStore } from './visitor-texts/postgres-visitor-texts-store.ts';
import { createPostgresParticipantStore } from './collaboration/postgres-participant-store.ts';
import { createPostgresReadMarkerStore } from './conversations/read-markers/postgres-read-marker-store.ts';

export function createPostgresStorage(db: PgDb, clock: Clock): HandoffStorage {
  return {
    engine: 'postgres',
    conversations: createPostgresConversationStore(db, { clock }),
    agents: createPostgresAgentStore(db, { clock }),
    sessions: (options) => createPostgresSessionStore(db, { clock, ...options }),
    groups: createPostgresGroupStore(db, clock),
    routing: createPostgresRoutingStore(db, clock),
    tickets: createPostgresTicketStore(db, clock),
    transcripts: createPostgresTranscriptStore(db),
    unanswered: createPostgresUnansweredStore(db),
    visitorTranscripts: createPostgresVisitorTranscripts(db),
    visitorBlocks: createPostgresVisitorBlockStore(db),
    invitationRules: createPostgresInvitationRuleStore(db),
    audit: createPostgresAuditLog(db, { clock }),
    cannedReplies: createPostgresCannedReplyStore(db, { clock }),
    reports: createPostgresReports(db),
    faqDrafts: createPostgresFaqDraftStore(db),
    visitorTexts: createPostgresVisitorTextsStore(db),
    attachments: createPostgresAttachmentStore(db, { clock }),
    // In the database every node shares: a file uploaded through one node downloads through any other.
    attachmentBlobs: createPostgresAttachmentBlobs(db),
    readMarkers: createPostgresReadMarkerStore(db),
    cannedFileBlobs: createPostgresAttachmentBlobs(db, 'canned_file_blobs'),
    unitOfWork: createPostgresUnitOfWork(db),
    participants: createPostgresParticipantStore(db, { clock }),
  };
}
