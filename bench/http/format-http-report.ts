// Pools the HTTP bench's runs per kind and renders them as the "HTTP" section of bench/results/latest.md.
import { ratio, stats, type SummaryRow } from '../section.ts';
import { LOAD_LABELS, type LoadKind } from './chat-load.ts';
import type { LoadRun, RunFigures } from './load-run.ts';

export interface HttpBenchOptions {
  /** Concurrent keep-alive connections per run. Range 1-100; default 10. */
  connections: number;
  /** Seconds per timed run. Range 1-60; full 10, quick 3. */
  seconds: number;
  /** Rounds of healthz, chat-new, chat-continuing (a last healthz run closes the sequence). Full 2, quick 1. */
  rounds: number;
  /** Untimed seconds of each kind first (JIT, caches, SQLite pages). Full 2, quick 1. */
  warmupSeconds: number;
  /** Conversations the continuing load cycles through. Range 10-10000; full 200, quick 100. */
  poolSize: number;
}

/** A run and the CPU time the server used meanwhile (ms; undefined without /proc). */
export type HttpRun = LoadRun & { kind: LoadKind; serverCpuMs?: number };

/** Every run of one kind together. */
export interface PooledFigures {
  runs: number;
  seconds: number;
  /** Median, lowest and mean of the per-second request counts. */
  reqPerSec: { median: number; low: number; mean: number };
  latencyMs: { p50: number; p99: number; max: number };
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Server CPU time (user + system, all its threads) per response, µs: less noisy than req/s on a shared machine. */
  serverCpuUsPerRequest?: number;
}

export interface HttpBenchResult {
  mode: 'quick' | 'full';
  options: HttpBenchOptions;
  questions: number;
  order: LoadKind[];
  runs: Array<RunFigures & { kind: LoadKind; serverCpuUsPerRequest: number | undefined }>;
  pooled: Record<LoadKind, PooledFigures>;
  rssKiB: { start?: number; afterWarmup?: number; end?: number };
}

/** The issue's target: chat at least a tenth of healthz's req/s, with no non-2xx response. */
export const TARGET_RATIO = 0.1;

export function pooled(runs: readonly HttpRun[]): PooledFigures {
  const perSecond = runs.flatMap((r) => r.perSecond);
  const latency = stats(runs.flatMap((r) => r.latenciesMs));
  const seconds = runs.reduce((n, r) => n + r.result.duration, 0);
  const total = runs.reduce((n, r) => n + r.result.total, 0);
  const cpuMs = runs.every((r) => r.serverCpuMs !== undefined) ? runs.reduce((n, r) => n + r.serverCpuMs!, 0) : undefined;
  return {
    runs: runs.length,
    seconds,
    reqPerSec: { median: stats(perSecond).median, low: perSecond.length ? Math.min(...perSecond) : Number.NaN, mean: seconds > 0 ? total / seconds : Number.NaN },
    latencyMs: { p50: latency.median, p99: latency.p99, max: latency.max },
    total,
    non2xx: runs.reduce((n, r) => n + r.result.non2xx, 0),
    errors: runs.reduce((n, r) => n + r.result.errors, 0),
    timeouts: runs.reduce((n, r) => n + r.result.timeouts, 0),
    ...(cpuMs === undefined || total === 0 ? {} : { serverCpuUsPerRequest: (cpuMs * 1000) / total }),
  };
}

const rate = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : 'n/a');
const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 1) : 'n/a');
const us = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(0));
const mib = (kib?: number) => (kib === undefined ? 'n/a' : `${(kib / 1024).toFixed(0)} MiB`);

function met(p: PooledFigures, base: PooledFigures): boolean {
  return p.reqPerSec.median >= TARGET_RATIO * base.reqPerSec.median && p.non2xx === 0 && p.errors === 0;
}

