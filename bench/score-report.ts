// The rates the benchmark compares, read off a knowledge/run-tests report so both engines are judged alike.
import type { Lang, Tally, TestReport } from '../knowledge/index.ts';

export interface Scores {
  /** Right entry among turns that expect an entry. */
  answer: Tally;
  /** Fallback among turns that must fall back. */
  fallback: Tally;
  /** Handoff among turns that must hand off. */
  handoff: Tally;
  /** Clarify (offering the expected entries) among turns that expect one. */
  clarify: Tally;
  overall: Tally;
  /** Turns answered with an entry that was not expected, among all turns: the failure a visitor notices (lower is better). */
  wrongAnswers: Tally;
  /** The same wrong answers among turns that expect an answer (the bar: at most 3%). */
  wrongPerAnswerExpected: Tally;
  /** Each expected outcome per language. */
  byLang: Record<Lang, { answer: Tally; fallback: Tally; handoff: Tally }>;
}

export function scoresOf(report: TestReport): Scores {
  const kind = (k: 'answer' | 'fallback' | 'handoff' | 'clarify'): Tally => report.byKind.get(k) ?? { pass: 0, total: 0 };
  return {
    answer: kind('answer'),
    fallback: kind('fallback'),
    handoff: kind('handoff'),
    clarify: kind('clarify'),
    overall: report.overall,
    wrongAnswers: { pass: report.results.filter((r) => r.outcome.kind === 'answer' && !r.pass).length, total: report.results.length },
    wrongPerAnswerExpected: {
      pass: report.results.filter((r) => r.outcome.kind === 'answer' && !r.pass).length,
      total: report.results.filter((r) => r.expect.kind === 'answer').length,
    },
    byLang: {
      zh: langScores(report, 'zh'),
      en: langScores(report, 'en'),
    },
  };
}

function langScores(report: TestReport, lang: Lang) {
  const of = (kind: 'answer' | 'fallback' | 'handoff'): Tally => {
    const rows = report.results.filter((r) => r.lang === lang && r.expect.kind === kind);
    return { pass: rows.filter((r) => r.pass).length, total: rows.length };
  };
  return { answer: of('answer'), fallback: of('fallback'), handoff: of('handoff') };
}
