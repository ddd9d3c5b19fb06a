// The fitted candidate ranking and answer gate: written by `npx tsx bench/tune-gate.ts --write` from the
// tuning part of knowledge/tests and the KB's own questions (22763 ranked candidates, 4401 ranked turns of 5081 cases;
// tests/sealed never read). Do not edit by hand.
import type { GateModel } from './answer-gate.ts';
import type { RankerModel } from './candidate-ranker.ts';

export const defaultRankerModel: RankerModel = {
  features: ["similarity","centroid","coverage","bm25","missingKnown","missingUnknown","maxMissing","missingNoun","askedShare","learned"],
  mean: [0.3858,0.2139,0.5157,0.4329,0.4076,0.0575,0.543,0.0919,0.9126,0.4864],
  scale: [0.2546,0.1799,0.2913,0.3704,0.2853,0.1335,0.3363,0.161,0.2165,0.3473],
  weights: [0.3661,0.0355,0.0952,1.0027,-0.4455,0.0688,0.1665,-0.0133,-0.3802,0.7327],
  bias: -1.4252,
};

export const defaultGateModel: GateModel = {
  features: ["similarity","centroid","coverage","margin","bm25Share","maxMissing","missingKnown","missingUnknown","missingNoun","secondCoverage","length","english","followUp","learned","learnedLead"],
  mean: [0.5546,0.3544,0.7477,0.662,0.7273,0.3916,0.1328,0.1111,0.0524,0.4406,1.8577,0.3536,0.0829,0.9262,0.3621],
  scale: [0.2312,0.195,0.2632,0.3031,0.1679,0.3917,0.1819,0.2012,0.1319,0.2736,0.3928,0.4781,0.2758,0.2,0.2637],
  weights: [0.4775,0.2429,0.3707,0.175,0.117,0.1851,-0.4577,-0.2931,-0.285,-0.1251,0.5927,-0.2183,-0.3384,0.5007,0.4537],
  bias: 2.0355,
};
