// Bench section "engine": our engine's speed and memory on the shipped knowledge base, and its
// accuracy and latency side by side with nlp.js trained on the same export.
import { createRequire } from 'node:module';
import path from 'node:path';
import { createEngine } from '../bot/index.ts';
import { engineConversation, exportEntries } from '../bot/cli/kb.ts';
import { formatProblem, loadKnowledge, loadTests, runTestSuites } from '../knowledge/index.ts';
import { defaultBenchOptions, quickBenchOptions } from './bench-options.ts';
import { engineSummary, formatReport, type BenchResult } from './format-report.ts';
import { latencyByLocale, slowestTurns } from './latency-breakdown.ts';
import { timeEngine, timeNlpjs } from './measure-latency.ts';
import { memorySnapshot } from './measure-memory.ts';
import { importNlpjs, nlpjsConversation, trainNlpjs, zhSupport } from './nlpjs-baseline.ts';
import { scoresOf } from './score-report.ts';
import { summarize, timed } from './summarize.ts';
import { conversationsOf } from './test-turns.ts';
import { machine, type BenchContext, type SectionResult } from './section.ts';

export async function runEngineBench(ctx: BenchContext): Promise<SectionResult> {
  const options = ctx.quick ? quickBenchOptions : defaultBenchOptions;
  const dir = ctx.knowledgeDir;

  const loadStart = process.hrtime.bigint();
  const loaded = await loadKnowledge(dir);
  const loadMs = Number(process.hrtime.bigint() - loadStart) / 1e6;
  if (!loaded.ok) throw new Error(`bench: knowledge base in ${dir} does not load:\n${loaded.problems.map(formatProblem).join('\n')}`);
  const { kb } = loaded;
  const tests = await loadTests(dir);
  const conversations = conversationsOf(tests.suites);
  const flatTurns = conversations.flat();
  const turns = flatTurns.length;
  if (turns === 0) throw new Error(`bench: no test turns under ${dir}/tests`);
  const { progress } = ctx;

  // Memory first, before the build loop and nlp.js leave garbage and modules behind.
  const engineBefore = memorySnapshot();
  const [engine, firstBuildNs] = timed(() => createEngine(kb));
  const engineAfter = memorySnapshot();

  progress(`timing ${options.builds} index builds`);
  const buildSamples: bigint[] = [];
  for (let i = 0; i < options.builds; i++) buildSamples.push(timed(() => createEngine(kb))[1]);

  const ours = runTestSuites(tests.suites, engineConversation(engine));

  // Alone first, as in production: once nlp.js's model sits in the same heap, every garbage
  // collection has more to mark and our tail grows (the side-by-side figures show that run).
  progress(`timing ${options.rounds} round(s) of ${turns} turns, engine alone`);
  for (let i = 0; i < options.warmupPasses; i++) timeEngine(engine, conversations);
  const soloSamples: bigint[] = [];
  for (let i = 0; i < options.rounds; i++) timeEngine(engine, conversations, soloSamples);

  progress('training nlp.js on the export');
  const nlpjs = await importNlpjs();
  const nlpBefore = memorySnapshot();
  const trainStart = process.hrtime.bigint();
  const baseline = await trainNlpjs(nlpjs, exportEntries(kb));
  const trainMs = Number(process.hrtime.bigint() - trainStart) / 1e6;
  const nlpAfter = memorySnapshot();
  const theirs = runTestSuites(tests.suites, await nlpjsConversation(baseline, conversations));

  // Blind sets: cases written by people who never saw the knowledge base or the engine. The tuning
  // blind batches (tests/blind-*.yaml) have been looked at; the sealed part (tests/sealed) has not.
  progress('blind sets, both engines');
  const sealed = await loadTests(dir, 'sealed');
  const blindParts = [
    { name: 'blind batches in the tuning part (tests/blind-*.yaml; looked at while tuning)', suites: tests.suites.filter((s) => /^tests\/blind-/.test(s.file)) },
    { name: 'sealed part (tests/sealed; never read by tuning)', suites: sealed.suites },
  ].filter((p) => p.suites.length > 0);
  const blind = [];
  for (const part of blindParts) {
    const partConversations = conversationsOf(part.suites);
    blind.push({
      name: part.name,
      files: part.suites.map((s) => s.file),
      turns: partConversations.flat().length,
      ours: scoresOf(runTestSuites(part.suites, engineConversation(engine))),
      theirs: scoresOf(runTestSuites(part.suites, await nlpjsConversation(baseline, partConversations))),
    });
  }
  const zhSample = kb.entries.find((e) => e.questions.zh.length > 0)?.questions.zh[0] ?? '充值卡密码几位';

  progress(`timing ${options.rounds} round(s) of ${turns} turns per engine`);
  for (let i = 0; i < options.warmupPasses; i++) {
    timeEngine(engine, conversations);
    await timeNlpjs(baseline, conversations);
  }
  const ourSamples: bigint[] = [];
  const theirSamples: bigint[] = [];
  // Interleaved so drift (thermal, other load) touches both engines alike and the ratio stays fair.
  // (A forced gc before each pass was tried: it made both engines' tails worse, so there is none.)
  for (let i = 0; i < options.rounds; i++) {
    timeEngine(engine, conversations, ourSamples);
    await timeNlpjs(baseline, conversations, theirSamples);
  }

  const require = createRequire(import.meta.url);
  const result: BenchResult = {
    mode: ctx.quick ? 'quick' : 'full',
    options,
    date: new Date().toISOString(),
    machine: machine(),
    kb: {
      dir: path.relative(ctx.root, dir) || '.',
      version: kb.version,
      entries: kb.entries.length,
      questions: { zh: kb.entries.reduce((n, e) => n + e.questions.zh.length, 0), en: kb.entries.reduce((n, e) => n + e.questions.en.length, 0) },
      cases: conversations.length,
      turns,
      loadMs,
    },
    engine: {
      firstBuildMs: Number(firstBuildNs) / 1e6,
      builds: summarize(buildSamples),
      memory: { before: engineBefore, after: engineAfter },
      solo: summarize(soloSamples),
      byLocale: latencyByLocale(soloSamples, flatTurns),
      slowest: slowestTurns(soloSamples, flatTurns, 5),
      latency: summarize(ourSamples),
      scores: scoresOf(ours),
    },
    nlpjs: {
      version: (require('node-nlp/package.json') as { version: string }).version,
      trainMs,
      threshold: baseline.threshold,
      memory: { before: nlpBefore, after: nlpAfter },
      latency: summarize(theirSamples),
      byLocale: latencyByLocale(theirSamples, flatTurns),
      scores: scoresOf(theirs),
      zh: await zhSupport(baseline.manager, zhSample),
    },
    blind,
  };

  return { id: 'engine', markdown: formatReport(result), data: result, summary: engineSummary(result) };
}
