// The fitted candidate ranking and answer gate: written by `npx tsx bench/tune-gate.ts --write` from the
// tuning part of knowledge/tests and the KB's own questions (31684 ranked candidates, 7088 ranked turns of 7777 cases;
// tests/sealed never read). Do not edit by hand.
import type { GateModel } from './answer-gate.ts';
import type { RankerModel } from './candidate-ranker.ts';

export const defaultRankerModel: RankerModel = {
  features: ["similarity","centroid","coverage","bm25","missingKnown","missingUnknown","maxMissing","missingNoun","askedShare","learned"],
  mean: [0.3698,0.2078,0.5004,0.4389,0.4053,0.075,0.5707,0.0951,0.9109,0.4896],
  scale: [0.2434,0.1763,0.2888,0.3719,0.2808,0.1502,0.3405,0.1631,0.2171,0.3434],
  weights: [0.3124,0.081,0.07,0.9122,-0.472,0.0049,0.1777,-0.0247,-0.4224,0.7588],
  bias: -1.2295,
};

export const defaultGateModel: GateModel = {
  features: ["similarity","centroid","coverage","margin","bm25Share","maxMissing","missingKnown","missingUnknown","missingNoun","secondCoverage","length","english","followUp","learned","learnedLead"],
  mean: [0.537,0.3409,0.7233,0.6518,0.734,0.4273,0.1408,0.1272,0.0601,0.417,1.8749,0.3545,0.0887,0.9313,0.3856],
  scale: [0.2304,0.1952,0.2726,0.3075,0.1708,0.4011,0.1863,0.2114,0.1418,0.2734,0.4236,0.4784,0.2844,0.1914,0.2733],
  weights: [0.3845,0.2852,0.3533,0.1498,0.1549,0.1854,-0.554,-0.2992,-0.3068,-0.0013,0.6176,-0.122,-0.4265,0.5057,0.5789],
  bias: 1.9476,
};
