// The fitted candidate ranking and answer gate: written by `npx tsx bench/tune-gate.ts --write` from the
// tuning part of knowledge/tests and the KB's own questions (11655 ranked candidates, 1815 ranked turns of 2122 cases;
// tests/sealed never read). Do not edit by hand.
import type { GateModel } from './answer-gate.ts';
import type { RankerModel } from './candidate-ranker.ts';

export const defaultRankerModel: RankerModel = {
  features: ["similarity","centroid","coverage","bm25","missingKnown","missingUnknown","maxMissing","missingNoun","askedShare"],
  mean: [0.3947,0.2171,0.5185,0.4226,0.419,0.0411,0.5273,0.0864,0.9059],
  scale: [0.2681,0.1821,0.2943,0.3654,0.292,0.1127,0.337,0.158,0.2264],
  weights: [0.6085,0.1259,0.1095,1.4107,-0.3902,0.2463,0.1756,-0.0888,-0.2429],
  bias: -1.746,
};

export const defaultGateModel: GateModel = {
  features: ["similarity","centroid","coverage","margin","bm25Share","maxMissing","missingKnown","missingUnknown","missingNoun","secondCoverage","length","english","followUp"],
  mean: [0.5692,0.3617,0.7616,0.6814,0.7254,0.356,0.125,0.0989,0.0532,0.4542,1.7951,0.3636,0.07],
  scale: [0.2394,0.2009,0.2617,0.3035,0.1519,0.3802,0.1821,0.1958,0.1344,0.2676,0.3885,0.481,0.2551],
  weights: [0.7697,0.2547,0.1375,0.4232,0.0279,0.0929,-0.5368,-0.2821,-0.3188,-0.0365,0.7163,-0.2477,-0.131],
  bias: 1.9317,
};
