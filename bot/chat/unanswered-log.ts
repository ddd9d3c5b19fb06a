// Which bot turns count as unanswered, and the masked record the editors' inbox keeps of each.
import type { UnansweredRecord } from '../../handoff/index.ts';
import type { Decision } from '../engine/decision.ts';
import { maskPersonalData } from '../../knowledge/text/mask-personal-data.ts';
import { normalize } from '../engine/normalize.ts';

/** Candidates kept per question. Range 1-10; default 5 (the engine's explain keeps 5). */
const KEPT_CANDIDATES = 5;

/**
 * The bot lacked an answer when:
 * - fallback `no_match`: nothing in the knowledge base came close;
 * - clarify: several entries came close and the bot could not tell which (a low-confidence answer);
 * - handoff `low_confidence` (the visitor missed repeatedly, engine's withRepeatCheck) or `no_answer`.
 * Not counted: a visitor who asked for a person (`requested`), a complaint, an account action (those need a
 * person whatever the KB says), rule replies (smalltalk, unsafe, password, out_of_scope: answered by design),
 * and messages with no content words (`empty`, "??"): nothing an editor could add a question for.
 */
export function lackedAnswer(decision: Decision): boolean {
  if (decision.explain.tokens.length === 0) return false;
  switch (decision.kind) {
    case 'answer':
      return false;
    case 'clarify':
      return true;
    case 'fallback':
      return decision.reason === 'no_match';
    case 'handoff':
      return decision.reason === 'low_confidence' || decision.reason === 'no_answer';
  }
}

// Punctuation, symbols and spaces: "宽带怎么报修？" and "宽带 怎么报修!!" are one question. The masks' `*`
// stay, so a masked number does not turn into a shorter real-looking one (138****5678, not 1385678).
const NOT_CONTENT = /[^\p{L}\p{N}*]+/gu;
const DIGIT = /\d/;

/**
 * How close the engine came to answering with each candidate (0..1): the decision's confidence for the
 * best one, scaled by their ranking scores for the others. A ranking score alone says which entry is
 * nearest, not whether any is near ("我家的猫会不会唱歌" has a nearest entry too); the inbox groups
 * paraphrases by the entries the engine came near.
 */
function closeness(decision: Decision): UnansweredRecord['candidates'] {
  const kept = decision.explain.candidates.slice(0, KEPT_CANDIDATES);
  const top = kept[0]?.score || 1;
  return kept.map((c) => ({ entryId: c.entryId, score: Math.round(Math.min(1, decision.explain.confidence * (c.score / top)) * 1000) / 1000 }));
}

/**
 * The record of an unanswered turn, or undefined when the bot did answer. `storedText` is the visitor text as
 * the conversation stores it (a redact rule's secrets already masked); phones, ID numbers and passwords are
 * masked here on top. The tokens are the engine's own (explain.tokens): a token with a digit is kept only when
 * it is still in the masked text (10193 stays; a phone number, masked, goes).
 */
export function unansweredRecord(decision: Decision, storedText: string, conversationId: string, askedAt: string): UnansweredRecord | undefined {
  if (decision.kind === 'answer' || !lackedAnswer(decision)) return undefined;
  // Full-width digits escape the masks' \d: mask the NFKC form, and show it only when something was masked.
  const nfkc = storedText.normalize('NFKC');
  const maskedNfkc = maskPersonalData(nfkc);
  const text = maskedNfkc === nfkc ? storedText : maskedNfkc;
  const normKey = normalize(maskedNfkc).replace(NOT_CONTENT, '');
  const record: UnansweredRecord = {
    conversationId,
    text,
    normKey,
    tokens: decision.explain.tokens.filter((t) => !DIGIT.test(t) || normKey.includes(t)),
    lang: decision.lang,
    kind: decision.kind,
    candidates: closeness(decision),
    askedAt,
  };
  if (decision.kind === 'fallback' || decision.kind === 'handoff') record.reason = decision.reason;
  return record;
}
