// The unanswered inbox in SQLite (migration 010).
import type { Db } from '../sqlite/db.ts';
import { gated } from '../sqlite/unit-of-work.ts';
import { toUnansweredRow, type UnansweredQuestionRow } from './unanswered-rows.ts';
import { MAX_PER_CONVERSATION, type UnansweredStore } from './unanswered-store.ts';

export function createSqliteUnansweredStore(db: Db): UnansweredStore {
  // At most MAX_PER_CONVERSATION questions of one conversation: someone typing junk turn after turn (within the
  // rate limits) cannot push real visitors' questions out of the editors' inbox, which groups the newest rows.
  const insert = db.prepare(`
    INSERT INTO unanswered_questions (conversation_id, text, norm_key, tokens, lang, kind, reason, candidates, asked_at)
    SELECT @conversationId, @text, @normKey, @tokens, @lang, @kind, @reason, @candidates, @askedAt
    WHERE (SELECT count(*) FROM unanswered_questions WHERE conversation_id = @conversationId) < ${MAX_PER_CONVERSATION}`);
  // Optional filters as NULL-able parameters: one statement for every combination.
  const selectOpen = db.prepare<[Record<string, unknown>], UnansweredQuestionRow>(`
    SELECT * FROM unanswered_questions
    WHERE handled_at IS NULL
      AND (@from IS NULL OR asked_at >= @from)
      AND (@to IS NULL OR asked_at <= @to)
      AND (@lang IS NULL OR lang = @lang)
    ORDER BY asked_at DESC, id DESC
    LIMIT @limit`);
  // json_each: one prepared statement for any number of ids.
  const markRows = db.prepare<[string, string]>(
    'UPDATE unanswered_questions SET handled_at = ? WHERE handled_at IS NULL AND id IN (SELECT value FROM json_each(?))',
  );

  return gated(db, {
    async record(entry) {
      insert.run({
        conversationId: entry.conversationId,
        text: entry.text,
        normKey: entry.normKey,
        tokens: JSON.stringify(entry.tokens),
        lang: entry.lang,
        kind: entry.kind,
        reason: entry.reason ?? null,
        candidates: JSON.stringify(entry.candidates),
        askedAt: entry.askedAt,
      });
    },
    async listOpen({ from, to, lang, limit }) {
      return selectOpen.all({ from: from ?? null, to: to ?? null, lang: lang ?? null, limit }).map(toUnansweredRow);
    },
    async markHandled(ids, at) {
      if (ids.length === 0) return 0;
      return markRows.run(at, JSON.stringify(ids)).changes;
    },
  });

}
