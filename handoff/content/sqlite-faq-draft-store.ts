// FAQ drafts in SQLite (migration 012), and the messages of a chat they are made from.
import type { Db } from '../sqlite/db.ts';
import { gated } from '../sqlite/unit-of-work.ts';
import { toDraftSourceMessage, toFaqDraft, type DraftMessageRow, type FaqDraftRow } from './faq-draft-rows.ts';
import type { FaqDraftStore } from './faq-draft-store.ts';

export function createSqliteFaqDraftStore(db: Db): FaqDraftStore {
  const insert = db.prepare<[Record<string, unknown>]>(`
    INSERT INTO faq_drafts (conversation_id, message_id, created_by, created_at, lang, question, answer, suggested_entry)
    VALUES (@conversationId, @messageId, @createdBy, @createdAt, @lang, @question, @answer, @suggestedEntry)`);
  const selectOne = db.prepare<[number], FaqDraftRow>('SELECT * FROM faq_drafts WHERE id = ?');
  const selectList = db.prepare<[string, number], FaqDraftRow>('SELECT * FROM faq_drafts WHERE status = ? ORDER BY created_at DESC, id DESC LIMIT ?');
  const update = db.prepare<[string, string, string, number, string]>(`
    UPDATE faq_drafts SET status = ?, handled_by = ?, handled_at = ?
    WHERE id = ? AND (status = 'open' OR (status = 'used' AND ? = 'used'))`);
  const selectMessage = db.prepare<[string, number], DraftMessageRow>('SELECT id, author, text, kind FROM messages WHERE conversation_id = ? AND id = ?');
  const selectBefore = db.prepare<[string, number, number], DraftMessageRow>(
    'SELECT id, author, text, kind FROM messages WHERE conversation_id = ? AND id < ? ORDER BY id DESC LIMIT ?',
  );
  // Any trace of the agent on the chat: today's holder (kept after close), a transfer to or from them, a reply, a close.
  const selectHeld = db.prepare<[Record<string, string>], { held: number }>(`
    SELECT EXISTS (SELECT 1 FROM conversations WHERE id = @c AND agent_id = @a)
        OR EXISTS (SELECT 1 FROM conversation_transfers WHERE conversation_id = @c AND (to_agent_id = @a OR from_agent_id = @a))
        OR EXISTS (SELECT 1 FROM messages WHERE conversation_id = @c AND author = 'agent' AND agent_id = @a)
        OR EXISTS (SELECT 1 FROM conversation_closures WHERE conversation_id = @c AND agent_id = @a) AS held`);

  return gated(db, {
    async create(draft) {
      const { lastInsertRowid } = insert.run({ ...draft, suggestedEntry: draft.suggestedEntry ?? null });
      return toFaqDraft(selectOne.get(Number(lastInsertRowid))!);
    },
    async get(id) {
      const row = selectOne.get(id);
      return row ? toFaqDraft(row) : undefined;
    },
    async list({ status, limit }) {
      return selectList.all(status, limit).map(toFaqDraft);
    },
    async handle(id, status, by, at) {
      if (update.run(status, by, at, id, status).changes === 0) return undefined;
      return toFaqDraft(selectOne.get(id)!);
    },
    async message(conversationId, messageId) {
      const row = selectMessage.get(conversationId, messageId);
      return row ? toDraftSourceMessage(row) : undefined;
    },
    async messagesBefore(conversationId, messageId, limit) {
      return selectBefore.all(conversationId, messageId, limit).map(toDraftSourceMessage);
    },
    async hasHeld(conversationId, agentId) {
      return selectHeld.get({ c: conversationId, a: agentId })?.held === 1;
    },
  });

}
