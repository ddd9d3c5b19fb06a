// Pools the logging bench's runs per log setup and endpoint and renders them as the "Logging" section of bench/results/latest.md.
import { ratio, type SummaryRow } from '../section.ts';
import { LOAD_LABELS } from '../http/chat-load.ts';
import { pooled, type HttpRun, type PooledFigures } from '../http/format-http-report.ts';
import type { RunFigures } from '../http/load-run.ts';

export interface LoggingBenchOptions {
  /** Concurrent keep-alive connections per run. Range 1-100; default 10. */
  connections: number;
  /** Seconds per timed run. Range 1-60; full 8, quick 2. */
  seconds: number;
  /** Rounds; each runs every endpoint against every setup once, setups in a rotated order. Full 2, quick 1. */
  rounds: number;
  /** Untimed seconds of each endpoint on each setup first (JIT, caches, SQLite pages). Full 2, quick 1. */
  warmupSeconds: number;
  /** Conversations the continuing chat load cycles through, per setup. Range 10-10000; full 200, quick 50. */
  poolSize: number;
  /** Wait after a run before reading the server's CPU and log bytes, so lines still buffered are counted. Default 200 ms. */
  settleMs: number;
}

/** The three ways of logging compared: every request line, the sampled default, and none (the baseline). */
export type LogSetupId = 'every' | 'sampled' | 'warn';
export const LOG_SETUPS: readonly LogSetupId[] = ['every', 'sampled', 'warn'];

/** Each setup's environment on top of the bench's common one (LOG_FORMAT=json for all). */
export const LOG_SETUP_ENV: Record<LogSetupId, Record<string, string>> = {
  every: { LOG_LEVEL: 'info', REQUEST_LOG_EVERY: '1' },
  // REQUEST_LOG_EVERY unset: whatever default the service ships with is what is measured.
  sampled: { LOG_LEVEL: 'info' },
  warn: { LOG_LEVEL: 'warn' },
};

export const LOG_SETUP_LABELS: Record<LogSetupId, string> = {
  every: 'LOG_LEVEL=info, REQUEST_LOG_EVERY=1 (every request)',
  sampled: 'LOG_LEVEL=info, REQUEST_LOG_EVERY unset (default)',
  warn: 'LOG_LEVEL=warn (baseline)',
};

export type LoggedKind = 'healthz' | 'chat-continuing';
export const LOGGED_KINDS: readonly LoggedKind[] = ['healthz', 'chat-continuing'];

/** One timed run, with what the server wrote to stdout meanwhile. */
export type LoggingRun = HttpRun & { setup: LogSetupId; kind: LoggedKind; logBytes: number; logLines: number };

export type PooledLogging = PooledFigures & { logBytes: number; logLines: number; bytesPer1000: number; linesPer1000: number };

export interface LoggingBenchResult {
  mode: 'quick' | 'full';
  options: LoggingBenchOptions;
  questions: number;
  /** REQUEST_LOG_EVERY as the bench's own environment had it (it would leak into the "default" setup). */
  inheritedRequestLogEvery?: string;
  order: Array<{ setup: LogSetupId; kind: LoggedKind }>;
  runs: Array<RunFigures & { setup: LogSetupId; kind: LoggedKind; serverCpuUsPerRequest: number | undefined; logBytes: number; logLines: number }>;
  pooled: Record<LogSetupId, Record<LoggedKind, PooledLogging>>;
}

export function pooledLogging(runs: readonly LoggingRun[]): PooledLogging {
  const p = pooled(runs);
  const logBytes = runs.reduce((n, r) => n + r.logBytes, 0);
  const logLines = runs.reduce((n, r) => n + r.logLines, 0);
  return { ...p, logBytes, logLines, bytesPer1000: p.total > 0 ? (logBytes * 1000) / p.total : Number.NaN, linesPer1000: p.total > 0 ? (logLines * 1000) / p.total : Number.NaN };
}

const rate = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : 'n/a');
const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 1) : 'n/a');
const us = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(0));
const bytes = (v: number) => (!Number.isFinite(v) ? 'n/a' : v >= 10_240 ? `${(v / 1024).toFixed(0)} KiB` : `${v.toFixed(0)} B`);
const lines = (v: number) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 1 : 0) : 'n/a');
const cpuRatio = (p: PooledFigures, base: PooledFigures) =>
  p.serverCpuUsPerRequest === undefined || base.serverCpuUsPerRequest === undefined ? 'n/a' : ratio(p.serverCpuUsPerRequest, base.serverCpuUsPerRequest);

