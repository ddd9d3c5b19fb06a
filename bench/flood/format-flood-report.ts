// Pools the flood bench's phases per kind and renders them as the "Flood" section of bench/results/latest.md.
import { ratio, stats, type SummaryRow } from '../section.ts';
import type { AttackerRun } from './attacker-process.ts';
import type { SteadyRun } from './steady-visitors.ts';

export interface FloodBenchOptions {
  /** Steady visitors, each its own client address and conversation. Range 1-1000; default 100. */
  visitors: number;
  /**
   * Time between one visitor's messages, ms. Range 500-10000; default 1000. 100 visitors once a second is
   * the same 100 req/s as 20 every 200 ms, but stays within the per-conversation limit (burst 30, then 0.5/s)
   * for a phase; 20 visitors every 200 ms would rightly be answered 429 by it after about 7 s.
   */
  intervalMs: number;
  /** Seconds per timed phase. Range 2-60; full 8, quick 4. */
  seconds: number;
  /** Rounds of (no flood, flood); a last no-flood phase closes the sequence. Full 3 (more, shorter phases: one disturbed phase weighs less), quick 1. */
  rounds: number;
  /** Untimed seconds of steady visitors first (JIT, caches, SQLite pages). Full 2, quick 1. */
  warmupSeconds: number;
  /** The attacker's keep-alive connections, each sending back to back. Range 2-64; default 8. */
  attackerConnections: number;
  /** The attacker's nice value (0-19; default 10): on a real site its CPU is not the server's machine's. */
  attackerNice: number;
}

export type PhaseKind = 'baseline' | 'flood';

export const PHASE_LABELS: Record<PhaseKind, string> = {
  baseline: 'steady visitors alone',
  flood: 'steady visitors + one address flooding',
};

/** One timed phase: the steady visitors, the attacker (flood phases), and what the server spent meanwhile. */
export interface FloodPhase {
  kind: PhaseKind;
  steady: SteadyRun;
  attacker?: AttackerRun;
  /** From just before the attacker started to just after it stopped (or the visitors' phase), ms. */
  wallMs: number;
  /** Server CPU (user + system, all threads) over wallMs; undefined without /proc. */
  serverCpuMs?: number;
  rssKiB?: number;
}

/** Every phase of one kind together. */
export interface PooledPhases {
  phases: number;
  steady: {
    total: number;
    non2xx: number;
    errors: number;
    reqPerSec: number;
    latencyMs: { p50: number; p99: number; max: number };
    /** Median over phases of each phase's own p99: one noisy phase (another process waking up) moves it less than the pooled p99. */
    p99PerPhaseMedianMs: number;
  };
  /** Flood phases only. */
  attacker?: { total: number; reqPerSec: number; share429: number; statuses: Record<string, number> };
  /** Server CPU per response (steady and attacker alike), µs, and the share of one core it used. */
  serverCpuUsPerRequest?: number;
  serverCores?: number;
}

export interface FloodBenchResult {
  mode: 'quick' | 'full';
  options: FloodBenchOptions;
  attackerAddress: string;
  questions: number;
  order: PhaseKind[];
  phases: FloodPhase[];
  pooled: Record<PhaseKind, PooledPhases>;
  rssKiB: { start?: number; afterWarmup?: number; end?: number };
}

/**
 * The issue asks that other visitors' p99 stay "as it was". On a shared 2-core machine two runs without any
 * flood already differ by tens of percent, so "as it was" is read as within 1.5x, with no failed request.
 */
export const TARGET_P99_RATIO = 1.5;

