import { cp, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../knowledge/index.ts';
import { createEngine } from '../engine/engine.ts';
import { lintWithEngine } from './kb-lint.ts';

const kdir = path.resolve(import.meta.dirname, '..', '..', 'knowledge');
let dir: string;
afterAll(() => rm(dir, { recursive: true, force: true }));

async function lintShippedWith(edit: (billing: string) => string) {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kb-lint-engine-'));
  await cp(kdir, dir, { recursive: true, filter: (s) => !s.endsWith('.ts') });
  const { readFile } = await import('node:fs/promises');
  const file = path.join(dir, 'faq', 'billing.yaml');
  await writeFile(file, edit(await readFile(file, 'utf8')));
  const loaded = await loadKnowledge(dir);
  if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join('\n'));
  return lintWithEngine(createEngine(loaded.kb), { today: '2020-01-01' });
}

describe('lintWithEngine', () => {
  it('reports an entry whose own question is answered with another entry, at the question\'s line', async () => {
    // 充值卡密码几位 is recharge.card-digits' question; put it (reworded past check's exact match) into billing.detail-period.
    const r = await lintShippedWith((t) => t.replace('        - 几个月前的通话详单还能看吗\n', '        - 几个月前的通话详单还能看吗\n        - 充值卡的密码有几位\n'));
    const f = r.findings.find((x) => x.rule === 'retrieves-other-entry' && x.entryId === 'billing.detail-period');
    expect(f).toMatchObject({ severity: 'error', otherEntryId: 'recharge.card-digits', file: 'faq/billing.yaml', line: 20 });
    expect(r.errors).toBeGreaterThan(0);
  });

  it('reports an entry nothing reaches: no own question answers it and no follow-up offers it', async () => {
    // Questions a handoff rule takes before retrieval: the entry never wins, and nothing lists it as a follow-up.
    const orphan = `
  - id: billing.orphan
    questions:
      zh: [我要人工]
      en: [talk to a human]
    answer:
      zh: 这是一个没人能到达的条目。
      en: An entry no visitor reaches.
`;
    const r = await lintShippedWith((t) => t.replace(/\nentries:\n/, `\nentries:\n${orphan}`));
    expect(r.findings.filter((x) => x.rule === 'unreachable-entry').map((x) => x.entryId)).toEqual(['billing.orphan']);
    expect(r.findings.find((x) => x.rule === 'retrieves-other-entry' && x.entryId === 'billing.orphan')?.message).toMatch(/handed off by rule/);
  });

  it('the shipped knowledge base: no lint errors; findings name file:line and entry id', async () => {
    const r = await lintShippedWith((t) => t);
    // Errors (an entry's own question answered by another, identical questions, an answer not in its language)
    // block a content change the way `check` does; warnings are for editors to weigh.
    expect(r.findings.filter((f) => f.severity === 'error').map((f) => `${f.file}:${f.line} ${f.message}`)).toEqual([]);
    for (const f of r.findings) {
      expect(f.file).toMatch(/^faq\/.+\.yaml$/);
      expect(f.line).toBeGreaterThan(0);
      expect(f.message.startsWith(`${f.entryId}: `)).toBe(true);
    }
  });
});
