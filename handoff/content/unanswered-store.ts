// The unanswered-questions log on better-sqlite3: one prepared insert per unanswered turn, read by the inbox.
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

/**
 * Questions kept per conversation. A real visitor rephrasing a few times stays well under it; someone typing junk
 * turn after turn (within the rate limits) cannot push real visitors' questions out of the editors' inbox.
 */
export const MAX_PER_CONVERSATION = 10;

/** A stored record with its row id. */
export interface UnansweredRow extends UnansweredRecord {
  id: number;
}

/** The write side, the only part the chat turn sees. */
export interface UnansweredLog {
  /** Cheap (one insert): it runs on the chat path. */
  record(entry: UnansweredRecord): Promise<void>;
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
  listOpen(query: UnansweredQuery): Promise<UnansweredRow[]>;
  /** Marks rows handled; returns how many were open. */
  markHandled(ids: readonly number[], at: string): Promise<number>;
}
