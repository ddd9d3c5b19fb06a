// How much work one benchmark run does: the full run for the README, `--quick` for CI.
export interface BenchOptions {
  /** Index builds timed after the first (2-100; default 30). */
  builds: number;
  /** Untimed passes over every test turn before timing, per engine (0-5; default 1). */
  warmupPasses: number;
  /** Timed rounds; each asks every test turn to our engine, then to nlp.js (1-200; default 50). */
  rounds: number;
}

export const defaultBenchOptions: BenchOptions = { builds: 30, warmupPasses: 1, rounds: 50 };

/** Enough samples for a p99 in CI, well under 30 s on two cores. */
export const quickBenchOptions: BenchOptions = { builds: 5, warmupPasses: 1, rounds: 2 };
