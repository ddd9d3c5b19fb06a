// The fitted candidate ranking and answer gate: written by `npx tsx bench/tune-gate.ts --write` from the
// tuning part of knowledge/tests (2757 ranked candidates, 703 ranked turns of 802 cases;
// tests/sealed never read). Do not edit by hand.
import type { GateModel } from './answer-gate.ts';
import type { RankerModel } from './candidate-ranker.ts';

export const defaultRankerModel: RankerModel = {
  features: ["similarity","centroid","coverage","bm25","missingKnown","missingUnknown","maxMissing","askedShare"],
  mean: [0.371,0.2208,0.5227,0.4323,0.4095,0.0477,0.5253,0.9105],
  scale: [0.2358,0.185,0.294,0.3634,0.2897,0.1175,0.3392,0.2242],
  weights: [0.3504,0.2282,0.1531,1.4471,-0.3135,0.2371,0.132,-0.2522],
  bias: -1.7083,
};

export const defaultGateModel: GateModel = {
  features: ["similarity","centroid","coverage","margin","bm25Share","maxMissing","missingKnown","missingUnknown","secondCoverage","length","english","followUp"],
  mean: [0.6265,0.3953,0.822,0.6989,0.7329,0.2691,0.0995,0.0706,0.481,1.7048,0.4011,0.0697],
  scale: [0.2475,0.2102,0.247,0.2955,0.1514,0.3657,0.1763,0.1695,0.2786,0.365,0.4901,0.2546],
  weights: [0.4392,0.5162,0.6768,0.4905,-0.2358,0.0879,-0.4831,-0.2342,-0.0327,0.9113,-0.3867,-0.1029],
  bias: 2.1703,
};
