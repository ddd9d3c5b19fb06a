// The fitted candidate ranking and answer gate: written by `npx tsx bench/tune-gate.ts --write` from the
// tuning part of knowledge/tests and the KB's own questions (24111 ranked candidates, 4780 ranked turns of 5501 cases;
// tests/sealed never read). Do not edit by hand.
import type { GateModel } from './answer-gate.ts';
import type { RankerModel } from './candidate-ranker.ts';

export const defaultRankerModel: RankerModel = {
  features: ["similarity","centroid","coverage","bm25","missingKnown","missingUnknown","maxMissing","missingNoun","askedShare","learned"],
  mean: [0.3832,0.2133,0.5135,0.4333,0.4078,0.0593,0.5455,0.093,0.9121,0.4861],
  scale: [0.2525,0.1791,0.29,0.3704,0.2841,0.1349,0.3349,0.1614,0.2167,0.3472],
  weights: [0.3499,0.03,0.0984,0.9874,-0.4498,0.0463,0.163,-0.0098,-0.3823,0.7305],
  bias: -1.3848,
};

export const defaultGateModel: GateModel = {
  features: ["similarity","centroid","coverage","margin","bm25Share","maxMissing","missingKnown","missingUnknown","missingNoun","secondCoverage","length","english","followUp","learned","learnedLead"],
  mean: [0.5536,0.3528,0.7467,0.6569,0.7273,0.3925,0.1331,0.1115,0.0543,0.4415,1.8575,0.3533,0.0843,0.9265,0.3614],
  scale: [0.2304,0.1944,0.2631,0.3037,0.1677,0.391,0.1826,0.2015,0.1355,0.2726,0.3909,0.478,0.2779,0.1994,0.2642],
  weights: [0.4685,0.2426,0.339,0.1675,0.1419,0.1804,-0.477,-0.3006,-0.2824,-0.0957,0.5822,-0.2215,-0.3172,0.5069,0.4595],
  bias: 2.0254,
};
