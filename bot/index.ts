// Public surface of the bot module: the answer engine and its types.
export { createEngine, createEngineAsync, type Engine, type DecideOptions } from './engine/engine.ts';
export { defaultEngineOptions, type EngineOptions } from './engine/engine-options.ts';
export type { Decision, Candidate, Explain, Suggestion, ConversationContext } from './engine/decision.ts';
export { normalize } from './engine/normalize.ts';
export { detectLanguage } from './engine/detect-language.ts';
export { createApp } from './server/app.ts';
export { loadConfig, type Config } from './server/config.ts';
export { startServer } from './server/start-server.ts';
