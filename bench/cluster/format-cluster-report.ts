// Pools the cluster bench's runs per setup and endpoint and renders them as the "Cluster" section of bench/results/latest.md.
import { ratio, type SummaryRow } from '../section.ts';
import { LOAD_LABELS } from '../http/chat-load.ts';
import { pooled, type HttpRun, type PooledFigures } from '../http/format-http-report.ts';
import type { RunFigures } from '../http/load-run.ts';

export interface ClusterBenchOptions {
  /** Concurrent keep-alive connections per run (to the balancer). Range 1-100; default 10. */
  connections: number;
  /** Seconds per timed run. Range 1-60; full 8, quick 2. */
  seconds: number;
  /** Rounds; each runs every endpoint against every setup once, setups in a rotated order. Full 2, quick 1. */
  rounds: number;
  /** Untimed seconds of each endpoint on each setup first (JIT, caches, connection pools). Full 2, quick 1. */
  warmupSeconds: number;
  /** Conversations the continuing load cycles through, per setup. Range 10-10000; full 200, quick 50. */
  poolSize: number;
}

/** (a) the embedded default, (b) one node of the multi-node mode, (c) two of them behind the balancer. */
export type ClusterSetupId = 'sqlite-1' | 'postgres-1' | 'postgres-2';
export const CLUSTER_SETUPS: readonly ClusterSetupId[] = ['sqlite-1', 'postgres-1', 'postgres-2'];
export const CLUSTER_SETUP_LABELS: Record<ClusterSetupId, string> = {
  'sqlite-1': '(a) 1 node, SQLite',
  'postgres-1': '(b) 1 node, PostgreSQL + Redis',
  'postgres-2': '(c) 2 nodes, PostgreSQL + Redis',
};

export type ClusterKind = 'chat-new' | 'chat-continuing';
export const CLUSTER_KINDS: readonly ClusterKind[] = ['chat-new', 'chat-continuing'];

/** One timed run; serverCpuMs is the sum over the setup's node processes. */
export type ClusterRun = HttpRun & { setup: ClusterSetupId; kind: ClusterKind; nodeCpuMs?: number[]; balancerCpuMs?: number; postgresCpuMs?: number; redisCpuMs?: number };

/** Per-request CPU (µs) of each part; undefined where it could not be read. */
export interface CpuPerRequest {
  nodes?: number;
  postgres?: number;
  redis?: number;
  balancer?: number;
  /** Nodes + PostgreSQL + Redis: what serving a request costs, the balancer aside (any deployment has one). */
  service?: number;
}

export type PooledCluster = PooledFigures & { cpuUs: CpuPerRequest };

export type SetupOutcome = { setup: ClusterSetupId; started: true; nodes: number } | { setup: ClusterSetupId; started: false; error: string };

export interface ClusterBenchResult {
  mode: 'quick' | 'full';
  options: ClusterBenchOptions;
  questions: number;
  services: string;
  /** Cores of the machine (os.availableParallelism), shared by every process of the bench. */
  nproc: number;
  /** Whether PostgreSQL's CPU could be read (its processes visible in this machine's /proc). */
  postgresCpuVisible: boolean;
  setups: SetupOutcome[];
  order: Array<{ setup: ClusterSetupId; kind: ClusterKind }>;
  /** nodeCpuMs: each node's CPU time during the run, ms (does the balancer share the work?). */
  runs: Array<RunFigures & { setup: ClusterSetupId; kind: ClusterKind; cpuUs: CpuPerRequest; nodeCpuMs?: number[] }>;
  pooled: Partial<Record<ClusterSetupId, Record<ClusterKind, PooledCluster>>>;
  /** CPU one node of a setup used per second while another setup was under load, ms/s: its cost doing nothing. */
  idleNodeCpuMsPerSecond: Partial<Record<ClusterSetupId, number>>;
}

const perRequest = (ms: number | undefined, total: number) => (ms === undefined || total === 0 ? undefined : (ms * 1000) / total);