/** The median of a few values, the mean of the two middle ones for an even count (4 no-flood phases against 3 flood phases). */
function middle(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function pooledPhases(phases: readonly FloodPhase[]): PooledPhases {
  const latency = stats(phases.flatMap((p) => p.steady.latenciesMs));
  const steadyTotal = phases.reduce((n, p) => n + p.steady.total, 0);
  const steadySeconds = phases.reduce((n, p) => n + p.steady.durationMs, 0) / 1000;
  const attacks = phases.flatMap((p) => (p.attacker ? [p.attacker] : []));
  const statuses: Record<string, number> = {};
  for (const a of attacks) for (const [code, n] of Object.entries(a.statuses)) statuses[code] = (statuses[code] ?? 0) + n;
  const attackTotal = attacks.reduce((n, a) => n + a.total, 0);
  const attackSeconds = attacks.reduce((n, a) => n + a.durationMs, 0) / 1000;
  const cpuMs = phases.every((p) => p.serverCpuMs !== undefined) ? phases.reduce((n, p) => n + p.serverCpuMs!, 0) : undefined;
  const wallMs = phases.reduce((n, p) => n + p.wallMs, 0);
  const served = steadyTotal + attackTotal;
  return {
    phases: phases.length,
    steady: {
      total: steadyTotal,
      non2xx: phases.reduce((n, p) => n + p.steady.non2xx, 0),
      errors: phases.reduce((n, p) => n + p.steady.errors, 0),
      reqPerSec: steadySeconds > 0 ? steadyTotal / steadySeconds : Number.NaN,
      latencyMs: { p50: latency.median, p99: latency.p99, max: latency.max },
      p99PerPhaseMedianMs: middle(phases.map((p) => stats(p.steady.latenciesMs).p99)),
    },
    ...(attacks.length
      ? { attacker: { total: attackTotal, reqPerSec: attackSeconds > 0 ? attackTotal / attackSeconds : Number.NaN, share429: attackTotal > 0 ? (statuses['429'] ?? 0) / attackTotal : Number.NaN, statuses } }
      : {}),
    ...(cpuMs === undefined || served === 0 ? {} : { serverCpuUsPerRequest: (cpuMs * 1000) / served, serverCores: cpuMs / wallMs }),
  };
}

const rate = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : 'n/a');
const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 1) : 'n/a');
const us = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(0));
const pct = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : `${(v * 100).toFixed(1)}%`);
const mib = (kib?: number) => (kib === undefined ? 'n/a' : `${(kib / 1024).toFixed(0)} MiB`);
const codes = (statuses: Record<string, number>) =>
  Object.entries(statuses)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([code, n]) => `${code === '0' ? 'network error' : code}: ${n}`)
    .join(', ');

export function met(r: FloodBenchResult): boolean {
  const { baseline, flood } = r.pooled;
  return flood.steady.latencyMs.p99 <= TARGET_P99_RATIO * baseline.steady.latencyMs.p99 && flood.steady.non2xx + flood.steady.errors === 0;
}

