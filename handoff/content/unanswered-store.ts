// The unanswered-questions log on better-sqlite3: one prepared insert per unanswered turn, read by the inbox.
import type { Db } from '../sqlite/db.ts';
import type { Lang } from '../../knowledge/types.ts';

/** One of the engine's candidates for a question, as kept in the log (score 0..1, 3 decimals). */
export interface UnansweredCandidate {
  entryId: string;
  score: number;
}

/** What the chat side records for a turn the bot could not answer (text already masked). */
export interface UnansweredRecord {
  conversationId: string;
  /** The visitor's text with personal data masked. */
  text: string;
  /** The masked text normalized, punctuation and spaces removed: equal keys are the same question. */
  normKey: string;
  /** The engine's search tokens for the message (no personal data). */
  tokens: string[];
  lang: Lang;
  kind: 'fallback' | 'clarify' | 'handoff';
  reason?: string;
  candidates: UnansweredCandidate[];
  /** ISO time. */
  askedAt: string;
}

/** A stored record with its row id. */
export interface UnansweredRow extends UnansweredRecord {
  id: number;
}

/** The write side, the only part the chat turn sees. */
export interface UnansweredLog {
  /** Synchronous and cheap (one prepared insert): it runs on the chat path. */
  record(entry: UnansweredRecord): void;
}

export interface UnansweredQuery {
  /** ISO times, inclusive; open-ended when omitted. */
  from?: string;
  to?: string;
  lang?: Lang;
  /** Most recent rows read (grouping is in memory). */
  limit: number;
}

export interface UnansweredStore extends UnansweredLog {
  /** Open (not dismissed) questions, newest first. */
  listOpen(query: UnansweredQuery): UnansweredRow[];
  /** Marks rows handled; returns how many were open. */
  markHandled(ids: readonly number[], at: string): number;
}

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

/** Questions kept per conversation. A real visitor rephrasing a few times stays well under it. */
export const MAX_PER_CONVERSATION = 10;

export function createSqliteUnansweredStore(db: Db): UnansweredStore {
  // At most MAX_PER_CONVERSATION questions of one conversation: someone typing junk turn after turn (within the
  // rate limits) cannot push real visitors' questions out of the editors' inbox, which groups the newest rows.
  const insert = db.prepare(`
    INSERT INTO unanswered_questions (conversation_id, text, norm_key, tokens, lang, kind, reason, candidates, asked_at)
    SELECT @conversationId, @text, @normKey, @tokens, @lang, @kind, @reason, @candidates, @askedAt
    WHERE (SELECT count(*) FROM unanswered_questions WHERE conversation_id = @conversationId) < ${MAX_PER_CONVERSATION}`);
  // Optional filters as NULL-able parameters: one statement for every combination.
  const selectOpen = db.prepare<[Record<string, unknown>], Row>(`
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

  return {
    record(entry) {
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
    listOpen({ from, to, lang, limit }) {
      return selectOpen.all({ from: from ?? null, to: to ?? null, lang: lang ?? null, limit }).map(toRow);
    },
    markHandled(ids, at) {
      if (ids.length === 0) return 0;
      return markRows.run(at, JSON.stringify(ids)).changes;
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
