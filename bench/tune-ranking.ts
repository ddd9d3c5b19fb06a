// Grid search over the ranking blend on knowledge/tests: prints top-1 accuracy and pass rates per
// setting, so a weight change is chosen on figures (run by hand: npx tsx bench/tune-ranking.ts).
import path from 'node:path';
import { loadKnowledge, loadTests, rate, runTestSuites } from '../knowledge/index.ts';
import { createEngine, defaultEngineOptions } from '../bot/index.ts';
import { engineConversation } from '../bot/kb.ts';
import type { RetrievalOptions } from '../bot/retrieve.ts';

const dir = path.resolve(process.env.KNOWLEDGE_DIR ?? 'knowledge');
const loaded = await loadKnowledge(dir);
if (!loaded.ok) throw new Error('knowledge base does not load: run npm run kb -- check');
const tests = await loadTests(dir);
const singles = tests.suites.flatMap((s) => s.cases.filter((c) => c.turns.length === 1).map((c) => c.turns[0]!));

const grid: RetrievalOptions['rankWeights'][] = [];
for (const similarity of [0.2, 0.3, 0.45, 0.6]) {
  for (const centroid of [0, 0.15, 0.3, 0.45]) {
    for (const coverage of [0.15, 0.3, 0.45]) {
      const bm25 = 1 - similarity - centroid - coverage;
      if (bm25 >= -1e-9) grid.push({ similarity, centroid, coverage, bm25: Math.max(0, Math.round(bm25 * 100) / 100) });
    }
  }
}

const rows: string[] = [];
for (const rankWeights of grid) {
  const engine = createEngine(loaded.kb, { retrieval: { ...defaultEngineOptions.retrieval, rankWeights } });
  let top1 = 0;
  let answerable = 0;
  for (const t of singles) {
    if (t.expect.kind !== 'answer') continue;
    answerable++;
    if (engine.decide(t.ask, { lang: t.lang }).explain.candidates[0]?.entryId === t.expect.entryId) top1++;
  }
  const report = runTestSuites(tests.suites, engineConversation(engine));
  const k = (kind: 'answer' | 'fallback' | 'handoff') => (rate(report.byKind.get(kind)!) * 100).toFixed(1);
  rows.push(
    `${JSON.stringify(rankWeights)}\ttop1 ${((top1 / answerable) * 100).toFixed(1)}%\tanswer ${k('answer')}%\tfallback ${k('fallback')}%\toverall ${(rate(report.overall) * 100).toFixed(1)}%`,
  );
}
console.log(rows.sort((a, b) => Number(b.split('overall ')[1]!.slice(0, -1)) - Number(a.split('overall ')[1]!.slice(0, -1))).join('\n'));
