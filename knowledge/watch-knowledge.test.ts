import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchKnowledge, type KnowledgeWatcher } from './watch-knowledge.ts';

let dir: string;
let watcher: KnowledgeWatcher | undefined;
let bursts: string[][];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kb-watch-'));
  mkdirSync(join(dir, 'faq'));
  writeFileSync(join(dir, 'faq', 'bill.yaml'), 'topic: bill\n');
  writeFileSync(join(dir, 'rules.yaml'), 'rules: []\n');
  bursts = [];
  watcher = watchKnowledge(dir, { debounceMs: 100, onChange: (files) => bursts.push(files) });
  await watcher.ready;
});
afterEach(async () => {
  await watcher?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function waitForBursts(n: number, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (bursts.length < n) {
    if (Date.now() - start > timeoutMs) throw new Error(`expected ${n} bursts, saw ${JSON.stringify(bursts)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('watchKnowledge', () => {
  it('reports edits, additions and deletions of YAML files, several quick ones as one burst', async () => {
    writeFileSync(join(dir, 'faq', 'bill.yaml'), 'topic: bill\nentries: []\n');
    writeFileSync(join(dir, 'faq', 'new.yml'), 'topic: new\n');
    unlinkSync(join(dir, 'rules.yaml'));
    await waitForBursts(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(bursts).toEqual([['faq/bill.yaml', 'faq/new.yml', 'rules.yaml']]);
  });

  it('ignores files that are not YAML', async () => {
    writeFileSync(join(dir, 'faq', '.bill.yaml.swp'), 'x');
    writeFileSync(join(dir, 'notes.txt'), 'x');
    await new Promise((r) => setTimeout(r, 400));
    expect(bursts).toEqual([]);
    writeFileSync(join(dir, 'synonyms.yaml'), 'groups: []\n');
    await waitForBursts(1);
    expect(bursts).toEqual([['synonyms.yaml']]);
  });

  it('stops reporting once closed', async () => {
    await watcher!.close();
    writeFileSync(join(dir, 'rules.yaml'), 'rules: [1]\n');
    await new Promise((r) => setTimeout(r, 400));
    expect(bursts).toEqual([]);
  });
});