export function formatLoggingReport(r: LoggingBenchResult): string {
  const o = r.options;
  const table = (kind: LoggedKind) => {
    const base = r.pooled.warn[kind];
    const row = (setup: LogSetupId) => {
      const p = r.pooled[setup][kind];
      const one = setup === 'warn';
      return `| ${LOG_SETUP_LABELS[setup]} | ${rate(p.reqPerSec.median)} | ${one ? '1x' : `**${ratio(p.reqPerSec.median, base.reqPerSec.median)}**`} | ${ms(p.latencyMs.p50)} | ${ms(p.latencyMs.p99)} | ${one ? '1x' : ratio(p.latencyMs.p99, base.latencyMs.p99)} | ${us(p.serverCpuUsPerRequest)} | ${one ? '1x' : `**${cpuRatio(p, base)}**`} | ${bytes(p.bytesPer1000)} | ${lines(p.linesPer1000)} | ${p.total} | ${p.non2xx} | ${p.errors} / ${p.timeouts} |`;
    };
    return `### ${LOAD_LABELS[kind]}

| logging | req/s median | req/s ratio to warn | latency p50 (ms) | latency p99 (ms) | p99 ratio to warn | server CPU per request (µs) | CPU ratio to warn | log bytes per 1000 requests | log lines per 1000 requests | responses | non-2xx | errors / timeouts |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
${LOG_SETUPS.map(row).join('\n')}
`;
  };
  const runRow = (run: LoggingBenchResult['runs'][number], i: number) =>
    `| ${i + 1} | ${run.setup} | ${LOAD_LABELS[run.kind]} | ${run.duration.toFixed(1)} | ${rate(run.reqPerSecMedian)} | ${ms(run.latencyP50)} | ${ms(run.latencyP99)} | ${us(run.serverCpuUsPerRequest)} | ${run.logBytes} | ${run.logLines} | ${run.total} | ${run.non2xx} |`;
  const leaked = r.inheritedRequestLogEvery === undefined ? '' : `\n**Note:** this run's environment had REQUEST_LOG_EVERY=${r.inheritedRequestLogEvery}, so the "default" setup ran with that value, not the shipped default.\n`;
  return `## Logging: what request lines cost, sampled and unsampled, against LOG_LEVEL=warn

${r.mode}: ${o.connections} keep-alive connections, ${r.order.length} timed runs of ${o.seconds} s (${o.rounds} round(s) of every endpoint on every setup, setups in a rotated order each round), after ${o.warmupSeconds} s of warm-up per endpoint and setup.
${leaked}
${LOGGED_KINDS.map(table).join('\n')}
Each run (setup, endpoint; log bytes and lines: what the server wrote to stdout during the run):

| # | setup | endpoint | s | req/s median | p50 (ms) | p99 (ms) | server CPU per request (µs) | log bytes | log lines | responses | non-2xx |
|---|---|---|---|---|---|---|---|---|---|---|---|
${r.runs.map(runRow).join('\n')}

How measured: three copies of the real service (\`bot/server/main.ts\`, each with its own SQLite DATA_DIR, the
shipped knowledge base, RATE_LIMITS=off, BUSINESS_HOURS=always, LOG_FORMAT=json) run side by side as child
processes, one per logging setup; only the one under load is busy, the others idle. Their stdout is a pipe
to the bench process, which counts every byte and line written (and parses the lines, as a log shipper
would); stderr is not counted. Runs of every setup and both endpoints are interleaved and the setups'
order rotates each round, so drift on a shared machine touches all of them. The continuing chat load
cycles through ${o.poolSize} conversations per setup, started before the runs (the same questions as the
HTTP section: ${r.questions} from knowledge/tests). Server CPU per request is the server process's user +
system time (/proc/<pid>/stat, all threads, logging's own writes included) over the runs divided by their
responses, read ${o.settleMs} ms after each run so lines still buffered by pino are written and counted;
less at the mercy of other load on the machine than req/s. Ratios compare with LOG_LEVEL=warn, which
writes no request line at all (a failure would still be logged, and there was none if non-2xx is 0).
`;
}

export function loggingSummary(r: LoggingBenchResult): SummaryRow[] {
  return LOGGED_KINDS.map((kind) => {
    const p = r.pooled.sampled[kind];
    const every = r.pooled.every[kind];
    const base = r.pooled.warn[kind];
    return {
      figure: `${LOAD_LABELS[kind]}, LOG_LEVEL=info with sampled request lines (default): req/s, CPU, log volume`,
      value: `${rate(p.reqPerSec.median)} req/s, p99 ${ms(p.latencyMs.p99)} ms, ${us(p.serverCpuUsPerRequest)} µs CPU/request, ${bytes(p.bytesPer1000)} log per 1000 requests`,
      baseline: `${ratio(p.reqPerSec.median, base.reqPerSec.median)} req/s and ${cpuRatio(p, base)} CPU of LOG_LEVEL=warn (${rate(base.reqPerSec.median)} req/s, ${us(base.serverCpuUsPerRequest)} µs); every line: ${ratio(every.reqPerSec.median, base.reqPerSec.median)} req/s, ${cpuRatio(every, base)} CPU, ${bytes(every.bytesPer1000)} per 1000`,
    };
  });
}
