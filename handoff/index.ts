// Public surface of the handoff module: storage of conversations and messages, and the typed errors.
export { openDatabase, defaultDbOptions, type Db, type DbOptions } from './db.ts';
export { migrate, readMigrations, defaultMigrationsDir, type Migration } from './migrate.ts';
export * from './conversation-store.ts';
export {
  createSqliteConversationStore,
  defaultSqliteConversationStoreOptions,
  type SqliteConversationStoreOptions,
} from './sqlite-conversation-store.ts';
export { hashToken, newConversationId, newConversationToken, tokenMatches } from './conversation-token.ts';
export * from './errors.ts';
export { systemClock, type Clock } from './clock.ts';
export type { Agent, AgentRole, AgentStatus } from './agent.ts';
export type { Presence } from './presence.ts';
export { createMemoryHub, type Hub, type LiveEvent, type Listener, type Topic } from './hub.ts';
export type { AgentEnv, AgentVariables, RequireAgent } from './agent-env.ts';