export function cpuPerRequest(runs: readonly ClusterRun[]): CpuPerRequest {
  const total = runs.reduce((n, r) => n + r.result.total, 0);
  const sum = (pick: (r: ClusterRun) => number | undefined) => (runs.every((r) => pick(r) !== undefined) ? runs.reduce((n, r) => n + pick(r)!, 0) : undefined);
  const nodes = perRequest(sum((r) => r.serverCpuMs), total);
  const postgres = perRequest(sum((r) => r.postgresCpuMs), total);
  const redis = perRequest(sum((r) => r.redisCpuMs), total);
  const balancer = perRequest(sum((r) => r.balancerCpuMs), total);
  const service = nodes === undefined ? undefined : nodes + (postgres ?? 0) + (redis ?? 0);
  return { ...(nodes === undefined ? {} : { nodes }), ...(postgres === undefined ? {} : { postgres }), ...(redis === undefined ? {} : { redis }), ...(balancer === undefined ? {} : { balancer }), ...(service === undefined ? {} : { service }) };
}

export const pooledCluster = (runs: readonly ClusterRun[]): PooledCluster => ({ ...pooled(runs), cpuUs: cpuPerRequest(runs) });

const rate = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : 'n/a');
const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 1) : 'n/a');
const us = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(0));
const cpuRatio = (v: number | undefined, base: number | undefined) => (v === undefined || base === undefined ? 'n/a' : ratio(v, base));
/** "51% / 49%": each node's part of the nodes' CPU time. */
const shares = (cpuMs: readonly number[]) => {
  const total = cpuMs.reduce((n, v) => n + v, 0);
  return total > 0 ? cpuMs.map((v) => `${((100 * v) / total).toFixed(0)}%`).join(' / ') : 'n/a';
};
const oneLine = (s: string) => s.replace(/\s+/g, ' ').replaceAll('|', '\\|').slice(0, 600);

export function formatClusterReport(r: ClusterBenchResult): string {
  const o = r.options;
  const failed = r.setups.filter((s): s is Extract<SetupOutcome, { started: false }> => !s.started);
  const table = (kind: ClusterKind) => {
    const base = r.pooled['sqlite-1']?.[kind];
    const row = (setup: ClusterSetupId) => {
      const p = r.pooled[setup]?.[kind];
      if (!p) return `| ${CLUSTER_SETUP_LABELS[setup]} | could not start | | | | | | | | | | | |`;
      const one = setup === 'sqlite-1';
      const c = p.cpuUs;
      return `| ${CLUSTER_SETUP_LABELS[setup]} | ${rate(p.reqPerSec.median)} | ${one || !base ? '1x' : ratio(p.reqPerSec.median, base.reqPerSec.median)} | ${ms(p.latencyMs.p50)} | ${ms(p.latencyMs.p99)} | ${us(c.nodes)} | ${us(c.postgres)} | ${us(c.redis)} | **${us(c.service)}** | ${one || !base ? '1x' : `**${cpuRatio(c.service, base.cpuUs.service)}**`} | ${us(c.balancer)} | ${p.total} | ${p.non2xx} / ${p.errors} / ${p.timeouts} |`;
    };
    return `### ${LOAD_LABELS[kind]}

| setup | req/s median | req/s ratio to (a) | latency p50 (ms) | latency p99 (ms) | CPU per request: nodes (µs) | PostgreSQL (µs) | Redis (µs) | service total (µs) | total ratio to (a) | balancer (µs) | responses | non-2xx / errors / timeouts |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
${CLUSTER_SETUPS.map(row).join('\n')}
`;
  };
  const runRow = (run: ClusterBenchResult['runs'][number], i: number) =>
    `| ${i + 1} | ${run.setup} | ${LOAD_LABELS[run.kind]} | ${run.duration.toFixed(1)} | ${rate(run.reqPerSecMedian)} | ${ms(run.latencyP50)} | ${ms(run.latencyP99)} | ${us(run.cpuUs.nodes)}${run.nodeCpuMs && run.nodeCpuMs.length > 1 ? ` (${shares(run.nodeCpuMs)})` : ''} | ${us(run.cpuUs.postgres)} | ${us(run.cpuUs.redis)} | ${us(run.cpuUs.balancer)} | ${run.total} | ${run.non2xx} |`;
  const failures = failed.length
    ? `\n**Could not start:** ${failed.map((f) => `${CLUSTER_SETUP_LABELS[f.setup]}: \`${oneLine(f.error)}\``).join('; ')}\n`
    : '';
  return `## Cluster: one node on SQLite, one and two nodes on PostgreSQL + Redis (cost per request)

