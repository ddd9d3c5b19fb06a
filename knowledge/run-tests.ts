// Runs the editors' regression cases against any decider and scores them per topic and language.
import type { Expectation, Lang, TestSuite, TestTurn } from './types.ts';

/** What a decider says about one message; `trace` is printed for failures. */
export interface Outcome {
  kind: 'answer' | 'clarify' | 'fallback' | 'handoff';
  entryId?: string;
  /** Entry ids offered by a clarify. */
  options?: string[];
  /** The reply the visitor reads: blind cases check it for their key terms. */
  text?: string;
  /** The decider's confidence (0..1), for the reliability table. */
  confidence?: number;
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
      return (
        outcome.kind === 'answer' &&
        (expect.entryId === undefined || outcome.entryId === expect.entryId) &&
        (expect.terms ?? []).every((t) => quotes(outcome.text ?? '', t))
      );
    case 'clarify':
      return outcome.kind === 'clarify' && (!expect.entryIds || expect.entryIds.every((id) => outcome.options?.includes(id)));
    default:
      return outcome.kind === expect.kind;
  }
}

/** Comparable form of a reply and a key term: width, case and spacing do not matter ("６GB" is "6gb"). */
const comparable = (s: string) => s.normalize('NFKC').toLowerCase().replace(/\s+/g, '');

/** The reply states the term: `0.2` does not count as `0.20`'s neighbour `0.25`, so digits are not glued on. */
function quotes(text: string, term: string): boolean {
  const t = comparable(term);
  const hay = comparable(text);
  let at = hay.indexOf(t);
  while (at >= 0) {
    const before = hay[at - 1] ?? '';
    const after = hay[at + t.length] ?? '';
    const digitEdge = (/\d/.test(t[0]!) && /[\d.]/.test(before)) || (/\d$/.test(t) && /\d/.test(after));
    if (!digitEdge) return true;
    at = hay.indexOf(t, at + 1);
  }
  return false;
}

function topicOf(turn: TestTurn, caseTopic: string | undefined): string {
  if (caseTopic) return caseTopic;
  if (turn.expect.kind === 'answer') return turn.expect.entryId ? turn.expect.entryId.split('.')[0]! : '(answer)';
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

/** One confidence band of the reliability table: how often an answer given with that confidence was right. */
export interface ReliabilityBand {
  /** Lower bound (inclusive) and upper bound (exclusive, 1 inclusive) of the confidence. */
  from: number;
  to: number;
  answered: number;
  right: number;
}

/** Lower bounds of the bands, highest first. */
const BAND_EDGES = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0];

/**
 * Precision of answers per confidence band, over every turn answered: an answer is right when the
 * turn expected that answer, wrong when it expected another entry, a fallback, a handoff or a clarify.
 */
export function reliability(report: TestReport): { bands: ReliabilityBand[]; wrong: number; answerExpected: number; total: number } {
  const bands = BAND_EDGES.map((from, i) => ({ from, to: i === 0 ? 1 : BAND_EDGES[i - 1]!, answered: 0, right: 0 }));
  let wrong = 0;
  for (const r of report.results) {
    if (r.outcome.kind !== 'answer') continue;
    const c = r.outcome.confidence ?? 0;
    const band = bands.find((b) => c >= b.from) ?? bands[bands.length - 1]!;
    band.answered++;
    if (r.pass) band.right++;
    else wrong++;
  }
  const answerExpected = report.results.filter((r) => r.expect.kind === 'answer').length;
  return { bands, wrong, answerExpected, total: report.results.length };
}
