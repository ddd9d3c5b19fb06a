// The retrieval's settings: field boosts, the ranking blend and the budgets of a pruned search. Apart from
// retrieve.ts so that the engine's options (engine-options.ts) name them without loading the index code.

export type Field = 'q' | 'kw' | 'a';

export interface RetrievalOptions {
  /** MiniSearch field boosts: questions are what visitors ask; answers only hint. Defaults q 3, kw 2, a 0.6. */
  fieldBoosts: Record<Field, number>;
  /**
   * The ranking score blends: the closest single question variant (cosine), the entry's questions as
   * a whole (cosine to their centroid), how much of the query the entry covers, and BM25 relative to
   * the best hit. Weights sum to 1.
   */
  rankWeights: { similarity: number; centroid: number; coverage: number; bm25: number };
  /**
   * Postings (entries per query term, summed) up to which a query goes to MiniSearch whole, as one
   * OR query over every term: every query on a KB of a few hundred entries. Beyond it (at 100k
   * entries "怎么办理" alone is in tens of thousands), candidates come first from the rarest terms
   * (see `candidateCap`), and MiniSearch ranks only those. Range 500-200,000; default 2,000.
   */
  postingsBudget: number;
  /** Entries a pruned search hands to MiniSearch's BM25 ranking. Range 20-1,000; default 100. */
  candidateCap: number;
}

export const defaultRetrievalOptions: RetrievalOptions = {
  fieldBoosts: { q: 3, kw: 2, a: 0.6 },
  rankWeights: { similarity: 0.3, centroid: 0.3, coverage: 0.15, bm25: 0.25 },
  postingsBudget: 2_000,
  candidateCap: 100,
};
