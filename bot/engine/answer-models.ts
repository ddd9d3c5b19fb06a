// The fitted candidate ranking and answer gate: written by `npx tsx bench/tune-gate.ts --write` from the
// tuning part of knowledge/tests and the KB's own questions (26759 ranked candidates, 5565 ranked turns of 6341 cases;
// tests/sealed never read). Do not edit by hand.
import type { GateModel } from './answer-gate.ts';
import type { RankerModel } from './candidate-ranker.ts';

export const defaultRankerModel: RankerModel = {
  features: ["similarity","centroid","coverage","bm25","missingKnown","missingUnknown","maxMissing","missingNoun","askedShare","learned"],
  mean: [0.3738,0.2087,0.503,0.4367,0.4087,0.0691,0.5638,0.0946,0.9117,0.4866],
  scale: [0.2478,0.1759,0.288,0.3704,0.2813,0.1444,0.3373,0.1617,0.2161,0.3477],
  weights: [0.3206,0.0773,0.0782,0.9661,-0.4449,0.0358,0.1549,-0.022,-0.3942,0.7229],
  bias: -1.3089,
};

export const defaultGateModel: GateModel = {
  features: ["similarity","centroid","coverage","margin","bm25Share","maxMissing","missingKnown","missingUnknown","missingNoun","secondCoverage","length","english","followUp","learned","learnedLead"],
  mean: [0.5397,0.3434,0.7298,0.6467,0.7264,0.4197,0.1386,0.1227,0.0573,0.4268,1.882,0.3535,0.0868,0.9252,0.3586],
  scale: [0.2292,0.1923,0.2667,0.3061,0.1686,0.3975,0.183,0.2072,0.1381,0.2683,0.4052,0.478,0.2815,0.1994,0.2666],
  weights: [0.4306,0.2749,0.3396,0.1191,0.1556,0.1391,-0.4943,-0.2985,-0.2838,-0.0673,0.6114,-0.1581,-0.3936,0.4749,0.5451],
  bias: 2.0199,
};
