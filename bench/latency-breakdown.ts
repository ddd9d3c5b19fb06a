// Where decision time goes: per language, and the turns that make the tail (what to look at for p99).
import type { Lang } from '../knowledge/index.ts';
import { summarize, type Summary } from './summarize.ts';
import type { BenchTurn } from './test-turns.ts';

/** Samples come in passes over `turns` in order, so sample i belongs to turn i mod turns.length. */
const turnOf = (i: number, turns: readonly BenchTurn[]) => turns[i % turns.length]!;

export function latencyByLocale(samples: readonly bigint[], turns: readonly BenchTurn[]): Record<Lang, Summary> {
  const pick = (lang: Lang) => summarize(samples.filter((_, i) => turnOf(i, turns).locale === lang));
  return { zh: pick('zh'), en: pick('en') };
}

export interface SlowTurn {
  ask: string;
  /** Median over the timed rounds, milliseconds. */
  median: number;
}

/** The turns with the highest median time: steady cost, not one garbage-collection pause. */
export function slowestTurns(samples: readonly bigint[], turns: readonly BenchTurn[], count: number): SlowTurn[] {
  const perTurn: bigint[][] = turns.map(() => []);
  samples.forEach((ns, i) => perTurn[i % turns.length]!.push(ns));
  return perTurn
    .map((s, i) => ({ ask: turns[i]!.ask, median: summarize(s).median }))
    .sort((a, b) => b.median - a.median)
    .slice(0, count);
}
