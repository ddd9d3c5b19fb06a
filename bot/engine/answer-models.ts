// The fitted candidate ranking and answer gate: written by `npx tsx bench/tune-gate.ts --write` from the
// tuning part of knowledge/tests and the KB's own questions (27805 ranked candidates, 5871 ranked turns of 6620 cases;
// tests/sealed never read). Do not edit by hand.
import type { GateModel } from './answer-gate.ts';
import type { RankerModel } from './candidate-ranker.ts';

export const defaultRankerModel: RankerModel = {
  features: ["similarity","centroid","coverage","bm25","missingKnown","missingUnknown","maxMissing","missingNoun","askedShare","learned"],
  mean: [0.3732,0.2091,0.5029,0.4381,0.4079,0.0701,0.5645,0.0946,0.9121,0.4876],
  scale: [0.2467,0.1759,0.2883,0.3706,0.2815,0.1457,0.3372,0.1616,0.2154,0.3472],
  weights: [0.3266,0.0733,0.0712,0.9562,-0.4498,0.0319,0.1623,-0.0246,-0.3917,0.7181],
  bias: -1.2908,
};

export const defaultGateModel: GateModel = {
  features: ["similarity","centroid","coverage","margin","bm25Share","maxMissing","missingKnown","missingUnknown","missingNoun","secondCoverage","length","english","followUp","learned","learnedLead"],
  mean: [0.5393,0.3429,0.7285,0.6441,0.7263,0.4215,0.1387,0.1241,0.0578,0.4259,1.8795,0.3528,0.0848,0.9242,0.359],
  scale: [0.2295,0.1931,0.2674,0.3069,0.1691,0.397,0.1828,0.2088,0.1385,0.2695,0.4073,0.4778,0.2786,0.2003,0.2681],
  weights: [0.4352,0.2757,0.3427,0.1305,0.1615,0.147,-0.4939,-0.2957,-0.2856,-0.0754,0.613,-0.1543,-0.4132,0.4564,0.5568],
  bias: 1.9941,
};
