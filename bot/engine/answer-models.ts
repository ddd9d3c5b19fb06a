// The fitted candidate ranking and answer gate: written by `npx tsx bench/tune-gate.ts --write` from the
// tuning part of knowledge/tests and the KB's own questions (26810 ranked candidates, 5573 ranked turns of 6341 cases;
// tests/sealed never read). Do not edit by hand.
import type { GateModel } from './answer-gate.ts';
import type { RankerModel } from './candidate-ranker.ts';

export const defaultRankerModel: RankerModel = {
  features: ["similarity","centroid","coverage","bm25","missingKnown","missingUnknown","maxMissing","missingNoun","askedShare","learned"],
  mean: [0.374,0.2092,0.5038,0.4371,0.4084,0.0686,0.5624,0.0948,0.9118,0.4873],
  scale: [0.2476,0.1758,0.2881,0.3704,0.2816,0.1441,0.3371,0.1619,0.2159,0.3474],
  weights: [0.3228,0.0772,0.0718,0.9666,-0.4443,0.0328,0.1551,-0.0228,-0.3927,0.7231],
  bias: -1.3092,
};

export const defaultGateModel: GateModel = {
  features: ["similarity","centroid","coverage","margin","bm25Share","maxMissing","missingKnown","missingUnknown","missingNoun","secondCoverage","length","english","followUp","learned","learnedLead"],
  mean: [0.5395,0.343,0.7298,0.647,0.7263,0.4194,0.1385,0.1228,0.0574,0.4267,1.8808,0.353,0.0854,0.9249,0.3583],
  scale: [0.2292,0.1924,0.2666,0.306,0.1687,0.3974,0.183,0.2072,0.1382,0.2681,0.4054,0.4779,0.2795,0.1996,0.267],
  weights: [0.4281,0.2744,0.3451,0.1262,0.1486,0.1457,-0.4945,-0.2955,-0.2768,-0.0617,0.6084,-0.1529,-0.3811,0.4733,0.5394],
  bias: 2.0134,
};
