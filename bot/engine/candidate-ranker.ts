// The learned ranking of candidate entries: a logistic model over what retrieval measured of each
// candidate, fitted by bench/tune-gate.ts on the tuning part of knowledge/tests (never tests/sealed).
// It replaces a fixed blend of the same signals, whose weights were chosen by hand.
import type { Candidate } from './decision.ts';
import { gateProbability, type LogisticModel } from './answer-gate.ts';

export const RANK_FEATURES = [
  /** Cosine to the entry's closest question variant. */
  'similarity',
  /** Cosine to the entry's questions taken together. */
  'centroid',
  /** Share of the query's weight the entry accounts for. */
  'coverage',
  /** BM25 relative to the best candidate's. */
  'bm25',
  /** Share of the query in words the KB knows but this entry lacks. */
  'missingKnown',
  /** Share of the query in words no entry has. */
  'missingUnknown',
  /** Weight of the heaviest missing word. */
  'maxMissing',
  /** Share of the query in nouns this entry lacks. */
  'missingNoun',
  /** Share of the matched words found in the entry's questions or keywords, not only its answer. */
  'askedShare',
  /** The learned channel's score relative to its best entry (bot/engine/learned-channel.ts). */
  'learned',
] as const;

export type RankFeature = (typeof RANK_FEATURES)[number];
export type RankerModel = LogisticModel<RankFeature>;

export function rankFeatures(c: Candidate, bestBm25: number): Record<RankFeature, number> {
  return {
    similarity: c.similarity,
    centroid: c.centroid,
    coverage: c.coverage,
    bm25: bestBm25 > 0 ? c.bm25 / bestBm25 : 0,
    missingKnown: c.missingKnown,
    missingUnknown: c.missingUnknown,
    maxMissing: c.maxMissing,
    missingNoun: c.missingNoun,
    askedShare: c.askedShare,
    learned: c.learned,
  };
}

/** Candidates scored by the model (score = probability the entry answers the query), best first. */
export function rankCandidates(model: RankerModel, candidates: readonly Candidate[]): Candidate[] {
  const bestBm25 = Math.max(0, ...candidates.map((c) => c.bm25));
  return candidates.map((c) => ({ ...c, score: gateProbability(model, rankFeatures(c, bestBm25)) })).sort((a, b) => b.score - a.score);
}
