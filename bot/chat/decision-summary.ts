// The part of a bot decision worth keeping with the conversation: what agents see after a handoff.
import type { JsonObject } from '../../handoff/index.ts';
import type { Decision } from '../engine/decision.ts';

/** How many of the engine's candidates are kept; agents want "what did the bot think", not the whole index. */
const KEPT_CANDIDATES = 3;

export interface DecisionSummary {
  kind: Decision['kind'];
  lang: string;
  confidence: number;
  entryId?: string;
  topic?: string;
  /** For fallback (no_match, smalltalk...) and handoff (requested, complaint, low_confidence...). */
  reason?: string;
  ruleId?: string;
  /** The engine's top candidates for this message: entry, score, share of the query covered. */
  candidates: { entryId: string; score: number; coverage: number }[];
}

export function summarizeDecision(d: Decision): DecisionSummary {
  const summary: DecisionSummary = {
    kind: d.kind,
    lang: d.lang,
    confidence: d.confidence,
    candidates: d.explain.candidates.slice(0, KEPT_CANDIDATES).map((c) => ({
      entryId: c.entryId,
      score: Math.round(c.score * 1000) / 1000,
      coverage: Math.round(c.coverage * 1000) / 1000,
    })),
  };
  if (d.kind === 'answer') summary.entryId = d.entryId;
  if ('topic' in d && d.topic) summary.topic = d.topic;
  if (d.kind === 'fallback' || d.kind === 'handoff') summary.reason = d.reason;
  if (d.kind === 'handoff' && d.ruleId) summary.ruleId = d.ruleId;
  return summary;
}

/** The summary as the store's opaque JSON. */
export function toJson(summary: DecisionSummary): JsonObject {
  return { ...summary };
}
