import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { KnowledgeError, type LoadResult, type Problem } from '../../knowledge/index.ts';
import type { KnowledgeBase } from '../../knowledge/types.ts';
import type { Engine } from '../engine/engine.ts';
import { createKnowledgeRuntime } from './knowledge-runtime.ts';
import { createLogger } from './logger.ts';

function kb(version: string, entries = 1): KnowledgeBase {
  return {
    version,
    dir: '/kb',
    topics: [],
    entries: Array.from({ length: entries }, (_, i) => ({ id: `t.e${i}` })) as KnowledgeBase['entries'],
    rules: [],
  answerTypes: [],
    synonyms: [],
    contrasts: [],
    messages: {},
  };
}

const broken: Problem = { file: 'faq/bill.yaml', line: 12, col: 5, message: 'answer.en: required', severity: 'error' };

/** A loader that returns whatever the test queued next, and counts calls. */
function scriptedLoader(...results: Array<LoadResult | Error>) {
  const calls = { n: 0 };
  const load = async (): Promise<LoadResult> => {
    calls.n++;
    await new Promise((r) => setTimeout(r, 10));
    const next = results.length > 1 ? results.shift()! : results[0]!;
    if (next instanceof Error) throw next;
    return next;
  };
  return { load, calls };
}

function logs() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _e, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

const build = (k: KnowledgeBase) => ({ kb: k }) as unknown as Engine;
const ok = (version: string, entries = 1): LoadResult => ({ ok: true, kb: kb(version, entries), problems: [] });

describe('createKnowledgeRuntime', () => {
  it('fails fast at start with the first error as file:line:col', async () => {
    const { load } = scriptedLoader({ ok: false, problems: [broken] });
    const { lines, logger } = logs();
    const start = createKnowledgeRuntime({ dir: '/kb', load, build, logger });
    await expect(start).rejects.toBeInstanceOf(KnowledgeError);
    await expect(createKnowledgeRuntime({ dir: '/kb', load, build, logger })).rejects.toThrow('faq/bill.yaml:12:5');
    expect(lines[0]).toMatchObject({ event: 'kb.load_failed', file: 'faq/bill.yaml', line: 12 });
  });

  it('swaps in a new engine on a good reload', async () => {
    const { load } = scriptedLoader(ok('v1'), ok('v2', 3));
    const { lines, logger } = logs();
    const runtime = await createKnowledgeRuntime({ dir: '/kb', load, build, logger });
    const before = runtime.engine;
    expect(runtime.status()).toEqual({ entries: 1, version: 'v1' });
    expect(await runtime.reload()).toEqual({ ok: true, version: 'v2', changed: true });
    expect(runtime.engine).not.toBe(before);
    expect(runtime.status()).toEqual({ entries: 3, version: 'v2' });
    expect(lines.at(-1)).toMatchObject({ event: 'kb.reloaded', version: 'v2', previous: 'v1', entries: 3 });
  });

  it('keeps serving the last good engine while a reload fails, and reports the error until fixed', async () => {
    const { load } = scriptedLoader(ok('v1'), { ok: false, problems: [broken] }, ok('v1'));
    const { lines, logger } = logs();
    const runtime = await createKnowledgeRuntime({ dir: '/kb', load, build, logger });
    const good = runtime.engine;

    const failed = await runtime.reload();
    expect(failed.ok).toBe(false);
    expect(runtime.engine).toBe(good);
    expect(runtime.status()).toMatchObject({
      version: 'v1',
      error: { file: 'faq/bill.yaml', line: 12, col: 5, message: 'answer.en: required' },
    });
    expect(lines.at(-1)).toMatchObject({ event: 'kb.reload_failed', file: 'faq/bill.yaml', line: 12, col: 5, level: 50 });
    expect(String(lines.at(-1)!.msg)).toContain('faq/bill.yaml:12:5');

    // The editor reverts the file: same content as what serves, so no rebuild, but the error is gone.
    expect(await runtime.reload()).toEqual({ ok: true, version: 'v1', changed: false });
    expect(runtime.engine).toBe(good);
    expect(runtime.error).toBeUndefined();
    expect(runtime.status()).toEqual({ entries: 1, version: 'v1' });
  });

  it('treats a throwing loader or engine build as a failed reload', async () => {
    const { load } = scriptedLoader(ok('v1'), new Error('ENOENT: faq/gone.yaml'), ok('v2'));
    const { logger } = logs();
    let failBuild = false;
    const runtime = await createKnowledgeRuntime({
      dir: '/kb',
      load,
      build: (k) => {
        if (failBuild) throw new KnowledgeError({ file: 'rules.yaml', line: 3, col: 1, message: 'bad pattern' });
        return build(k);
      },
      logger,
    });
    expect(await runtime.reload()).toMatchObject({ ok: false, error: { file: '/kb', message: 'ENOENT: faq/gone.yaml' } });
    failBuild = true;
    expect(await runtime.reload()).toMatchObject({ ok: false, error: { file: 'rules.yaml', line: 3 } });
    expect(runtime.status().version).toBe('v1');
  });

  it('coalesces reloads requested while one runs into one more run', async () => {
    const { load, calls } = scriptedLoader(ok('v1'), ok('v2'), ok('v3'), ok('v4'));
    const { logger } = logs();
    const runtime = await createKnowledgeRuntime({ dir: '/kb', load, build, logger });
    const results = await Promise.all([runtime.reload(), runtime.reload(), runtime.reload(), runtime.reload()]);
    expect(calls.n).toBe(3); // start + the running reload + one queued for the three that came during it
    expect(results.map((r) => r.ok && r.version)).toEqual(['v2', 'v3', 'v3', 'v3']);
    expect(runtime.status().version).toBe('v3');
  });

  it('switches to another directory (a publication) only when it loads, and reloads from there after', async () => {
    const byDir: Record<string, LoadResult[]> = {
      '/kb': [ok('own'), ok('own')],
      '/broken': [{ ok: false, problems: [broken] }],
      '/published': [ok('pub', 2), ok('pub', 2)],
    };
    const seen: string[] = [];
    const load = async (dir: string) => (seen.push(dir), byDir[dir]!.shift()!);
    const { lines, logger } = logs();
    const runtime = await createKnowledgeRuntime({ dir: '/kb', load, build, logger });
    expect(runtime.dir).toBe('/kb');
    // A copy that does not load: the node keeps its engine and its directory, and says why in /healthz.
    expect(await runtime.switchTo('/broken')).toMatchObject({ ok: false, error: { file: 'faq/bill.yaml' } });
    expect(runtime.dir).toBe('/kb');
    expect(runtime.status()).toMatchObject({ version: 'own', error: { line: 12 } });
    expect(await runtime.switchTo('/published')).toEqual({ ok: true, version: 'pub', changed: true });
    expect(runtime.dir).toBe('/published');
    expect(runtime.status()).toEqual({ entries: 2, version: 'pub' });
    expect(lines.at(-1)).toMatchObject({ event: 'kb.reloaded', version: 'pub', previous: 'own', dir: '/published' });
    // A later reload (the watcher's) reads the directory switched to, not the first one.
    expect(await runtime.reload()).toEqual({ ok: true, version: 'pub', changed: false });
    expect(seen).toEqual(['/kb', '/broken', '/published', '/published']);
  });

  it('lets a switch requested during a reload run after it, from the new directory', async () => {
    const seen: string[] = [];
    const load = async (dir: string) => {
      seen.push(dir);
      await new Promise((r) => setTimeout(r, 10));
      return ok(dir === '/kb' ? 'own' : 'pub');
    };
    const { logger } = logs();
    const runtime = await createKnowledgeRuntime({ dir: '/kb', load, build, logger });
    const [reloaded, switched] = await Promise.all([runtime.reload(), runtime.switchTo('/published')]);
    expect(reloaded).toMatchObject({ ok: true, version: 'own' });
    expect(switched).toMatchObject({ ok: true, version: 'pub', changed: true });
    expect(seen).toEqual(['/kb', '/kb', '/published']);
    expect(runtime.dir).toBe('/published');
  });
});

