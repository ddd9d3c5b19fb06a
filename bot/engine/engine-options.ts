// Tuning of the answer engine: every number with its range and default, in one place.
import { defaultRetrievalOptions, type RetrievalOptions } from './retrieval-options.ts';
import type { GateModel } from './answer-gate.ts';
import type { RankerModel } from './candidate-ranker.ts';
import { defaultGateModel, defaultRankerModel } from './answer-models.ts';
import { defaultLearnedChannelOptions, type LearnedChannelOptions } from './learned-channel.ts';
import type { OutsideModel, RequestModel } from './message-classifier.ts';
import { defaultOutsideModel, defaultRequestModel } from './message-models.ts';

export interface EngineOptions {
  /**
   * Confidence at or above which the bot answers: with the gate on, the probability that the best entry
   * is right. Range 0.3-0.9; default 0.65, chosen on bench/tune-gate.ts's 5-fold cross-validation of the
   * tuning part (8,390 cases, with the learned channel): 87.1% of answer-expected turns right, 83.5% of the
   * others held back, 7.4% wrong, against 90.1% / 76.1% / 9.6% at 0.5 and 71.2% / 92.7% / 3.3% at 0.85: a
   * wrong answer is worse than "I don't know", and no threshold reaches 3% wrong without losing a quarter
   * of the answers.
   */
  answerThreshold: number;
  /** Confidence at or above which, without a clear winner, the bot offers choices. Range 0.15-0.6; default 0.3. */
  clarifyThreshold: number;
  /** Minimum relative margin of the top entry over the best other entry to answer outright. Range 0.05-0.5; default 0.05. */
  minMargin: number;
  /** How many suggestions a clarify or fallback offers. Range 2-5; default 3. */
  maxSuggestions: number;
  /**
   * Confidence at or above which an answer to a question in the message stands instead of a handoff for a
   * complaint's tone or an account word ("被坑了好几次, 1G到底是多少M?"); above 1, never. Requests for a
   * person, passwords and first-person requests in words no rule lists always hand over. Range 0.65-1.01;
   * default 0.95: on the tuning part's blind batches, 0.95 answered 8 more questions right and lost 1 handoff;
   * 0.9 answered 12 and lost 7 (blind writers mostly expect a person for an angry question).
   */
  handoffYield: number;
  /**
   * Fallbacks in a row after which the next one hands off to a person (0 = never). Range 0-5; default 0: every
   * fallback already offers a person, and a handoff the visitor did not ask for queues the chat, so the bot
   * stops answering (a third question that it knows gets the queue note). On the blind tuning batches 2 turned
   * 17 expected "I don't know" replies into handoffs and caught 1 handoff.
   */
  handoffAfterFallbacks: number;
  /**
   * Confidence at or above which a follow-up is answered, under the answer bar, by an entry the previous
   * answer lists as its follow-up ("can my assistant pick it up instead?" after the online invoice, whose
   * entry lists proxy pickup): the editors expect that question next. Above 1, never. Range 0.3-1.01;
   * default 0.4. Since the gate reads `expectedNext` itself, most such follow-ups clear the bar on their own;
   * on the tuning part's blind batches this still answers 5 more right for 2 more wrong (0.3: 5 for 3; before
   * the gate read it, 0.3 gave 12 for 1). A follow-up that only names another place or country, when the
   * previous entry still reads best, is expected the same way ("新疆呢" after the agents' hours): 3 more right,
   * no more wrong.
   */
  expectedFollowUp: number;
  /**
   * A marked follow-up ("那半夜打呢", "and at noon?") whose own words read as no entry's (confidence below
   * this) stays on the previous answer's entry when that entry reads with the previous question folded in
   * as surely as the answer bar asks, its own words not required: it asks another branch of the same
   * fact. A service number the follow-up names leaves the subject ("那17951呢"). 0: never. Range 0-0.3;
   * default 0.2: on the tuning part's blind batches 6 more answered right, 1 more fallback, no more wrong
   * (0.1: 5 and 1; 0.3 before the gate read the previous entry: 7 more right for 2 more wrong).
   */
  stayOnSubjectBelow: number;
  /**
   * In a conversation, a message of at most this many content words is read with the previous question
   * folded in as well, even when it reads well alone, and the better reading is kept: "发到哪个号码" after
   * 联通在信 asks where to send the blocking code, not how SMS top-up works. Range 0-6; default 3: on the
   * tuning part's blind batches 26 more answered right, 14 fewer wrong, 3 fallbacks lost (2: 24, 13 and 3;
   * 4 and 6: one or two more right).
   */
  terseFollowUpUnits: number;
  /** Attach the explain trace to decisions (always computed; this only controls what callers expose). */
  explain: boolean;
  /**
   * How confidence is made: (coverageWeight * coverage + (1 - coverageWeight) * similarity)
   * * (marginFloor + (1 - marginFloor) * min(1, margin / marginSaturation)): the confidence without a
   * gate model (kept as the baseline bench/tune-gate.ts compares the gate with).
   */
  confidence: {
    /** Weight of coverage (share of the query the entry accounts for) against similarity to its closest question. Range 0-1; default 0.75. */
    coverageWeight: number;
    /** Margin over the best other entry at which it counts fully. Range 0.1-1; default 0.35. */
    marginSaturation: number;
    /** Share of confidence kept however small the margin. Range 0-1; default 0.6. */
    marginFloor: number;
    /** Coverage needed to offer choices: a clarify must be about what was asked. Range 0-1; default 0.75. */
    clarifyCoverage: number;
    /** Below this margin, a runner-up that covers the question as fully as the winner makes it a clarify. Range 0-0.3; default 0.1. */
    tieMargin: number;
    /**
     * At or above this confidence a tie does not make a clarify: the gate, which weighs more than the two
     * scores, is sure of the winner. Range 0.6-1.01; default 0.8: on the tuning part's blind batches it
     * answered 15 more questions right for 2 more wrong (0.7: 19 for 8; no limit: 22 for 10).
     */
    tieConfidence: number;
    /**
     * At or above this confidence the bot answers even when the runner-up scored within `minMargin` (the gate
     * reads the margin among its inputs). Range 0.65-1.01; default 0.9: on the tuning part's blind batches it
     * answered 7 more questions right for no more wrong (0.85: 11 for 2; 0.8: 12 for 7).
     */
    sureDespiteMargin: number;
  };
  /** Ranking internals (field boosts, the blend used without a ranker model). */
  retrieval: RetrievalOptions;
  /**
   * The answer gate (bot/engine/answer-gate.ts): when set, confidence is its probability that the best entry
   * is right, instead of the hand-made blend above. Fitted by bench/tune-gate.ts.
   */
  gate?: GateModel;
  /** The learned ranking of candidates (bot/engine/candidate-ranker.ts): when set, it orders them instead of the retrieval blend. */
  ranker?: RankerModel;
  /** The learned request detector beside the handoff rules (bot/engine/message-classifier.ts); unset, the rules alone decide. */
  request?: RequestModel;
  /** The learned outside detector after the ranking (bot/engine/message-classifier.ts); unset, the gate alone decides. */
  outside?: OutsideModel;
  /** The learned channel beside the lexical ranking (bot/engine/learned-channel.ts). */
  learnedChannel: LearnedChannelOptions;
}

export const defaultEngineOptions: EngineOptions = {
  answerThreshold: 0.65,
  clarifyThreshold: 0.3,
  minMargin: 0.05,
  maxSuggestions: 3,
  handoffYield: 0.95,
  handoffAfterFallbacks: 0,
  expectedFollowUp: 0.4,
  stayOnSubjectBelow: 0.2,
  terseFollowUpUnits: 3,
  explain: false,
  confidence: { coverageWeight: 0.75, marginSaturation: 0.35, marginFloor: 0.6, clarifyCoverage: 0.75, tieMargin: 0.1, tieConfidence: 0.8, sureDespiteMargin: 0.9 },
  retrieval: defaultRetrievalOptions,
  gate: defaultGateModel,
  ranker: defaultRankerModel,
  request: defaultRequestModel,
  outside: defaultOutsideModel,
  learnedChannel: defaultLearnedChannelOptions,
};
