// Bench section "logging": GET /healthz and continuing POST /api/chat with every request line logged, with
// the sampled default and at LOG_LEVEL=warn, three servers side by side in one run; req/s, p99, server CPU
// and log bytes per request, as ratios to LOG_LEVEL=warn.
import path from 'node:path';
import type { BenchContext, SectionResult } from '../section.ts';
import { chatQuestions } from '../http/chat-questions.ts';
import { checkChat, createPool, loadRequests, type PooledConversation } from '../http/chat-load.ts';
import { loadRun } from '../http/load-run.ts';
import { startServerProcess, type ServerProcess } from '../server-process.ts';
import {
  formatLoggingReport,
  LOG_SETUP_ENV,
  LOG_SETUPS,
  LOGGED_KINDS,
  loggingSummary,
  pooledLogging,
  type LoggedKind,
  type LoggingBenchOptions,
  type LoggingBenchResult,
  type LoggingRun,
  type LogSetupId,
} from './format-logging-report.ts';
export type { LoggingBenchOptions } from './format-logging-report.ts';

export const defaultLoggingBenchOptions: LoggingBenchOptions = { connections: 10, seconds: 8, rounds: 2, warmupSeconds: 2, poolSize: 200, settleMs: 200 };
/** 3 setups x 2 endpoints x 2 s, plus warm-up and start-up: about 30 s on two cores. */
export const quickLoggingBenchOptions: LoggingBenchOptions = { connections: 10, seconds: 2, rounds: 1, warmupSeconds: 1, poolSize: 50, settleMs: 200 };

/** A server of one setup and a running count of what it wrote to stdout. */
interface LoggedServer {
  setup: LogSetupId;
  service: ServerProcess;
  pool: PooledConversation[];
  bytes: number;
  lines: number;
}

async function startLoggedServer(ctx: BenchContext, setup: LogSetupId): Promise<LoggedServer> {
  const service = await startServerProcess({
    root: ctx.root,
    // As the http section: one client address (per-IP limits off), every group open and no agent online.
    env: {
      NODE_ENV: 'production',
      KNOWLEDGE_DIR: ctx.knowledgeDir,
      DATA_DIR: path.join(ctx.tmpDir, `logging-${setup}-data`),
      RATE_LIMITS: 'off',
      BUSINESS_HOURS: 'always',
      // JSON whatever stdout is (auto would pick it for a pipe too): the format a log shipper reads.
      LOG_FORMAT: 'json',
      ...LOG_SETUP_ENV[setup],
    },
  });
  const server: LoggedServer = { setup, service, pool: [], bytes: 0, lines: 0 };
  // A second reader of the same pipe (server-process.ts splits it into lines): every byte, whatever it holds.
  service.child.stdout!.on('data', (chunk: Buffer) => {
    server.bytes += chunk.length;
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) server.lines++;
  });
  return server;
}

export async function runLoggingBench(ctx: BenchContext): Promise<SectionResult> {
  const options = ctx.quick ? quickLoggingBenchOptions : defaultLoggingBenchOptions;
  const questions = await chatQuestions(ctx.knowledgeDir);
  ctx.progress('logging: starting three services (every line, sampled, warn)');
  // All three at once: start-up is mostly one busy thread each, and the machine has two cores.
  const servers: LoggedServer[] = [];
  try {
    const started = await Promise.allSettled(LOG_SETUPS.map((setup) => startLoggedServer(ctx, setup)));
    for (const s of started) if (s.status === 'fulfilled') servers.push(s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    for (const s of servers) {
      ctx.progress(`logging: ${options.poolSize} conversations on ${s.setup}`);
      s.pool = await createPool(s.service.url, options.poolSize, questions);
      await checkChat(s.service.url, s.pool, questions[0]!);
    }

    const run = (s: LoggedServer, kind: LoggedKind, seconds: number) =>
      loadRun({ url: s.service.url, connections: options.connections, duration: seconds, requests: loadRequests(kind, questions, s.pool) });
    for (const s of servers) {
      for (const kind of LOGGED_KINDS) {
        ctx.progress(`logging: warm-up ${s.setup} ${kind} ${options.warmupSeconds} s`);
        await run(s, kind, options.warmupSeconds);
      }
    }

    // Every setup and endpoint in each round, the setups rotated round by round so none is always first.
    const order: LoggingBenchResult['order'] = [];
    for (let round = 0; round < options.rounds; round++) {
      for (const kind of LOGGED_KINDS) {
        for (let i = 0; i < LOG_SETUPS.length; i++) order.push({ setup: LOG_SETUPS[(i + round) % LOG_SETUPS.length]!, kind });
      }
    }
    const runs: LoggingRun[] = [];
    for (const [i, { setup, kind }] of order.entries()) {
      const s = servers.find((x) => x.setup === setup)!;
      ctx.progress(`logging: run ${i + 1}/${order.length}: ${setup} ${kind} ${options.seconds} s`);
      await new Promise((r) => setTimeout(r, options.settleMs));
      const cpuBefore = await s.service.cpuMs();
      const bytesBefore = s.bytes;
      const linesBefore = s.lines;
      const r = await run(s, kind, options.seconds);
      // pino writes asynchronously: lines of the last requests may still be on their way.
      await new Promise((resolve) => setTimeout(resolve, options.settleMs));
      const cpuAfter = await s.service.cpuMs();
      const serverCpuMs = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
      runs.push({ setup, kind, ...r, logBytes: s.bytes - bytesBefore, logLines: s.lines - linesBefore, ...(serverCpuMs === undefined ? {} : { serverCpuMs }) });
    }

    const pooledBy = (setup: LogSetupId) =>
      Object.fromEntries(LOGGED_KINDS.map((k) => [k, pooledLogging(runs.filter((r) => r.setup === setup && r.kind === k))])) as Record<LoggedKind, ReturnType<typeof pooledLogging>>;
    const result: LoggingBenchResult = {
      mode: ctx.quick ? 'quick' : 'full',
      options,
      questions: questions.length,
      ...(process.env.REQUEST_LOG_EVERY === undefined ? {} : { inheritedRequestLogEvery: process.env.REQUEST_LOG_EVERY }),
      order,
      runs: runs.map(({ setup, kind, result, serverCpuMs, logBytes, logLines }) => ({
        setup,
        kind,
        ...result,
        serverCpuUsPerRequest: serverCpuMs === undefined ? undefined : (serverCpuMs * 1000) / result.total,
        logBytes,
        logLines,
      })),
      pooled: { every: pooledBy('every'), sampled: pooledBy('sampled'), warn: pooledBy('warn') },
    };
    return { id: 'logging', markdown: formatLoggingReport(result), data: result, summary: loggingSummary(result) };
  } finally {
    await Promise.all(servers.map((s) => s.service.stop()));
  }
}
