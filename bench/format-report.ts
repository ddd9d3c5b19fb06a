// Renders one benchmark run as markdown: printed to the terminal and saved as bench/results/latest.md.
import { rate, type Lang, type Tally } from '../knowledge/index.ts';
import type { BenchOptions } from './bench-options.ts';
import { mib, type MemorySnapshot } from './measure-memory.ts';
import type { ZhSupport } from './nlpjs-baseline.ts';
import type { Scores } from './score-report.ts';
import type { SlowTurn } from './latency-breakdown.ts';
import type { Summary } from './summarize.ts';
import type { Machine, SummaryRow } from './section.ts';

export interface BenchResult {
  mode: 'quick' | 'full';
  options: BenchOptions;
  date: string;
  machine: Machine;
  kb: { dir: string; version: string; entries: number; questions: { zh: number; en: number }; cases: number; turns: number; loadMs: number };
  engine: {
    firstBuildMs: number;
    builds: Summary;
    memory: { before: MemorySnapshot; after: MemorySnapshot };
    /** Timed before nlp.js is loaded; the rest of `engine` is timed interleaved with it. */
    solo: Summary;
    latency: Summary;
    byLocale: Record<Lang, Summary>; slowest: SlowTurn[]; scores: Scores };
  nlpjs: { version: string; trainMs: number; threshold: number; memory: { before: MemorySnapshot; after: MemorySnapshot }; latency: Summary; byLocale: Record<Lang, Summary>; scores: Scores; zh: ZhSupport };
  /** Blind sets: written from FACTS.md and the seeds by people who never saw the KB or the engine. */
  blind: { name: string; files: string[]; turns: number; ours: Scores; theirs: Scores }[];
}

