// The FAQ index: MiniSearch over each entry's questions, keywords and answers, plus the
// coverage measure that tells how much of a query an entry actually accounts for.
//
// Why one file of this size: the build and the search share about twenty flat typed arrays (term ids,
// per-entry field tokens, variants, centroids, postings) through one closure. Split across modules they
// would travel in an object, and every inner-loop read would become a property load on it; the options
// (retrieval-options.ts) and the array helpers (int-arrays.ts) are what could leave without that cost.
import MiniSearch, { type SearchResult } from 'minisearch';
import type { Candidate } from './decision.ts';
import type { Analysis, Analyze, Unit } from './tokenize.ts';
import { defaultRetrievalOptions, type Field, type RetrievalOptions } from './retrieval-options.ts';
import { has, IntList, topByVotes } from './int-arrays.ts';

/** Credit a content unit earns when matched only in an answer (0..1; default 0.5). */
const ANSWER_ONLY_CREDIT = 0.5;
/** Weight of a bigram no dictionary knew and the index does not contain: likely straddles words (0..1; default 0.3). */
const SOFT_UNKNOWN_WEIGHT = 0.3;
/** Extra weight of the word asked for ("要用什么密码": 密码) in coverage, when the KB knows it. Range 1-4; default 2. */
const FOCUS_WEIGHT = 2;
/** Share of the entries above which a term is too common to be worth a BM25 posting walk. Range 0.1-1; default 0.25. */
const COMMON_TERM_SHARE = 0.25;
/** Content words beyond which a query is searched by its words only, without recall bigrams. Range 4-30; default 8. */
const LONG_QUERY_UNITS = 8;
/** Candidates kept from one search. Range 3-50; default 10. */
const MAX_CANDIDATES = 10;
/**
 * Postings a pruned search walks in its own compact lists to choose candidates (a few ns each, where
 * MiniSearch spends microseconds per posting). Range 5,000-500,000; default 60,000.
 */
const CANDIDATE_POSTINGS = 60_000;
/** Postings MiniSearch walks when it ranks a pruned search's candidates. Range 1,000-50,000; default 10,000. */
const RANKING_POSTINGS = 10_000;
/** What a recall bigram counts, against a word, when candidates are chosen (0..1; default 0.5). */
const BIGRAM_VOTE = 0.5;

const SEP = '\u0001';
/** A Chinese word of three or more characters, whose two-character parts coverage may match. */
const HAN_COMPOUND = /^\p{Script=Han}{3,}$/u;
const hanPairs = (word: string): string[] => {
  const chars = [...word];
  const out: string[] = [];
  for (let k = 0; k + 1 < chars.length; k++) out.push(chars[k]! + chars[k + 1]!);
  return out;
};

/**
 * The term MiniSearch stores for a term id: the id in base 36. MiniSearch keeps terms in a radix tree
 * whose nodes it searches child by child; Chinese terms put thousands of first characters under its
 * root, which made every insertion and lookup scan them (about 2 µs per term, most of the index
 * build at 100k entries). Codes have at most 36 children per node. Scores are unchanged: BM25 reads
 * frequencies and lengths, never the term's spelling, and spelling mistakes are the speller's job.
 */
const code = (id: number) => id.toString(36);
const FIELDS: readonly Field[] = ['q', 'kw', 'a'];

/** An entry's texts, already normalized and synonym-rewritten by the engine (once per build). */
export interface IndexedEntry {
  id: string;
  questions: readonly string[];
  keywords: readonly string[];
  answers: readonly string[];
}

export interface Retriever {
  search(query: Analysis, options?: { postingsBudget?: number }): Candidate[];
  /** Inverse document frequency of a token over the entries (unknown tokens get the maximum). */
  idf(token: string): number;
  /** The token occurs in some entry. */
  known(token: string): boolean;
}

