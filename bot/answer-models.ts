// The fitted candidate ranking and answer gate: written by `npx tsx bench/tune-gate.ts --write` from the
// tuning part of knowledge/tests and the KB's own questions (8934 ranked candidates, 1080 ranked turns of 1252 cases;
// tests/sealed never read). Do not edit by hand.
import type { GateModel } from './answer-gate.ts';
import type { RankerModel } from './candidate-ranker.ts';

export const defaultRankerModel: RankerModel = {
  features: ["similarity","centroid","coverage","bm25","missingKnown","missingUnknown","maxMissing","missingNoun","askedShare"],
  mean: [0.4154,0.2221,0.533,0.4161,0.4199,0.0285,0.5086,0.0819,0.9219],
  scale: [0.277,0.1845,0.2969,0.3646,0.2972,0.094,0.3403,0.1534,0.2058],
  weights: [0.7834,0.1364,0.1576,1.512,-0.2903,0.3488,0.1404,-0.0992,-0.1821],
  bias: -2.1601,
};

export const defaultGateModel: GateModel = {
  features: ["similarity","centroid","coverage","margin","bm25Share","maxMissing","missingKnown","missingUnknown","missingNoun","secondCoverage","length","english","followUp"],
  mean: [0.5936,0.3766,0.7831,0.7205,0.7242,0.3331,0.1206,0.0858,0.0505,0.4652,1.791,0.3963,0.0741],
  scale: [0.2403,0.201,0.2572,0.2956,0.1504,0.3824,0.184,0.1811,0.1356,0.2696,0.3762,0.4891,0.2619],
  weights: [0.6352,0.3921,0.3847,0.4591,-0.1347,0.1122,-0.5406,-0.1748,-0.2779,-0.0882,0.7933,-0.3364,-0.1658],
  bias: 2.0016,
};