/** The blind sets side by side, per expected outcome and language. */
function formatBlind(r: BenchResult): string {
  if (r.blind.length === 0) return '';
  const parts = r.blind.map((b) => {
    const row = (label: string, ours: Tally, theirs: Tally) => `| ${label} | ${pct(ours)} | ${pct(theirs)} |`;
    return `#### ${b.name}: ${b.turns} turns

Files: ${b.files.map((f) => `\`${f}\``).join(', ')}

| | ours | nlp.js |
|---|---|---|
${[
  row('answer (reply quotes the key terms)', b.ours.answer, b.theirs.answer),
  row('- Chinese', b.ours.byLang.zh.answer, b.theirs.byLang.zh.answer),
  row('- English', b.ours.byLang.en.answer, b.theirs.byLang.en.answer),
  row('handoff', b.ours.handoff, b.theirs.handoff),
  row('- Chinese', b.ours.byLang.zh.handoff, b.theirs.byLang.zh.handoff),
  row('- English', b.ours.byLang.en.handoff, b.theirs.byLang.en.handoff),
  row('fallback', b.ours.fallback, b.theirs.fallback),
  row('- Chinese', b.ours.byLang.zh.fallback, b.theirs.byLang.zh.fallback),
  row('- English', b.ours.byLang.en.fallback, b.theirs.byLang.en.fallback),
  row('wrong answers, per answer-expected turn (lower is better)', b.ours.wrongPerAnswerExpected, b.theirs.wrongPerAnswerExpected),
  row('**overall**', b.ours.overall, b.theirs.overall),
].join('\n')}`;
  });
  return `### Blind sets

An answer passes when the reply quotes every key term the case names (FACTS.md's terms, written by the
case's author, who never saw our entries). nlp.js answers with the trained entry's answer text.

${parts.join('\n\n')}
`;
}

const pct = (t: Tally) => (t.total === 0 ? 'n/a' : `${(rate(t) * 100).toFixed(1)}% (${t.pass}/${t.total})`);
const us = (ms: number) => (ms * 1000).toFixed(0);
const ms = (v: number) => v.toFixed(1);
const ratio = (a: number, b: number) => `${(a / b).toFixed(3)}x`;
const delta = (m: { before: MemorySnapshot; after: MemorySnapshot }) => mib(m.after.heapUsed - m.before.heapUsed);

export function formatReport(r: BenchResult): string {
  const o = r.engine;
  const n = r.nlpjs;
  const row = (label: string, ours: string, theirs: string) => `| ${label} | ${ours} | ${theirs} |`;
  const zhWorks = n.zh.tokens.length > 0 && n.zh.features.length > 0;
  const gcNote = o.memory.after.collected
    ? 'after a forced gc (node --expose-gc)'
    : 'WITHOUT a forced gc (run with `tsx --expose-gc`): heap deltas include uncollected garbage';
  return `## Answer engine vs nlp.js

${r.mode}: ${o.builds.n} timed builds, ${r.options.rounds} timed round(s) of ${r.kb.turns} turns per engine, ${r.options.warmupPasses} warm-up pass.
Knowledge base: \`${r.kb.dir}\` version ${r.kb.version}, ${r.kb.entries} entries (${r.kb.questions.zh} zh + ${r.kb.questions.en} en questions), ${r.kb.cases} test cases / ${r.kb.turns} turns

### Side by side on knowledge/tests

| | ours | nlp.js (node-nlp ${n.version}) |
|---|---|---|
${[
  row('answer accuracy (right entry, turns expecting one)', pct(o.scores.answer), pct(n.scores.answer)),
  row('fallback on must-fallback turns', pct(o.scores.fallback), pct(n.scores.fallback)),
  row('handoff on must-handoff turns', pct(o.scores.handoff), pct(n.scores.handoff)),
  row('clarify on must-clarify turns', pct(o.scores.clarify), pct(n.scores.clarify)),
  row('**overall pass rate**', `**${pct(o.scores.overall)}**`, `**${pct(n.scores.overall)}**`),
  row('wrong answer given (all turns; lower is better)', pct(o.scores.wrongAnswers), pct(n.scores.wrongAnswers)),
  row('decision latency p50 (µs), interleaved', us(o.latency.median), us(n.latency.median)),
  row('decision latency p99 (µs), interleaved', us(o.latency.p99), us(n.latency.p99)),
  row('our decision latency alone (before nlp.js is loaded), p50 / p99 (µs)', `${us(o.solo.median)} / ${us(o.solo.p99)}`, 'n/a'),
  row('latency ratio ours / nlp.js, p50 and p99', `${ratio(o.latency.median, n.latency.median)}, ${ratio(o.latency.p99, n.latency.p99)}`, '1x'),
  row('index build (median) / training (ms)', ms(o.builds.median), ms(n.trainMs)),
  row('heap retained by the index / trained model', delta(o.memory), delta(n.memory)),
].join('\n')}

How the two are asked: every turn of knowledge/tests goes to both, in the same process, latencies
interleaved round by round (ours, then nlp.js). Our engine gets each case's turns as one conversation
(context carried, as the API does); **nlp.js gets each turn on its own, since it keeps no conversation
context**, with the turn's language given as its locale (the case's \`lang\`, else the script). nlp.js is
trained on exactly \`npm run kb -- export --json\`: one intent per entry id, each question a document in its
language, the answers as answers, no rules or synonyms (the export has none, so it cannot hand off
or clarify). Its outcome: intent \`None\` or score below its default threshold (${n.threshold}) -> fallback,
otherwise an answer with that intent. Pass/fail is knowledge/run-tests' \`expectationMet\` for both.
nlp.js latency is one awaited \`manager.process(locale, text)\` with its per-utterance feature cache emptied
before each call (otherwise a repeated question is replayed, not decided); ours is one \`engine.decide()\`,
whose only cache (English spelling corrections per word) is warm after the warm-up pass, as on a running server.

nlp.js Chinese, offline: ${zhWorks ? 'works' : 'DOES NOT WORK'} (@nlpjs/lang-zh, bundled by node-nlp). "${n.zh.sample}" is segmented
into [${n.zh.tokens.join(', ')}], but the classifier sees the toned pinyin syllables of every
reading of each word, [${n.zh.features.join(' ')}]: words become bags of syllables and homophones merge.

### Our engine on the shipped knowledge base

| figure | median | p99 | max | n |
|---|---|---|---|---|
| index build, createEngine (ms) | ${ms(o.builds.median)} | ${ms(o.builds.p99)} | ${ms(o.builds.max)} | ${o.builds.n} |
| decision latency, decide (µs) | ${us(o.solo.median)} | ${us(o.solo.p99)} | ${us(o.solo.max)} | ${o.solo.n} |
| - Chinese turns (µs) | ${us(o.byLocale.zh.median)} | ${us(o.byLocale.zh.p99)} | ${us(o.byLocale.zh.max)} | ${o.byLocale.zh.n} |
| - English turns (µs) | ${us(o.byLocale.en.median)} | ${us(o.byLocale.en.p99)} | ${us(o.byLocale.en.max)} | ${o.byLocale.en.n} |
| decision latency beside nlp.js (same process, interleaved) (µs) | ${us(o.latency.median)} | ${us(o.latency.p99)} | ${us(o.latency.max)} | ${o.latency.n} |
| nlp.js, Chinese turns (µs) | ${us(n.byLocale.zh.median)} | ${us(n.byLocale.zh.p99)} | ${us(n.byLocale.zh.max)} | ${n.byLocale.zh.n} |
| nlp.js, English turns (µs) | ${us(n.byLocale.en.median)} | ${us(n.byLocale.en.p99)} | ${us(n.byLocale.en.max)} | ${n.byLocale.en.n} |

Decision latency is timed alone first, before nlp.js is loaded (as in production); the side-by-side
table uses the interleaved run, where our p99 is higher: nlp.js's ~100 MiB model then shares the
heap, so garbage collection has more to do during our calls.

- Slowest turns (median over the rounds): ${o.slowest.map((t) => `"${t.ask}" ${us(t.median)} µs`).join('; ')}.
- First (cold) build: ${ms(o.firstBuildMs)} ms; loading and validating the YAML: ${ms(r.kb.loadMs)} ms.
- Memory ${gcNote}: heap retained by one engine ${delta(o.memory)}; after building, heap used ${mib(o.memory.after.heapUsed)}, RSS ${mib(o.memory.after.rss)} (before: heap ${mib(o.memory.before.heapUsed)}, RSS ${mib(o.memory.before.rss)}).
- nlp.js, same way: heap retained by the trained model ${delta(n.memory)} (node-nlp's modules were loaded before the first snapshot; the CC-CEDICT dictionary @nlpjs/lang-zh compiles on first use is counted); heap used ${mib(n.memory.after.heapUsed)}, RSS ${mib(n.memory.after.rss)} after training.

Figures are medians and p99 (nearest rank) from \`process.hrtime.bigint()\`; nothing here passes or fails on a time.

${formatBlind(r)}`;
}

/** Headline rows for the summary table. */
export function engineSummary(r: BenchResult): SummaryRow[] {
  const o = r.engine;
  const n = r.nlpjs;
  return [
    {
      figure: `decision latency, shipped KB (${r.kb.entries} entries), interleaved with nlp.js`,
      value: `p50 ${us(o.latency.median)} µs, p99 ${us(o.latency.p99)} µs`,
      baseline: `nlp.js p50 ${us(n.latency.median)} µs, p99 ${us(n.latency.p99)} µs: ${ratio(o.latency.median, n.latency.median)}, ${ratio(o.latency.p99, n.latency.p99)}`,
      target: 'p99 <= 1 ms',
      met: o.latency.p99 <= 1,
    },
    {
      figure: `knowledge/tests overall pass rate (${r.kb.turns} turns)`,
      value: pct(o.scores.overall),
      baseline: `nlp.js ${pct(n.scores.overall)}`,
    },
    { figure: 'wrong answers given (lower is better)', value: pct(o.scores.wrongAnswers), baseline: `nlp.js ${pct(n.scores.wrongAnswers)}` },
    ...r.blind.map((b) => ({
      figure: `blind: ${b.name.split(' (')[0]} (${b.turns} turns): answer / handoff / fallback`,
      value: `${pct(b.ours.answer)} / ${pct(b.ours.handoff)} / ${pct(b.ours.fallback)}`,
      baseline: `nlp.js ${pct(b.theirs.answer)} / ${pct(b.theirs.handoff)} / ${pct(b.theirs.fallback)}`,
    })),
    {
      figure: 'index build (median / p99)',
      value: `${ms(o.builds.median)} / ${ms(o.builds.p99)} ms`,
      baseline: `nlp.js training ${ms(n.trainMs)} ms: ${ratio(o.builds.median, n.trainMs)}`,
    },
  ];
}
