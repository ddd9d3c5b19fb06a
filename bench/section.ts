// The shape every part of `npm run bench` shares: run.ts calls each section in turn, prints its
// markdown and saves all of them as bench/results/latest.md (raw data in latest.json).
import os from 'node:os';
import { percentile } from './summarize.ts';

export interface BenchContext {
  /** `--quick` (CI): smaller sizes and fewer rounds, same figures. */
  quick: boolean;
  /** Repository root (absolute). */
  root: string;
  /** The shipped knowledge directory (absolute). */
  knowledgeDir: string;
  /** A scratch directory for this run, removed afterwards. */
  tmpDir: string;
  /** A line on stderr: what the bench is doing now. */
  progress(msg: string): void;
}

export interface SectionResult {
  /** Short id used by `--only`, e.g. "http". */
  id: string;
  /** Markdown for this section, starting with a `## ` heading. Every timed figure is a median and a p99 with its ratio to a baseline measured in the same run. */
  markdown: string;
  /** Raw figures, saved in latest.json. */
  data: unknown;
  /** Headline rows for the summary table at the top of the report (and the README). */
  summary: SummaryRow[];
}

export interface SummaryRow {
  /** What was measured, e.g. "POST /api/chat, new conversations: req/s". */
  figure: string;
  /** The measured value(s) with units, e.g. "p50 0.4 ms, p99 1.9 ms". */
  value: string;
  /** The baseline measured in the same run and the ratio to it, e.g. "0.142x GET /healthz". */
  baseline?: string;
  /** The target, e.g. ">= 0.10x healthz", and whether this run met it. */
  target?: string;
  met?: boolean;
}

export type Section = (ctx: BenchContext) => Promise<SectionResult>;

export interface Machine {
  nproc: number;
  cpu: string;
  memGiB: number;
  node: string;
  platform: string;
}

export function machine(): Machine {
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown cpu',
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
  };
}

/** Nearest-rank median and p99 of millisecond samples. */
export function stats(samplesMs: readonly number[]): { n: number; median: number; p99: number; max: number } {
  const s = [...samplesMs].sort((a, b) => a - b);
  return { n: s.length, median: percentile(s, 0.5), p99: percentile(s, 0.99), max: s.at(-1) ?? Number.NaN };
}

/** "0.123x": how `value` compares with `baseline`. */
export const ratio = (value: number, baseline: number) => (baseline > 0 && Number.isFinite(value) ? `${(value / baseline).toFixed(3)}x` : 'n/a');
