// The fitted candidate ranking and answer gate: written by `npx tsx bench/tune-gate.ts --write` from the
// tuning part of knowledge/tests (2751 ranked candidates, 702 ranked turns of 802 cases;
// tests/sealed never read). Do not edit by hand.
import type { GateModel } from './answer-gate.ts';
import type { RankerModel } from './candidate-ranker.ts';

export const defaultRankerModel: RankerModel = {
  features: ["similarity","centroid","coverage","bm25","missingKnown","missingUnknown","maxMissing","askedShare"],
  mean: [0.3674,0.2179,0.5188,0.4311,0.4117,0.049,0.5328,0.9075],
  scale: [0.2349,0.1835,0.2909,0.3633,0.2867,0.1184,0.3377,0.2255],
  weights: [0.3505,0.2028,0.154,1.4577,-0.3551,0.2342,0.12,-0.2856],
  bias: -1.6858,
};

export const defaultGateModel: GateModel = {
  features: ["similarity","centroid","coverage","margin","bm25Share","maxMissing","missingKnown","missingUnknown","secondCoverage","length","english","followUp"],
  mean: [0.6227,0.3923,0.8179,0.7005,0.7358,0.2742,0.1023,0.0716,0.4757,1.7211,0.4003,0.067],
  scale: [0.248,0.2089,0.2495,0.2962,0.1512,0.3683,0.1802,0.1699,0.2755,0.362,0.49,0.2499],
  weights: [0.5411,0.4374,0.6439,0.5151,-0.2354,0.0909,-0.4309,-0.1863,0.0566,0.8513,-0.3264,-0.0761],
  bias: 2.2216,
};
