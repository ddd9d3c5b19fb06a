// Grid search over how confidence is made and the answer threshold, on knowledge/tests: prints the
// pass rate per expected outcome for each setting (run by hand: npx tsx bench/tune-decision.ts).
import path from 'node:path';
import { loadKnowledge, loadTests, rate, runTestSuites } from '../knowledge/index.ts';
import { createEngine, defaultEngineOptions, type EngineOptions } from '../bot/index.ts';
import { engineConversation } from '../bot/kb.ts';

const dir = path.resolve(process.env.KNOWLEDGE_DIR ?? 'knowledge');
const loaded = await loadKnowledge(dir);
if (!loaded.ok) throw new Error('knowledge base does not load: run npm run kb -- check');
const tests = await loadTests(dir);

const rows: { score: number; line: string }[] = [];
for (const coverageWeight of [0.4, 0.5, 0.6, 0.75]) {
  for (const marginSaturation of [0.2, 0.35, 0.5, 0.7]) {
    for (const marginFloor of [0.4, 0.6, 0.8]) {
      for (const answerThreshold of [0.46, 0.5, 0.52, 0.54, 0.56, 0.6]) {
        for (const minMargin of [0.05]) {
          const options: EngineOptions = {
            ...defaultEngineOptions,
            answerThreshold,
            minMargin,
            clarifyThreshold: Math.min(defaultEngineOptions.clarifyThreshold, answerThreshold),
            confidence: { ...defaultEngineOptions.confidence, coverageWeight, marginSaturation, marginFloor },
          };
          const report = runTestSuites(tests.suites, engineConversation(createEngine(loaded.kb, options)));
          const k = (kind: 'answer' | 'fallback' | 'handoff' | 'clarify') => rate(report.byKind.get(kind)!);
          // The weakest of answer and fallback: both must be high, neither bought with the other.
          const score = Math.min(k('answer'), k('fallback'));
          rows.push({
            score,
            line: `cw ${coverageWeight} ms ${marginSaturation} mf ${marginFloor} t ${answerThreshold} m ${minMargin}\tanswer ${(k('answer') * 100).toFixed(1)}%\tfallback ${(k('fallback') * 100).toFixed(1)}%\tclarify ${(k('clarify') * 100).toFixed(1)}%\toverall ${(rate(report.overall) * 100).toFixed(1)}%`,
          });
        }
      }
    }
  }
}
console.log(rows.sort((a, b) => b.score - a.score).slice(0, 25).map((r) => r.line).join('\n'));
