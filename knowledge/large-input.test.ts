// A knowledge base whose check finds a very long list of problems (here 200,000 follow-ups that do not exist;
// at scale, a big KB's warnings) loads and reports them: nothing spreads an unbounded list into a call,
// which would overflow the stack ("Maximum call stack size exceeded") instead of giving a clear answer.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadKnowledge } from './index.ts';

const SHIPPED = import.meta.dirname;
const dir = mkdtempSync(path.join(tmpdir(), 'kb-large-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a knowledge base with a huge list of problems', () => {
  it('loads and reports every problem instead of overflowing the stack', async () => {
    mkdirSync(path.join(dir, 'faq'));
    for (const f of ['rules.yaml', 'synonyms.yaml', 'messages.yaml']) copyFileSync(path.join(SHIPPED, f), path.join(dir, f));
    const followups = Array.from({ length: 5000 }, (_, k) => `x.m${k}`).join(', ');
    for (let f = 0; f < 40; f++) {
      writeFileSync(
        path.join(dir, 'faq', `big${f}.yaml`),
        `topic: big${f}\nlabel: { zh: 大${f}, en: Big ${f} }\ngroup: general\nentries:\n` +
          `  - id: big${f}.e0\n    questions: { zh: [问题${f}号怎么办, 第二问${f}, 第三问${f}, 第四问${f}, 第五问${f}], en: [question ${f}, second ${f}, third ${f}] }\n` +
          `    answer: { zh: 答${f}, en: answer ${f} }\n    followups: [${followups}]\n`,
      );
    }
    const loaded = await loadKnowledge(dir);
    expect(loaded.ok).toBe(false);
    expect(loaded.problems.filter((p) => p.message.includes('does not exist'))).toHaveLength(200_000);
  }, 60_000);
});
