// The fitted candidate ranking and answer gate: written by `npx tsx bench/tune-gate.ts --write` from the
// tuning part of knowledge/tests (2756 ranked candidates, 700 ranked turns of 802 cases;
// tests/sealed never read). Do not edit by hand.
import type { GateModel } from './answer-gate.ts';
import type { RankerModel } from './candidate-ranker.ts';

export const defaultRankerModel: RankerModel = {
  features: ["similarity","centroid","coverage","bm25","missingKnown","missingUnknown","maxMissing","askedShare"],
  mean: [0.3663,0.2172,0.5188,0.4307,0.4107,0.0492,0.5324,0.903],
  scale: [0.2357,0.1841,0.2912,0.3639,0.2868,0.1183,0.338,0.2319],
  weights: [0.3429,0.2367,0.144,1.4577,-0.3472,0.2288,0.1136,-0.2717],
  bias: -1.6767,
};

export const defaultGateModel: GateModel = {
  features: ["similarity","centroid","coverage","margin","bm25Share","maxMissing","missingKnown","missingUnknown","secondCoverage","length","english","followUp"],
  mean: [0.6238,0.3939,0.8189,0.6995,0.735,0.2723,0.1015,0.0714,0.4767,1.718,0.3986,0.0657],
  scale: [0.2476,0.2085,0.249,0.2966,0.151,0.3674,0.1805,0.1698,0.2759,0.3619,0.4896,0.2478],
  weights: [0.5178,0.5332,0.6546,0.4669,-0.2278,0.101,-0.4239,-0.1817,0.0805,0.8495,-0.2901,-0.1088],
  bias: 2.3287,
};
