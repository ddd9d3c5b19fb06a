// The answer gate: how likely the best entry is the right answer, from what the ranking says about it.
// A logistic model over a dozen signals, fitted by bench/tune-gate.ts on the tuning part of
// knowledge/tests only (never tests/sealed), so its output is a calibrated probability: the
// reliability table of `kb test` reads it as the confidence of an answer.

export const GATE_FEATURES = [
  /** Cosine to the entry's closest question variant (0..1). */
  'similarity',
  /** Cosine to the entry's questions taken together (0..1). */
  'centroid',
  /** Share of the query's weight the entry accounts for (0..1). */
  'coverage',
  /** Relative lead of the best score over the runner-up (0..1). */
  'margin',
  /** The best entry's share of the two best BM25 scores (0.5..1). */
  'bm25Share',
  /** Weight of the heaviest query word the entry lacks (0..1). */
  'maxMissing',
  /** Share of the query in words the KB knows but this entry lacks: they point to another entry. */
  'missingKnown',
  /** Share of the query in words no entry has: filler, or a subject the KB does not cover. */
  'missingUnknown',
  /** Share of the query in nouns the entry lacks (电子发票 asked, 发票 answered). */
  'missingNoun',
  /** How much the runner-up covers (a close second that covers as much makes the first less sure). */
  'secondCoverage',
  /** Content words in the query, log scale: long stories have more unmatched words that mean nothing. */
  'length',
  /** The reading is an English one (the two languages match differently). */
  'english',
  /** The reading folded in the previous question (a follow-up). */
  'followUp',
  /** The learned channel's score for the best entry relative to its own choice (1: they agree). */
  'learned',
  /** How far the learned channel's choice leads its runner-up, when it is the best entry (0 otherwise). */
  'learnedLead',
  /** The best entry answered the previous message: the conversation stays on its subject. */
  'previous',
  /** The best entry is one the previous answer's entry lists as asked next (its `followups`). */
  'expectedNext',
] as const;

export type GateFeature = (typeof GATE_FEATURES)[number];
export type GateFeatures = Record<GateFeature, number>;

/** A fitted logistic model over standardized features. */
export interface LogisticModel<F extends string = string> {
  features: readonly F[];
  mean: readonly number[];
  scale: readonly number[];
  weights: readonly number[];
  bias: number;
}

export type GateModel = LogisticModel<GateFeature>;

/** What the gate reads of a ranked candidate (decision.ts's Candidate has these and more). */
export interface GateCandidate {
  similarity: number;
  centroid: number;
  coverage: number;
  bm25: number;
  maxMissing: number;
  missingKnown: number;
  missingUnknown: number;
  missingNoun: number;
  learned: number;
}

/** Where the best entry stands to the previous answer (both false on a conversation's first message). */
export interface GateContext {
  previous: boolean;
  expectedNext: boolean;
}

/** `learnedLead`: the learned channel's lead over its runner-up (bot/engine/learned-channel.ts). */
export function gateFeatures(
  candidates: readonly GateCandidate[], margin: number, units: number, english: boolean, followUp: boolean, learnedLead = 0,
  context: GateContext = { previous: false, expectedNext: false },
): GateFeatures {
  const [top, second] = candidates;
  return {
    similarity: top?.similarity ?? 0,
    centroid: top?.centroid ?? 0,
    coverage: top?.coverage ?? 0,
    margin,
    bm25Share: top ? top.bm25 / (top.bm25 + (second?.bm25 ?? 0) || 1) : 0,
    maxMissing: top?.maxMissing ?? 1,
    missingKnown: top?.missingKnown ?? 1,
    missingUnknown: top?.missingUnknown ?? 0,
    missingNoun: top?.missingNoun ?? 0,
    secondCoverage: second?.coverage ?? 0,
    length: Math.log1p(units),
    english: english ? 1 : 0,
    followUp: followUp ? 1 : 0,
    learned: top?.learned ?? 0,
    // The lead counts only when the best entry is the channel's own choice; NaN (no channel) passes through.
    learnedLead: !top ? 0 : top.learned >= 1 || Number.isNaN(top.learned) ? learnedLead : 0,
    previous: context.previous ? 1 : 0,
    expectedNext: context.expectedNext ? 1 : 0,
  };
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export function gateProbability<F extends string>(model: LogisticModel<F>, f: Record<F, number>): number {
  let z = model.bias;
  for (let i = 0; i < model.features.length; i++) {
    const v = f[model.features[i]!];
    // A feature not measured (NaN: the learned channel is off) counts as its mean: it says nothing either way.
    if (!Number.isNaN(v)) z += model.weights[i]! * ((v - model.mean[i]!) / model.scale[i]!);
  }
  return sigmoid(z);
}

export interface FitOptions {
  /** L2 penalty on the weights (standardized features). Range 0-1; default 0.01. */
  l2: number;
  /** Full-batch gradient steps. Range 200-20,000; default 3,000. */
  steps: number;
  /** Step size. Range 0.01-1; default 0.3. */
  rate: number;
}

export const defaultFitOptions: FitOptions = { l2: 0.01, steps: 3000, rate: 0.3 };

/** The answer gate fitted on ranked turns. */
export function fitGate(samples: readonly { x: GateFeatures; y: 0 | 1 }[], options: FitOptions = defaultFitOptions): GateModel {
  return fitLogistic(GATE_FEATURES, samples, options);
}

/** Logistic regression by full-batch gradient descent: a few thousand samples, a dozen features, well under a second. */
export function fitLogistic<F extends string>(features: readonly F[], samples: readonly { x: Record<F, number>; y: 0 | 1 }[], options: FitOptions = defaultFitOptions): LogisticModel<F> {
  const n = samples.length;
  const k = features.length;
  const mean = features.map((f) => samples.reduce((s, e) => s + e.x[f], 0) / Math.max(1, n));
  const scale = features.map((f, i) => Math.sqrt(samples.reduce((s, e) => s + (e.x[f] - mean[i]!) ** 2, 0) / Math.max(1, n)) || 1);
  const rows = samples.map((e) => features.map((f, i) => (e.x[f] - mean[i]!) / scale[i]!));
  const weights = new Array<number>(k).fill(0);
  let bias = 0;
  for (let step = 0; step < options.steps; step++) {
    const grad = new Array<number>(k).fill(0);
    let gradBias = 0;
    for (let r = 0; r < n; r++) {
      const row = rows[r]!;
      let z = bias;
      for (let i = 0; i < k; i++) z += weights[i]! * row[i]!;
      const err = sigmoid(z) - samples[r]!.y;
      for (let i = 0; i < k; i++) grad[i] = grad[i]! + err * row[i]!;
      gradBias += err;
    }
    for (let i = 0; i < k; i++) weights[i] = weights[i]! - options.rate * (grad[i]! / n + options.l2 * weights[i]!);
    bias -= options.rate * (gradBias / n);
  }
  return { features, mean, scale, weights, bias };
}