export function formatFloodReport(r: FloodBenchResult): string {
  const o = r.options;
  const { baseline, flood } = r.pooled;
  const row = (kind: PhaseKind) => {
    const p = r.pooled[kind];
    const s = p.steady;
    const a = p.attacker;
    return `| ${PHASE_LABELS[kind]} | ${p.phases} | ${ms(s.latencyMs.p50)} | ${kind === 'flood' ? `**${ratio(s.latencyMs.p50, baseline.steady.latencyMs.p50)}**` : '1x'} | ${ms(s.latencyMs.p99)} | ${kind === 'flood' ? `**${ratio(s.latencyMs.p99, baseline.steady.latencyMs.p99)}**` : '1x'} | ${ms(s.p99PerPhaseMedianMs)} | ${kind === 'flood' ? ratio(s.p99PerPhaseMedianMs, baseline.steady.p99PerPhaseMedianMs) : '1x'} | ${ms(s.latencyMs.max)} | ${rate(s.reqPerSec)} | ${s.total} | ${s.non2xx} / ${s.errors} | ${a ? rate(a.reqPerSec) : '-'} | ${a ? pct(a.share429) : '-'} | ${us(p.serverCpuUsPerRequest)} | ${p.serverCores === undefined ? 'n/a' : p.serverCores.toFixed(2)} |`;
  };
  const phaseRow = (p: FloodPhase, i: number) => {
    const l = stats(p.steady.latenciesMs);
    const a = p.attacker;
    const served = p.steady.total + (a?.total ?? 0);
    return `| ${i + 1} | ${p.kind} | ${(p.steady.durationMs / 1000).toFixed(1)} | ${ms(l.median)} | ${ms(l.p99)} | ${ms(l.max)} | ${p.steady.total} | ${p.steady.non2xx} / ${p.steady.errors} | ${a ? `${rate((a.total * 1000) / a.durationMs)} req/s; ${codes(a.statuses)}` : '-'} | ${p.serverCpuMs === undefined ? 'n/a' : us((p.serverCpuMs * 1000) / served)} | ${mib(p.rssKiB)} |`;
  };
  const verdict = `flood/no flood p50 ${ratio(flood.steady.latencyMs.p50, baseline.steady.latencyMs.p50)}, p99 ${ratio(flood.steady.latencyMs.p99, baseline.steady.latencyMs.p99)}, ${flood.steady.non2xx} non-2xx and ${flood.steady.errors} errors for the steady visitors: target ${met(r) ? 'met' : 'MISSED'}`;
  return `## Flood: other visitors' latency while one address floods POST /api/chat (rate limits on)

${r.mode}: ${o.visitors} steady visitors (one message each every ${o.intervalMs} ms), ${r.order.length} timed phases of ${o.seconds} s in the order ${r.order.join(', ')}, after ${o.warmupSeconds} s of warm-up; the attacker floods from ${r.attackerAddress} on ${o.attackerConnections} keep-alive connections.
Target: the steady visitors' p99 during the flood <= ${TARGET_P99_RATIO}x their p99 without it, with no non-2xx answer. ${verdict}.

| phase | phases | visitors' p50 (ms) | p50 ratio to no flood | visitors' p99 (ms) | p99 ratio to no flood | median of the phases' p99s (ms) | its ratio to no flood | max (ms) | visitors' req/s | visitors' requests | visitors' non-2xx / errors | attacker req/s | attacker answered 429 | server CPU per request (µs) | server CPU (cores) |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
${row('baseline')}
${row('flood')}

Each phase:

| # | phase | s | visitors' p50 (ms) | p99 (ms) | max (ms) | visitors' requests | non-2xx / errors | attacker | server CPU per request (µs) | server RSS after |
|---|---|---|---|---|---|---|---|---|---|---|
${r.phases.map(phaseRow).join('\n')}

Server resident memory (VmRSS): ${mib(r.rssKiB.start)} at start, ${mib(r.rssKiB.afterWarmup)} after the warm-up, ${mib(r.rssKiB.end)} at the end.

How measured: the real service (\`bot/server/main.ts\`, SQLite in a scratch DATA_DIR, the shipped knowledge base,
LOG_LEVEL=warn, BUSINESS_HOURS=always, no agent online) runs in a child process of its own with the
**default rate limits on** (per address: burst 300, then 5/s; new conversations per address: burst 30,
then 0.5/s; per conversation: burst 30, then 0.5/s). Each steady visitor is a keep-alive connection of
node's http module from an address of its own (127.1.0.1 upward; Linux routes all of 127/8 to loopback),
as real visitors come from their own addresses: from one shared address, ${o.visitors} visitors would
rightly be held to that address's 5 req/s. At the start of every phase each visitor starts a new
conversation (untimed), then sends one of the ${r.questions} knowledge/tests questions every ${o.intervalMs} ms
(spread evenly, the next one waiting for the answer) with its conversationId and \`Authorization: Bearer
<token>\`; the latency is from writing the request to the last byte of the answer. The attacker is a
separate node process (so its busy loop never delays the visitors' timers) at nice ${o.attackerNice} (a real
attacker's CPU is not the server's), sending POST /api/chat back to back from ${r.attackerAddress} on
${o.attackerConnections} keep-alive connections: half start a new conversation each time, half continue one
conversation it started before the first phase. Phases alternate with and without the flood and the
figures pool every phase of a kind (the target is judged on the pooled p99; the median of the phases'
own p99s is shown beside it because one phase disturbed by other work on the machine can move the
pooled p99 alone). Server CPU is the service process's user + system time
(/proc/<pid>/stat) over the phase, per response served (visitors' and attacker's) and as a share of one
core. Load generator, attacker and server share the machine's cores (and other work on it), so the
absolute figures are noisy; the ratios compare phases of the same run.
`;
}

export function floodSummary(r: FloodBenchResult): SummaryRow[] {
  const { baseline, flood } = r.pooled;
  const a = flood.attacker;
  return [
    {
      figure: `POST /api/chat of ${r.options.visitors} steady visitors while one address floods (rate limits on)`,
      value: `p50 ${ms(flood.steady.latencyMs.p50)} ms, p99 ${ms(flood.steady.latencyMs.p99)} ms, ${flood.steady.non2xx + flood.steady.errors} failed; flood ${a ? rate(a.reqPerSec) : 'n/a'} req/s, ${pct(a?.share429)} answered 429`,
      baseline: `p50 ${ratio(flood.steady.latencyMs.p50, baseline.steady.latencyMs.p50)}, p99 ${ratio(flood.steady.latencyMs.p99, baseline.steady.latencyMs.p99)} (median of phase p99s ${ratio(flood.steady.p99PerPhaseMedianMs, baseline.steady.p99PerPhaseMedianMs)}) of no flood (p50 ${ms(baseline.steady.latencyMs.p50)} ms, p99 ${ms(baseline.steady.latencyMs.p99)} ms)`,
      target: `p99 <= ${TARGET_P99_RATIO}x no flood, 0 failed`,
      met: met(r),
    },
  ];
}
