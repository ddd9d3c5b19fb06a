// Public surface of the bot module: the answer engine and its types.
export { createEngine, createEngineAsync, type Engine, type DecideOptions } from './engine.ts';
export { defaultEngineOptions, type EngineOptions } from './engine-options.ts';
export type { Decision, Candidate, Explain, Suggestion, ConversationContext } from './decision.ts';
export { normalize } from './normalize.ts';
export { detectLanguage } from './detect-language.ts';
export { createApp } from './app.ts';
export { loadConfig, type Config } from './config.ts';
export { startServer } from './start-server.ts';
