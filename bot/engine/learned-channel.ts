// The learned channel beside the lexical ranking: a linear classifier over each question's words, Chinese
// bigrams and function words, trained when the engine is built on the entries' own question variants.
// Why: the lexical features ask how much of the query an entry holds; a classifier learns which words tell
// entries apart (联通 vs 移动, 开 vs 取消) from every variant at once. On blind tuning data its agreement with
// the lexical winner separated right answers from wrong ones better than any lexical margin, and it often
// held the right entry when the lexical ranking put it second. Its scores reach the ranker and the gate as
// one feature each; it never decides alone.

/** A multi-class averaged perceptron over sparse binary features. */
export interface LearnedChannel {
  /**
   * Each entry's score relative to the best (0..1; the best is 1) for the features of a query, and the
   * best entry's lead over the runner-up (0..1). Entries with no score are missing (read as 0).
   */
  score(features: readonly string[]): { relative: Map<number, number>; best: number; lead: number };
}

export interface LearnedChannelOptions {
  /** Passes over the training samples. Range 2-20; default 6. */
  epochs: number;
  /** Extra copies of each question with a share of its features dropped (typos, words the visitor leaves out). Range 0-4; default 2. */
  dropoutCopies: number;
  /** Share of features a dropout copy loses. Range 0.1-0.5; default 0.3. */
  dropout: number;
  /**
   * Above this many cells (distinct features x entries) the channel is not trained: its dense training
   * table would take too much memory and time (a large generated KB). Without it the ranker and gate read 0
   * for every entry. Range 0-5e7; default 8e6 (32 MB per table).
   */
  maxCells: number;
  /**
   * Models trained on other shuffles and dropouts, averaged into one. Range 1-8; default 3: 5-fold CV of the
   * refitted gate at 0.65 on the tuning part gave 86.8% right, 83.2% held back, 7.7% wrong, against
   * 86.4% / 83.1% / 8.1% with one model (5 models: 87.0% / 83.4% / 7.6%). Scoring costs the same; training
   * costs this many times more (the shipped KB's engine build: 0.77 s with one, 1.2 s with three).
   */
  ensemble: number;
}

export const defaultLearnedChannelOptions: LearnedChannelOptions = { epochs: 6, dropoutCopies: 2, dropout: 0.3, maxCells: 8_000_000, ensemble: 3 };

/** The value the ranker and gate read when the channel is off or says nothing of an entry. */
export const NEUTRAL_LEARNED = 0;

interface Sample {
  label: number;
  features: Int32Array;
}

/**
 * Trains on one sample per question (its feature list) labelled with its entry's index. Deterministic:
 * the shuffles and dropouts come from a fixed seed, so one knowledge base always gives one model.
 */
