// Fits the learned candidate ranking (bot/engine/candidate-ranker.ts) and the answer gate (bot/engine/answer-gate.ts)
// on the TUNING part of knowledge/tests only, reports their cross-validated figures, and writes
// bot/engine/answer-models.ts. tests/sealed is never read here.
// Run by hand: npx tsx bench/tune-gate.ts [--write]
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expectationMet, loadKnowledge, loadTests, type Lang, type TestCase, type TestTurn } from '../knowledge/index.ts';
import { createEngine, type ConversationContext, type Decision, type Engine } from '../bot/index.ts';
import { fitGate, fitLogistic, gateProbability, type GateFeatures, type GateModel } from '../bot/engine/answer-gate.ts';
import { RANK_FEATURES, rankFeatures, type RankFeature, type RankerModel } from '../bot/engine/candidate-ranker.ts';

const dir = path.resolve(process.env.KNOWLEDGE_DIR ?? 'knowledge');
const loaded = await loadKnowledge(dir);
if (!loaded.ok) throw new Error('knowledge base does not load: run npm run kb -- check');
const kb = loaded.kb;
const tests = await loadTests(dir, 'tuning');
const cases: TestCase[] = tests.suites.flatMap((s) => s.cases);

interface Sample {
  caseIndex: number;
  x: GateFeatures;
  /** 1 when answering with the best entry meets the expectation. */
  y: 0 | 1;
  expectAnswer: boolean;
}

const HAN = /\p{Script=Han}/u;

/** Every turn of every tuning case, asked as a conversation, with the decision and whether answering with an entry meets it. */
function eachTurn(engine: Engine, visit: (caseIndex: number, turn: TestTurn, d: Decision, right: (entryId: string) => 0 | 1) => void): void {
  cases.forEach((c, caseIndex) => {
    let ctx: ConversationContext = {};
    for (const turn of c.turns) {
      const d = engine.decide(turn.ask, { lang: turn.lang, context: ctx });
      ctx = engine.nextContext(ctx, d);
      const lang: Lang = turn.lang ?? (HAN.test(turn.ask) ? 'zh' : 'en');
      visit(caseIndex, turn, d, (entryId) => (expectationMet(turn.expect, { kind: 'answer', entryId, text: engine.entry(entryId)!.answer[lang] }) ? 1 : 0));
    }
  });
}

/** Every turn the ranking decides (no rule fired), with what answering its best entry would have scored. */
function collect(engine: Engine): Sample[] {
  const samples: Sample[] = [];
  eachTurn(engine, (caseIndex, turn, d, right) => {
    const top = d.explain.candidates[0];
    if (d.explain.rule || !d.explain.gate || turn.expect.kind === 'clarify' || !top) return;
    samples.push({ caseIndex, x: d.explain.gate, y: right(top.entryId), expectAnswer: turn.expect.kind === 'answer' });
  });
  return samples;
}

interface RankSample {
  caseIndex: number;
  x: Record<RankFeature, number>;
  y: 0 | 1;
}

/** Each candidate of every answer-expected ranked turn that has a right one among them: right or not. */
function collectRanking(engine: Engine): RankSample[] {
  const out: RankSample[] = [];
  eachTurn(engine, (caseIndex, turn, d, right) => {
    if (d.explain.rule || turn.expect.kind !== 'answer') return;
    const cands = d.explain.candidates;
    const labels = cands.map((cand) => right(cand.entryId));
    if (!labels.includes(1)) return;
    const best = Math.max(0, ...cands.map((x) => x.bm25));
    cands.forEach((cand, i) => out.push({ caseIndex, x: rankFeatures(cand, best), y: labels[i]! }));
  });
  return out;
}

/**
 * Each entry's own questions, asked of the engine: the entry must rank first for them (the lint checks
 * it). Paraphrases in the tests rarely repeat a question word for word, so without these the ranking
 * never learns that a question the KB lists is its entry's. Every `step`-th question, to keep them from
 * outnumbering the tests' candidates.
 */
