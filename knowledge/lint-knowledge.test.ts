import { cp, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadKnowledge } from './load-knowledge.ts';
import { lintKnowledge, shanghaiDate, type LintFinding } from './lint-knowledge.ts';

const root = path.resolve(import.meta.dirname);
const dirs: string[] = [];
afterEach(async () => Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))));

/** A knowledge dir with the shipped messages/rules/synonyms and one faq file of the given entries. */
export async function tmpKnowledge(faq: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kb-lint-'));
  dirs.push(dir);
  for (const f of ['messages.yaml', 'rules.yaml', 'synonyms.yaml']) await cp(path.join(root, f), path.join(dir, f));
  await mkdir(path.join(dir, 'faq'));
  await writeFile(path.join(dir, 'faq', 'demo.yaml'), `topic: demo\nlabel: { zh: 演示, en: Demo }\nentries:\n${faq}`);
  return dir;
}

const entry = (id: string, zh: string[], en: string[], extra = '', answer = { zh: '这是中文回答内容。', en: 'This is the English answer.' }) =>
  `  - id: ${id}\n    questions:\n      zh: [${zh.join(', ')}]\n      en: [${en.map((q) => JSON.stringify(q)).join(', ')}]\n    answer:\n      zh: ${JSON.stringify(answer.zh)}\n      en: ${JSON.stringify(answer.en)}\n${extra}`;

async function lint(faq: string, today = '2025-06-01'): Promise<LintFinding[]> {
  const loaded = await loadKnowledge(await tmpKnowledge(faq));
  if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join('\n'));
  return lintKnowledge(loaded.kb, { today });
}

describe('lintKnowledge', () => {
  it('reports near-duplicate questions of two entries, naming both', async () => {
    const f = await lint(
      entry('demo.a', ['宽带 月租 资费 多少'], ['broadband monthly fee price']) +
        entry('demo.b', ['宽带 月租 资费 多少 呢'], ['how do i cancel']),
    );
    const dup = f.filter((x) => x.rule === 'near-duplicate-question');
    expect(dup).toHaveLength(1);
    expect(dup[0]).toMatchObject({ entryId: 'demo.b', otherEntryId: 'demo.a', severity: 'warning', file: 'faq/demo.yaml' });
    expect(dup[0]!.message).toContain('"宽带 月租 资费 多少"');
  });

  it('leaves questions on two sides of a contrast alone', async () => {
    const contrasts = 'groups: []\ncontrasts:\n  - [联通, 移动]\n';
    const dir = await tmpKnowledge(entry('demo.a', ['联通 发票 打印 多久'], ['unicom invoice']) + entry('demo.b', ['移动 发票 打印 多久'], ['mobile invoice']));
    await writeFile(path.join(dir, 'synonyms.yaml'), contrasts);
    const loaded = await loadKnowledge(dir);
    if (!loaded.ok) throw new Error('load');
    expect(lintKnowledge(loaded.kb, { today: '2025-01-01' }).filter((x) => x.rule === 'near-duplicate-question')).toEqual([]);
  });

  it('reports an en answer left in Chinese and a zh answer with no Chinese', async () => {
    const f = await lint(
      entry('demo.a', ['怎么办'], ['how'], '', { zh: '这是中文回答内容。', en: '这是中文回答内容，没有翻译 OK。' }) +
        entry('demo.b', ['为什么'], ['why'], '', { zh: 'Only English here.', en: 'Only English here too.' }),
    );
    const missing = f.filter((x) => x.rule === 'missing-language');
    expect(missing.map((x) => [x.entryId, x.severity])).toEqual([['demo.a', 'error'], ['demo.b', 'error']]);
  });

  it('reports a fact past valid_until by the date in Asia/Shanghai', async () => {
    const faq = entry('demo.a', ['资费多少'], ['price'], '    valid_until: "2025-05-31"\n');
    expect((await lint(faq, '2025-06-01')).filter((x) => x.rule === 'expired-fact').map((x) => x.entryId)).toEqual(['demo.a']);
    expect((await lint(faq, '2025-05-31')).filter((x) => x.rule === 'expired-fact')).toEqual([]);
    // 2025-05-31 17:00 UTC is already June 1st in Shanghai.
    expect(shanghaiDate(new Date('2025-05-31T17:00:00Z'))).toBe('2025-06-01');
  });

  it('reports follow-ups past the ones the bot shows', async () => {
    const f = await lint(
      entry('demo.a', ['第一'], ['first'], '    followups: [demo.b, demo.c, demo.d, demo.e]\n') +
        entry('demo.b', ['第二'], ['second']) + entry('demo.c', ['第三'], ['third']) + entry('demo.d', ['第四'], ['fourth']) + entry('demo.e', ['第五'], ['fifth']),
    );
    expect(f.filter((x) => x.rule === 'followup-not-shown').map((x) => x.otherEntryId)).toEqual(['demo.e']);
  });
});