export function* trainLearnedChannel(
  questions: readonly { entry: number; features: readonly string[] }[],
  options: LearnedChannelOptions = defaultLearnedChannelOptions,
  stepEvery = 2000,
): Generator<void, LearnedChannel | undefined> {
  if (questions.length === 0) return undefined;
  const vocabulary = new Map<string, number>();
  const idOf = (f: string) => {
    let id = vocabulary.get(f);
    if (id === undefined) vocabulary.set(f, (id = vocabulary.size));
    return id;
  };
  // Every feature's id first, so each run of the ensemble shares one table layout.
  const questionIds = questions.map((q) => ({ label: q.entry, ids: Int32Array.from(new Set(q.features.map(idOf))) })).filter((q) => q.ids.length > 0);
  // A loop, not Math.max(...): tens of thousands of arguments overflow the stack.
  const labels = questions.reduce((m, q) => Math.max(m, q.entry), -1) + 1;
  if (vocabulary.size * labels > options.maxCells) return undefined;
  // Dense weights while training (features x entries), with the usual averaging trick: each update at
  // step c also adds c * update to a second table, and the average is w - u / c at the end.
  const w = new Float32Array(vocabulary.size * labels);
  const u = new Float32Array(vocabulary.size * labels);
  const mean = options.ensemble > 1 ? new Float32Array(vocabulary.size * labels) : undefined;
  const scores = new Float32Array(labels);
  let n = 0;
  let clock = 1;
  for (let run = 0; run < options.ensemble; run++) {
    const random = seeded(0x5eed + run);
    const samples: Sample[] = [];
    for (const { label, ids } of questionIds) {
      samples.push({ label, features: ids });
      for (let c = 0; c < options.dropoutCopies && ids.length > 2; c++) {
        const kept = ids.filter(() => random() >= options.dropout);
        if (kept.length > 0 && kept.length < ids.length) samples.push({ label, features: kept });
      }
    }
    if (run > 0) {
      w.fill(0);
      u.fill(0);
    }
    clock = 1;
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      shuffle(samples, random);
      for (const s of samples) {
        if (++n % stepEvery === 0) yield;
        scores.fill(0);
        for (const f of s.features) {
          const row = f * labels;
          for (let l = 0; l < labels; l++) scores[l]! += w[row + l]!;
        }
        const own = scores[s.label]!;
        let rival = -1;
        for (let l = 0; l < labels; l++) if (l !== s.label && (rival < 0 || scores[l]! > scores[rival]!)) rival = l;
        // A margin of 1: the right entry must win clearly, not only on a tie at zero.
        if (rival < 0 || own - scores[rival]! >= 1) { clock++; continue; }
        for (const f of s.features) {
          const row = f * labels;
          w[row + s.label]! += 1;
          u[row + s.label]! += clock;
          w[row + rival]! -= 1;
          u[row + rival]! -= clock;
        }
        clock++;
      }
    }
    // Several runs (other shuffles and dropouts) averaged: one run's model depends on the order it saw the
    // questions in; the mean of a few ranked the right entry first more often (see `ensemble`).
    if (mean) for (let k = 0; k < mean.length; k++) mean[k]! += (w[k]! - u[k]! / clock) / options.ensemble;
  }
  const weight = mean ? (k: number) => mean[k]! : (k: number) => w[k]! - u[k]! / clock;
  // Averaged weights, kept sparse: a query reads only the entries its words have weight for.
  const averaged = new Map<string, { labels: Int32Array; values: Float32Array }>();
  for (const [feature, id] of vocabulary) {
    const cells: [number, number][] = [];
    for (let l = 0; l < labels; l++) {
      const v = weight(id * labels + l);
      if (Math.abs(v) > 1e-3) cells.push([l, v]);
    }
    if (cells.length > 0) averaged.set(feature, { labels: Int32Array.from(cells.map(([l]) => l)), values: Float32Array.from(cells.map(([, v]) => v)) });
  }
  // Scratch space for one query's sums, reused (an engine scores one query at a time): a dense array
  // and the labels in the order first touched, which is the order the best is chosen in on ties.
  const sums = new Float64Array(labels);
  const touched = new Int32Array(labels);
  const isTouched = new Uint8Array(labels);
  return {
    score(features) {
      let count = 0;
      for (const f of new Set(features)) {
        const row = averaged.get(f);
        if (!row) continue;
        for (let i = 0; i < row.labels.length; i++) {
          const label = row.labels[i]!;
          if (!isTouched[label]) {
            isTouched[label] = 1;
            touched[count++] = label;
          }
          sums[label]! += row.values[i]!;
        }
      }
      let best = -1, top = 0, second = 0;
      for (let k = 0; k < count; k++) {
        const label = touched[k]!;
        const v = sums[label]!;
        if (v > top) { second = top; top = v; best = label; }
        else if (v > second) second = v;
      }
      const relative = new Map<number, number>();
      for (let k = 0; k < count; k++) {
        const label = touched[k]!;
        if (top > 0 && sums[label]! > 0) relative.set(label, sums[label]! / top);
        sums[label] = 0;
        isTouched[label] = 0;
      }
      if (top <= 0) return { relative, best: -1, lead: 0 };
      return { relative, best, lead: (top - Math.max(0, second)) / top };
    },
  };
}

/** A small deterministic generator (mulberry32): the same KB always trains the same model. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
