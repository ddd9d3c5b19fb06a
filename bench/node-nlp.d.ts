// Types for the part of node-nlp (nlp.js v4, untyped CommonJS) the benchmark's baseline uses.
declare module 'node-nlp' {
  export interface NlpManagerSettings {
    languages?: string[];
    autoSave?: boolean;
    autoLoad?: boolean;
    nlu?: { log?: boolean };
  }

  export interface NlpResult {
    locale: string;
    utterance: string;
    /** 'None' when nothing scored at least the manager's threshold. */
    intent: string;
    score: number;
    answer?: string;
    classifications: { intent: string; score: number }[];
  }

  export class NlpManager {
    constructor(settings?: NlpManagerSettings);
    /** The inner Nlp; `settings.threshold` is the score below which the intent becomes 'None'. */
    nlp: { settings: { threshold: number } };
    container: { get(name: string): unknown };
    addDocument(locale: string, utterance: string, intent: string): void;
    addAnswer(locale: string, intent: string, answer: string): void;
    train(): Promise<void>;
    process(locale: string, utterance: string): Promise<NlpResult>;
  }
}