/** Entries handled between two yields of a stepwise build (a few ms of work; the shipped KB yields twice). */
export const ENTRIES_PER_STEP = 50;

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
  const { fieldBoosts, rankWeights, postingsBudget, candidateCap } = options;
  // Every token gets a number once; the per-entry structures below hold numbers in flat typed arrays,
  // which keeps a 100k-entry index in a few hundred MiB instead of millions of Sets and Maps.
  const termIds = new Map<string, number>();
  const df: number[] = [];
  const qdf: number[] = [];
  // Scratch per term for the pass below: the last entry that counted it, and its variant count there.
  const lastSeen: number[] = [];
  const variantCount: number[] = [];
  const codes: string[] = [];
  // Every array indexed by term id grows with it, so none ever has holes (V8 keeps them dense and fast).
  const intern = (t: string) => {
    let id = termIds.get(t);
    if (id === undefined) {
      id = termIds.size;
      termIds.set(t, id);
      df.push(0);
      qdf.push(0);
      lastSeen.push(-1);
      variantCount.push(0);
      codes.push(code(id));
    }
    return id;
  };
  const sortedUnique = (tokens: readonly string[], more: readonly string[] = []): number[] => {
    const ids = tokens.map(intern);
    for (const t of more) ids.push(intern(t));
    ids.sort((x, y) => x - y);
    let w = 0;
    for (let r = 0; r < ids.length; r++) if (r === 0 || ids[r] !== ids[w - 1]) ids[w++] = ids[r]!;
    ids.length = w;
    return ids;
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
    const inQuestions: number[] = [];
    entryVariantStart.push(variantStart.length);
    for (const text of e.questions) {
      const a = analyze(text);
      for (const t of a.tokens) q.push(t);
      variantStart.push(variantTokens.length);
      for (const id of sortedUnique(a.tokens, a.context)) {
        variantTokens.push(id);
        const seenIn = variantCount[id]!;
        variantCount[id] = seenIn + 1;
        if (seenIn === 0) inQuestions.push(id);
      }
    }
    centroidStart.push(centroidTokens.length);
    for (const id of inQuestions) {
      centroidTokens.push(id);
      centroidCounts.push(variantCount[id]!);
      variantCount[id] = 0;
      qdf[id] = qdf[id]! + 1;
    }
    const kw: string[] = [];
    for (const t of e.keywords) for (const token of analyze(t).tokens) kw.push(token);
    const a: string[] = [];
    for (const t of e.answers) for (const token of analyze(t).tokens) a.push(token);
    for (const list of [q, kw, a]) {
      fieldStart.push(fieldTokens.length);
      const own = sortedUnique(list);
      for (const id of own) {
        if (lastSeen[id] !== i) {
          lastSeen[id] = i;
          df[id] = df[id]! + 1;
        }
      }
      // For coverage only (no BM25 posting, no document frequency): the two-character parts of the field's
      // longer Chinese words, so that a visitor's "密码" is found in an entry that always says "服务密码".
      const parts = list === a ? [] : list.flatMap((t) => (HAN_COMPOUND.test(t) ? hanPairs(t) : []));
      for (const id of parts.length ? sortedUnique(list, parts) : own) fieldTokens.push(id);
    }
    const coded = (tokens: readonly string[]) => tokens.map((t) => codes[termIds.get(t)!]!).join(SEP);
    index.add({ id: i, q: coded(q), kw: coded(kw), a: coded(a) });
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

  // Each term's entries, ascending (postings[postStart[id] .. postStart[id + 1])), for pruned searches.
  const termCount = termIds.size;
  const postStart = new Int32Array(termCount + 1);
  for (let id = 0; id < termCount; id++) postStart[id + 1] = postStart[id]! + (df[id] ?? 0);
  const postings = new Int32Array(postStart[termCount]!);
  {
    const fill = postStart.slice(0, termCount);
    const seenIn = new Int32Array(termCount).fill(-1);
    for (let i = 0; i < entries.length; i++) {
      if (i > 0 && i % (ENTRIES_PER_STEP * 20) === 0) yield;
      for (let k = fStart[i * 3]!; k < fStart[i * 3 + 3]!; k++) {
        const id = fTokens[k]!;
        if (seenIn[id] === i) continue;
        seenIn[id] = i;
        postings[fill[id]!++] = i;
      }
    }
  }

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

  // The query as a dense vector over term ids (question idf; 0 = not in the query): reading a typed
  // array in the inner loops below is several times cheaper than a Map. Set and cleared per search.
  const queryWeight = new Float64Array(termIds.size);
  /** Puts the query's known tokens into `queryWeight`; unknown ones only add to its norm. */
  const setQuery = (tokens: readonly string[]) => {
    const ids: number[] = [];
    let norm = 0;
    for (const t of tokens) {
      const id = termIds.get(t);
      const w = id === undefined ? maxIdf : qidfById[id]!;
      norm += w * w;
      if (id !== undefined) {
        queryWeight[id] = w;
        ids.push(id);
      }
    }
    return { ids, norm: Math.sqrt(norm) };
  };
  const centroidSimilarity = (entry: number, queryNorm: number) => {
    if (centroidNorm[entry] === 0 || queryNorm === 0) return 0;
    let dot = 0;
    for (let k = cStart[entry]!; k < cStart[entry + 1]!; k++) {
      const w = queryWeight[cTokens[k]!]!;
      if (w !== 0) dot += cCounts[k]! * w * w;
    }
    return dot / (centroidNorm[entry]! * queryNorm);
  };
  /**
   * Cosine similarity (idf-weighted, binary) between the query and the entry's closest question
   * variant. BM25 over all variants at once blurs entries that share vocabulary; the single closest
   * paraphrase separates "联通自助机能打几个月" (period) from "联通自助机在哪" (terminal).
   */
  const closestVariant = (entry: number, queryNorm: number) => {
    let best = 0;
    if (queryNorm === 0) return 0;
    for (let v = eVStart[entry]!; v < eVStart[entry + 1]!; v++) {
      if (variantNorm[v] === 0) continue;
      let dot = 0;
      for (let k = vStart[v]!; k < vStart[v + 1]!; k++) {
        const w = queryWeight[vTokens[k]!]!;
        if (w !== 0) dot += w * w;
      }
      best = Math.max(best, dot / (variantNorm[v]! * queryNorm));
    }
    return best;
  };
  /** The fields of `entry` that contain the term `id`, in field order. */
  const fieldsWith = (entry: number, id: number | undefined): Field[] | undefined => {
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

  /** What coverage needs of a query unit, worked out once per search instead of once per candidate. */
  interface UnitWeight {
    unit: Unit;
    known: boolean;
    weight: number;
    id: number | undefined;
    /** Its bigrams' term ids when every one was asked as a token and is in the index; else undefined. */
    partIds: number[] | undefined;
  }
  const weighUnits = (units: readonly Unit[], queried: ReadonlySet<string>): UnitWeight[] =>
    units.map((u) => {
      const d = unitDf(u);
      const partIds = u.parts.length && u.parts.every((p) => queried.has(p) && termIds.has(p)) ? u.parts.map((p) => termIds.get(p)!) : undefined;
      return {
        unit: u,
        known: d > 0,
        weight: idfOf(d) * (u.soft && d === 0 ? SOFT_UNKNOWN_WEIGHT : 1) * u.salience * (u.focus && d > 0 ? FOCUS_WEIGHT : 1),
        id: termIds.get(u.text),
        partIds,
      };
    });

  function coverage(units: readonly UnitWeight[], entry: number): { coverage: number; matched: Record<string, string[]>; missing: string[]; maxMissing: number; missingKnown: number; missingUnknown: number; missingNoun: number; askedShare: number } {
    const matched: Record<string, string[]> = {};
    const missing: string[] = [];
    let maxMissing = 0;
    let total = 0;
    let got = 0;
    let missingKnown = 0;
    let missingUnknown = 0;
    let missingNoun = 0;
    let matchedAny = 0;
    let matchedAsked = 0;
    for (const { unit: u, known, weight, id, partIds } of units) {
      total += weight;
      let fields: string[] | undefined = fieldsWith(entry, id);
      let credit = 1;
      // A word the entry lacks still counts when the entry has all its bigrams (asked as tokens too).
      if (!fields && partIds && partIds.every((p) => fieldsWith(entry, p))) fields = fieldsWith(entry, partIds[0]!);
      if (!fields) {
        missing.push(u.text);
        maxMissing = Math.max(maxMissing, weight / maxIdf);
        // A word other entries use and this one lacks points elsewhere; a word no entry has is often filler.
        if (known) missingKnown += weight;
        else missingUnknown += weight;
        if (u.noun) missingNoun += weight;
        continue;
      }
      for (const f of fields) (matched[f] ??= []).push(u.text);
      matchedAny++;
      if (fields.includes('q') || fields.includes('kw')) matchedAsked++;
      if (!fields.includes('q') && !fields.includes('kw')) credit *= ANSWER_ONLY_CREDIT;
      got += weight * credit;
    }
    return { coverage: total > 0 ? got / total : 0, matched, missing, maxMissing, missingKnown: total > 0 ? missingKnown / total : 0, missingUnknown: total > 0 ? missingUnknown / total : 0, missingNoun: total > 0 ? missingNoun / total : 0, askedShare: matchedAny > 0 ? matchedAsked / matchedAny : 0 };
  }

  /**
   * The query's known terms, most telling first: its words (units) rarest first, then its recall
   * bigrams. A bigram straddling two words ("展刺" in "发展刺客") is rare by accident and would
   * otherwise outvote the words.
   */
  const byRarity = (tokens: readonly string[], units: readonly Unit[]): { id: number; word: boolean }[] => {
    const words = new Set(units.map((u) => u.text));
    const known = tokens.flatMap((t) => {
      const id = termIds.get(t);
      return id !== undefined && (df[id] ?? 0) > 0 ? [{ id, word: words.has(t) }] : [];
    });
    return known.sort((a, b) => Number(b.word) - Number(a.word) || df[a.id]! - df[b.id]!);
  };

  // Scratch space for choosing candidates, reused by every search (an engine answers one query at a time).
  const votes = new Float64Array(entries.length);
  const touched = new Int32Array(entries.length);
  const isCandidate = new Uint8Array(entries.length);

  /**
   * Candidates for a query too broad to rank whole: entries vote for the query terms they contain
   * (idf-weighted; bigrams count half), walking the rarest terms' postings up to a budget; the
   * `cap` entries with the most votes go on to MiniSearch. Returns them marked in `isCandidate`.
   */
  const chooseCandidates = (terms: readonly { id: number; word: boolean }[], cap: number): number[] => {
    let spent = 0;
    let count = 0;
    for (const [k, { id, word }] of terms.entries()) {
      const d = df[id]!;
      if (k > 0 && spent + d > CANDIDATE_POSTINGS) continue;
      spent += d;
      const weight = idfOf(d) * (word ? 1 : BIGRAM_VOTE);
      for (let p = postStart[id]!; p < postStart[id + 1]!; p++) {
        const e = postings[p]!;
        if (votes[e] === 0 && count < touched.length) touched[count++] = e;
        votes[e] = votes[e]! + weight;
      }
    }
    const chosen = topByVotes(touched.subarray(0, count), votes, cap);
    for (let k = 0; k < count; k++) votes[touched[k]!] = 0;
    for (const e of chosen) isCandidate[e] = 1;
    return chosen;
  };

  // The same for every search (built once, not per query).
  const searchOptions = { tokenize: (s: string) => s.split(SEP), processTerm: (t: string) => t, boost: fieldBoosts, combineWith: 'OR' as const };
  // A pruned search ranks only its candidates: 0 leaves a document out before MiniSearch builds a result for it.
  const candidatesOnly = { ...searchOptions, boostDocument: (id: unknown) => isCandidate[id as number]! };

  return {
    idf,
    known: (token) => dfOf(token) > 0,
    search({ units, tokens, context }, options = {}) {
      if (tokens.length === 0) return [];
      let postingsAsked = 0;
      for (const t of tokens) postingsAsked += dfOf(t);
      let results: SearchResult[];
      if (postingsAsked <= (options.postingsBudget ?? postingsBudget)) {
        // Terms no entry has cannot match: only known ones are asked. A long message is asked by its
        // words alone: its recall bigrams (a few dozen in a story) add little to what the words find,
        // and MiniSearch's cost grows with every term.
        const words = units.length > LONG_QUERY_UNITS ? new Set(units.map((u) => u.text)) : undefined;
        const asked = (words ? tokens.filter((t) => words.has(t)) : tokens).flatMap((t) => {
          const id = termIds.get(t);
          return id !== undefined && (df[id] ?? 0) > 0 ? [id] : [];
        });
        // Terms in a large share of the entries (联通, 怎么) weigh almost nothing in BM25 and cost
        // MiniSearch the longest posting lists: they are left to coverage and similarity below, unless
        // the query has nothing else.
        const telling = asked.filter((id) => df[id]! <= entries.length * COMMON_TERM_SHARE);
        const known = (telling.length > 0 ? telling : asked).map(code);
        if (known.length === 0) return [];
        results = index.search(known.join(SEP), searchOptions);
      } else {
        // Too broad to rank whole: choose candidates from the rarest terms, then let MiniSearch rank
        // just those, over as many terms as its budget allows (the commonest, near-zero idf, stay out
        // of BM25 but still count in coverage and similarity below).
        const terms = byRarity(tokens, units);
        if (terms.length === 0) return [];
        const chosen = chooseCandidates(terms, candidateCap);
        let spent = 0;
        const ranked = terms.filter(({ id }, k) => {
          if (k > 0 && spent + df[id]! > RANKING_POSTINGS) return false;
          spent += df[id]!;
          return true;
        });
        try {
          results = index.search(ranked.map(({ id }) => code(id)).join(SEP), candidatesOnly);
        } finally {
          for (const e of chosen) isCandidate[e] = 0;
        }
      }
      const top = results[0]?.score ?? 1;
      const query = setQuery([...new Set([...tokens, ...context])]);
      const weighed = weighUnits(units, new Set(tokens));
      try {
        return results
          .slice(0, MAX_CANDIDATES * 2)
          .map((r) => {
            const entry = r.id as number;
            const c = coverage(weighed, entry);
            const similarity = closestVariant(entry, query.norm);
            const centroid = rankWeights.centroid > 0 ? centroidSimilarity(entry, query.norm) : 0;
            const score =
              rankWeights.similarity * similarity + rankWeights.centroid * centroid + rankWeights.coverage * c.coverage + rankWeights.bm25 * (r.score / top);
            return {
              entryId: entries[entry]!.id, score, bm25: r.score, similarity, centroid, coverage: c.coverage, matched: c.matched,
              missing: c.missing, maxMissing: c.maxMissing, missingKnown: c.missingKnown, missingUnknown: c.missingUnknown, missingNoun: c.missingNoun, askedShare: c.askedShare,
              // Filled in by the engine from the learned channel, which sees the whole query.
              learned: 0,
            };
          })
          .sort((a, b) => b.score - a.score)
          .slice(0, MAX_CANDIDATES);
      } finally {
        for (const id of query.ids) queryWeight[id] = 0;
      }
    },
  };
}
