// Turns raw nanosecond samples into the figures the project reports: median and p99.
export interface Summary {
  n: number;
  /** Milliseconds. */
  median: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile (q in 0..1) of sorted values: no interpolation, always a sample that happened. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function summarize(samplesNs: readonly bigint[]): Summary {
  const ms = samplesNs.map((ns) => Number(ns) / 1e6).sort((a, b) => a - b);
  return { n: ms.length, median: percentile(ms, 0.5), p99: percentile(ms, 0.99), max: ms.at(-1) ?? Number.NaN };
}

/** Runs `fn` and returns its result with the elapsed nanoseconds. */
export function timed<T>(fn: () => T): [T, bigint] {
  const start = process.hrtime.bigint();
  const result = fn();
  return [result, process.hrtime.bigint() - start];
}
