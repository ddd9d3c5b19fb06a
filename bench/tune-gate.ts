// Fits the answer gate (bot/answer-gate.ts) on the TUNING part of knowledge/tests only, reports its
// cross-validated figures, and writes bot/answer-gate-model.ts. tests/sealed is never read here.
// Run by hand: npx tsx bench/tune-gate.ts [--write]
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expectationMet, loadKnowledge, loadTests, type Lang, type TestCase } from '../knowledge/index.ts';
import { createEngine, type ConversationContext, type Engine } from '../bot/index.ts';
import { fitGate, gateProbability, type GateFeatures, type GateModel } from '../bot/answer-gate.ts';

const dir = path.resolve(process.env.KNOWLEDGE_DIR ?? 'knowledge');
const loaded = await loadKnowledge(dir);
if (!loaded.ok) throw new Error('knowledge base does not load: run npm run kb -- check');
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

/** Every turn the ranking decides (no rule fired), with what answering its best entry would have scored. */
function collect(engine: Engine): Sample[] {
  const samples: Sample[] = [];
  cases.forEach((c, caseIndex) => {
    let ctx: ConversationContext = {};
    for (const turn of c.turns) {
      const d = engine.decide(turn.ask, { lang: turn.lang, context: ctx });
      ctx = engine.nextContext(ctx, d);
      if (d.explain.rule || !d.explain.gate || turn.expect.kind === 'clarify') continue;
      const top = d.explain.candidates[0];
      if (!top) continue;
      const lang: Lang = turn.lang ?? (HAN.test(turn.ask) ? 'zh' : 'en');
      const entry = engine.entry(top.entryId)!;
      const y = expectationMet(turn.expect, { kind: 'answer', entryId: top.entryId, text: entry.answer[lang] }) ? 1 : 0;
      samples.push({ caseIndex, x: d.explain.gate, y, expectAnswer: turn.expect.kind === 'answer' });
    }
  });
  return samples;
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
const thresholds = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7];

let engine = createEngine(loaded.kb);
let samples = collect(engine);
// Decisions in a conversation depend on the gate (a follow-up is read against the last answer):
// collect again with the fitted gate so the samples are the ones the final engine sees.
engine = createEngine(loaded.kb, { gate: fitGate(samples) });
samples = collect(engine);
console.log(`${samples.length} samples from ${cases.length} tuning cases (${samples.filter((s) => s.y).length} where the best entry is right)`);

// Cross-validation by case: each fold is scored by a model that never saw its cases.
const cv = thresholds.map(() => ({ answer: 0, heldBack: 0, wrong: 0 }));
for (let fold = 0; fold < FOLDS; fold++) {
  const train = samples.filter((s) => s.caseIndex % FOLDS !== fold);
  const test = samples.filter((s) => s.caseIndex % FOLDS === fold);
  const model = fitGate(train);
  thresholds.forEach((t, i) => {
    const r = score(model, test, t);
    cv[i]!.answer += r.answer / FOLDS;
    cv[i]!.heldBack += r.heldBack / FOLDS;
    cv[i]!.wrong += r.wrong / FOLDS;
  });
}
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
console.log('threshold  answered right  held back (fallback/handoff)  wrong per answer-expected   (5-fold cross-validation by case)');
thresholds.forEach((t, i) => console.log(`${t.toFixed(2)}       ${pct(cv[i]!.answer).padStart(6)}          ${pct(cv[i]!.heldBack).padStart(6)}                        ${pct(cv[i]!.wrong).padStart(6)}`));

const model = fitGate(samples);
console.log('weights (standardized):', model.features.map((f, i) => `${f} ${model.weights[i]!.toFixed(2)}`).join(', '), `bias ${model.bias.toFixed(2)}`);
if (process.argv.includes('--write')) {
  const round = (v: number) => Math.round(v * 1e4) / 1e4;
  const body = `// The fitted answer gate: written by \`npx tsx bench/tune-gate.ts --write\` from the tuning part of
// knowledge/tests (${samples.length} ranked turns of ${cases.length} cases; tests/sealed never read). Do not edit by hand.
import type { GateModel } from './answer-gate.ts';

export const defaultGateModel: GateModel = {
  features: ${JSON.stringify(model.features)},
  mean: ${JSON.stringify(model.mean.map(round))},
  scale: ${JSON.stringify(model.scale.map(round))},
  weights: ${JSON.stringify(model.weights.map(round))},
  bias: ${round(model.bias)},
};
`;
  await writeFile(path.resolve(import.meta.dirname, '../bot/answer-gate-model.ts'), body);
  console.log('wrote bot/answer-gate-model.ts');
}
