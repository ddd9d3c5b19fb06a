// Bench section "cluster": POST /api/chat on (a) one node on SQLite, (b) one node on PostgreSQL + Redis and
// (c) two nodes on PostgreSQL + Redis, each behind a round-robin balancer, side by side in one run; req/s, p99
// and CPU per request of the nodes, PostgreSQL and Redis. Skipped (not failed) where neither can be had.
import os from 'node:os';
import path from 'node:path';
import type { BenchContext, SectionResult } from '../section.ts';
import { chatQuestions } from '../http/chat-questions.ts';
import { checkChat, createPool, loadRequests, type PooledConversation } from '../http/chat-load.ts';
import { loadRun } from '../http/load-run.ts';
import { startServerProcess, type ServerProcess } from '../server-process.ts';
import { startBalancerProcess, type BalancerProcess } from './balancer-process.ts';
import { benchRedisPrefix, benchServices, createBenchDatabase, dropRedisPrefix, postgresCpuMs, postgresServerPid, redisCpuReader, type BenchDatabase } from './bench-services.ts';
import {
  CLUSTER_KINDS,
  CLUSTER_SETUP_LABELS,
  CLUSTER_SETUPS,
  clusterSummary,
  cpuPerRequest,
  formatClusterReport,
  pooledCluster,
  type ClusterBenchOptions,
  type ClusterBenchResult,
  type ClusterKind,
  type ClusterRun,
  type ClusterSetupId,
  type SetupOutcome,
} from './format-cluster-report.ts';
export type { ClusterBenchOptions } from './format-cluster-report.ts';

export const defaultClusterBenchOptions: ClusterBenchOptions = { connections: 10, seconds: 8, rounds: 2, warmupSeconds: 2, poolSize: 200 };
/** 3 setups x 2 endpoints x 2 s, plus warm-up and four node start-ups. */
export const quickClusterBenchOptions: ClusterBenchOptions = { connections: 10, seconds: 2, rounds: 1, warmupSeconds: 1, poolSize: 50 };

/** A setup that started: its nodes, its balancer and the conversations of its continuing load. */
interface RunningSetup {
  setup: ClusterSetupId;
  nodes: ServerProcess[];
  balancer: BalancerProcess;
  pool: PooledConversation[];
}

const delta = (before: number | undefined, after: number | undefined) => (before === undefined || after === undefined ? undefined : after - before);

