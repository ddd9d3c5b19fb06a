// A visitor's transcripts on PostgreSQL: export or delete the named conversations and everything stored with them.
import type { PgDb } from '../postgres/pg-db.ts';
import type { VisitorDeleteCounts, VisitorTranscriptExport, VisitorTranscripts } from './visitor-transcripts.ts';
import { exportedConversation, type ExportAttachmentRow, type ExportConversationRow, type ExportMessageRow, type ExportRatingRow, type ExportTicketRow } from './visitor-transcript-rows.ts';

/** Where an erasure leaves dead rows: the conversations and every table that keeps something of theirs. */
const ERASED_TABLES = [
  'messages', 'conversations', 'tickets', 'conversation_closures', 'conversation_transfers', 'conversation_agents',
  'unanswered_questions', 'faq_drafts', 'invited_conversations', 'attachments', 'attachment_blobs',
];

export function createPostgresVisitorTranscripts(db: PgDb): VisitorTranscripts {
  const selectConversations = (ids: readonly string[]) =>
    db.query<ExportConversationRow>(
      `SELECT id, status, lang, group_id, visitor_id, client_ip, user_agent, page_url, referrer, created_at, closed_at
       FROM conversations WHERE id = ANY($1::text[]) ORDER BY created_at, id COLLATE "C"`,
      [[...ids]],
    );

  return {
    async conversationsOf(visitorId, limit) {
      const rows = await db.query<{ id: string }>(
        'SELECT id FROM conversations WHERE visitor_id = $1 ORDER BY created_at, id COLLATE "C" LIMIT $2',
        [visitorId, limit],
      );
      return rows.map((r) => r.id);
    },

    async statuses(ids) {
      return new Map((await selectConversations(ids)).map((r) => [r.id, r.status]));
    },

    async export(ids): Promise<VisitorTranscriptExport> {
      const inUnit = db.scope.getStore() !== undefined;
      // One REPEATABLE READ transaction: a consistent snapshot of every conversation, as SQLite's read transaction.
      return db.transaction(async () => {
        if (!inUnit) await db.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
        const rows = await selectConversations(ids);
        const found = new Set(rows.map((r) => r.id));
        const conversations: VisitorTranscriptExport['conversations'] = [];
        for (const r of rows) {
          const messages = await db.query<ExportMessageRow>(
            'SELECT id, author, text, kind, agent_id, created_at FROM messages WHERE conversation_id = $1 ORDER BY id',
            [r.id],
          );
          const tickets = await db.query<ExportTicketRow>(
            'SELECT id, contact, text, status, answer, created_at, answered_at FROM tickets WHERE conversation_id = $1 ORDER BY id',
            [r.id],
          );
          const ratings = await db.query<ExportRatingRow>(
            'SELECT rating, rating_comment, rated_at, closed_at FROM conversation_closures WHERE conversation_id = $1 AND rating IS NOT NULL ORDER BY id',
            [r.id],
          );
          // Described, never the bytes (attachment_blobs is not read).
          const attachments = await db.query<ExportAttachmentRow>(
            'SELECT id, name, type, size, author, agent_id, created_at FROM attachments WHERE conversation_id = $1 ORDER BY created_at, id COLLATE "C"',
            [r.id],
          );
          conversations.push(exportedConversation(r, { messages, tickets, ratings, attachments }));
        }
        return { conversations, missing: ids.filter((id) => !found.has(id)) };
      });
    },

    async delete(ids): Promise<VisitorDeleteCounts> {
      const list = [...ids];
      return db.transaction(async () => {
        // The conversations are locked first (in id order, so two erasures cannot deadlock): a message, ticket or
        // close another node is writing into one of them waits, and then fails on the missing conversation,
        // instead of landing beside the erasure and surviving it.
        await db.query('SELECT id FROM conversations WHERE id = ANY($1::text[]) ORDER BY id COLLATE "C" FOR UPDATE', [list]);
        const messages = await db.run('DELETE FROM messages WHERE conversation_id = ANY($1::text[])', [list]);
        const tickets = await db.run('DELETE FROM tickets WHERE conversation_id = ANY($1::text[])', [list]);
        const closures = await db.run('DELETE FROM conversation_closures WHERE conversation_id = ANY($1::text[])', [list]);
        const transfers = await db.run('DELETE FROM conversation_transfers WHERE conversation_id = ANY($1::text[])', [list]);
        await db.run('DELETE FROM conversation_agents WHERE conversation_id = ANY($1::text[])', [list]);
        // Unanswered questions, FAQ drafts and invitations go with the conversation (ON DELETE CASCADE).
        const conversations = await db.run('DELETE FROM conversations WHERE id = ANY($1::text[])', [list]);
        return { conversations, messages, tickets, closures, transfers };
      });
    },

    async inactiveSince(before, limit) {
      const rows = await db.query<{ id: string }>(
        `SELECT id FROM conversations WHERE status NOT IN ('queued', 'assigned') AND updated_at < $1
         ORDER BY updated_at, id COLLATE "C" LIMIT $2`,
        [before, limit],
      );
      return rows.map((r) => r.id);
    },

    async scrub() {
      // SQLite's counterpart empties its write-ahead log after secure_delete zeroed the pages. PostgreSQL has no
      // secure delete; VACUUM at least removes the dead rows from the tables' pages now rather than whenever
      // autovacuum comes (the WAL and its archives are the operator's, SECURITY.md). It cannot run inside a
      // transaction (callers scrub after their unit commits) and it is best effort: a busy table is left to
      // autovacuum rather than failing an erasure that has already committed.
      if (db.scope.getStore() !== undefined) return;
      await db.query(`VACUUM ${ERASED_TABLES.join(', ')}`).catch(() => {});
    },
  };
}