describe('which problem is shown', () => {
  const dangling: Problem = { file: 'faq/billing.yaml', line: 30, col: 7, message: 'follow-up recharge.x does not exist', severity: 'error' };
  const syntax: Problem = { file: 'faq/recharge.yaml', line: 4, col: 20, message: 'Missing , between items', severity: 'error' };
  const noEntries: Problem = { file: 'faq', line: 1, col: 1, message: 'no FAQ entries found', severity: 'error' };
  const warning: Problem = { file: 'a.yaml', line: 1, col: 1, message: 'old', severity: 'warning' };

  it('blames the file that was just changed, then YAML files over folders', async () => {
    const { logger } = logs();
    const { load } = scriptedLoader(ok('v1'), { ok: false, problems: [noEntries, warning, dangling, syntax] });
    const runtime = await createKnowledgeRuntime({ dir: '/kb', load, build, logger });
    expect(await runtime.reload(['faq/recharge.yaml'])).toMatchObject({ ok: false, error: { file: 'faq/recharge.yaml', line: 4 } });
    // Without knowing what changed: the first YAML file's error, not the folder-level consequence.
    expect(await runtime.reload()).toMatchObject({ ok: false, error: { file: 'faq/recharge.yaml' } });
    const { load: load2 } = scriptedLoader(ok('v1'), { ok: false, problems: [noEntries, dangling, syntax] });
    const other = await createKnowledgeRuntime({ dir: '/kb', load: load2, build, logger });
    expect(await other.reload()).toMatchObject({ ok: false, error: { file: 'faq/billing.yaml' } });
  });
});
