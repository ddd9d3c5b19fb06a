// An unanswered_questions row as both engines read it (tokens and candidates as JSON text), and the entry made of it.
import type { Lang } from '../../knowledge/types.ts';
import type { UnansweredCandidate, UnansweredRecord, UnansweredRow } from './unanswered-store.ts';

export interface UnansweredQuestionRow {
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

export function toUnansweredRow(r: UnansweredQuestionRow): UnansweredRow {
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
