// The fitted candidate ranking and answer gate: written by `npx tsx bench/tune-gate.ts --write` from the
// tuning part of knowledge/tests and the KB's own questions (25381 ranked candidates, 5171 ranked turns of 5921 cases;
// tests/sealed never read). Do not edit by hand.
import type { GateModel } from './answer-gate.ts';
import type { RankerModel } from './candidate-ranker.ts';

export const defaultRankerModel: RankerModel = {
  features: ["similarity","centroid","coverage","bm25","missingKnown","missingUnknown","maxMissing","missingNoun","askedShare","learned"],
  mean: [0.3801,0.2119,0.5108,0.4353,0.4068,0.063,0.5508,0.0931,0.9119,0.487],
  scale: [0.2508,0.1782,0.2897,0.3706,0.2835,0.1392,0.3362,0.1612,0.217,0.3476],
  weights: [0.3298,0.0466,0.0909,0.9734,-0.4437,0.0291,0.1597,-0.0244,-0.3935,0.7173],
  bias: -1.3419,
};

export const defaultGateModel: GateModel = {
  features: ["similarity","centroid","coverage","margin","bm25Share","maxMissing","missingKnown","missingUnknown","missingNoun","secondCoverage","length","english","followUp","learned","learnedLead"],
  mean: [0.5488,0.3496,0.7404,0.6539,0.7288,0.4015,0.1337,0.117,0.0554,0.4321,1.861,0.3539,0.0841,0.925,0.3625],
  scale: [0.2307,0.1945,0.2653,0.3042,0.1686,0.3931,0.1821,0.2056,0.1373,0.2716,0.3924,0.4782,0.2776,0.2006,0.2681],
  weights: [0.4797,0.2148,0.3397,0.1389,0.1426,0.1836,-0.4696,-0.3092,-0.3135,-0.1427,0.5751,-0.2259,-0.3607,0.5101,0.4826],
  bias: 1.9745,
};
