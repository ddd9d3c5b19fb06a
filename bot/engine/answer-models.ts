// The fitted candidate ranking and answer gate: written by `npx tsx bench/tune-gate.ts --write` from the
// tuning part of knowledge/tests and the KB's own questions (32034 ranked candidates, 7094 ranked turns of 7777 cases;
// tests/sealed never read). Do not edit by hand.
import type { GateModel } from './answer-gate.ts';
import type { RankerModel } from './candidate-ranker.ts';

export const defaultRankerModel: RankerModel = {
  features: ["similarity","centroid","coverage","bm25","missingKnown","missingUnknown","maxMissing","missingNoun","askedShare","learned"],
  mean: [0.3683,0.2071,0.4975,0.4375,0.408,0.0756,0.5733,0.0957,0.9112,0.488],
  scale: [0.2427,0.1755,0.2873,0.3709,0.28,0.1512,0.3381,0.1631,0.2166,0.347],
  weights: [0.322,0.0673,0.0745,0.9282,-0.4678,0.0076,0.1758,-0.0206,-0.4062,0.7188],
  bias: -1.2417,
};

export const defaultGateModel: GateModel = {
  features: ["similarity","centroid","coverage","margin","bm25Share","maxMissing","missingKnown","missingUnknown","missingNoun","secondCoverage","length","english","followUp","learned","learnedLead"],
  mean: [0.5352,0.3396,0.7234,0.6396,0.7285,0.429,0.1395,0.1285,0.0589,0.4219,1.8796,0.3545,0.0835,0.9241,0.358],
  scale: [0.2296,0.1939,0.2706,0.3071,0.1698,0.4003,0.1827,0.212,0.1397,0.2706,0.4142,0.4784,0.2766,0.1991,0.2696],
  weights: [0.4505,0.2792,0.3256,0.143,0.1709,0.1785,-0.5393,-0.28,-0.3029,-0.0728,0.5784,-0.141,-0.4018,0.4394,0.5122],
  bias: 1.9054,
};
