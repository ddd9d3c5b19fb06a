// A visitor's transcripts for the privacy routes: export everything stored about them, or delete it.
//
// Who "a visitor" is: there is no login. A visitor is either the widget's visitor id (a random id kept in the
// browser's storage and stored with each conversation it starts, migration 008: every conversation with it) or
// the conversations the admin names: a conversation id, or several separated by commas (the visitor tells which
// chats, or an agent finds them with transcript search). Everything stored with those conversations goes with
// them: messages (and their
// rows in the FTS5 search index, through the delete trigger of migration 005), tickets left from them
// (contact and text), closures with the visitor's rating, transfers with agents' notes, and who held them.

export interface VisitorTranscriptExport {
  conversations: Array<{
    id: string;
    status: string;
    lang: string;
    groupId: string | null;
    /** The widget's visitor id and the client address stored when the conversation started. */
    visitorId: string | null;
    clientIp: string | null;
    userAgent: string | null;
    pageUrl: string | null;
    referrer: string | null;
    createdAt: string;
    closedAt: string | null;
    messages: Array<{ id: number; author: string; text: string; kind: string | null; agentId: string | null; createdAt: string }>;
    tickets: Array<{ id: number; contact: string; text: string; status: string; answer: string | null; createdAt: string; answeredAt: string | null }>;
    ratings: Array<{ rating: number; comment: string | null; ratedAt: string | null; closedAt: string }>;
    /**
     * The files sent in the conversation, described (name, type judged by content, size in bytes, who sent it and
     * when); not the bytes: the admin fetches a file through the chat's attachment URL if the visitor asks for it.
     */
    attachments: Array<{ id: string; name: string; type: string; size: number; author: string; agentId: string | null; createdAt: string }>;
  }>;
  /** Named ids with no conversation (never existed, or already deleted). */
  missing: string[];
}

export interface VisitorDeleteCounts {
  conversations: number;
  messages: number;
  tickets: number;
  closures: number;
  transfers: number;
}

export interface VisitorTranscripts {
  /** Ids of the conversations started with this visitor id, oldest first, at most `limit`. */
  conversationsOf(visitorId: string, limit: number): Promise<string[]>;
  /** Statuses of the named conversations that exist (id -> status). */
  statuses(ids: readonly string[]): Promise<Map<string, string>>;
  export(ids: readonly string[]): Promise<VisitorTranscriptExport>;
  /**
   * Conversations nobody is serving (not queued or assigned) with no activity since `before` (ISO), oldest
   * first, at most `limit`: what the retention job erases.
   */
  inactiveSince(before: string, limit: number): Promise<string[]>;
  /**
   * Moves what deletes changed out of the write-ahead log into the file and empties the log, so that erased
   * text is left in neither (run after the erasure has committed).
   */
  scrub(): Promise<void>;
  /** Deletes the named conversations and everything stored with them, in one transaction. */
  delete(ids: readonly string[]): Promise<VisitorDeleteCounts>;
}
