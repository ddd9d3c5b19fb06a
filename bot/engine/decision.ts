// The engine's named outcomes: what it decided about one visitor message, and why.
import type { Entry, HandoffReason, Lang, ReplyReason } from '../../knowledge/types.ts';
import type { GateFeatures } from './answer-gate.ts';

export interface Suggestion {
  entryId: string;
  question: string;
}

export interface Candidate {
  entryId: string;
  /** Ranking score (0..1): closest question variant blended with BM25 relative to the best hit. */
  score: number;
  /** MiniSearch BM25+ score with field boosts. */
  bm25: number;
  /** Similarity (0..1) of the query to the entry's closest question variant. */
  similarity: number;
  /** Cosine similarity (0..1) of the query to the entry's questions taken together. */
  centroid: number;
  /** Share of the query's content terms this entry matched (0..1). */
  coverage: number;
  /** Content units of the query this entry does not contain. */
  missing: string[];
  /** Weight (idf relative to the maximum, 0..1) of the heaviest missing unit. */
  maxMissing: number;
  /** Share of the query's weight in words the knowledge base knows but this entry lacks (0..1): they point elsewhere. */
  missingKnown: number;
  /** Share of the query's weight in words no entry has (0..1): filler, or something the KB does not cover. */
  missingUnknown: number;
  /** Share of the query's weight in nouns this entry lacks (0..1): things the question is about that the entry is not. */
  missingNoun: number;
  /** Share of the matched query words found in the entry's questions or keywords, not only its answer (0..1). */
  askedShare: number;
  /** Matched query terms by field. */
  matched: Record<string, string[]>;
  /** The learned channel's score for this entry relative to its best (0..1; 1: the channel's own choice). */
  learned: number;
}

/** Everything needed to see why a decision came out as it did. */
export interface Explain {
  normalized: string;
  /** The text as typed (normalized) when homophone slips were put right in `normalized`. */
  typed?: string;
  /** After synonyms (and, for a follow-up, with the previous question folded in). */
  query: string;
  lang: Lang;
  tokens: string[];
  rule?: { id: string; action: string };
  /** The words that read as a request to act on the visitor's own account (bot/engine/account-action.ts). */
  accountAction?: string;
  /** The rule (or account-action words) whose handoff gave way to a confident answer to the question asked. */
  handoffYielded?: string;
  /** How much the message reads as a request for a person or an action (0..1; the learned request detector). */
  request?: number;
  /** The request detector handed this message over though no rule did. */
  requestHandoff?: boolean;
  /** How much the message reads as a question the KB does not cover (0..1), when the outside detector was asked. */
  outside?: number;
  /** Answered below the gate's bar because the outside detector read the message as surely inside the KB. */
  insideAnswer?: boolean;
  /** Asked for a kind of fact, but read without that filter: the outside detector was sure the KB covers the message. */
  answerTypeRelaxed?: boolean;
  /**
   * `expected`: answered below the bar as a follow-up the previous answer's entry lists, or one that only
   * names another place the previous entry states its rule by. `stayed`: the follow-up's own words read as
   * no entry's, and the previous entry answers it with the question folded in.
   */
  followUp?: { from: string; rewritten: string; expected?: boolean; stayed?: boolean };
  /** A long message or several questions: each clause read on its own, with its best entry. */
  clauses?: { text: string; entryId?: string; confidence: number }[];
  /** A second question of the message, answered in the same reply by this entry. */
  alsoAnswered?: string;
  /** The question asks for this kind of fact (price, time...): only entries holding one were candidates; `entryId` is the best of them, empty when none. */
  answerType?: { id: string; entryId: string };
  candidates: Candidate[];
  topScore: number;
  /** Share of the best candidate's score not reached by the best other entry (0..1). */
  margin: number;
  coverage: number;
  confidence: number;
  /** The answer gate's inputs for the best entry (bot/engine/answer-gate.ts). */
  gate?: GateFeatures;
  /** The learned channel's own choice among all entries, and its lead over its runner-up (bot/engine/learned-channel.ts). */
  learned?: { entryId: string; lead: number };
  thresholds: { answer: number; clarify: number; margin: number };
}

interface Base {
  lang: Lang;
  /** The visitor's message carries a secret (a password): store and show it masked. */
  redact?: boolean;
  /** Reply text in the visitor's language. */
  text: string;
  confidence: number;
  suggestions: Suggestion[];
  explain: Explain;
}

export type Decision =
  | (Base & { kind: 'answer'; entryId: string; topic: string })
  | (Base & { kind: 'clarify'; topic?: string })
  | (Base & { kind: 'fallback'; reason: 'no_match' | 'empty' | ReplyReason; ruleId?: string })
  | (Base & { kind: 'handoff'; reason: HandoffReason; topic?: string; ruleId?: string });

/** What the engine remembers of a conversation between messages (stored with it). */
export interface ConversationContext {
  lastEntryId?: string;
  lastTopic?: string;
  /** Consecutive fallbacks (no_match) before this message. */
  fallbacksInRow?: number;
  /** The previous question as the engine read it (normalized, synonyms applied), for follow-ups. */
  lastQuery?: string;
  /** Language of the last message with a detectable language. */
  lang?: Lang;
  /**
   * The kinds of fact the previous question asked (answer_types ids: a price, a time), the frame's "what was
   * asked": "新疆呢" after "人工几点到几点" still asks a time.
   */
  lastAsked?: string[];
}

export type { Entry };
