// The fitted candidate ranking and answer gate: written by `npx tsx bench/tune-gate.ts --write` from the
// tuning part of knowledge/tests and the KB's own questions (31905 ranked candidates, 7093 ranked turns of 7777 cases;
// tests/sealed never read). Do not edit by hand.
import type { GateModel } from './answer-gate.ts';
import type { RankerModel } from './candidate-ranker.ts';

export const defaultRankerModel: RankerModel = {
  features: ["similarity","centroid","coverage","bm25","missingKnown","missingUnknown","maxMissing","missingNoun","askedShare","learned"],
  mean: [0.3699,0.2076,0.5002,0.4391,0.4051,0.0755,0.5711,0.0952,0.9111,0.4882],
  scale: [0.2431,0.1761,0.288,0.371,0.2799,0.1509,0.34,0.163,0.2167,0.3429],
  weights: [0.3105,0.0639,0.0723,0.893,-0.4761,0.003,0.1758,-0.0255,-0.4248,0.7789],
  bias: -1.244,
};

export const defaultGateModel: GateModel = {
  features: ["similarity","centroid","coverage","margin","bm25Share","maxMissing","missingKnown","missingUnknown","missingNoun","secondCoverage","length","english","followUp","learned","learnedLead"],
  mean: [0.537,0.3408,0.7222,0.649,0.7312,0.4294,0.1411,0.1279,0.0603,0.4211,1.8776,0.3543,0.089,0.9327,0.3861],
  scale: [0.2307,0.1946,0.2723,0.3064,0.1703,0.4011,0.1854,0.2117,0.1416,0.2721,0.423,0.4783,0.2847,0.1887,0.2715],
  weights: [0.3898,0.2961,0.3362,0.1568,0.1342,0.176,-0.5539,-0.3048,-0.3016,-0.0124,0.6104,-0.1272,-0.4175,0.496,0.5824],
  bias: 1.946,
};
