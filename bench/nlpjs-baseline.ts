// nlp.js (node-nlp v4) trained on exactly our export: the baseline the engine is compared with.
import type { NlpManager, NlpResult } from 'node-nlp';
import type { Lang, Outcome, StartConversation } from '../knowledge/index.ts';
import { localeOf, type BenchTurn } from './test-turns.ts';
import type { exportEntries } from '../bot/cli/kb.ts';

export type ExportedKnowledge = ReturnType<typeof exportEntries>;

export interface NlpjsBaseline {
  manager: NlpManager;
  /** Score below which nlp.js answers intent 'None' (its default, read from the manager). */
  threshold: number;
  /** One turn on its own: nlp.js keeps no conversation context. */
  ask(text: string, locale: Lang): Promise<Outcome>;
  /** Drops nlp.js's per-utterance feature cache, so a repeated question is decided again, not replayed. */
  forgetUtterances(): void;
}

/** The internals holding nlp.js's cache (@nlpjs/nlu keeps each utterance's features for an hour). */
interface NluInternals {
  nluManager: { domainManagers: Record<string, { domains: Record<string, { cache?: { results: object } }> }> };
}

/** Imported on demand so the engine's memory figures do not include nlp.js's 40 language packs. */
export async function importNlpjs(): Promise<typeof import('node-nlp')> {
  return import('node-nlp');
}

export function nlpjsOutcome(result: NlpResult, threshold: number): Outcome {
  if (result.intent === 'None' || result.score < threshold) return { kind: 'fallback', trace: result.classifications.slice(0, 3) };
  // The reply is the entry's answer: blind cases check it for their key terms.
  return { kind: 'answer', entryId: result.intent, text: result.answer, trace: result.classifications.slice(0, 3) };
}

export async function trainNlpjs(nlpjs: typeof import('node-nlp'), exported: ExportedKnowledge): Promise<NlpjsBaseline> {
  const manager = new nlpjs.NlpManager({ languages: ['zh', 'en'], autoSave: false, autoLoad: false, nlu: { log: false } });
  for (const e of exported.entries) {
    for (const lang of ['zh', 'en'] as const) {
      for (const q of e.questions[lang]) manager.addDocument(lang, q, e.id);
      manager.addAnswer(lang, e.id, e.answer[lang]);
    }
  }
  await quietly(() => manager.train());
  const threshold = manager.nlp.settings.threshold;
  return {
    manager,
    threshold,
    ask: async (text, locale) => nlpjsOutcome(await manager.process(locale, text), threshold),
    forgetUtterances: () => {
      const { nluManager } = manager.nlp as unknown as NluInternals;
      for (const dm of Object.values(nluManager.domainManagers)) {
        for (const nlu of Object.values(dm.domains)) if (nlu.cache) nlu.cache.results = {};
      }
    },
  };
}

export interface ZhSupport {
  sample: string;
  /** Words from nlp.js's Chinese tokenizer (CC-CEDICT dictionary segmentation). */
  tokens: string[];
  /** What the classifier actually sees: nlp.js's Chinese stemmer maps words to toned pinyin syllables. */
  features: string[];
}

/** Shows what nlp.js does with Chinese, offline, so the report can say whether it works. */
export async function zhSupport(manager: NlpManager, sample: string): Promise<ZhSupport> {
  const tokenizer = manager.container.get('tokenizer-zh') as { tokenize(text: string, normalize?: boolean): string[] } | undefined;
  const stemmer = manager.container.get('stemmer-zh') as { stem(text: string): Promise<string[]> } | undefined;
  return {
    sample,
    tokens: tokenizer ? tokenizer.tokenize(sample, true) : [],
    features: stemmer ? await stemmer.stem(sample) : [],
  };
}

/** @nlpjs/lang-zh prints "Compiling dictionary" with console.log on first use; keep the report clean. */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = () => {};
  try {
    return await fn();
  } finally {
    console.log = log;
  }
}

/**
 * Asks nlp.js every distinct turn once, then replays the answers to `runTestSuites`, which is
 * synchronous; a turn's outcome depends on its text and locale alone, so the replay is exact.
 */
export async function nlpjsConversation(baseline: NlpjsBaseline, conversations: readonly BenchTurn[][]): Promise<StartConversation> {
  const key = (text: string, locale: Lang) => `${locale}\u0000${text}`;
  const outcomes = new Map<string, Outcome>();
  for (const turn of conversations.flat()) {
    const k = key(turn.ask, turn.locale);
    if (!outcomes.has(k)) outcomes.set(k, await baseline.ask(turn.ask, turn.locale));
  }
  return () => (text, lang) => {
    const outcome = outcomes.get(key(text, localeOf(text, lang)));
    if (!outcome) throw new Error(`bench/nlpjs-baseline: no nlp.js outcome for "${text}"`);
    return outcome;
  };
}
