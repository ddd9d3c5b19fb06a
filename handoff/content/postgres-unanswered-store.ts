// The unanswered inbox on PostgreSQL (sqlite-unanswered-store.ts's twin).
import type { PgDb } from '../postgres/pg-db.ts';
import type { Lang } from '../../knowledge/types.ts';
import { MAX_PER_CONVERSATION } from './sqlite-unanswered-store.ts';
import type { UnansweredCandidate, UnansweredRecord, UnansweredRow, UnansweredStore } from './unanswered-store.ts';

interface Row {
  id: number;
  conversation_id: string;
  text: string;
  norm_key: string;
  tokens: string;
  lang: Lang;
  kind: UnansweredRecord['kind'];
  reason: string | null;
  candidates: string;
  asked_at: string;
}

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
      const rows = await db.query<Row>(
        `SELECT * FROM unanswered_questions
         WHERE handled_at IS NULL
           AND ($1::text IS NULL OR asked_at >= $1)
           AND ($2::text IS NULL OR asked_at <= $2)
           AND ($3::text IS NULL OR lang = $3)
         ORDER BY asked_at DESC, id DESC
         LIMIT $4`,
        [from ?? null, to ?? null, lang ?? null, limit],
      );
      return rows.map(toRow);
    },
    async markHandled(ids, at) {
      if (ids.length === 0) return 0;
      return db.run('UPDATE unanswered_questions SET handled_at = $1 WHERE handled_at IS NULL AND id = ANY($2::bigint[])', [at, [...ids]]);
    },
  };
}

function toRow(r: Row): UnansweredRow {
  const row: UnansweredRow = {
    id: r.id,
    conversationId: r.conversation_id,
    text: r.text,
    normKey: r.norm_key,
    tokens: JSON.parse(r.tokens) as string[],
    lang: r.lang,
    kind: r.kind,
    candidates: JSON.parse(r.candidates) as UnansweredCandidate[],
    askedAt: r.asked_at,
  };
  if (r.reason !== null) row.reason = r.reason;
  return row;
}
