// Bench section "flood": with the rate limits on, the latency of steady visitors' POST /api/chat while one
// client address floods the same endpoint, against the same visitors without the flood, in the same run.
import path from 'node:path';
import type { BenchContext, SectionResult } from '../section.ts';
import { chatQuestions } from '../http/chat-questions.ts';
import { startServerProcess } from '../server-process.ts';
import { startAttackerProcess } from './attacker-process.ts';
import { floodSummary, formatFloodReport, pooledPhases, type FloodBenchOptions, type FloodBenchResult, type FloodPhase, type PhaseKind } from './format-flood-report.ts';
export type { FloodBenchOptions } from './format-flood-report.ts';
import { createSteadyVisitors } from './steady-visitors.ts';


export const defaultFloodBenchOptions: FloodBenchOptions = { visitors: 100, intervalMs: 1000, seconds: 8, rounds: 3, warmupSeconds: 2, attackerConnections: 8, attackerNice: 10 };
export const quickFloodBenchOptions: FloodBenchOptions = { ...defaultFloodBenchOptions, seconds: 4, rounds: 1, warmupSeconds: 1 };

/** The attacker's address; the steady visitors use 127.1.x.y (see steady-visitors.ts). */
export const ATTACKER_ADDRESS = '127.0.0.2';

export async function runFloodBench(ctx: BenchContext): Promise<SectionResult> {
  const options = ctx.quick ? quickFloodBenchOptions : defaultFloodBenchOptions;
  const questions = await chatQuestions(ctx.knowledgeDir);
  ctx.progress('flood: starting the service (rate limits on)');
  const service = await startServerProcess({
    root: ctx.root,
    // The default rate limits (RATE_LIMITS unset = on) are what is under test. Every group open, no agent
    // online: a handoff gets the same "nobody can take it" reply at any hour.
    env: { NODE_ENV: 'production', KNOWLEDGE_DIR: ctx.knowledgeDir, DATA_DIR: path.join(ctx.tmpDir, 'flood-data'), BUSINESS_HOURS: 'always' },
  });
  const visitors = createSteadyVisitors({ url: service.url, visitors: options.visitors, intervalMs: options.intervalMs, questions });
  let attacker: Awaited<ReturnType<typeof startAttackerProcess>> | undefined;
  try {
    const rssStartKiB = await service.rssKiB();
    attacker = await startAttackerProcess({
      root: ctx.root,
      url: service.url,
      localAddress: ATTACKER_ADDRESS,
      connections: options.attackerConnections,
      nice: options.attackerNice,
    });

    ctx.progress(`flood: warm-up, ${options.visitors} visitors ${options.warmupSeconds} s`);
    await visitors.startConversations();
    const warm = await visitors.run(options.warmupSeconds);
    if (warm.non2xx + warm.errors > 0) throw new Error(`bench flood: the steady visitors failed without any flood (${warm.firstFailure}); nothing to compare`);
    const rssWarmKiB = await service.rssKiB();

    // Alternated so drift (other load on the machine, a growing database) touches both kinds alike.
    const order: PhaseKind[] = [...Array.from({ length: options.rounds }, (): PhaseKind[] => ['baseline', 'flood']).flat(), 'baseline'];
    const phases: FloodPhase[] = [];
    for (const [i, kind] of order.entries()) {
      ctx.progress(`flood: phase ${i + 1}/${order.length}: ${kind} ${options.seconds} s`);
      await visitors.startConversations();
      const cpuBefore = await service.cpuMs();
      const wallBefore = performance.now();
      if (kind === 'flood') await attacker.start();
      const steady = await visitors.run(options.seconds);
      const attack = kind === 'flood' ? await attacker.stop() : undefined;
      const cpuAfter = await service.cpuMs();
      const wallMs = performance.now() - wallBefore;
      phases.push({
        kind,
        steady,
        ...(attack ? { attacker: attack } : {}),
        wallMs,
        ...(cpuBefore === undefined || cpuAfter === undefined ? {} : { serverCpuMs: cpuAfter - cpuBefore }),
        rssKiB: await service.rssKiB(),
      });
    }
    const rssEndKiB = await service.rssKiB();
    const result: FloodBenchResult = {
      mode: ctx.quick ? 'quick' : 'full',
      options,
      attackerAddress: ATTACKER_ADDRESS,
      questions: questions.length,
      order,
      phases,
      pooled: { baseline: pooledPhases(phases.filter((p) => p.kind === 'baseline')), flood: pooledPhases(phases.filter((p) => p.kind === 'flood')) },
      rssKiB: { start: rssStartKiB, afterWarmup: rssWarmKiB, end: rssEndKiB },
    };
    return { id: 'flood', markdown: formatFloodReport(result), data: { ...result, phases: phases.map(({ steady: { latenciesMs: _l, ...steady }, ...p }) => ({ ...p, steady })) }, summary: floodSummary(result) };
  } finally {
    visitors.close();
    await attacker?.close();
    await service.stop();
  }
}
