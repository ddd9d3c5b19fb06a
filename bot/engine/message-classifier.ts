// Two learned detectors beside the rules and the ranking, each a logistic model over a message's
// characters, character pairs and English words and word pairs:
//   - the request detector tells "do something for me / get me a person" from a question the knowledge base
//     can answer. Why: the rules and the account-action shapes (rules.yaml, account-action.ts) are lists; on
//     batches their authors had not seen they caught 77-91% of handoffs, while on the batches they were tuned
//     on 96%. A model fitted on every tuning turn reads the style of a request ("帮…弄一下", "can someone",
//     "for me") rather than listed phrases. It acts only at its confident ends, beside the rules:
//       - a message no rule sends to a person, read as a request with probability >= `add`, is handed over
//         (unless the knowledge base answers it with confidence >= `keepAnswer`);
//       - a handoff for a complaint's tone or account words, read as a request with probability < `veto`,
//         gives way to what the knowledge base says. Requests for a person and passwords always hand over.
//   - the outside detector tells a question the knowledge base does not cover (another carrier's product, a
//     generation, a price or a channel the source never gives) from one it does. Why: most wrong answers on
//     blind batches were traps answered with a nearby fact at middling confidence; the gate weighs how well
//     an entry fits, not what kind of question visitors ask that no entry answers. An answer below
//     `keepAnswer` to a message read as outside with probability >= `threshold` becomes "I don't know";
//     at the other end, a message read as outside below `insideBelow` (surely a question the KB covers) is
//     answered by its best entry from confidence `insideAnswer`, under the gate's bar.
// Both are fitted by bench/tune-messages.ts on the tuning part of knowledge/tests; leave-one-batch-out
// figures there.

/** A logistic model over sparse binary features. */
export interface LinearModel {
  weights: Readonly<Record<string, number>>;
  bias: number;
}

export interface RequestModel extends LinearModel {
  /** At or above this probability a message no rule hands over is handed over. */
  add: number;
  /** The knowledge base's confidence at or above which its answer stands against `add`. */
  keepAnswer: number;
  /** Below this probability a handoff for tone or account words gives way to the knowledge base. */
  veto: number;
}

export interface OutsideModel extends LinearModel {
  /** At or above this probability an answer below `keepAnswer` becomes "I don't know". */
  threshold: number;
  keepAnswer: number;
  /** Below this probability the message is surely inside the KB: the best entry answers from confidence `insideAnswer`. */
  insideBelow: number;
  insideAnswer: number;
}

const HAN_RUN = /\p{Script=Han}+/gu;
const LATIN_OR_NUMBER = /[a-z']+|\d+/g;

/**
 * What the model reads of a normalized message: each Chinese character and pair of characters (function
 * words such as 帮我, 给我 and 吗 included: they carry the request), each English word and pair of words,
 * numbers by length (a phone number is an account), the first word or pair, and a question mark.
 */
export function messageFeatures(normalized: string): string[] {
  const out = new Set<string>();
  for (const [run] of normalized.matchAll(HAN_RUN)) {
    const chars = [...run];
    out.add(`^${chars[0]}${chars[1] ?? ''}`);
    for (let i = 0; i < chars.length; i++) {
      out.add(chars[i]!);
      if (i + 1 < chars.length) out.add(chars[i]! + chars[i + 1]!);
    }
  }
  const words = (normalized.match(LATIN_OR_NUMBER) ?? []).map((w) => (/^\d+$/.test(w) ? (w.length >= 7 ? '#number' : '#digits') : w));
  if (words.length > 0) out.add(`^${words[0]}`);
  for (let i = 0; i < words.length; i++) {
    out.add(`w:${words[i]}`);
    if (i + 1 < words.length) out.add(`w:${words[i]} ${words[i + 1]}`);
  }
  if (/[?？]|[吗呢][!。.]*$/u.test(normalized)) out.add('#question');
  return [...out];
}

export function probability(model: LinearModel, features: readonly string[]): number {
  let z = model.bias;
  for (const f of features) z += model.weights[f] ?? 0;
  return 1 / (1 + Math.exp(-z));
}

export interface MessageSample {
  features: readonly string[];
  /** 1 for the class the model detects (a person is the right outcome; the KB does not cover it). */
  y: 0 | 1;
}

export interface FitOptions {
  /** Passes over the samples, the learning rate falling as 1/(1+pass). Range 2-20; default 8. */
  epochs: number;
  /** L2 shrinkage per step. Range 1e-6-1e-2; default 1e-4 (1e-3 and 1e-5 gave the same figures). */
  l2: number;
  /** Weights smaller than this are dropped from the model. Range 0-0.3; default 0.1: for the request detector 0.01 kept 12,543 weights and 0.1 about 4,500 with the same leave-one-batch-out figures; 0.2 halves them again and lost 2 turns. */
  prune: number;
}

export const defaultFitOptions: FitOptions = { epochs: 8, l2: 1e-4, prune: 0.1 };

/**
 * Logistic regression by stochastic gradient descent, the two classes weighted to equal total weight
 * (handoffs are one turn in seven, traps one in four). The order of samples is a fixed shuffle, so a refit
 * is reproducible.
 */
export function fitLinear(samples: readonly MessageSample[], options: FitOptions = defaultFitOptions): LinearModel {
  const w = new Map<string, number>();
  let bias = 0;
  const positives = samples.filter((s) => s.y === 1).length;
  const classWeight = [samples.length / (2 * Math.max(1, samples.length - positives)), samples.length / (2 * Math.max(1, positives))] as const;
  const order = samples.map((_, i) => i);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = (i * 7919 + epoch * 104729) % (i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const rate = 0.2 / (1 + epoch);
    for (const i of order) {
      const s = samples[i]!;
      let z = bias;
      for (const f of s.features) z += w.get(f) ?? 0;
      const g = (1 / (1 + Math.exp(-z)) - s.y) * classWeight[s.y];
      bias -= rate * g;
      for (const f of s.features) {
        const v = w.get(f) ?? 0;
        w.set(f, v - rate * (g + options.l2 * v));
      }
    }
  }
  const weights: Record<string, number> = {};
  for (const [f, v] of [...w].sort((a, b) => (a[0] < b[0] ? -1 : 1))) if (Math.abs(v) >= options.prune) weights[f] = Math.round(v * 1e4) / 1e4;
  return { weights, bias: Math.round(bias * 1e4) / 1e4 };
}
