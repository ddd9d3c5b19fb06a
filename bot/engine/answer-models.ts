// The fitted candidate ranking and answer gate: written by `npx tsx bench/tune-gate.ts --write` from the
// tuning part of knowledge/tests and the KB's own questions (29968 ranked candidates, 6475 ranked turns of 7181 cases;
// tests/sealed never read). Do not edit by hand.
import type { GateModel } from './answer-gate.ts';
import type { RankerModel } from './candidate-ranker.ts';

export const defaultRankerModel: RankerModel = {
  features: ["similarity","centroid","coverage","bm25","missingKnown","missingUnknown","maxMissing","missingNoun","askedShare","learned"],
  mean: [0.3694,0.2076,0.4993,0.4373,0.4086,0.073,0.5699,0.0953,0.9113,0.4876],
  scale: [0.2443,0.1755,0.2873,0.3706,0.2804,0.1482,0.3373,0.162,0.2163,0.3469],
  weights: [0.3209,0.0712,0.0819,0.9469,-0.4633,0.0224,0.1778,-0.0228,-0.4015,0.7198],
  bias: -1.2768,
};

export const defaultGateModel: GateModel = {
  features: ["similarity","centroid","coverage","margin","bm25Share","maxMissing","missingKnown","missingUnknown","missingNoun","secondCoverage","length","english","followUp","learned","learnedLead"],
  mean: [0.5354,0.3403,0.7254,0.6418,0.7268,0.4252,0.1398,0.1262,0.0587,0.4254,1.8816,0.3529,0.0817,0.9251,0.3584],
  scale: [0.2294,0.1935,0.2688,0.3071,0.1689,0.3981,0.1828,0.2101,0.1391,0.2702,0.4134,0.4779,0.2739,0.1978,0.2686],
  weights: [0.4547,0.281,0.3347,0.1333,0.1656,0.1663,-0.4887,-0.2855,-0.2977,-0.0705,0.598,-0.1507,-0.4145,0.4389,0.5317],
  bias: 1.9466,
};
