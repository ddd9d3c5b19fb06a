// The fitted candidate ranking and answer gate: written by `npx tsx bench/tune-gate.ts --write` from the
// tuning part of knowledge/tests (2750 ranked candidates, 699 ranked turns of 802 cases;
// tests/sealed never read). Do not edit by hand.
import type { GateModel } from './answer-gate.ts';
import type { RankerModel } from './candidate-ranker.ts';

export const defaultRankerModel: RankerModel = {
  features: ["similarity","centroid","coverage","bm25","missingKnown","missingUnknown","maxMissing","askedShare"],
  mean: [0.3723,0.2175,0.5227,0.4376,0.4138,0.0483,0.5247,0.9427],
  scale: [0.2319,0.1821,0.2956,0.3597,0.2933,0.1181,0.3409,0.1759],
  weights: [0.3687,0.2765,0.1051,1.4467,-0.2893,0.2759,0.0555,-0.1886],
  bias: -1.7733,
};

export const defaultGateModel: GateModel = {
  features: ["similarity","centroid","coverage","margin","bm25Share","maxMissing","missingKnown","missingUnknown","secondCoverage","length","english","followUp"],
  mean: [0.6235,0.3946,0.8179,0.7005,0.7266,0.2755,0.1012,0.0729,0.4764,1.7268,0.4006,0.0658],
  scale: [0.2495,0.2078,0.2516,0.2964,0.1479,0.3695,0.178,0.1711,0.2778,0.3808,0.49,0.2479],
  weights: [0.4802,0.5162,0.6903,0.4745,-0.1294,0.1502,-0.4525,-0.21,-0.0093,0.7642,-0.3764,0.0156],
  bias: 2.1761,
};
