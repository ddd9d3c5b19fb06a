// Per-decision wall time over the regression turns, for our engine and for nlp.js, in the same way.
import type { ConversationContext, Engine } from '../bot/index.ts';
import type { NlpjsBaseline } from './nlpjs-baseline.ts';
import type { BenchTurn } from './test-turns.ts';

/** One pass: every conversation in order, carrying context as the API does; only decide() is timed. */
export function timeEngine(engine: Engine, conversations: readonly BenchTurn[][], samples: bigint[] = []): bigint[] {
  for (const turns of conversations) {
    let ctx: ConversationContext = {};
    for (const t of turns) {
      const start = process.hrtime.bigint();
      const decision = engine.decide(t.ask, { lang: t.lang, context: ctx });
      samples.push(process.hrtime.bigint() - start);
      ctx = engine.nextContext(ctx, decision);
    }
  }
  return samples;
}

/**
 * One pass over the same turns, each on its own (nlp.js has no conversation context). Its utterance
 * cache is emptied before each call: a visitor's message is new, and a replay skips tokenizing.
 */
export async function timeNlpjs(baseline: NlpjsBaseline, conversations: readonly BenchTurn[][], samples: bigint[] = []): Promise<bigint[]> {
  for (const t of conversations.flat()) {
    baseline.forgetUtterances();
    const start = process.hrtime.bigint();
    await baseline.manager.process(t.locale, t.ask);
    samples.push(process.hrtime.bigint() - start);
  }
  return samples;
}
