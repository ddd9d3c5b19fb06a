// The editors' CLI as editors run it: a real process, its exit code and what it prints.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const run = promisify(execFile);

async function kb(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(tsx, [path.join(root, 'bot/cli/kb.ts'), ...args], { cwd: root, maxBuffer: 32 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kb-cli-'));
  await cp(path.join(root, 'knowledge'), dir, { recursive: true, filter: (src) => !src.endsWith('.ts') });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('npm run kb', () => {
  it('check passes on the shipped knowledge base', async () => {
    const r = await kb('check');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok: \d+ entries/m);
  });

  it('check exits 1 and names file:line:col for each problem', async () => {
    const file = path.join(dir, 'faq', 'recharge.yaml');
    const original = await readFile(file, 'utf8');
    // A follow-up to an entry that does not exist, on a known line.
    await writeFile(file, original.replace(/followups: \[([^\]]*)\]/, 'followups: [$1, recharge.no-such-entry]'));
    const r = await kb('check', '--dir', dir);
    await writeFile(file, original);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/faq\/recharge\.yaml:\d+:\d+ .*follow-up "recharge\.no-such-entry" does not exist/);
  });

  it('test prints pass rates per topic and language and exits 0 above the thresholds', async () => {
    const r = await kb('test');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^invoice\s+\d+\.\d%/m);
    expect(r.stdout).toMatch(/^zh\s+\d+\.\d%/m);
    expect(r.stdout).toMatch(/^overall\s+\d+\.\d%/m);
  });

  it('test exits 1 below the thresholds, printing each failure with its trace', async () => {
    await writeFile(path.join(dir, 'tests', 'zz-wrong.yaml'), 'thresholds: { overall: 0.99, per_topic: 0.99 }\ncases:\n  - ask: 充值卡密码几位\n    expect: roaming.packs\n');
    const r = await kb('test', '--dir', dir);
    await rm(path.join(dir, 'tests', 'zz-wrong.yaml'));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL tests\/zz-wrong\.yaml:3 "充值卡密码几位" expected roaming\.packs/);
    expect(r.stdout).toMatch(/confidence=\d/);
  });

  it('ask gives the decision and, with --explain, its trace', async () => {
    const r = await kb('ask', '充值卡密码几位', '--explain');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^answer recharge\.card-digits/);
    expect(r.stdout).toMatch(/candidates: recharge\.card-digits/);
  });

  it('export --json prints every entry with questions and answers in both languages', async () => {
    const r = await kb('export', '--json');
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout) as { entries: { id: string; topic: string; questions: { zh: string[]; en: string[] }; answer: { zh: string; en: string } }[] };
    expect(data.entries.length).toBeGreaterThanOrEqual(80);
    for (const e of data.entries) {
      expect(e.questions.zh.length).toBeGreaterThan(0);
      expect(e.questions.en.length).toBeGreaterThan(0);
      expect(e.answer.zh && e.answer.en).toBeTruthy();
    }
  });
});

describe('npm run kb -- lint and apply', () => {
  it('lint --json lists findings with file:line, entry id and rule; exit 1 only for errors', async () => {
    const r = await kb('lint', '--json', '--dir', dir, '--today', '2020-01-01');
    const data = JSON.parse(r.stdout) as { errors: number; warnings: number; findings: { file: string; line: number; entryId: string; rule: string; severity: string }[] };
    expect(r.code).toBe(data.errors > 0 ? 1 : 0);
    expect(data.findings.length).toBe(data.errors + data.warnings);
    for (const f of data.findings) expect(f).toMatchObject({ file: expect.stringMatching(/faq\/.+\.yaml$/), line: expect.any(Number), entryId: expect.any(String) });
  });

  it('lint reports an expired fact as a warning (exit stays as errors decide)', async () => {
    const file = path.join(dir, 'faq', 'popup.yaml');
    const original = await readFile(file, 'utf8');
    await writeFile(file, original.replace(/(\n  - id: popup\.[^\n]+\n)/, '$1    valid_until: "2020-01-01"\n'));
    const r = await kb('lint', '--dir', dir, '--today', '2020-01-02');
    await writeFile(file, original);
    expect(r.stdout).toMatch(/faq\/popup\.yaml:\d+:\d+ warning: popup\.\S+: valid_until 2020-01-01 has passed .*\[expired-fact\]/);
  });

  it('apply --dry-run prints the edit and writes nothing; apply writes it and prints pass rates', async () => {
    const change = path.join(dir, 'change.yaml');
    await writeFile(change, '# generated by the console; review before applying\nchanges:\n  - addQuestions: { entry: billing.detail-period, lang: zh, questions: [详单最早能查到什么时候] }\n');
    const billing = path.join(dir, 'faq', 'billing.yaml');
    const before = await readFile(billing, 'utf8');
    const dry = await kb('apply', change, '--dry-run', '--dir', dir);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^\+\s+- 详单最早能查到什么时候$/m);
    expect(dry.stdout).toMatch(/regression pass rate: \d+\.\d% before, \d+\.\d% after/);
    expect(await readFile(billing, 'utf8')).toBe(before);
    const real = await kb('apply', change, '--dir', dir);
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(/applied: 1 file/);
    expect(await readFile(billing, 'utf8')).toContain('- 详单最早能查到什么时候');
    // Applying it again refuses: the question is now present, naming the change file's line.
    const again = await kb('apply', change, '--dir', dir);
    await writeFile(billing, before);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/change\.yaml:3:1 changes\[0\]: question "详单最早能查到什么时候" is already present/);
    // Three CLI runs, two of them scoring the whole regression set before and after: more than the default
    // 20 s on a busy two-core machine, not a figure this test judges.
  }, 90_000);
});
