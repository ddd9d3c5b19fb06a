// The knowledge base as the engine and the tools see it, after loading and validation.

export type Lang = 'zh' | 'en';
export const LANGS: readonly Lang[] = ['zh', 'en'];

/** Where a value came from in a YAML file, for editor-facing messages (1-based). */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

export interface Bilingual<T> {
  zh: T;
  en: T;
}

export interface Entry {
  /** Stable dotted id, `<topic>.<slug>`; tests and follow-ups refer to it. */
  id: string;
  topic: string;
  questions: Bilingual<string[]>;
  keywords: string[];
  answer: Bilingual<string>;
  followups: string[];
  /** ISO date after which the fact should be reviewed (lint warns; the bot still answers). */
  validUntil?: string;
  /** Which agent group takes a handoff on this entry's topic (defaults to the file's group). */
  group?: string;
  /**
   * The answer depends on who asks: `agent_hours` is followed by the agent hours of the team serving the
   * visitor's province, when the chat knows it (a province site, or the visitor's answer before a handoff).
   */
  tailor?: 'agent_hours';
  pos: SourcePos;
}

export interface Topic {
  id: string;
  /** Human label for chips in the widget. */
  label: Bilingual<string>;
  group?: string;
  file: string;
}

export type RuleAction = 'handoff' | 'reply';

/** Why a reply rule answered instead of the FAQ. */
export type ReplyReason = 'smalltalk' | 'unsafe' | 'password' | 'out_of_scope';

/** Why a conversation goes to a person; rules name one of these. */
export type HandoffReason = 'requested' | 'complaint' | 'account_action' | 'low_confidence' | 'no_answer';

export interface Rule {
  id: string;
  action: RuleAction;
  /** For handoff rules: why a person is needed; for reply rules: what kind of reply. */
  reason?: HandoffReason | ReplyReason;
  /** Store the visitor's message masked (a password typed into the chat). */
  redact: boolean;
  /** The whole (normalized) message equals one of these. */
  exact: string[];
  /** Regular expressions (case-insensitive, unicode) tested on the normalized message. */
  patterns: RegExp[];
  /** The rule does not fire when one of these matches (e.g. "人工客服几点上班" is a FAQ, not a request). */
  unless: RegExp[];
  /** Reply text for `reply` rules, or the message shown with a handoff. */
  reply?: Bilingual<string>;
  /** The rule does not fire when the conversation's last answered topic is one of these. */
  unlessAfter: string[];
  /** Rules match only messages of at most this many characters (greetings must be short). */
  maxLength?: number;
  pos: SourcePos;
}

/**
 * What kind of fact a question asks for (a price, a duration): the best-matching entry must contain
 * one, or the bot does not know ("停复机手续费多少钱" when the KB gives no fee amount).
 */
export interface AnswerType {
  id: string;
  asks: RegExp[];
  answers: RegExp[];
  pos: SourcePos;
}

/**
 * Sides that exclude each other, each a list of terms meaning the same: [[联通], [移动]],
 * [[开通, turn on], [关闭, 取消, cancel]]. A question on one side is never answered by an entry
 * that is only about another, and a follow-up naming one side replaces the other.
 */
export interface ContrastGroup {
  sides: string[][];
  /** The side a conversation settled on holds for later questions that name none ("票上金额是多少" after 联通). */
  sticky: boolean;
  /** Index of the side a question naming none leans to, when two entries are otherwise close (联通 on Unicom's hall). */
  defaultSide?: number;
  pos: SourcePos;
}

/** A group of interchangeable terms; the first is canonical. */
export interface SynonymGroup {
  terms: string[];
  pos: SourcePos;
}

export type Expectation =
  /**
   * An answer: from this entry (the editors' cases), and/or containing every one of `terms` (blind
   * cases, written by people who never saw the entries: FACTS.md's key terms the right reply must quote).
   */
  | { kind: 'answer'; entryId?: string; terms?: string[] }
  | { kind: 'fallback' }
  | { kind: 'handoff' }
  | { kind: 'clarify'; entryIds?: string[] };

export interface TestTurn {
  ask: string;
  lang?: Lang;
  expect: Expectation;
  pos: SourcePos;
}

/** One regression case: a single question, or several turns of one conversation. */
export interface TestCase {
  name?: string;
  topic?: string;
  turns: TestTurn[];
  pos: SourcePos;
}

export interface TestSuite {
  file: string;
  /** Pass-rate thresholds (0..1) the `kb test` command enforces. */
  thresholds: { overall: number; perTopic: number };
  cases: TestCase[];
}

export interface KnowledgeBase {
  /** Content hash of every file: changes exactly when the content does. */
  version: string;
  dir: string;
  topics: Topic[];
  entries: Entry[];
  rules: Rule[];
  answerTypes: AnswerType[];
  synonyms: SynonymGroup[];
  /** Terms that exclude each other ("那联通呢" after a 移动 question drops 移动). */
  contrasts: ContrastGroup[];
  /** Canned texts the engine needs (fallback, clarify prompt...). */
  messages: Record<string, Bilingual<string>>;
}