${r.mode}: ${o.connections} keep-alive connections to a round-robin balancer, ${r.order.length} timed runs of ${o.seconds} s (${o.rounds} round(s) of every endpoint on every setup that started, setups in a rotated order each round), after ${o.warmupSeconds} s of warm-up per endpoint and setup. Services: ${r.services}.
${failures}
${CLUSTER_KINDS.map(table).join('\n')}
Each run (CPU per request in µs; for two nodes, each one's part of the nodes' CPU in parentheses):

| # | setup | endpoint | s | req/s median | p50 (ms) | p99 (ms) | nodes | PostgreSQL | Redis | balancer | responses | non-2xx |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
${r.runs.map(runRow).join('\n')}

Idle cost, CPU one node used while another setup was under load (ms per second, i.e. thousandths of a core): ${CLUSTER_SETUPS.filter((s) => r.idleNodeCpuMsPerSecond[s] !== undefined).map((s) => `${CLUSTER_SETUP_LABELS[s]} ${r.idleNodeCpuMsPerSecond[s]!.toFixed(1)}`).join(', ') || 'n/a'}.

How measured: every setup runs the real service (\`bot/server/main.ts\`, LOG_LEVEL=warn, RATE_LIMITS=off,
BUSINESS_HOURS=always, the shipped knowledge base, each node its own DATA_DIR) as child processes, all setups
up side by side for the whole run, each behind its own round-robin balancer (a small node:http proxy in a
process of its own, kept-alive connections to the nodes) so that the three are reached the same way; autocannon
in the bench process sends the load. (b) and (c) each have a fresh database (CREATE DATABASE) on one PostgreSQL
server and their own REDIS_PREFIX on one Redis. The continuing load cycles through ${o.poolSize} conversations
per setup, started through the balancer before the runs (so on both nodes for (c)); the questions are the HTTP
section's ${r.questions}. Runs are interleaved and the setups' order rotates each round. CPU per request is the
CPU time used during a kind's runs divided by their responses: nodes (sum over the setup's node processes,
/proc/<pid>/stat), PostgreSQL (the postmaster and all its children, /proc; ${r.postgresCpuVisible ? 'read' : '**not readable here**: its processes are not in this machine\'s /proc'}),
Redis (its INFO cpu), the balancer (/proc). PostgreSQL's and Redis's figures cover the whole server, so they
include the idle nodes of the other setups (heartbeats, leader lease, stream catch-up): (a)'s row, which uses
neither, shows that floor. "Service total" is nodes + PostgreSQL + Redis.
**This is a cost per request, not a speed-up claim:** the machine has ${r.nproc} cores shared by the load generator,
the balancer, every node, PostgreSQL and Redis, so a second node cannot add capacity here; what (b) and (c)
show is what the shared database and Redis cost each request compared with the embedded SQLite.
`;
}

export function clusterSummary(r: ClusterBenchResult): SummaryRow[] {
  const kind: ClusterKind = 'chat-continuing';
  const base = r.pooled['sqlite-1']?.[kind];
  return (['postgres-1', 'postgres-2'] as const).map((setup) => {
    const p = r.pooled[setup]?.[kind];
    const figure = `${LOAD_LABELS[kind]}, ${CLUSTER_SETUP_LABELS[setup].replace(/^\(.\) /, '')}: req/s, p99, CPU per request`;
    if (!p) {
      const f = r.setups.find((s) => s.setup === setup);
      return { figure, value: `could not start${f && !f.started ? `: ${oneLine(f.error).slice(0, 160)}` : ''}` };
    }
    const c = p.cpuUs;
    return {
      figure,
      value: `${rate(p.reqPerSec.median)} req/s, p99 ${ms(p.latencyMs.p99)} ms, ${us(c.service)} µs CPU/request (nodes ${us(c.nodes)} + PostgreSQL ${us(c.postgres)} + Redis ${us(c.redis)}), ${p.non2xx} non-2xx`,
      ...(base
        ? { baseline: `${cpuRatio(c.service, base.cpuUs.service)} CPU/request and ${ratio(p.reqPerSec.median, base.reqPerSec.median)} req/s of 1 node on SQLite (${rate(base.reqPerSec.median)} req/s, p99 ${ms(base.latencyMs.p99)} ms, ${us(base.cpuUs.service)} µs)` }
        : {}),
    };
  });
}
