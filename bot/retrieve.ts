// The FAQ index: MiniSearch over each entry's questions, keywords and answers, plus the
// coverage measure that tells how much of a query an entry actually accounts for.
import MiniSearch, { type SearchResult } from 'minisearch';
import { editDistance } from './natural.ts';
import type { Entry } from '../knowledge/types.ts';
import type { Candidate } from './decision.ts';
import type { Analysis, Analyze, Unit } from './tokenize.ts';

type Field = 'q' | 'kw' | 'a';

export interface RetrievalOptions {
  /** MiniSearch field boosts: questions are what visitors ask; answers only hint. Defaults q 3, kw 2, a 0.6. */
  fieldBoosts: Record<Field, number>;
  /**
   * The ranking score blends: the closest single question variant (cosine), the entry's questions as
   * a whole (cosine to their centroid), how much of the query the entry covers, and BM25 relative to
   * the best hit. Weights sum to 1.
   */
  rankWeights: { similarity: number; centroid: number; coverage: number; bm25: number };
}

export const defaultRetrievalOptions: RetrievalOptions = {
  fieldBoosts: { q: 3, kw: 2, a: 0.6 },
  rankWeights: { similarity: 0.3, centroid: 0.3, coverage: 0.15, bm25: 0.25 },
};

/** Credit a content unit earns when matched only in an answer (0..1; default 0.5). */
const ANSWER_ONLY_CREDIT = 0.5;
/** Credit for a Latin unit matched only through a fuzzy (typo) match (0..1; default 0.8). */
const FUZZY_CREDIT = 0.8;
/** Weight of a bigram no dictionary knew and the index does not contain: likely straddles words (0..1; default 0.3). */
const SOFT_UNKNOWN_WEIGHT = 0.3;
/** Extra weight of the word asked for ("要用什么密码": 密码) in coverage, when the KB knows it. Range 1-4; default 2. */
const FOCUS_WEIGHT = 2;
/** Candidates kept from one search. Range 3-50; default 10. */
const MAX_CANDIDATES = 10;

const SEP = '\u0001';

export interface Retriever {
  search(query: Analysis, options?: { fuzzy?: number }): Candidate[];
  /** Inverse document frequency of a token over the entries (unknown tokens get the maximum). */
  idf(token: string): number;
  /** The token occurs in some entry. */
  known(token: string): boolean;
}

