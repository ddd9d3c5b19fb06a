// The fitted candidate ranking and answer gate: written by `npx tsx bench/tune-gate.ts --write` from the
// tuning part of knowledge/tests and the KB's own questions (21375 ranked candidates, 4052 ranked turns of 4661 cases;
// tests/sealed never read). Do not edit by hand.
import type { GateModel } from './answer-gate.ts';
import type { RankerModel } from './candidate-ranker.ts';

export const defaultRankerModel: RankerModel = {
  features: ["similarity","centroid","coverage","bm25","missingKnown","missingUnknown","maxMissing","missingNoun","askedShare","learned"],
  mean: [0.3902,0.2167,0.5188,0.431,0.4077,0.0542,0.5396,0.0906,0.9128,0.4857],
  scale: [0.2573,0.181,0.292,0.3708,0.2863,0.1291,0.3362,0.1599,0.216,0.3473],
  weights: [0.3894,0.0157,0.0821,1.0109,-0.432,0.1003,0.1413,-0.0352,-0.3796,0.7511],
  bias: -1.46,
};

export const defaultGateModel: GateModel = {
  features: ["similarity","centroid","coverage","margin","bm25Share","maxMissing","missingKnown","missingUnknown","missingNoun","secondCoverage","length","english","followUp","learned","learnedLead"],
  mean: [0.5579,0.3566,0.7517,0.6667,0.7282,0.3851,0.1306,0.1093,0.0517,0.442,1.8524,0.3519,0.0812,0.9266,0.3642],
  scale: [0.2315,0.1955,0.2629,0.3036,0.1674,0.3903,0.1811,0.2005,0.1326,0.2748,0.3883,0.4776,0.2731,0.1994,0.2635],
  weights: [0.4993,0.2505,0.3401,0.1794,0.1485,0.175,-0.458,-0.294,-0.2676,-0.1002,0.56,-0.1957,-0.3726,0.5167,0.4316],
  bias: 2.0234,
};
