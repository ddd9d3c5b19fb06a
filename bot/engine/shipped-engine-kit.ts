// For tests: the engine on the shipped knowledge base, and a conversation with it as the API holds one.
import path from 'node:path';
import { loadKnowledge } from '../../knowledge/index.ts';
import { createEngine, type Engine } from './engine.ts';
import type { EngineOptions } from './engine-options.ts';
import type { ConversationContext, Decision } from './decision.ts';

export async function shippedEngine(options: Partial<EngineOptions> = {}): Promise<Engine> {
  const loaded = await loadKnowledge(path.resolve(import.meta.dirname, '../../knowledge'));
  if (!loaded.ok) throw new Error('shipped knowledge base does not load');
  return createEngine(loaded.kb, options);
}

/** Each text in turn in one conversation, context carried between turns; every decision. */
export function converse(engine: Engine, ...texts: string[]): Decision[] {
  let ctx: ConversationContext = {};
  return texts.map((t) => {
    const d = engine.decide(t, { context: ctx });
    ctx = engine.nextContext(ctx, d);
    return d;
  });
}
