import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadKnowledge } from './load-knowledge.ts';
import { defaultYamlLimits, parseYamlSource } from './yaml-source.ts';

const shipped = path.resolve(import.meta.dirname, '.');
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kb-'));
  await cp(shipped, dir, { recursive: true, filter: (src) => !src.endsWith('.ts') });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('loadKnowledge', () => {
  it('loads the shipped knowledge base without errors', async () => {
    const result = await loadKnowledge(dir);
    expect(result.ok ? [] : result.problems).toEqual([]);
    if (!result.ok) return;
    expect(result.kb.entries.length).toBeGreaterThanOrEqual(80);
    expect(result.kb.version).toMatch(/^[0-9a-f]{12}$/);
  });

  it('reuses unchanged files from its cache and parses the edited one again', async () => {
    const cache = new Map();
    const first = await loadKnowledge(dir, { cache });
    const billing = path.join(dir, 'faq', 'billing.yaml');
    await writeFile(billing, (await readFile(billing, 'utf8')).replace('        - 详单能查几个月\n', '        - 详单能查几个月\n        - 详单到底能查几个月\n'));
    const second = await loadKnowledge(dir, { cache });
    expect(first.ok && second.ok).toBe(true);
    if (!first.ok || !second.ok) return;
    expect(second.kb.version).not.toBe(first.kb.version);
    const byId = (kb: typeof first.kb, id: string) => kb.entries.find((e) => e.id === id)!;
    // Unchanged file: the very same objects; edited file: read again.
    expect(byId(second.kb, 'invoice.unicom-online-hall')).toBe(byId(first.kb, 'invoice.unicom-online-hall'));
    expect(byId(second.kb, 'billing.detail-period').questions.zh).toContain('详单到底能查几个月');
    // The same result as a load without a cache.
    expect(second).toEqual(await loadKnowledge(dir));
  });

  it('parses on worker threads to exactly what it parses inline, errors and their positions included', async () => {
    const inline = await loadKnowledge(dir, { threads: 1 });
    const threaded = await loadKnowledge(dir, { threads: 2, parallelFromChars: 0 });
    expect(threaded).toEqual(inline);
    // A broken faq file is reported with its line from the thread too.
    await writeFile(path.join(dir, 'faq', 'zz-broken.yaml'), 'topic: zz\nlabel: { zh: 坏, en: Broken }\nentries:\n  - id: zz.one\n    questions: [oops\n');
    const broken = await loadKnowledge(dir, { threads: 2, parallelFromChars: 0 });
    expect(broken).toEqual(await loadKnowledge(dir, { threads: 1 }));
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.problems.find((p) => p.file === 'faq/zz-broken.yaml')?.line).toBeGreaterThan(1);
  });

  it('names file, line and column of a YAML syntax error', async () => {
    await writeFile(path.join(dir, 'faq', 'broken.yaml'), 'topic: broken\nlabel: { zh: 坏, en: Broken }\nentries:\n  - id: broken.x\n    questions: [unclosed\n');
    const result = await loadKnowledge(dir);
    expect(result.ok).toBe(false);
    const p = result.problems.find((x) => x.file === 'faq/broken.yaml');
    expect(p).toBeDefined();
    expect(p!.line).toBeGreaterThanOrEqual(5);
  });

  it('points a schema error at the offending field', async () => {
    const text = [
      'topic: typed',
      'label: { zh: 类型, en: Types }',
      'entries:',
      '  - id: typed.a',
      '    questions: { zh: [甲乙丙丁], en: [abcd] }',
      '    answer:',
      '      zh: 甲',
      '      en: 42',
    ].join('\n');
    await writeFile(path.join(dir, 'faq', 'typed.yaml'), text);
    const result = await loadKnowledge(dir);
    expect(result.ok).toBe(false);
    const p = result.problems.find((x) => x.file === 'faq/typed.yaml' && x.severity === 'error');
    expect(p?.message).toMatch(/answer\.en/);
    expect(p?.line).toBe(8);
  });

  it('reports duplicate ids, dangling follow-ups and a question shared by two entries', async () => {
    const shippedKb = await loadKnowledge(shipped);
    const taken = shippedKb.ok ? shippedKb.kb.entries.find((e) => e.id === 'recharge.card-digits')!.questions.zh[0]! : '?';
    await writeFile(
      path.join(dir, 'faq', 'dup.yaml'),
      [
        'topic: recharge2',
        'label: { zh: 重复, en: Dup }',
        'entries:',
        '  - id: recharge2.a',
        `    questions: { zh: ["${taken}"], en: [x] }`,
        '    answer: { zh: 甲, en: a }',
        '    followups: [nowhere.to-be-found]',
        '  - id: recharge2.a',
        '    questions: { zh: [乙], en: [y] }',
        '    answer: { zh: 乙, en: b }',
      ].join('\n'),
    );
    const result = await loadKnowledge(dir);
    const messages = result.problems.map((p) => p.message).join('\n');
    expect(messages).toMatch(/duplicate id "recharge2\.a"/);
    expect(messages).toMatch(/follow-up "nowhere\.to-be-found" does not exist/);
    // Whichever entry comes second in file order is the one reported.
    expect(messages).toMatch(new RegExp(`question "${taken}" is also a question of (recharge\\.card-digits|recharge2\\.a)`));
  });
});

describe('parseYamlSource limits', () => {
  it('refuses an alias bomb by its alias count, before expanding it', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefghij'.split('').map((k, i) => `${k}: &${k} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`)].join('\n');
    const r = parseYamlSource('bomb.yaml', bomb, { ...defaultYamlLimits, maxAliases: 10 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]!.message).toMatch(/alias/i);
  });

  it('refuses deep nesting before the parser recurses into it (ten thousand levels would kill the process)', () => {
    const cases = {
      flow: `a: ${'['.repeat(100_000)}${']'.repeat(100_000)}`,
      mappings: `a: ${'{b: '.repeat(50)}1${'}'.repeat(50)}`,
      block: Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}- x`).join('\n'),
      compact: `${'- '.repeat(100_000)}x`,
      'after an apostrophe': `a: it's ${'['.repeat(100)}${']'.repeat(100)}`,
    };
    for (const [name, text] of Object.entries(cases)) {
      const r = parseYamlSource('deep.yaml', text);
      expect(r.ok, name).toBe(false);
      if (!r.ok) expect(r.problems[0]!.message, name).toMatch(/nested more than|indented more than/);
    }
    // Brackets inside a string are text, and ordinary nesting passes.
    expect(parseYamlSource('s.yaml', `a: '${'['.repeat(500)}'`).ok).toBe(true);
    expect(parseYamlSource('ok.yaml', 'a: [[1, 2], {b: [3]}]\nc:\n  - - x\n    - y').ok).toBe(true);
  });

  it('refuses an oversize file and a custom tag', () => {
    expect(parseYamlSource('big.yaml', 'a: ' + 'x'.repeat(3 * 1024 * 1024)).ok).toBe(false);
    const tagged = parseYamlSource('tag.yaml', 'a: !js/function "return 1"');
    expect(tagged.ok).toBe(false);
  });
});