export function buildRetriever(
  entries: readonly Entry[],
  analyze: Analyze,
  rewrite: (t: string) => string,
  options: RetrievalOptions = defaultRetrievalOptions,
): Retriever {
  const { fieldBoosts, rankWeights } = options;
  const df = new Map<string, number>();
  // Each question variant's tokens, kept for the re-ranking below.
  const variants = new Map<string, string[][]>();
  const docs = entries.map((e) => {
    const field = (texts: string[]) => texts.flatMap((t) => analyze(rewrite(t)).tokens);
    variants.set(e.id, [...e.questions.zh, ...e.questions.en].map((q) => {
      const a = analyze(rewrite(q));
      return [...a.tokens, ...a.context];
    }));
    const doc = {
      id: e.id,
      q: field([...e.questions.zh, ...e.questions.en]),
      kw: field(e.keywords),
      a: field([e.answer.zh, e.answer.en]),
    };
    for (const t of new Set([...doc.q, ...doc.kw, ...doc.a])) df.set(t, (df.get(t) ?? 0) + 1);
    return { id: e.id, q: doc.q.join(SEP), kw: doc.kw.join(SEP), a: doc.a.join(SEP) };
  });

  const index = new MiniSearch({
    fields: ['q', 'kw', 'a'],
    idField: 'id',
    // Tokens are produced once by the shared analyzer; MiniSearch only splits them back apart.
    tokenize: (s) => s.split(SEP),
    processTerm: (t) => t || null,
  });
  index.addAll(docs);

  const n = Math.max(1, entries.length);
  const idf = (token: string) => {
    const d = df.get(token) ?? 0;
    return Math.log(1 + (n - d + 0.5) / (d + 0.5));
  };
  // Question idf: over the entries' questions only, function words included ("哪些" is rare there).
  const qdf = new Map<string, number>();
  for (const list of variants.values()) for (const t of new Set(list.flat())) qdf.set(t, (qdf.get(t) ?? 0) + 1);
  const qidf = (token: string) => {
    const d = qdf.get(token) ?? 0;
    return Math.log(1 + (n - d + 0.5) / (d + 0.5));
  };
  const variantWeights = new Map<string, { tokens: Set<string>; norm: number }[]>();
  // The entry's questions as one vector: how often each token appears across its variants, times idf.
  const centroids = new Map<string, { weights: Map<string, number>; norm: number }>();
  for (const [id, list] of variants) {
    variantWeights.set(id, list.map((tokens) => {
      const set = new Set(tokens);
      return { tokens: set, norm: Math.sqrt([...set].reduce((s, t) => s + qidf(t) ** 2, 0)) };
    }));
    const weights = new Map<string, number>();
    for (const tokens of list) for (const t of new Set(tokens)) weights.set(t, (weights.get(t) ?? 0) + qidf(t));
    let norm = 0;
    for (const w of weights.values()) norm += w * w;
    centroids.set(id, { weights, norm: Math.sqrt(norm) });
  }
  const centroidSimilarity = (entryId: string, query: string[], queryNorm: number) => {
    const c = centroids.get(entryId);
    if (!c || c.norm === 0 || queryNorm === 0) return 0;
    let dot = 0;
    for (const t of query) dot += (c.weights.get(t) ?? 0) * qidf(t);
    return dot / (c.norm * queryNorm);
  };
  /**
   * Cosine similarity (idf-weighted, binary) between the query and the entry's closest question
   * variant. BM25 over all variants at once blurs entries that share vocabulary; the single closest
   * paraphrase separates "联通自助机能打几个月" (period) from "联通自助机在哪" (terminal).
   */
  const closestVariant = (entryId: string, query: string[], queryNorm: number) => {
    let best = 0;
    for (const v of variantWeights.get(entryId) ?? []) {
      let dot = 0;
      for (const t of query) if (v.tokens.has(t)) dot += qidf(t) ** 2;
      if (v.norm > 0 && queryNorm > 0) best = Math.max(best, dot / (v.norm * queryNorm));
    }
    return best;
  };

  const unitDf = (u: Unit) => {
    const d = df.get(u.text);
    if (d !== undefined) return d;
    if (u.parts.length) return Math.min(...u.parts.map((p) => df.get(p) ?? 0));
    return 0;
  };

  const maxIdf = Math.log(1 + (n + 0.5) / 0.5);

  function coverage(units: Unit[], r: SearchResult, fuzzy: boolean): { coverage: number; matched: Record<string, string[]>; missing: string[]; maxMissing: number } {
    const matched: Record<string, string[]> = {};
    const missing: string[] = [];
    let maxMissing = 0;
    const matchedTerms = Object.keys(r.match);
    let total = 0;
    let got = 0;
    for (const u of units) {
      const d = unitDf(u);
      const weight = Math.log(1 + (n - d + 0.5) / (d + 0.5)) * (u.soft && d === 0 ? SOFT_UNKNOWN_WEIGHT : 1) * u.salience * (u.focus && d > 0 ? FOCUS_WEIGHT : 1);
      total += weight;
      let fields: string[] | undefined = r.match[u.text];
      let credit = 1;
      if (!fields && u.parts.length && u.parts.every((p) => r.match[p])) fields = r.match[u.parts[0]!];
      // Only fuzzy search can match a word other than the one typed; credit that match, a little less.
      if (!fields && fuzzy && u.latin && u.text.length >= 4) {
        const near = matchedTerms.find((t) => t.length >= 4 && editDistance(t, u.text) <= 2);
        if (near) {
          fields = r.match[near];
          credit = FUZZY_CREDIT;
        }
      }
      if (!fields) {
        missing.push(u.text);
        maxMissing = Math.max(maxMissing, weight / maxIdf);
        continue;
      }
      for (const f of fields) (matched[f] ??= []).push(u.text);
      if (!fields.includes('q') && !fields.includes('kw')) credit *= ANSWER_ONLY_CREDIT;
      got += weight * credit;
    }
    return { coverage: total > 0 ? got / total : 0, matched, missing, maxMissing };
  }

  return {
    idf,
    known: (token) => df.has(token),
    search({ units, tokens, context }, options = {}) {
      if (tokens.length === 0) return [];
      const fuzzy = options.fuzzy ?? 0;
      const results = index.search(tokens.join(SEP), {
        tokenize: (s) => s.split(SEP),
        processTerm: (t) => t,
        boost: fieldBoosts,
        combineWith: 'OR',
        // Typos are tolerated on longer English words only; Chinese gets its tolerance from bigrams.
        fuzzy: (term) => (fuzzy > 0 && /^[a-z]{5,}$/.test(term) ? fuzzy : false),
      });
      const top = results[0]?.score ?? 1;
      const whole = [...new Set([...tokens, ...context])];
      const queryNorm = Math.sqrt(whole.reduce((s, t) => s + qidf(t) ** 2, 0));
      return results
        .slice(0, MAX_CANDIDATES * 2)
        .map((r) => {
          const c = coverage(units, r, fuzzy > 0);
          const similarity = closestVariant(String(r.id), whole, queryNorm);
          const centroid = rankWeights.centroid > 0 ? centroidSimilarity(String(r.id), whole, queryNorm) : 0;
          const score =
            rankWeights.similarity * similarity + rankWeights.centroid * centroid + rankWeights.coverage * c.coverage + rankWeights.bm25 * (r.score / top);
          return { entryId: String(r.id), score, bm25: r.score, similarity, coverage: c.coverage, matched: c.matched, missing: c.missing, maxMissing: c.maxMissing };
        })
        .sort((a, b) => b.score - a.score)
        .slice(0, MAX_CANDIDATES);
    },
  };
}
