// The engine at more than the shipped 100 entries: a synthetic 2,000-entry knowledge base (the
// scale bench's generator), built stepwise and with retrieval pruning forced on.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticKnowledge, type SyntheticKb } from '../bench/synthetic-kb.ts';
import { createEngine, createEngineAsync, type Engine } from '../bot/index.ts';
import { conversationsOf } from '../bench/test-turns.ts';
import { loadKnowledge, loadTests, type KnowledgeBase } from '../knowledge/index.ts';
import type { ConversationContext, Decision } from '../bot/engine/decision.ts';

const shipped = path.resolve(import.meta.dirname, '../knowledge');
let tmp: string;
let synthetic: SyntheticKb;
let kb: KnowledgeBase;
let engine: Engine;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'scale-'));
  synthetic = await writeSyntheticKnowledge({ entries: 2_000, dir: path.join(tmp, 'kb'), shippedDir: shipped });
  const loaded = await loadKnowledge(synthetic.dir);
  if (!loaded.ok) throw new Error(`synthetic KB does not load: ${loaded.problems[0]?.message}`);
  kb = loaded.kb;
  engine = createEngine(kb);
}, 120_000);
afterAll(() => rm(tmp, { recursive: true, force: true }));

const summary = (d: Decision) => `${d.kind}:${d.kind === 'answer' ? d.entryId : ''}:${d.confidence}`;

function converse(e: Engine, turns: { ask: string; lang?: 'zh' | 'en' }[], postingsBudget?: number): string[] {
  let ctx: ConversationContext = {};
  return turns.map((t) => {
    const d = e.decide(t.ask, { lang: t.lang, context: ctx, postingsBudget });
    ctx = e.nextContext(ctx, d);
    return summary(d);
  });
}

describe('synthetic knowledge bases', () => {
  it('are deterministic and load without errors', async () => {
    const again = await writeSyntheticKnowledge({ entries: 2_000, dir: path.join(tmp, 'kb2'), shippedDir: shipped });
    const digest = async (dir: string) => createHash('sha256').update(await readFile(path.join(dir, 'faq', 'syn0001.yaml'))).digest('hex');
    expect(await digest(again.dir)).toBe(await digest(synthetic.dir));
    expect(kb.entries.length).toBe(2_000);
    expect(again.probes).toEqual(synthetic.probes);
  });
});

describe('stepwise build', () => {
  it('gives the event loop back while building, and builds the same engine', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const built = await createEngineAsync(kb);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(2);
    const questions = synthetic.probes.slice(0, 30).map((p) => ({ ask: p.text, lang: p.lang }));
    expect(converse(built, questions)).toEqual(converse(engine, questions));
  }, 60_000);
});

describe('retrieval pruning', () => {
  it('changes nothing on the shipped knowledge base: every regression turn decides as with a full OR query', async () => {
    const loaded = await loadKnowledge(shipped);
    if (!loaded.ok) throw new Error('shipped KB does not load');
    const small = createEngine(loaded.kb);
    for (const turns of conversationsOf((await loadTests(shipped)).suites)) {
      expect(converse(small, turns)).toEqual(converse(small, turns, Number.POSITIVE_INFINITY));
    }
  });

  it('still credits the common words it leaves out of the index query', () => {
    const probe = synthetic.probes.find((p) => p.lang === 'zh')!;
    const full = engine.decide(probe.text, { lang: 'zh', postingsBudget: Number.POSITIVE_INFINITY });
    // A budget of one posting sends only the rarest term to the index.
    const pruned = engine.decide(probe.text, { lang: 'zh', postingsBudget: 1 });
    expect(pruned.kind).toBe('answer');
    expect(pruned.kind === 'answer' && pruned.entryId).toBe(probe.entryId);
    const top = (d: Decision) => d.explain.candidates.find((c) => c.entryId === probe.entryId)!;
    // Coverage and the matched words come from the entry itself, not from the terms queried.
    expect(top(pruned).coverage).toBeCloseTo(top(full).coverage, 10);
    expect(top(pruned).matched).toEqual(top(full).matched);
  });

  it('answers the probes about as well pruned as unpruned', () => {
    let prunedRight = 0;
    let fullRight = 0;
    for (const p of synthetic.probes) {
      const right = (d: Decision) => d.kind === 'answer' && d.entryId === p.entryId;
      if (right(engine.decide(p.text, { lang: p.lang, postingsBudget: 500 }))) prunedRight++;
      if (right(engine.decide(p.text, { lang: p.lang, postingsBudget: Number.POSITIVE_INFINITY }))) fullRight++;
    }
    expect(fullRight).toBeGreaterThan(synthetic.probes.length * 0.7);
    expect(prunedRight).toBeGreaterThanOrEqual(fullRight - 2);
  });
});
