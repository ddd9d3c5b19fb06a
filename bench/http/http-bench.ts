// Bench section "http": POST /api/chat (new and continuing conversations) against GET /healthz on the same
// server in the same run, with autocannon on loopback against the real service in a child process.
// HTTP_BENCH_CPU_PROF=<dir> runs that service under `node --cpu-prof` and leaves its profile in <dir>.
import path from 'node:path';
import type { BenchContext, SectionResult } from '../section.ts';
import { chatQuestions } from './chat-questions.ts';
import { checkChat, createPool, loadRequests, type LoadKind } from './chat-load.ts';
import { formatHttpReport, httpSummary, pooled, type HttpBenchOptions, type HttpBenchResult, type HttpRun } from './format-http-report.ts';
export type { HttpBenchOptions } from './format-http-report.ts';
import { loadRun } from './load-run.ts';
import { startServerProcess } from '../server-process.ts';


export const defaultHttpBenchOptions: HttpBenchOptions = { connections: 10, seconds: 10, rounds: 2, warmupSeconds: 2, poolSize: 200 };
export const quickHttpBenchOptions: HttpBenchOptions = { connections: 10, seconds: 3, rounds: 1, warmupSeconds: 1, poolSize: 100 };

const KINDS: LoadKind[] = ['healthz', 'chat-new', 'chat-continuing'];

export async function runHttpBench(ctx: BenchContext): Promise<SectionResult> {
  const options = ctx.quick ? quickHttpBenchOptions : defaultHttpBenchOptions;
  const questions = await chatQuestions(ctx.knowledgeDir);
  ctx.progress('http: starting the service');
  const service = await startServerProcess({
    root: ctx.root,
    // One client address sends everything: the per-IP and per-conversation limits would answer 429.
    // Every group open, no agent online: a handoff gets the same "nobody can take it" reply at any hour.
    env: { NODE_ENV: 'production', KNOWLEDGE_DIR: ctx.knowledgeDir, DATA_DIR: path.join(ctx.tmpDir, 'http-data'), RATE_LIMITS: 'off', BUSINESS_HOURS: 'always' },
    ...(process.env.HTTP_BENCH_CPU_PROF ? { cpuProfDir: path.resolve(process.env.HTTP_BENCH_CPU_PROF) } : {}),
  });
  try {
    const rssStartKiB = await service.rssKiB();
    ctx.progress(`http: ${options.poolSize} conversations for the continuing load`);
    const pool = await createPool(service.url, options.poolSize, questions);
    await checkChat(service.url, pool, questions[0]!);

    const run = async (kind: LoadKind, seconds: number) =>
      loadRun({ url: service.url, connections: options.connections, duration: seconds, requests: loadRequests(kind, questions, pool) });

    for (const kind of KINDS) {
      ctx.progress(`http: warm-up ${kind} ${options.warmupSeconds} s`);
      await run(kind, options.warmupSeconds);
    }
    const rssWarmKiB = await service.rssKiB();

    // Interleaved so drift (other load on the machine, a growing database) touches every kind alike.
    const order: LoadKind[] = [...Array.from({ length: options.rounds }, () => KINDS).flat(), 'healthz'];
    const runs: HttpRun[] = [];
    for (const [i, kind] of order.entries()) {
      ctx.progress(`http: run ${i + 1}/${order.length}: ${kind} ${options.seconds} s`);
      const cpuBefore = await service.cpuMs();
      const r = await run(kind, options.seconds);
      const cpuAfter = await service.cpuMs();
      const serverCpuMs = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
      runs.push({ kind, ...r, ...(serverCpuMs === undefined ? {} : { serverCpuMs }) });
    }
    const rssEndKiB = await service.rssKiB();

    const result: HttpBenchResult = {
      mode: ctx.quick ? 'quick' : 'full',
      options,
      questions: questions.length,
      order,
      runs: runs.map(({ kind, result, serverCpuMs }) => ({ kind, ...result, serverCpuUsPerRequest: serverCpuMs === undefined ? undefined : (serverCpuMs * 1000) / result.total })),
      pooled: Object.fromEntries(KINDS.map((k) => [k, pooled(runs.filter((r) => r.kind === k))])) as HttpBenchResult['pooled'],
      rssKiB: { start: rssStartKiB, afterWarmup: rssWarmKiB, end: rssEndKiB },
    };
    return { id: 'http', markdown: formatHttpReport(result), data: result, summary: httpSummary(result) };
  } finally {
    await service.stop();
  }
}
