// Knowledge files are refused by their size on disk before they are read: a 3 GiB sparse file (no disk
// used) gets the same "file is N bytes, over the limit" problem as a big text, instead of the loader
// crashing while reading it (fs.readFile rejects files over 2 GiB; Node strings stop near 512 MiB).
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKnowledge } from './load-knowledge.ts';
import { readKnowledgeText } from './read-file.ts';
import { defaultYamlLimits } from './yaml-source.ts';

const GIB3 = 3 * 1024 ** 3;
const MAX = defaultYamlLimits.maxBytes;

let dir: string;

/** A file of `size` bytes of zeros that uses no disk (truncate extends a new file sparsely). */
async function sparse(name: string, size: number): Promise<void> {
  const handle = await open(path.join(dir, name), 'w');
  try {
    await handle.truncate(size);
  } finally {
    await handle.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'read-file-'));
  await mkdir(path.join(dir, 'faq'));
  await sparse('faq/huge.yaml', GIB3);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readKnowledgeText', () => {
  it('refuses a 3 GiB file from its size, without reading it', async () => {
    const result = await readKnowledgeText(dir, 'faq/huge.yaml', defaultYamlLimits);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.content.problems).toEqual([
      { file: 'faq/huge.yaml', line: 1, col: 1, severity: 'error', message: `file is ${GIB3} bytes, over the ${MAX}-byte limit` },
    ]);
    expect(result.content.entries).toEqual([]);
  });

  it('refuses one byte over the limit and reads a file at the limit', async () => {
    await sparse('over.yaml', MAX + 1);
    await writeFile(path.join(dir, 'at.yaml'), `# ${'x'.repeat(MAX - 3)}\n`);
    const over = await readKnowledgeText(dir, 'over.yaml', defaultYamlLimits);
    expect(over.ok ? 'read' : over.content.problems[0]!.message).toBe(`file is ${MAX + 1} bytes, over the ${MAX}-byte limit`);
    const at = await readKnowledgeText(dir, 'at.yaml', defaultYamlLimits);
    expect(at.ok && at.text.length).toBe(MAX);
  });

  it('reads UTF-8 text as fs.readFile does', async () => {
    const text = '\uFEFFtopic: 充值\nlabel: {zh: 充值, en: top-up}\n';
    await writeFile(path.join(dir, 'small.yaml'), text);
    expect(await readKnowledgeText(dir, 'small.yaml', defaultYamlLimits)).toEqual({ ok: true, text });
  });
});

describe('loadKnowledge with a 3 GiB file', () => {
  it('fails with the file-size problem naming the file, instead of rejecting on the read', async () => {
    const result = await loadKnowledge(dir);
    expect(result.ok).toBe(false);
    expect(result.problems).toContainEqual(
      expect.objectContaining({ file: 'faq/huge.yaml', line: 1, severity: 'error', message: `file is ${GIB3} bytes, over the ${MAX}-byte limit` }),
    );
  });
});
