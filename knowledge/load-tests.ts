// Loads the editors' regression cases from knowledge/tests/*.yaml.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Expectation, TestCase, TestSuite } from './types.ts';
import type { Problem } from './knowledge-error.ts';
import { parseYamlSource } from './yaml-source.ts';
import { testFileSchema } from './schema.ts';
import { validate } from './read-file.ts';

export interface LoadedTests {
  suites: TestSuite[];
  thresholds: TestSuite['thresholds'];
  problems: Problem[];
}

/** Used when no test file sets thresholds. */
export const defaultTestThresholds = { overall: 0.85, perTopic: 0.7 };

export function parseExpectation(value: string, terms?: string[]): Expectation {
  if (value === 'fallback' || value === 'handoff') return { kind: value };
  if (value === 'clarify') return { kind: 'clarify' };
  if (value === 'answer') return { kind: 'answer', terms };
  return terms ? { kind: 'answer', entryId: value, terms } : { kind: 'answer', entryId: value };
}

/**
 * Which part of knowledge/tests: `tuning` (tests/*.yaml: the editors' cases and blind batches already
 * looked at, which tuning may read) or `sealed` (tests/sealed/*.yaml: blind batches frozen before the
 * last engine change, which no tuning script reads; only their figures are reported).
 */
export type TestPart = 'tuning' | 'sealed';

export async function loadTests(dir: string, part: TestPart = 'tuning'): Promise<LoadedTests> {
  const testDir = part === 'sealed' ? path.join(dir, 'tests', 'sealed') : path.join(dir, 'tests');
  const prefix = part === 'sealed' ? 'tests/sealed' : 'tests';
  const problems: Problem[] = [];
  const suites: TestSuite[] = [];
  let thresholds = defaultTestThresholds;
  let names: string[] = [];
  try {
    names = (await readdir(testDir)).filter((n) => /\.ya?ml$/i.test(n)).sort();
  } catch {
    if (part === 'sealed') return { suites, thresholds, problems };
    return { suites, thresholds, problems: [{ file: 'tests', line: 1, col: 1, message: 'no tests folder', severity: 'warning' }] };
  }
  for (const name of names) {
    const file = `${prefix}/${name}`;
    const parsed = parseYamlSource(file, await readFile(path.join(testDir, name), 'utf8'));
    if (!parsed.ok) {
      problems.push(...parsed.problems);
      continue;
    }
    const data = validate(parsed.source, testFileSchema, problems);
    if (!data) continue;
    if (data.thresholds) thresholds = { overall: data.thresholds.overall, perTopic: data.thresholds.per_topic };
    const cases: TestCase[] = data.cases.map((c, i) => {
      const pos = { file, ...parsed.source.posOf(['cases', i]) };
      const turns = 'turns' in c ? c.turns : [c];
      return {
        name: c.name,
        topic: c.topic,
        pos,
        turns: turns.map((t, j) => ({
          ask: t.ask,
          lang: t.lang,
          expect: parseExpectation(t.expect, t.terms),
          pos: { file, ...parsed.source.posOf('turns' in c ? ['cases', i, 'turns', j] : ['cases', i]) },
        })),
      };
    });
    suites.push({ file, thresholds, cases });
  }
  return { suites, thresholds, problems };
}
