// A visitor's transcripts for the privacy routes: export everything stored about them, or delete it.
//
// Who "a visitor" is: there is no login. A visitor is either the widget's visitor id (a random id kept in the
// browser's storage and stored with each conversation it starts, migration 008: every conversation with it) or
// the conversations the admin names: a conversation id, or several separated by commas (the visitor tells which
// chats, or an agent finds them with transcript search). Everything stored with those conversations goes with
// them: messages (and their
// rows in the FTS5 search index, through the delete trigger of migration 005), tickets left from them
// (contact and text), closures with the visitor's rating, transfers with agents' notes, and who held them.
import type { Db } from '../sqlite/db.ts';

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
  conversationsOf(visitorId: string, limit: number): string[];
  /** Statuses of the named conversations that exist (id -> status). */
  statuses(ids: readonly string[]): Map<string, string>;
  export(ids: readonly string[]): VisitorTranscriptExport;
  /** Deletes the named conversations and everything stored with them, in one transaction. */
  delete(ids: readonly string[]): VisitorDeleteCounts;
}

export function createVisitorTranscripts(db: Db): VisitorTranscripts {
  // json_each: one prepared statement for any number of ids.
  const IDS = 'SELECT value FROM json_each(?)';
  const selectConversations = db.prepare<[string], Record<string, any>>(`
    SELECT id, status, lang, group_id, visitor_id, client_ip, user_agent, page_url, referrer, created_at, closed_at
    FROM conversations WHERE id IN (${IDS}) ORDER BY created_at, id`);
  const selectByVisitor = db.prepare<[string, number], { id: string }>(
    'SELECT id FROM conversations WHERE visitor_id = ? ORDER BY created_at, id LIMIT ?',
  );
  const selectMessages = db.prepare<[string], Record<string, any>>(
    'SELECT id, author, text, kind, agent_id, created_at FROM messages WHERE conversation_id = ? ORDER BY id',
  );
  const selectTickets = db.prepare<[string], Record<string, any>>(
    'SELECT id, contact, text, status, answer, created_at, answered_at FROM tickets WHERE conversation_id = ? ORDER BY id',
  );
  const selectRatings = db.prepare<[string], Record<string, any>>(
    'SELECT rating, rating_comment, rated_at, closed_at FROM conversation_closures WHERE conversation_id = ? AND rating IS NOT NULL ORDER BY id',
  );
  const deletes = {
    // Messages first and explicitly: the FTS delete trigger removes each indexed one from the search index.
    messages: db.prepare<[string]>(`DELETE FROM messages WHERE conversation_id IN (${IDS})`),
    tickets: db.prepare<[string]>(`DELETE FROM tickets WHERE conversation_id IN (${IDS})`),
    closures: db.prepare<[string]>(`DELETE FROM conversation_closures WHERE conversation_id IN (${IDS})`),
    transfers: db.prepare<[string]>(`DELETE FROM conversation_transfers WHERE conversation_id IN (${IDS})`),
    holders: db.prepare<[string]>(`DELETE FROM conversation_agents WHERE conversation_id IN (${IDS})`),
    conversations: db.prepare<[string]>(`DELETE FROM conversations WHERE id IN (${IDS})`),
  };
  const deleteTx = db.transaction((json: string): VisitorDeleteCounts => {
    const messages = deletes.messages.run(json).changes;
    const tickets = deletes.tickets.run(json).changes;
    const closures = deletes.closures.run(json).changes;
    const transfers = deletes.transfers.run(json).changes;
    deletes.holders.run(json);
    const conversations = deletes.conversations.run(json).changes;
    return { conversations, messages, tickets, closures, transfers };
  });
  const exportTx = db.transaction((ids: readonly string[]): VisitorTranscriptExport => {
    const rows = selectConversations.all(JSON.stringify(ids));
    const found = new Set(rows.map((r) => r.id as string));
    return {
      conversations: rows.map((r) => ({
        id: r.id,
        status: r.status,
        lang: r.lang,
        groupId: r.group_id,
        visitorId: r.visitor_id,
        clientIp: r.client_ip,
        userAgent: r.user_agent,
        pageUrl: r.page_url,
        referrer: r.referrer,
        createdAt: r.created_at,
        closedAt: r.closed_at,
        messages: selectMessages.all(r.id).map((m) => ({
          id: m.id, author: m.author, text: m.text, kind: m.kind, agentId: m.agent_id, createdAt: m.created_at,
        })),
        tickets: selectTickets.all(r.id).map((t) => ({
          id: t.id, contact: t.contact, text: t.text, status: t.status, answer: t.answer, createdAt: t.created_at, answeredAt: t.answered_at,
        })),
        ratings: selectRatings.all(r.id).map((x) => ({ rating: x.rating, comment: x.rating_comment, ratedAt: x.rated_at, closedAt: x.closed_at })),
      })),
      missing: ids.filter((id) => !found.has(id)),
    };
  });

  return {
    conversationsOf: (visitorId, limit) => selectByVisitor.all(visitorId, limit).map((r) => r.id),
    statuses(ids) {
      return new Map(selectConversations.all(JSON.stringify(ids)).map((r) => [r.id as string, r.status as string]));
    },
    // One read transaction: a consistent snapshot of every conversation.
    export: (ids) => exportTx(ids),
    delete: (ids) => deleteTx(JSON.stringify(ids)),
  };
}
