// Runs the editors' regression cases against any decider and scores them per topic and language.
import type { Expectation, Lang, TestSuite, TestTurn } from './types.ts';

/** What a decider says about one message; `trace` is printed for failures. */
export interface Outcome {
  kind: 'answer' | 'clarify' | 'fallback' | 'handoff';
  entryId?: string;
  /** Entry ids offered by a clarify. */
  options?: string[];
  trace?: unknown;
}

/** A fresh conversation: turns of one case go to the same conversation, in order. */
export type StartConversation = () => (text: string, lang?: Lang) => Outcome;

export interface TurnResult {
  file: string;
  line: number;
  ask: string;
  lang: Lang;
  topic: string;
  expect: Expectation;
  outcome: Outcome;
  pass: boolean;
}

export interface Tally {
  pass: number;
  total: number;
}

export interface TestReport {
  results: TurnResult[];
  overall: Tally;
  byTopic: Map<string, Tally>;
  byLang: Map<Lang, Tally>;
  byKind: Map<Expectation['kind'], Tally>;
}

const HAN = /\p{Script=Han}/u;

export function expectationMet(expect: Expectation, outcome: Outcome): boolean {
  switch (expect.kind) {
    case 'answer':
      return outcome.kind === 'answer' && outcome.entryId === expect.entryId;
    case 'clarify':
      return outcome.kind === 'clarify' && (!expect.entryIds || expect.entryIds.every((id) => outcome.options?.includes(id)));
    default:
      return outcome.kind === expect.kind;
  }
}

function topicOf(turn: TestTurn, caseTopic: string | undefined): string {
  if (caseTopic) return caseTopic;
  if (turn.expect.kind === 'answer') return turn.expect.entryId.split('.')[0]!;
  return `(${turn.expect.kind})`;
}

export function runTestSuites(suites: readonly TestSuite[], start: StartConversation): TestReport {
  const results: TurnResult[] = [];
  for (const suite of suites) {
    for (const c of suite.cases) {
      const ask = start();
      for (const turn of c.turns) {
        const outcome = ask(turn.ask, turn.lang);
        results.push({
          file: turn.pos.file,
          line: turn.pos.line,
          ask: turn.ask,
          lang: turn.lang ?? (HAN.test(turn.ask) ? 'zh' : 'en'),
          topic: topicOf(turn, c.topic),
          expect: turn.expect,
          outcome,
          pass: expectationMet(turn.expect, outcome),
        });
      }
    }
  }
  const tally = <K>(key: (r: TurnResult) => K) => {
    const m = new Map<K, Tally>();
    for (const r of results) {
      const t = m.get(key(r)) ?? { pass: 0, total: 0 };
      t.total++;
      if (r.pass) t.pass++;
      m.set(key(r), t);
    }
    return m;
  };
  return {
    results,
    overall: { pass: results.filter((r) => r.pass).length, total: results.length },
    byTopic: tally((r) => r.topic),
    byLang: tally((r) => r.lang),
    byKind: tally((r) => r.expect.kind),
  };
}

export const rate = (t: Tally) => (t.total === 0 ? 1 : t.pass / t.total);