function collectOwnQuestions(engine: Engine, step: number): RankSample[] {
  const out: RankSample[] = [];
  // The learned channel was trained on these very questions: its score for them is what it would say
  // of a question it had learned, not of a visitor's paraphrase. So each sampled question's `learned`
  // comes from an engine whose channel never saw it (the KB without that fold's questions).
  const heldOut = Array.from({ length: OWN_QUESTION_FOLDS }, (_, fold) => createEngine(withoutQuestions(step, fold)));
  let n = 0;
  for (const e of kb.entries) {
    for (const q of [...e.questions.zh, ...e.questions.en]) {
      const i = n++;
      if (i % step !== 0) continue;
      const d = engine.decide(q);
      if (d.explain.rule) continue;
      const cands = d.explain.candidates;
      if (!cands.some((c) => c.entryId === e.id)) continue;
      const unseen = new Map(heldOut[(i / step) % OWN_QUESTION_FOLDS]!.decide(q).explain.candidates.map((c) => [c.entryId, c.learned]));
      const best = Math.max(0, ...cands.map((x) => x.bm25));
      for (const c of cands) out.push({ caseIndex: -1, x: rankFeatures({ ...c, learned: unseen.get(c.entryId) ?? 0 }, best), y: c.entryId === e.id ? 1 : 0 });
    }
  }
  return out;
}

/** Folds of the sampled own questions, each left out of one engine's learned channel. */
const OWN_QUESTION_FOLDS = 3;

/** The KB without the sampled questions of one fold (numbered as collectOwnQuestions walks them). */
function withoutQuestions(step: number, fold: number): typeof kb {
  let n = 0;
  const keep = () => {
    const i = n++;
    return i % step !== 0 || (i / step) % OWN_QUESTION_FOLDS !== fold;
  };
  return { ...kb, entries: kb.entries.map((e) => ({ ...e, questions: { zh: e.questions.zh.filter(keep), en: e.questions.en.filter(keep) } })) };
}

/** Share of answer-expected samples answered right, share of the others held back, wrong answers per answer-expected. */
function score(model: GateModel, samples: readonly Sample[], threshold: number) {
  let right = 0, expectAnswer = 0, heldBack = 0, others = 0, wrong = 0;
  for (const s of samples) {
    const answered = gateProbability(model, s.x) >= threshold;
    if (s.expectAnswer) expectAnswer++;
    else others++;
    if (answered && s.y === 1) right++;
    if (answered && s.y === 0) wrong++;
    if (!answered && !s.expectAnswer) heldBack++;
  }
  return { answer: right / expectAnswer, heldBack: heldBack / others, wrong: wrong / expectAnswer };
}

const FOLDS = 5;
/** Every how many of the KB's own questions is a ranking sample. Range 1-10; default 3. */
const OWN_QUESTION_STEP = 3;
const thresholds = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9];

const plain = createEngine(kb);
const ownQuestions = collectOwnQuestions(plain, OWN_QUESTION_STEP);
const rankSamples = [...collectRanking(plain), ...ownQuestions];
const fitRanker = (samples: readonly RankSample[]): RankerModel => fitLogistic(RANK_FEATURES, samples);

/** Gate samples as the engine with this ranker (and a first gate, since follow-ups depend on it) sees them. */
function gateSamples(ranker: RankerModel): Sample[] {
  const first = collect(createEngine(kb, { ranker }));
  return collect(createEngine(kb, { ranker, gate: fitGate(first) }));
}

