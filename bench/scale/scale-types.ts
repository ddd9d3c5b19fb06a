// What scale-bench.ts hands its per-size child process, and what the child reports back.
import type { stats } from '../section.ts';

export interface ScaleChildInput {
  dir: string;
  probes: { text: string; lang: 'zh' | 'en'; entryId: string }[];
  /** Timed rounds over every test turn and probe. */
  rounds: number;
  /** Test cases in the pruned-vs-full-OR sample, and rounds over it. */
  fullOrCases: number;
  fullOrRounds: number;
}

type Stats = ReturnType<typeof stats>;
interface Mem {
  rss: number;
  heapUsed: number;
}

export interface ScaleChildOutput {
  entries: number;
  loadMs: number;
  buildMs: number;
  memory: { before: Mem; after: Mem; peakRss: number };
  accuracy: { pass: number; total: number; probeHits: number; probes: number };
  /** Every test turn and probe, pruned retrieval (the engine as it runs). */
  latency: Stats;
  /** The same sample both ways, interleaved round by round. */
  sample: { pruned: Stats; fullOr: Stats; turns: number };
}
