// The editors' regression cases as plain conversations: the turns both engines are asked.
import type { Lang, TestSuite } from '../knowledge/index.ts';

export interface BenchTurn {
  ask: string;
  /** As the case gives it; our engine detects the language when absent. */
  lang?: Lang;
  /** The case's language or, failing that, the script it is written in (as knowledge/run-tests reports it). */
  locale: Lang;
}

const HAN = /\p{Script=Han}/u;

export const localeOf = (text: string, lang?: Lang): Lang => lang ?? (HAN.test(text) ? 'zh' : 'en');

/** One array per case, turns in order. */
export function conversationsOf(suites: readonly TestSuite[]): BenchTurn[][] {
  return suites.flatMap((s) => s.cases.map((c) => c.turns.map((t) => ({ ask: t.ask, lang: t.lang, locale: localeOf(t.ask, t.lang) }))));
}
