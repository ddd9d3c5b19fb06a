// Reading transcripts: messages after a resume point for live streams, and full-text search for agents.
// SQLite today (sqlite-transcript-store.ts); a PostgreSQL adapter implements the same interface later.
import type { ConversationStatus, MessageAuthor, StoredMessage } from '../conversations/conversation-store.ts';
import type { ViewAccess } from '../conversations/view-access.ts';

export interface TranscriptQuery {
  /** What to look for: every term must occur in the message (case-insensitive substrings). 1-8 non-empty terms. */
  terms: string[];
  /**
   * Whose search it is: only conversations this viewer may open now (GET /api/agent/conversations/:id, the
   * same rule, view-access.ts). `EVERY_CONVERSATION` for admins.
   */
  access: ViewAccess;
  /** Messages written at or after this instant (ISO 8601, UTC). */
  from?: string;
  /** Messages written before this instant (ISO 8601, UTC). */
  to?: string;
  /** Only conversations this agent has held at some time (assigned, taken, transferred to them); a filter, never access. */
  heldBy?: string;
  /** Only conversations whose current status is this. */
  status?: ConversationStatus;
  /** Paging: only messages with a smaller id (the last `messageId` of the previous page). */
  before?: number;
  /** Most hits returned. Range 1-200. */
  limit: number;
}

export interface TranscriptHit {
  conversationId: string;
  messageId: number;
  author: MessageAuthor;
  text: string;
  createdAt: string;
  /** The conversation's current status. */
  status: ConversationStatus;
  /** Who holds the conversation (or held it last); absent when no agent ever did. */
  agentId?: string;
}

/** One of a visitor's conversations, as the customer history lists it. */
export interface VisitorConversation {
  conversationId: string;
  status: ConversationStatus;
  /** The holder while assigned; after a close, the last holder; absent when no agent ever held it. */
  agentId?: string;
  groupId?: string;
  createdAt: string;
  updatedAt: string;
  /** Messages in it (every author). */
  messages: number;
}

/** The row both engines read for a VisitorConversation. */
export interface VisitorConversationRow {
  id: string;
  status: ConversationStatus;
  agent_id: string | null;
  group_id: string | null;
  created_at: string;
  updated_at: string;
  messages: number | string;
}

export function toVisitorConversation(row: VisitorConversationRow): VisitorConversation {
  return {
    conversationId: row.id,
    status: row.status,
    ...(row.agent_id !== null ? { agentId: row.agent_id } : {}),
    ...(row.group_id !== null ? { groupId: row.group_id } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    messages: Number(row.messages),
  };
}

/** Most conversations one history call lists. */
export const MAX_VISITOR_CONVERSATIONS = 100;

export interface TranscriptPage {
  /** Newest first. */
  hits: TranscriptHit[];
  /** More hits exist past the last one (ask again with `before` = its messageId). */
  more: boolean;
}

export interface TranscriptStoreOptions {
  /** Most messages one messagesAfter call returns. Range 1-10000; default 1000. */
  maxPageSize: number;
  /** Most hits one search returns. Range 1-1000; default 200. */
  maxSearchLimit: number;
}

export const defaultTranscriptStoreOptions: TranscriptStoreOptions = {
  maxPageSize: 1000,
  maxSearchLimit: 200,
};

export interface TranscriptStore {
  /**
   * Messages of these conversations with an id above `after`, oldest first, at most `limit`, read at
   * one instant: since message ids are given in commit order, what it returns is a gap-free prefix of
   * what will ever be stored after `after`, so a stream that resumes from the last id misses nothing.
   */
  messagesAfter(conversationIds: readonly string[], after: number, limit: number): Promise<StoredMessage[]>;
  /** The largest message id stored, 0 when none: where a stream with no resume point starts. */
  latestMessageId(): Promise<number>;
  /** Full-text search over message texts, newest first. */
  search(query: TranscriptQuery): Promise<TranscriptPage>;
  /**
   * The conversations of one visitor (the widget's visitor id), newest first, at most `limit` (1-100): the
   * customer history beside a chat. Who may open each is the caller's rule (view-access.ts), not the store's.
   */
  conversationsOfVisitor(visitorId: string, limit: number): Promise<VisitorConversation[]>;
}