export function formatHttpReport(r: HttpBenchResult): string {
  const base = r.pooled.healthz;
  const o = r.options;
  const row = (kind: LoadKind) => {
    const p = r.pooled[kind];
    return `| ${LOAD_LABELS[kind]} | ${rate(p.reqPerSec.median)} | ${rate(p.reqPerSec.mean)} | ${rate(p.reqPerSec.low)} | ${kind === 'healthz' ? '1x' : `**${ratio(p.reqPerSec.median, base.reqPerSec.median)}**`} | ${ms(p.latencyMs.p50)} | ${ms(p.latencyMs.p99)} | ${kind === 'healthz' ? '1x' : ratio(p.latencyMs.p99, base.latencyMs.p99)} | ${us(p.serverCpuUsPerRequest)} | ${p.total} | ${p.non2xx} | ${p.errors} / ${p.timeouts} |`;
  };
  const runRow = (run: HttpBenchResult['runs'][number], i: number) =>
    `| ${i + 1} | ${LOAD_LABELS[run.kind]} | ${run.duration.toFixed(1)} | ${rate(run.reqPerSecMedian)} | ${rate(run.reqPerSecAverage)} | ${ms(run.latencyP50)} | ${ms(run.latencyP99)} | ${ms(run.latencyMax)} | ${us(run.serverCpuUsPerRequest)} | ${run.total} | ${run.non2xx} | ${run.errors} / ${run.timeouts} |`;
  const verdict = (kind: LoadKind) => {
    const p = r.pooled[kind];
    return `${LOAD_LABELS[kind]}: ${ratio(p.reqPerSec.median, base.reqPerSec.median)} healthz, ${p.non2xx} non-2xx: target ${met(p, base) ? 'met' : 'MISSED'}`;
  };
  return `## HTTP: POST /api/chat against GET /healthz on the same server

${r.mode}: ${o.connections} keep-alive connections, ${r.order.length} timed runs of ${o.seconds} s in the order ${r.order.join(', ')}, after ${o.warmupSeconds} s of warm-up per kind.
Target: chat >= ${TARGET_RATIO.toFixed(2)}x healthz req/s with no non-2xx response. ${verdict('chat-new')}; ${verdict('chat-continuing')}.

| endpoint | req/s median | req/s mean | req/s lowest second | ratio to healthz (median req/s) | latency p50 (ms) | latency p99 (ms) | p99 ratio to healthz | server CPU per request (µs) | responses | non-2xx | errors / timeouts |
|---|---|---|---|---|---|---|---|---|---|---|---|
${(['healthz', 'chat-new', 'chat-continuing'] as const).map(row).join('\n')}

Each run (req/s: median and mean of autocannon's per-second samples; latency: percentiles over every response time autocannon measured, which its own histogram rounds to whole ms):

| # | endpoint | s | req/s median | req/s mean | p50 (ms) | p99 (ms) | max (ms) | server CPU per request (µs) | responses | non-2xx | errors / timeouts |
|---|---|---|---|---|---|---|---|---|---|---|---|
${r.runs.map(runRow).join('\n')}

Server resident memory (VmRSS): ${mib(r.rssKiB.start)} at start, ${mib(r.rssKiB.afterWarmup)} after the pool and the warm-up, ${mib(r.rssKiB.end)} at the end.

How measured: the real service (\`bot/server/main.ts\`: SQLite store in a scratch DATA_DIR, the shipped
knowledge base, every handoff route mounted, LOG_LEVEL=warn) runs in a child process of its own on
127.0.0.1; autocannon runs in the bench process against it, so the load generator never shares the
server's event loop (on a 2-core machine each gets about one core). The service runs with
**RATE_LIMITS=off**: all the load comes from one address, which the per-IP limit (burst 300, then 5/s)
would otherwise answer with 429 within a second, as it should; BUSINESS_HOURS=always and no agent signed
in, so a handoff always gets the same "nobody can take it now" reply. Chat requests carry the
${r.questions} questions of knowledge/tests (zh and en, in a fixed shuffled order; every request asks the
next one). "New" sends no conversationId, so every request creates a conversation and its token and
stores two messages; "continuing" cycles through ${o.poolSize} conversations started before the runs,
each request sending its conversationId and \`Authorization: Bearer <token>\` (the conversation's context
is read and written back, two messages stored). Runs of the three kinds are interleaved and a last
healthz run closes the sequence, so drift on a shared machine touches all of them; the figures above
pool every run of a kind (median of all per-second samples, latency percentiles over all responses).
Server CPU per request is the service process's user + system time (/proc/<pid>/stat, all its threads)
during the runs of a kind divided by their responses: less at the mercy of other load than req/s.
`;
}

export function httpSummary(r: HttpBenchResult): SummaryRow[] {
  const base = r.pooled.healthz;
  return (['chat-new', 'chat-continuing'] as const).map((kind) => {
    const p = r.pooled[kind];
    return {
      figure: `${LOAD_LABELS[kind]}: req/s, latency`,
      value: `${rate(p.reqPerSec.median)} req/s, p50 ${ms(p.latencyMs.p50)} ms, p99 ${ms(p.latencyMs.p99)} ms, ${p.non2xx} non-2xx`,
      baseline: `${ratio(p.reqPerSec.median, base.reqPerSec.median)} GET /healthz (${rate(base.reqPerSec.median)} req/s, p50 ${ms(base.latencyMs.p50)} ms, p99 ${ms(base.latencyMs.p99)} ms)`,
      target: `>= ${TARGET_RATIO.toFixed(2)}x healthz, 0 non-2xx`,
      met: met(p, base),
    };
  });
}