export async function runClusterBench(ctx: BenchContext): Promise<SectionResult> {
  const options = ctx.quick ? quickClusterBenchOptions : defaultClusterBenchOptions;
  ctx.progress('cluster: PostgreSQL and Redis');
  // Without PostgreSQL and Redis there is nothing to compare: the section says why and the run goes on.
  const skipped = (why: string): SectionResult => {
    ctx.progress(`cluster: SKIPPED, ${why}`);
    return {
      id: 'cluster',
      markdown: `## Cluster: one node on SQLite, one and two nodes on PostgreSQL + Redis\n\nSkipped: ${why}. Set TEST_DATABASE_URL and TEST_REDIS_URL, or install Debian's postgresql and redis-server packages.\n`,
      data: { skipped: why },
      summary: [],
    };
  };
  let found: Awaited<ReturnType<typeof benchServices>>;
  try {
    found = await benchServices();
  } catch (err) {
    return skipped(`starting a throwaway PostgreSQL or Redis failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  if ('missing' in found) return skipped(`${found.missing} not found on this machine`);
  const services = found;
  const questions = await chatQuestions(ctx.knowledgeDir);
  const postmasterPid = await postgresServerPid(services.postgresUrl);
  const redisCpu = redisCpuReader(services.redisUrl);
  const databases: BenchDatabase[] = [];
  const prefixes: string[] = [];
  const running: RunningSetup[] = [];
  const outcomes: SetupOutcome[] = [];

  // Every node alike but for its backend; LOG_LEVEL=warn so logging costs nothing (see the logging section).
  const nodeEnv = (name: string, extra: Record<string, string>) => ({
    NODE_ENV: 'production',
    KNOWLEDGE_DIR: ctx.knowledgeDir,
    DATA_DIR: path.join(ctx.tmpDir, `cluster-${name}-data`),
    RATE_LIMITS: 'off',
    BUSINESS_HOURS: 'always',
    LOG_LEVEL: 'warn',
    ...extra,
  });

  async function startSetup(setup: ClusterSetupId): Promise<RunningSetup> {
    const startedAt = performance.now();
    const nodes: ServerProcess[] = [];
    let balancer: BalancerProcess | undefined;
    try {
      if (setup === 'sqlite-1') {
        nodes.push(await startServerProcess({ root: ctx.root, env: nodeEnv(setup, {}) }));
      } else {
        const db = await createBenchDatabase(services.postgresUrl);
        databases.push(db);
        const prefix = benchRedisPrefix();
        prefixes.push(prefix);
        const count = setup === 'postgres-2' ? 2 : 1;
        // One after the other: the first migrates the fresh database, the second finds it done.
        for (let i = 0; i < count; i++) {
          nodes.push(await startServerProcess({ root: ctx.root, env: nodeEnv(`${setup}-${i + 1}`, { DATABASE_URL: db.url, REDIS_URL: services.redisUrl, REDIS_PREFIX: prefix }) }));
        }
      }
      balancer = await startBalancerProcess(ctx.root, nodes.map((n) => n.port));
      const pool = await createPool(balancer.url, options.poolSize, questions);
      await checkChat(balancer.url, pool, questions[0]!);
      ctx.progress(`cluster: ${CLUSTER_SETUP_LABELS[setup]} ready in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
      return { setup, nodes, balancer, pool };
    } catch (err) {
      await balancer?.stop();
      await Promise.all(nodes.map((n) => n.stop()));
      throw err;
    }
  }

  try {
    // The three setups at once (start-up is mostly one busy thread per node); a setup that fails is reported, the others run.
    ctx.progress(`cluster: starting ${CLUSTER_SETUPS.map((s) => CLUSTER_SETUP_LABELS[s]).join(', ')}, ${options.poolSize} conversations each`);
    const started = await Promise.allSettled(CLUSTER_SETUPS.map((setup) => startSetup(setup)));
    for (const [i, s] of started.entries()) {
      const setup = CLUSTER_SETUPS[i]!;
      if (s.status === 'fulfilled') {
        running.push(s.value);
        outcomes.push({ setup, started: true, nodes: s.value.nodes.length });
      } else {
        const error = s.reason instanceof Error ? s.reason.message : String(s.reason);
        ctx.progress(`cluster: ${CLUSTER_SETUP_LABELS[setup]} COULD NOT START: ${error}`);
        outcomes.push({ setup, started: false, error });
      }
    }
    if (running.length === 0) throw new Error(`bench cluster: no setup started: ${outcomes.map((o) => (o.started ? '' : `${o.setup}: ${o.error}`)).join('; ')}`);

    const run = (s: RunningSetup, kind: ClusterKind, seconds: number) =>
      loadRun({ url: s.balancer.url, connections: options.connections, duration: seconds, requests: loadRequests(kind, questions, s.pool) });
    for (const s of running) {
      for (const kind of CLUSTER_KINDS) {
        ctx.progress(`cluster: warm-up ${s.setup} ${kind} ${options.warmupSeconds} s`);
        await run(s, kind, options.warmupSeconds);
      }
    }

    // Every setup and endpoint in each round, the setups rotated round by round so none is always first.
    const order: ClusterBenchResult['order'] = [];
    for (let round = 0; round < options.rounds; round++) {
      for (const kind of CLUSTER_KINDS) {
        for (let i = 0; i < running.length; i++) order.push({ setup: running[(i + round) % running.length]!.setup, kind });
      }
    }
    const readCpu = async (s: RunningSetup) => {
      const [nodes, balancer, postgres, redis] = await Promise.all([
        Promise.all(s.nodes.map((n) => n.cpuMs())),
        s.balancer.cpuMs(),
        postmasterPid === undefined ? undefined : postgresCpuMs(postmasterPid),
        redisCpu.read(),
      ]);
      return { nodes, balancer, postgres, redis };
    };
    // While one setup is loaded the others sit idle: their nodes' CPU then is what a node costs doing nothing
    // (heartbeats, leases, timed jobs), the floor under every per-request figure.
    const nodesCpu = (s: RunningSetup) => Promise.all(s.nodes.map((n) => n.cpuMs()));
    const idle = new Map<ClusterSetupId, { cpuMs: number; nodeSeconds: number }>();
    const runs: ClusterRun[] = [];
    for (const [i, { setup, kind }] of order.entries()) {
      const s = running.find((x) => x.setup === setup)!;
      const others = running.filter((x) => x !== s);
      ctx.progress(`cluster: run ${i + 1}/${order.length}: ${setup} ${kind} ${options.seconds} s`);
      const othersBefore = await Promise.all(others.map(nodesCpu));
      const before = await readCpu(s);
      const wallBefore = performance.now();
      const r = await run(s, kind, options.seconds);
      const wallSeconds = (performance.now() - wallBefore) / 1000;
      const after = await readCpu(s);
      const othersAfter = await Promise.all(others.map(nodesCpu));
      for (const [j, o] of others.entries()) {
        const used = othersBefore[j]!.map((b, n) => delta(b, othersAfter[j]![n]));
        if (used.some((v) => v === undefined)) continue;
        const acc = idle.get(o.setup) ?? { cpuMs: 0, nodeSeconds: 0 };
        idle.set(o.setup, { cpuMs: acc.cpuMs + used.reduce<number>((n, v) => n + v!, 0), nodeSeconds: acc.nodeSeconds + wallSeconds * o.nodes.length });
      }
      const perNode = before.nodes.map((b, n) => delta(b, after.nodes[n]));
      const cpu = {
        serverCpuMs: perNode.every((v) => v !== undefined) ? perNode.reduce<number>((n, v) => n + v!, 0) : undefined,
        balancerCpuMs: delta(before.balancer, after.balancer),
        postgresCpuMs: delta(before.postgres, after.postgres),
        redisCpuMs: delta(before.redis, after.redis),
      };
      runs.push({ setup, kind, ...r, ...Object.fromEntries(Object.entries(cpu).filter(([, v]) => v !== undefined)), ...(perNode.every((v) => v !== undefined) ? { nodeCpuMs: perNode as number[] } : {}) });
    }

    const pooled: ClusterBenchResult['pooled'] = {};
    for (const s of running) {
      pooled[s.setup] = Object.fromEntries(CLUSTER_KINDS.map((k) => [k, pooledCluster(runs.filter((r) => r.setup === s.setup && r.kind === k))])) as Record<ClusterKind, ReturnType<typeof pooledCluster>>;
    }
    const result: ClusterBenchResult = {
      mode: ctx.quick ? 'quick' : 'full',
      options,
      questions: questions.length,
      services: services.source,
      nproc: os.availableParallelism(),
      postgresCpuVisible: postmasterPid !== undefined,
      setups: outcomes,
      order,
      runs: runs.map((run) => ({ setup: run.setup, kind: run.kind, ...run.result, cpuUs: cpuPerRequest([run]), ...(run.nodeCpuMs ? { nodeCpuMs: run.nodeCpuMs } : {}) })),
      pooled,
      idleNodeCpuMsPerSecond: Object.fromEntries([...idle].map(([setup, v]) => [setup, v.nodeSeconds > 0 ? v.cpuMs / v.nodeSeconds : Number.NaN])),
    };
    return { id: 'cluster', markdown: formatClusterReport(result), data: result, summary: clusterSummary(result) };
  } finally {
    for (const s of running) {
      await s.balancer.stop();
      await Promise.all(s.nodes.map((n) => n.stop()));
    }
    redisCpu.close();
    for (const db of databases) await db.drop().catch((err) => ctx.progress(`cluster: dropping a bench database failed: ${String(err)}`));
    for (const prefix of prefixes) await dropRedisPrefix(services.redisUrl, prefix).catch((err) => ctx.progress(`cluster: clearing Redis prefix ${prefix} failed: ${String(err)}`));
    await services.stop();
  }
}
