// The unanswered inbox on PostgreSQL (sqlite-unanswered-store.ts's twin).
import type { PgDb } from '../postgres/pg-db.ts';
import { toUnansweredRow, type UnansweredQuestionRow } from './unanswered-rows.ts';
import { MAX_PER_CONVERSATION, type UnansweredStore } from './unanswered-store.ts';

/**
 * Held per conversation while its count is checked and its row written: turns of one conversation served by two
 * nodes at once cannot both see 9 and store 11 (SQLite's write lock ordered them).
 */
const CONVERSATION_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('handoff/unanswered:' || $1::text, 0))";

export function createPostgresUnansweredStore(db: PgDb): UnansweredStore {
  return {
    async record(entry) {
      // At most MAX_PER_CONVERSATION questions of one conversation: someone typing junk turn after turn (within the
      // rate limits) cannot push real visitors' questions out of the editors' inbox, which groups the newest rows.
      await db.transaction(async () => {
        await db.query(CONVERSATION_LOCK, [entry.conversationId]);
        await db.run(
          `INSERT INTO unanswered_questions (conversation_id, text, norm_key, tokens, lang, kind, reason, candidates, asked_at)
           SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9
           WHERE (SELECT count(*) FROM unanswered_questions WHERE conversation_id = $1) < ${MAX_PER_CONVERSATION}`,
          [
            entry.conversationId, entry.text, entry.normKey, JSON.stringify(entry.tokens), entry.lang, entry.kind, entry.reason ?? null,
            JSON.stringify(entry.candidates), entry.askedAt,
          ],
        );
      });
    },
    async listOpen({ from, to, lang, limit }) {
      // Optional filters as NULL-able parameters: one statement for every combination.
      const rows = await db.query<UnansweredQuestionRow>(
        `SELECT * FROM unanswered_questions
         WHERE handled_at IS NULL
           AND ($1::text IS NULL OR asked_at >= $1)
           AND ($2::text IS NULL OR asked_at <= $2)
           AND ($3::text IS NULL OR lang = $3)
         ORDER BY asked_at DESC, id DESC
         LIMIT $4`,
        [from ?? null, to ?? null, lang ?? null, limit],
      );
      return rows.map(toUnansweredRow);
    },
    async markHandled(ids, at) {
      if (ids.length === 0) return 0;
      return db.run('UPDATE unanswered_questions SET handled_at = $1 WHERE handled_at IS NULL AND id = ANY($2::bigint[])', [at, [...ids]]);
    },
  };
}
