// The fitted candidate ranking and answer gate: written by `npx tsx bench/tune-gate.ts --write` from the
// tuning part of knowledge/tests and the KB's own questions (28909 ranked candidates, 6171 ranked turns of 6902 cases;
// tests/sealed never read). Do not edit by hand.
import type { GateModel } from './answer-gate.ts';
import type { RankerModel } from './candidate-ranker.ts';

export const defaultRankerModel: RankerModel = {
  features: ["similarity","centroid","coverage","bm25","missingKnown","missingUnknown","maxMissing","missingNoun","askedShare","learned"],
  mean: [0.3706,0.2081,0.5,0.4373,0.4084,0.0726,0.5687,0.095,0.9115,0.4877],
  scale: [0.2453,0.1756,0.2875,0.3706,0.2806,0.1478,0.337,0.1617,0.2158,0.347],
  weights: [0.3266,0.0729,0.0784,0.9512,-0.4609,0.0277,0.1716,-0.0237,-0.3918,0.7169],
  bias: -1.2939,
};

export const defaultGateModel: GateModel = {
  features: ["similarity","centroid","coverage","margin","bm25Share","maxMissing","missingKnown","missingUnknown","missingNoun","secondCoverage","length","english","followUp","learned","learnedLead"],
  mean: [0.5366,0.3415,0.7253,0.644,0.7266,0.4263,0.1396,0.1265,0.0581,0.4247,1.8851,0.3528,0.0859,0.926,0.3599],
  scale: [0.2293,0.1931,0.2683,0.3066,0.1689,0.3984,0.1827,0.2098,0.1386,0.2688,0.4112,0.4778,0.2802,0.1971,0.2677],
  weights: [0.4411,0.2751,0.3535,0.1247,0.1776,0.1704,-0.5088,-0.305,-0.2986,-0.0912,0.6116,-0.146,-0.4106,0.4496,0.5375],
  bias: 1.9778,
};
