// The fitted candidate ranking and answer gate: written by `npx tsx bench/tune-gate.ts --write` from the
// tuning part of knowledge/tests and the KB's own questions (33827 ranked candidates, 7686 ranked turns of 8390 cases;
// tests/sealed never read). Do not edit by hand.
import type { GateModel } from './answer-gate.ts';
import type { RankerModel } from './candidate-ranker.ts';

export const defaultRankerModel: RankerModel = {
  features: ["similarity","centroid","coverage","bm25","missingKnown","missingUnknown","maxMissing","missingNoun","askedShare","learned"],
  mean: [0.3666,0.2063,0.4982,0.44,0.4053,0.0774,0.5752,0.095,0.9117,0.4896],
  scale: [0.2412,0.1752,0.2878,0.3716,0.2797,0.1519,0.34,0.1626,0.2152,0.3433],
  weights: [0.3017,0.0793,0.0726,0.9099,-0.4753,0.0064,0.1836,-0.0215,-0.4173,0.7507],
  bias: -1.206,
};

export const defaultGateModel: GateModel = {
  features: ["similarity","centroid","coverage","margin","bm25Share","maxMissing","missingKnown","missingUnknown","missingNoun","secondCoverage","length","english","followUp","learned","learnedLead","previous","expectedNext"],
  mean: [0.5334,0.3384,0.7189,0.6464,0.7325,0.4343,0.1431,0.129,0.0607,0.4167,1.8817,0.3547,0.0872,0.93,0.3815,0.0769,0.0583],
  scale: [0.2297,0.1945,0.2722,0.3077,0.1701,0.4009,0.1861,0.2122,0.1422,0.272,0.4217,0.4784,0.2821,0.1923,0.2725,0.2664,0.2343],
  weights: [0.3893,0.2893,0.3522,0.135,0.1946,0.2007,-0.56,-0.2933,-0.3191,0.0296,0.6603,-0.1202,-0.5189,0.4782,0.556,0.0993,0.3579],
  bias: 1.9433,
};
