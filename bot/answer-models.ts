// The fitted candidate ranking and answer gate: written by `npx tsx bench/tune-gate.ts --write` from the
// tuning part of knowledge/tests and the KB's own questions (10324 ranked candidates, 1455 ranked turns of 1702 cases;
// tests/sealed never read). Do not edit by hand.
import type { GateModel } from './answer-gate.ts';
import type { RankerModel } from './candidate-ranker.ts';

export const defaultRankerModel: RankerModel = {
  features: ["similarity","centroid","coverage","bm25","missingKnown","missingUnknown","maxMissing","missingNoun","askedShare"],
  mean: [0.4021,0.2185,0.5221,0.4201,0.4199,0.038,0.5231,0.0842,0.9141],
  scale: [0.2712,0.1821,0.2951,0.3645,0.2937,0.1109,0.3393,0.1547,0.2144],
  weights: [0.6749,0.1136,0.1246,1.4761,-0.3637,0.2786,0.1871,-0.0752,-0.2413],
  bias: -1.9082,
};

export const defaultGateModel: GateModel = {
  features: ["similarity","centroid","coverage","margin","bm25Share","maxMissing","missingKnown","missingUnknown","missingNoun","secondCoverage","length","english","followUp"],
  mean: [0.5715,0.3641,0.7586,0.6936,0.7233,0.3585,0.1278,0.0989,0.0545,0.4577,1.8145,0.3773,0.0687],
  scale: [0.2399,0.1986,0.2663,0.301,0.1502,0.3841,0.184,0.1948,0.1368,0.267,0.3951,0.4847,0.253],
  weights: [0.7275,0.316,0.0459,0.4065,-0.0045,0.0635,-0.6565,-0.3628,-0.2618,-0.0744,0.7841,-0.2599,-0.1177],
  bias: 1.92,
};
