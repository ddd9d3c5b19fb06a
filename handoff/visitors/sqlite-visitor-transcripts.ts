// A visitor's transcripts in SQLite: export or delete the named conversations and everything stored with them.
import type { Db } from '../sqlite/db.ts';
import { gated } from '../sqlite/unit-of-work.ts';
import type { VisitorDeleteCounts, VisitorTranscriptExport, VisitorTranscripts } from './visitor-transcripts.ts';
import { exportedConversation, type ExportAttachmentRow, type ExportConversationRow, type ExportMessageRow, type ExportRatingRow, type ExportTicketRow } from './visitor-transcript-rows.ts';

export function createSqliteVisitorTranscripts(db: Db): VisitorTranscripts {
  // json_each: one prepared statement for any number of ids.
  const IDS = 'SELECT value FROM json_each(?)';
  const selectConversations = db.prepare<[string], ExportConversationRow>(`
    SELECT id, status, lang, group_id, visitor_id, client_ip, user_agent, page_url, referrer, created_at, closed_at
    FROM conversations WHERE id IN (${IDS}) ORDER BY created_at, id`);
  const selectByVisitor = db.prepare<[string, number], { id: string }>(
    'SELECT id FROM conversations WHERE visitor_id = ? ORDER BY created_at, id LIMIT ?',
  );
  const selectMessages = db.prepare<[string], ExportMessageRow>(
    'SELECT id, author, text, kind, agent_id, created_at FROM messages WHERE conversation_id = ? ORDER BY id',
  );
  const selectTickets = db.prepare<[string], ExportTicketRow>(
    'SELECT id, contact, text, status, answer, created_at, answered_at FROM tickets WHERE conversation_id = ? ORDER BY id',
  );
  const selectRatings = db.prepare<[string], ExportRatingRow>(
    'SELECT rating, rating_comment, rated_at, closed_at FROM conversation_closures WHERE conversation_id = ? AND rating IS NOT NULL ORDER BY id',
  );
  // Described, never the bytes (those are in the object store, not this database).
  const selectAttachments = db.prepare<[string], ExportAttachmentRow>(
    'SELECT id, name, type, size, author, agent_id, created_at FROM attachments WHERE conversation_id = ? ORDER BY created_at, id',
  );
  const selectInactive = db.prepare<[string, number], { id: string }>(
    `SELECT id FROM conversations WHERE status NOT IN ('queued', 'assigned') AND updated_at < ? ORDER BY updated_at, id LIMIT ?`,
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
    const found = new Set(rows.map((r) => r.id));
    return {
      conversations: rows.map((r) =>
        exportedConversation(r, {
          messages: selectMessages.all(r.id), tickets: selectTickets.all(r.id), ratings: selectRatings.all(r.id), attachments: selectAttachments.all(r.id),
        }),
      ),
      missing: ids.filter((id) => !found.has(id)),
    };
  });

  return gated(db, {
    async conversationsOf(visitorId, limit) {
      return selectByVisitor.all(visitorId, limit).map((r) => r.id);
    },
    async statuses(ids) {
      return new Map(selectConversations.all(JSON.stringify(ids)).map((r) => [r.id, r.status]));
    },
    // One read transaction: a consistent snapshot of every conversation.
    async export(ids) {
      return exportTx(ids);
    },
    async delete(ids) {
      return deleteTx(JSON.stringify(ids));
    },
    async inactiveSince(before, limit) {
      return selectInactive.all(before, limit).map((r) => r.id);
    },
    async scrub() {
      // Inside an open transaction a checkpoint cannot run; the callers scrub after their unit commits.
      if (!db.inTransaction) db.pragma('wal_checkpoint(TRUNCATE)');
    },
  });
}