// Cross-validation by case: each fold is scored by a ranker and a gate that never saw its cases.
const cv = thresholds.map(() => ({ answer: 0, heldBack: 0, wrong: 0 }));
for (let fold = 0; fold < FOLDS; fold++) {
  const ranker = fitRanker(rankSamples.filter((s) => s.caseIndex % FOLDS !== fold));
  const samples = gateSamples(ranker);
  const model = fitGate(samples.filter((s) => s.caseIndex % FOLDS !== fold));
  const test = samples.filter((s) => s.caseIndex % FOLDS === fold);
  thresholds.forEach((t, i) => {
    const r = score(model, test, t);
    cv[i]!.answer += r.answer / FOLDS;
    cv[i]!.heldBack += r.heldBack / FOLDS;
    cv[i]!.wrong += r.wrong / FOLDS;
  });
}
const ranker = fitRanker(rankSamples);
const samples = gateSamples(ranker);
console.log(`${samples.length} ranked turns from ${cases.length} tuning cases (${samples.filter((s) => s.y).length} where the best entry is right); ${rankSamples.length} candidates to rank (${ownQuestions.length} from the KB's own questions)`);
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
console.log('threshold  answered right  held back (fallback/handoff)  wrong per answer-expected   (5-fold cross-validation by case)');
thresholds.forEach((t, i) => console.log(`${t.toFixed(2)}       ${pct(cv[i]!.answer).padStart(6)}          ${pct(cv[i]!.heldBack).padStart(6)}                        ${pct(cv[i]!.wrong).padStart(6)}`));

// The hand-made blend the gate replaces (engine-options' confidence), on the same samples.
{
  const c = plain.options.confidence;
  const samples = collect(plain);
  const blend = (x: GateFeatures) => (c.coverageWeight * x.coverage + (1 - c.coverageWeight) * x.similarity) * (c.marginFloor + (1 - c.marginFloor) * Math.min(1, x.margin / c.marginSaturation));
  for (const t of [0.4, 0.46, 0.5, 0.55]) {
    let right = 0, expectAnswer = 0, heldBack = 0, others = 0, wrong = 0;
    for (const s of samples) {
      const answered = blend(s.x) >= t;
      if (s.expectAnswer) expectAnswer++;
      else others++;
      if (answered && s.y === 1) right++;
      if (answered && s.y === 0) wrong++;
      if (!answered && !s.expectAnswer) heldBack++;
    }
    console.log(`hand-made blend at ${t}: answered right ${pct(right / expectAnswer)}, held back ${pct(heldBack / others)}, wrong ${pct(wrong / expectAnswer)}`);
  }
}

const model = fitGate(samples);
console.log('ranker weights (standardized):', ranker.features.map((f, i) => `${f} ${ranker.weights[i]!.toFixed(2)}`).join(', '), `bias ${ranker.bias.toFixed(2)}`);
console.log('gate weights (standardized):', model.features.map((f, i) => `${f} ${model.weights[i]!.toFixed(2)}`).join(', '), `bias ${model.bias.toFixed(2)}`);
if (process.argv.includes('--write')) {
  const round = (v: number) => Math.round(v * 1e4) / 1e4;
  const literal = (m: { features: readonly string[]; mean: readonly number[]; scale: readonly number[]; weights: readonly number[]; bias: number }) => `{
  features: ${JSON.stringify(m.features)},
  mean: ${JSON.stringify(m.mean.map(round))},
  scale: ${JSON.stringify(m.scale.map(round))},
  weights: ${JSON.stringify(m.weights.map(round))},
  bias: ${round(m.bias)},
}`;
  const body = `// The fitted candidate ranking and answer gate: written by \`npx tsx bench/tune-gate.ts --write\` from the
// tuning part of knowledge/tests and the KB's own questions (${rankSamples.length} ranked candidates, ${samples.length} ranked turns of ${cases.length} cases;
// tests/sealed never read). Do not edit by hand.
import type { GateModel } from './answer-gate.ts';
import type { RankerModel } from './candidate-ranker.ts';

export const defaultRankerModel: RankerModel = ${literal(ranker)};

export const defaultGateModel: GateModel = ${literal(model)};
`;
  await writeFile(path.resolve(import.meta.dirname, '../bot/engine/answer-models.ts'), body);
  console.log('wrote bot/engine/answer-models.ts');
}
