// The FAQ index: MiniSearch over each entry's questions, keywords and answers, plus the
// coverage measure that tells how much of a query an entry actually accounts for.
import MiniSearch, { type SearchResult } from 'minisearch';
import { editDistance } from './natural.ts';
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
  /**
   * Postings (entries per query term, summed) one search may visit. Above it, the commonest terms
   * stay out of the BM25 query: they still count in coverage and similarity for the candidates the
   * rarer terms find, but no longer make every entry a candidate. A knowledge base of hundreds of
   * entries never reaches it; at 100k entries "怎么办理" alone would visit tens of thousands.
   * Range 2,000-200,000; default 20,000.
   */
  postingsBudget: number;
}

export const defaultRetrievalOptions: RetrievalOptions = {
  fieldBoosts: { q: 3, kw: 2, a: 0.6 },
  rankWeights: { similarity: 0.3, centroid: 0.3, coverage: 0.15, bm25: 0.25 },
  postingsBudget: 20_000,
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
const FIELDS: readonly Field[] = ['q', 'kw', 'a'];

/** An entry's texts, already normalized and synonym-rewritten by the engine (once per build). */
export interface IndexedEntry {
  id: string;
  questions: readonly string[];
  keywords: readonly string[];
  answers: readonly string[];
}

export interface Retriever {
  search(query: Analysis, options?: { fuzzy?: number; postingsBudget?: number }): Candidate[];
  /** Inverse document frequency of a token over the entries (unknown tokens get the maximum). */
  idf(token: string): number;
  /** The token occurs in some entry. */
  known(token: string): boolean;
}

/** A growable list of int32 that ends as one typed array: millions of small arrays would cost more in headers than in data. */
class IntList {
  private data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  finish(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

/** Sorted unique ids (small arrays: a query's or a question's tokens). */
const uniqueSorted = (ids: Iterable<number>) => Int32Array.from(new Set(ids)).sort();

function has(sorted: Int32Array, from: number, to: number, id: number): boolean {
  let lo = from;
  let hi = to - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v === id) return true;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Entries indexed between two yields of a stepwise build (about 10-20 ms of work). */
export const ENTRIES_PER_STEP = 200;

export function buildRetriever(entries: readonly IndexedEntry[], analyze: Analyze, options: RetrievalOptions = defaultRetrievalOptions): Retriever {
  return runSteps(retrieverSteps(entries, analyze, options));
}

/** Runs a stepwise build to the end in one go. */
export function runSteps<T>(steps: Generator<void, T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/**
 * The index build in steps: it yields every ENTRIES_PER_STEP entries, so a reload can give the
 * event loop back between steps and keep answering with the old engine while the new one is built.
 */
export function* retrieverSteps(entries: readonly IndexedEntry[], analyze: Analyze, options: RetrievalOptions = defaultRetrievalOptions): Generator<void, Retriever> {
  const { fieldBoosts, rankWeights, postingsBudget } = options;
  // Every token gets a number once; the per-entry structures below hold numbers in flat typed arrays,
  // which keeps a 100k-entry index in a few hundred MiB instead of millions of Sets and Maps.
  const termIds = new Map<string, number>();
  const intern = (t: string) => {
    let id = termIds.get(t);
    if (id === undefined) {
      id = termIds.size;
      termIds.set(t, id);
    }
    return id;
  };
  const df: number[] = [];
  const qdf: number[] = [];
  const bump = (counts: number[], id: number) => {
    counts[id] = (counts[id] ?? 0) + 1;
  };
  // Which tokens each entry holds in each field (for coverage), as sorted runs: entry i, field f is
  // fieldTokens[fieldStart[i*3+f] .. fieldStart[i*3+f+1]).
  const fieldTokens = new IntList();
  const fieldStart = new IntList();
  // Each question variant's tokens (with function words), for the closest-variant similarity.
  const variantTokens = new IntList();
  const variantStart = new IntList();
  const entryVariantStart = new IntList();
  // Per entry, each token of its questions with the number of variants containing it (the centroid).
  const centroidTokens = new IntList();
  const centroidCounts = new IntList();
  const centroidStart = new IntList();

  const index = new MiniSearch({
    fields: ['q', 'kw', 'a'],
    idField: 'id',
    // Tokens are produced once by the shared analyzer; MiniSearch only splits them back apart.
    tokenize: (s) => s.split(SEP),
    processTerm: (t) => t || null,
  });

  for (let i = 0; i < entries.length; i++) {
    if (i > 0 && i % ENTRIES_PER_STEP === 0) yield;
    const e = entries[i]!;
    const q: string[] = [];
    const centroid = new Map<number, number>();
    entryVariantStart.push(variantStart.length);
    for (const text of e.questions) {
      const a = analyze(text);
      q.push(...a.tokens);
      const ids = uniqueSorted([...a.tokens, ...a.context].map(intern));
      variantStart.push(variantTokens.length);
      for (const id of ids) {
        variantTokens.push(id);
        centroid.set(id, (centroid.get(id) ?? 0) + 1);
      }
    }
    centroidStart.push(centroidTokens.length);
    for (const [id, count] of centroid) {
      centroidTokens.push(id);
      centroidCounts.push(count);
      bump(qdf, id);
    }
    const kw = e.keywords.flatMap((t) => analyze(t).tokens);
    const a = e.answers.flatMap((t) => analyze(t).tokens);
    const seen = new Set<number>();
    for (const list of [q, kw, a]) {
      fieldStart.push(fieldTokens.length);
      const ids = uniqueSorted(list.map(intern));
      for (const id of ids) {
        fieldTokens.push(id);
        if (!seen.has(id)) {
          seen.add(id);
          bump(df, id);
        }
      }
    }
    index.add({ id: i, q: q.join(SEP), kw: kw.join(SEP), a: a.join(SEP) });
  }
  entryVariantStart.push(variantStart.length);
  variantStart.push(variantTokens.length);
  centroidStart.push(centroidTokens.length);
  fieldStart.push(fieldTokens.length);

  const fTokens = fieldTokens.finish();
  const fStart = fieldStart.finish();
  const vTokens = variantTokens.finish();
  const vStart = variantStart.finish();
  const eVStart = entryVariantStart.finish();
  const cTokens = centroidTokens.finish();
  const cCounts = centroidCounts.finish();
  const cStart = centroidStart.finish();

  const n = Math.max(1, entries.length);
  const idfOf = (d: number) => Math.log(1 + (n - d + 0.5) / (d + 0.5));
  const dfOf = (token: string) => {
    const id = termIds.get(token);
    return id === undefined ? 0 : (df[id] ?? 0);
  };
  const idf = (token: string) => idfOf(dfOf(token));
  // Question idf: over the entries' questions only, function words included ("哪些" is rare there).
  const qidfById = Float64Array.from({ length: termIds.size }, (_, id) => idfOf(qdf[id] ?? 0));
  const maxIdf = idfOf(0);
  const qidf = (token: string) => {
    const id = termIds.get(token);
    return id === undefined ? maxIdf : qidfById[id]!;
  };
  // Norms need every entry's question idf, so they come after the pass above.
  const variantNorm = new Float64Array(vStart.length - 1);
  for (let v = 0; v < variantNorm.length; v++) {
    let sum = 0;
    for (let k = vStart[v]!; k < vStart[v + 1]!; k++) sum += qidfById[vTokens[k]!]! ** 2;
    variantNorm[v] = Math.sqrt(sum);
  }
  // The entry's questions as one vector: how often each token appears across its variants, times idf.
  const centroidNorm = new Float64Array(entries.length);
  for (let i = 0; i < entries.length; i++) {
    let sum = 0;
    for (let k = cStart[i]!; k < cStart[i + 1]!; k++) sum += (cCounts[k]! * qidfById[cTokens[k]!]!) ** 2;
    centroidNorm[i] = Math.sqrt(sum);
  }

  /** The query's known tokens as id -> question idf; unknown ones only add to its norm. */
  const queryVector = (tokens: readonly string[]) => {
    const weights = new Map<number, number>();
    let norm = 0;
    for (const t of tokens) {
      const id = termIds.get(t);
      const w = id === undefined ? maxIdf : qidfById[id]!;
      norm += w * w;
      if (id !== undefined) weights.set(id, w);
    }
    return { weights, norm: Math.sqrt(norm) };
  };
  const centroidSimilarity = (entry: number, query: { weights: Map<number, number>; norm: number }) => {
    if (centroidNorm[entry] === 0 || query.norm === 0) return 0;
    let dot = 0;
    for (let k = cStart[entry]!; k < cStart[entry + 1]!; k++) {
      const w = query.weights.get(cTokens[k]!);
      if (w !== undefined) dot += cCounts[k]! * w * w;
    }
    return dot / (centroidNorm[entry]! * query.norm);
  };
  /**
   * Cosine similarity (idf-weighted, binary) between the query and the entry's closest question
   * variant. BM25 over all variants at once blurs entries that share vocabulary; the single closest
   * paraphrase separates "联通自助机能打几个月" (period) from "联通自助机在哪" (terminal).
   */
  const closestVariant = (entry: number, query: { weights: Map<number, number>; norm: number }) => {
    let best = 0;
    if (query.norm === 0) return 0;
    for (let v = eVStart[entry]!; v < eVStart[entry + 1]!; v++) {
      if (variantNorm[v] === 0) continue;
      let dot = 0;
      for (let k = vStart[v]!; k < vStart[v + 1]!; k++) {
        const w = query.weights.get(vTokens[k]!);
        if (w !== undefined) dot += w * w;
      }
      best = Math.max(best, dot / (variantNorm[v]! * query.norm));
    }
    return best;
  };
  /** The fields of `entry` that contain `token`, in field order. */
  const fieldsWith = (entry: number, token: string): Field[] | undefined => {
    const id = termIds.get(token);
    if (id === undefined) return undefined;
    let out: Field[] | undefined;
    for (let f = 0; f < 3; f++) {
      if (has(fTokens, fStart[entry * 3 + f]!, fStart[entry * 3 + f + 1]!, id)) (out ??= []).push(FIELDS[f]!);
    }
    return out;
  };

  const unitDf = (u: Unit) => {
    const d = dfOf(u.text);
    if (d > 0) return d;
    if (u.parts.length) return Math.min(...u.parts.map(dfOf));
    return 0;
  };

  function coverage(units: Unit[], queried: ReadonlySet<string>, entry: number, r: SearchResult, fuzzy: boolean): { coverage: number; matched: Record<string, string[]>; missing: string[]; maxMissing: number } {
    const matched: Record<string, string[]> = {};
    const missing: string[] = [];
    let maxMissing = 0;
    let total = 0;
    let got = 0;
    for (const u of units) {
      const d = unitDf(u);
      const weight = idfOf(d) * (u.soft && d === 0 ? SOFT_UNKNOWN_WEIGHT : 1) * u.salience * (u.focus && d > 0 ? FOCUS_WEIGHT : 1);
      total += weight;
      let fields: string[] | undefined = fieldsWith(entry, u.text);
      let credit = 1;
      // A word the entry lacks still counts when the entry has all its bigrams (asked as tokens too).
      if (!fields && u.parts.length && u.parts.every((p) => queried.has(p) && fieldsWith(entry, p))) fields = fieldsWith(entry, u.parts[0]!);
      // Only fuzzy search can match a word other than the one typed; credit that match, a little less.
      if (!fields && fuzzy && u.latin && u.text.length >= 4) {
        const near = Object.keys(r.match).find((t) => t.length >= 4 && editDistance(t, u.text) <= 2);
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

  /**
   * The terms to send to the index: all of them while their postings fit the budget; otherwise the
   * rarest first (most telling, shortest lists) up to the budget, and always at least one.
   */
  const searchTerms = (tokens: readonly string[], budget: number): string[] => {
    let postings = 0;
    for (const t of tokens) postings += dfOf(t);
    if (postings <= budget) return [...tokens];
    const known = tokens.filter((t) => dfOf(t) > 0).sort((a, b) => dfOf(a) - dfOf(b));
    const kept: string[] = [];
    let spent = 0;
    for (const t of known) {
      const d = dfOf(t);
      if (kept.length > 0 && spent + d > budget) break;
      kept.push(t);
      spent += d;
    }
    return kept;
  };

  return {
    idf,
    known: (token) => dfOf(token) > 0,
    search({ units, tokens, context }, options = {}) {
      if (tokens.length === 0) return [];
      const fuzzy = options.fuzzy ?? 0;
      const terms = searchTerms(tokens, options.postingsBudget ?? postingsBudget);
      if (terms.length === 0) return [];
      const results = index.search(terms.join(SEP), {
        tokenize: (s) => s.split(SEP),
        processTerm: (t) => t,
        boost: fieldBoosts,
        combineWith: 'OR',
        // Typos are tolerated on longer English words only; Chinese gets its tolerance from bigrams.
        fuzzy: (term) => (fuzzy > 0 && /^[a-z]{5,}$/.test(term) ? fuzzy : false),
      });
      const top = results[0]?.score ?? 1;
      const query = queryVector([...new Set([...tokens, ...context])]);
      const queried = new Set(tokens);
      return results
        .slice(0, MAX_CANDIDATES * 2)
        .map((r) => {
          const entry = r.id as number;
          const c = coverage(units, queried, entry, r, fuzzy > 0);
          const similarity = closestVariant(entry, query);
          const centroid = rankWeights.centroid > 0 ? centroidSimilarity(entry, query) : 0;
          const score =
            rankWeights.similarity * similarity + rankWeights.centroid * centroid + rankWeights.coverage * c.coverage + rankWeights.bm25 * (r.score / top);
          return { entryId: entries[entry]!.id, score, bm25: r.score, similarity, coverage: c.coverage, matched: c.matched, missing: c.missing, maxMissing: c.maxMissing };
        })
        .sort((a, b) => b.score - a.score)
        .slice(0, MAX_CANDIDATES);
    },
  };
}
