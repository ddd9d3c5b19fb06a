// The fitted candidate ranking and answer gate: written by `npx tsx bench/tune-gate.ts --write` from the
// tuning part of knowledge/tests and the KB's own questions (13083 ranked candidates, 2208 ranked turns of 2548 cases;
// tests/sealed never read). Do not edit by hand.
import type { GateModel } from './answer-gate.ts';
import type { RankerModel } from './candidate-ranker.ts';

export const defaultRankerModel: RankerModel = {
  features: ["similarity","centroid","coverage","bm25","missingKnown","missingUnknown","maxMissing","missingNoun","askedShare"],
  mean: [0.3846,0.2142,0.5114,0.4233,0.4178,0.0496,0.5379,0.0895,0.9033],
  scale: [0.2623,0.181,0.2924,0.3652,0.289,0.1268,0.3369,0.1578,0.2281],
  weights: [0.5265,0.1296,0.1197,1.422,-0.388,0.1833,0.2046,-0.0845,-0.2396],
  bias: -1.636,
};

export const defaultGateModel: GateModel = {
  features: ["similarity","centroid","coverage","margin","bm25Share","maxMissing","missingKnown","missingUnknown","missingNoun","secondCoverage","length","english","followUp"],
  mean: [0.5514,0.3565,0.7495,0.6713,0.7246,0.3796,0.1323,0.1065,0.0571,0.4493,1.8338,0.3623,0.0765],
  scale: [0.2371,0.1955,0.262,0.3022,0.1517,0.3861,0.1843,0.1996,0.1346,0.2668,0.3936,0.4807,0.2659],
  weights: [0.5964,0.4206,0.53,0.4695,-0.05,0.2419,-0.4267,-0.1321,-0.3074,-0.0407,0.7184,-0.2477,-0.0867],
  bias: 1.8886,
};
