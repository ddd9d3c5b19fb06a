// A knowledge directory that receives hostile files while the service runs: each is refused with a
// clear error naming the file, and the last good knowledge base keeps answering.
import { cp, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineAsync } from '../bot/index.ts';
import { createKnowledgeRuntime, type KnowledgeRuntime } from '../bot/server/knowledge-runtime.ts';
import { createLogger } from '../bot/server/logger.ts';
import { loadKnowledge } from '../knowledge/index.ts';

let dir: string;
let runtime: KnowledgeRuntime;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hostile-kb-'));
  await cp(path.resolve(import.meta.dirname, '../knowledge'), dir, { recursive: true, filter: (src) => !src.endsWith('.ts') });
  const quiet = new Writable({ write: (_c, _e, done) => done() });
  runtime = await createKnowledgeRuntime({ dir, load: (d) => loadKnowledge(d), build: (kb) => createEngineAsync(kb), logger: createLogger({ level: 'silent', destination: quiet }) });
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

const hostile: Record<string, string> = {
  'alias bomb': `topic: x\nlabel: {zh: x, en: x}\n${['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefghijklmnopqrstuvwxyz'.split('').map((k, i) => `${k}: &${k} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`)].join('\n')}\n`,
  '10 MB file': `topic: big\nlabel: {zh: 大, en: big}\nnote: ${'x'.repeat(10 * 1024 * 1024)}\n`,
  'deep nesting': `topic: deep\nlabel: {zh: 深, en: deep}\nentries: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`,
  'custom tag': `topic: tag\nlabel: {zh: 标签, en: tag}\nentries: !!js/function "function () { return 1 }"\n`,
};

describe('hostile knowledge files', () => {
  for (const [name, text] of Object.entries(hostile)) {
    it(`refuses a ${name} and keeps serving the last good knowledge base`, async () => {
      const before = runtime.engine.kb.version;
      const file = path.join(dir, 'faq', 'zz-hostile.yaml');
      await writeFile(file, text);
      try {
        const outcome = await runtime.reload(['faq/zz-hostile.yaml']);
        expect(outcome.ok).toBe(false);
        if (!outcome.ok) {
          expect(outcome.error.file).toBe('faq/zz-hostile.yaml');
          expect(outcome.error.message.length).toBeGreaterThan(10);
        }
        expect(runtime.engine.kb.version).toBe(before);
        const d = runtime.engine.decide('详单能查几个月');
        expect(d.kind === 'answer' && d.entryId).toBe('billing.detail-period');
      } finally {
        await unlink(file);
      }
      // Removing the file brings back a clean state.
      expect((await runtime.reload(['faq/zz-hostile.yaml'])).ok).toBe(true);
      expect(runtime.error).toBeUndefined();
    }, 30_000);
  }
});
