// The fitted candidate ranking and answer gate: written by `npx tsx bench/tune-gate.ts --write` from the
// tuning part of knowledge/tests and the KB's own questions (7540 ranked candidates, 700 ranked turns of 802 cases;
// tests/sealed never read). Do not edit by hand.
import type { GateModel } from './answer-gate.ts';
import type { RankerModel } from './candidate-ranker.ts';

export const defaultRankerModel: RankerModel = {
  features: ["similarity","centroid","coverage","bm25","missingKnown","missingUnknown","maxMissing","askedShare"],
  mean: [0.4211,0.2251,0.5393,0.4054,0.4208,0.0184,0.488,0.8995],
  scale: [0.2925,0.1884,0.3053,0.3659,0.3052,0.076,0.3399,0.2426],
  weights: [0.9485,0.1434,0.1983,1.5543,-0.2718,0.3992,0.0055,-0.1428],
  bias: -2.6352,
};

export const defaultGateModel: GateModel = {
  features: ["similarity","centroid","coverage","margin","bm25Share","maxMissing","missingKnown","missingUnknown","secondCoverage","length","english","followUp"],
  mean: [0.6258,0.3938,0.8187,0.7651,0.7338,0.2717,0.1021,0.0711,0.4807,1.7174,0.3986,0.0657],
  scale: [0.2457,0.2086,0.2492,0.291,0.1508,0.3665,0.1816,0.1698,0.2754,0.3614,0.4896,0.2478],
  weights: [0.4932,0.5671,0.6414,0.5064,-0.2371,0.0952,-0.4256,-0.1334,0.0606,0.822,-0.2847,-0.1085],
  bias: 2.3456,
};
