// FAQ drafts on PostgreSQL, and the messages of a chat they are made from (sqlite-faq-draft-store.ts's twin).
import type { PgDb } from '../postgres/pg-db.ts';
import { toDraftSourceMessage, toFaqDraft, type DraftMessageRow, type FaqDraftRow } from './faq-draft-rows.ts';
import type { FaqDraftStore } from './faq-draft-store.ts';

export function createPostgresFaqDraftStore(db: PgDb): FaqDraftStore {
  return {
    async create(draft) {
      const row = await db.one<FaqDraftRow>(
        `INSERT INTO faq_drafts (conversation_id, message_id, created_by, created_at, lang, question, answer, suggested_entry)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
        [draft.conversationId, draft.messageId, draft.createdBy, draft.createdAt, draft.lang, draft.question, draft.answer, draft.suggestedEntry ?? null],
      );
      return toFaqDraft(row!);
    },
    async get(id) {
      const row = await db.one<FaqDraftRow>('SELECT * FROM faq_drafts WHERE id = $1', [id]);
      return row ? toFaqDraft(row) : undefined;
    },
    async list({ status, limit }) {
      const rows = await db.query<FaqDraftRow>('SELECT * FROM faq_drafts WHERE status = $1 ORDER BY created_at DESC, id DESC LIMIT $2', [status, limit]);
      return rows.map(toFaqDraft);
    },
    async handle(id, status, by, at) {
      // One conditional statement: of two editors handling one draft at once, the move is made once.
      const row = await db.one<FaqDraftRow>(
        `UPDATE faq_drafts SET status = $1, handled_by = $2, handled_at = $3
         WHERE id = $4 AND (status = 'open' OR (status = 'used' AND $1 = 'used')) RETURNING *`,
        [status, by, at, id],
      );
      return row ? toFaqDraft(row) : undefined;
    },
    async message(conversationId, messageId) {
      const row = await db.one<DraftMessageRow>('SELECT id, author, text, kind FROM messages WHERE conversation_id = $1 AND id = $2', [conversationId, messageId]);
      return row ? toDraftSourceMessage(row) : undefined;
    },
    async messagesBefore(conversationId, messageId, limit) {
      const rows = await db.query<DraftMessageRow>(
        'SELECT id, author, text, kind FROM messages WHERE conversation_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3',
        [conversationId, messageId, limit],
      );
      return rows.map(toDraftSourceMessage);
    },
    async hasHeld(conversationId, agentId) {
      // Any trace of the agent on the chat: today's holder (kept after close), a transfer to or from them, a reply, a close.
      const row = await db.one<{ held: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM conversations WHERE id = $1 AND agent_id = $2)
             OR EXISTS (SELECT 1 FROM conversation_transfers WHERE conversation_id = $1 AND (to_agent_id = $2 OR from_agent_id = $2))
             OR EXISTS (SELECT 1 FROM messages WHERE conversation_id = $1 AND author = 'agent' AND agent_id = $2)
             OR EXISTS (SELECT 1 FROM conversation_closures WHERE conversation_id = $1 AND agent_id = $2) AS held`,
        [conversationId, agentId],
      );
      return row?.held === true;
    },
  };
}
