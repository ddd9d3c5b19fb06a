// One knowledge-base size, measured in a process of its own (clean heap and RSS): load, build,
// memory, accuracy on knowledge/tests, decision latency pruned vs a full OR query. Prints JSON.
// Run by scale-bench.ts: tsx --expose-gc bench/scale/scale-child.ts <input.json>
import { readFile } from 'node:fs/promises';
import { createEngineAsync, type ConversationContext, type Engine } from '../../bot/index.ts';
import { engineConversation } from '../../bot/cli/kb.ts';
import { loadKnowledge, loadTests, runTestSuites } from '../../knowledge/index.ts';
import { stats } from '../section.ts';
import { conversationsOf, type BenchTurn } from '../test-turns.ts';
import type { ScaleChildInput, ScaleChildOutput } from './scale-types.ts';

const gc = (globalThis as { gc?: () => void }).gc;
const mem = () => {
  gc?.();
  gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
};
/** Peak resident set of this process so far (kernel's high-water mark), bytes. */
async function peakRss(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const kb = /VmHWM:\s+(\d+)/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : Number.NaN;
}

function timeTurns(engine: Engine, conversations: readonly BenchTurn[][], out: number[], postingsBudget?: number): void {
  for (const turns of conversations) {
    let ctx: ConversationContext = {};
    for (const t of turns) {
      const start = performance.now();
      const d = engine.decide(t.ask, { lang: t.lang, context: ctx, postingsBudget });
      out.push(performance.now() - start);
      ctx = engine.nextContext(ctx, d);
    }
  }
}

async function main(): Promise<void> {
  const input = JSON.parse(await readFile(process.argv[2]!, 'utf8')) as ScaleChildInput;
  const before = mem();
  const loadStart = performance.now();
  const loaded = await loadKnowledge(input.dir);
  const loadMs = performance.now() - loadStart;
  if (!loaded.ok) throw new Error(`scale: ${input.dir} does not load: ${loaded.problems.find((p) => p.severity === 'error')?.message}`);
  const buildStart = performance.now();
  // As the server builds it: stepwise, giving the event loop back (it has nothing else to do here).
  const engine = await createEngineAsync(loaded.kb);
  const buildMs = performance.now() - buildStart;
  const after = mem();
  const peak = await peakRss();

  const tests = await loadTests(input.dir);
  const report = runTestSuites(tests.suites, engineConversation(engine));
  const conversations = conversationsOf(tests.suites);
  const probes: BenchTurn[][] = input.probes.map((p) => [{ ask: p.text, lang: p.lang, locale: p.lang }]);
  let probeHits = 0;
  for (const p of input.probes) {
    const d = engine.decide(p.text, { lang: p.lang });
    if (d.kind === 'answer' && d.entryId === p.entryId) probeHits++;
  }

  // Warm-up, then timed rounds over the test turns (conversations, context carried) and the probes.
  timeTurns(engine, conversations, []);
  const pruned: number[] = [];
  for (let r = 0; r < input.rounds; r++) {
    timeTurns(engine, conversations, pruned);
    timeTurns(engine, probes, pruned);
  }
  // The baseline, side by side on a sample: every query term sent to MiniSearch as one OR query.
  const sample = conversations.slice(0, input.fullOrCases);
  const prunedSample: number[] = [];
  const fullOr: number[] = [];
  for (let r = 0; r < input.fullOrRounds; r++) {
    timeTurns(engine, sample, prunedSample);
    timeTurns(engine, sample, fullOr, Number.POSITIVE_INFINITY);
  }

  const output: ScaleChildOutput = {
    entries: loaded.kb.entries.length,
    loadMs,
    buildMs,
    memory: { before, after, peakRss: peak },
    accuracy: { pass: report.overall.pass, total: report.overall.total, probeHits, probes: input.probes.length },
    latency: stats(pruned),
    sample: { pruned: stats(prunedSample), fullOr: stats(fullOr), turns: sample.flat().length },
  };
  process.stdout.write(`${JSON.stringify(output)}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
