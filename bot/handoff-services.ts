// Builds the human side once (agents, sessions, groups, presence, routing, tickets, live delivery,
// search) on the open database, and mounts its routes: shared by the server and the integration tests.
import type { Hono } from 'hono';
import {
  agentAuthRoutes, adminAgentRoutes, adminVisitorRoutes, colleagueRoutes, adminGroupRoutes, agentQueueRoutes, bootstrapAdmin, cannedReplyRoutes,
  createAgentAccounts, createGroups, createLiveConnections, createLoginLimiter, createMemoryHub, createPasswordHasher,
  createPresenceService, createRequireAgent, createRouting, createSqliteAgentStore, createSqliteCannedReplyStore,
  createSqliteGroupStore, createSqliteRoutingStore, createSqliteSessionStore, createSqliteTicketStore,
  createSqliteTranscriptStore, createVisitorTranscripts, liveRoutes, searchRoutes, startSessionSweeper, systemClock, visitorRoutes,
  type Clock, type ConversationStore, type Db, type Hub, type LiveConnections, type PresenceService,
  type RequireAgent, type Routing,
} from '../handoff/index.ts';
import type { AppEnv } from './app-env.ts';
import { clientAddress } from './client-address.ts';
import type { Config } from './config.ts';
import { conversationGroup, entryQuestion } from './handoff-group.ts';
import type { KnowledgeRuntime } from './knowledge-runtime.ts';
import type { Logger } from './logger.ts';

export interface HandoffServicesDeps {
  db: Db;
  config: Config;
  store: ConversationStore;
  runtime: KnowledgeRuntime;
  logger: Logger;
  clock?: Clock;
}

export interface HandoffServices {
  hub: Hub;
  clock: Clock;
  routing: Routing;
  presence: PresenceService;
  requireAgent: RequireAgent;
  connections: LiveConnections;
  /** Mounts every agent, admin, visitor-handoff and live route on the app. */
  mount(app: Hono<AppEnv>): void;
  /** First admin, routing recovery after a restart, timers. Call once before serving. */
  start(): Promise<void>;
  /** Closes live streams (clients reconnect and resume), stops timers; the database stays open. */
  stop(): Promise<void>;
}

export function createHandoffServices({ db, config, store, runtime, logger, clock = systemClock }: HandoffServicesDeps): HandoffServices {
  const a = config.agents;
  const hub = createMemoryHub((err) => logger.error({ event: 'hub.listener_failed', err }, 'live listener failed'));
  const agents = createSqliteAgentStore(db, { clock });
  const sessions = createSqliteSessionStore(db, {
    clock,
    idleTimeoutMs: a.sessionIdleMinutes * 60_000,
    absoluteTimeoutMs: a.sessionMaxHours * 3_600_000,
    touchIntervalMs: Math.min(60_000, a.sessionIdleMinutes * 30_000),
  });
  const passwords = createPasswordHasher();
  const groups = createGroups(createSqliteGroupStore(db, clock), clock, { alwaysOpen: config.businessHours === 'always' });
  const accounts = createAgentAccounts({
    agents, sessions, passwords, hub, log: logger,
    knownGroups: async () => (await groups.list()).map((g) => g.id),
  });
  const requireAgent = createRequireAgent({ agents, sessions, hub, allowedOrigins: a.allowedOrigins, secureCookies: a.cookieSecure, log: logger });
  const presence = createPresenceService(
    { hub, onListenerError: (err) => logger.error({ event: 'presence.listener_failed', err }, 'presence listener failed') },
    { graceMs: a.presenceGraceSeconds * 1000 },
  );
  const kb = () => runtime.engine.kb;
  const routing = createRouting(
    {
      store: createSqliteRoutingStore(db, clock),
      conversations: store,
      groups,
      agents: { get: (id) => agents.find(id) },
      presence,
      hub,
      clock,
      logger,
      messages: () => kb().messages,
      describeEntry: (id, lang) => entryQuestion(kb(), id, lang),
    },
    { idleCloseMs: a.idleCloseMinutes * 60_000, defaultSecondsPerChat: a.queueSecondsPerChat },
  );
  const tickets = createSqliteTicketStore(db, clock);
  const transcripts = createSqliteTranscriptStore(db);
  const connections = createLiveConnections();
  const maxBodyBytes = config.maxBodyBytes;
  const stops: Array<() => void | Promise<void>> = [];

  return {
    hub, clock, routing, presence, requireAgent, connections,
    mount(app) {
      app.route('/', agentAuthRoutes({
        accounts, sessions, passwords, limiter: createLoginLimiter(), requireAgent, clientAddress, hub,
        allowedOrigins: a.allowedOrigins, secureCookies: a.cookieSecure, log: logger, maxBodyBytes,
      }));
      app.route('/', adminAgentRoutes({ accounts, requireAgent, maxBodyBytes }));
      app.route('/', cannedReplyRoutes({ replies: createSqliteCannedReplyStore(db, { clock }), requireAgent, maxBodyBytes }));
      app.route('/', adminGroupRoutes({ groups, hub, requireAgent, maxBodyBytes }));
      app.route('/', agentQueueRoutes({ routing, presence, groups, tickets, hub, requireAgent, options: { maxBodyBytes } }));
      app.route('/', visitorRoutes({
        conversations: store, routing, tickets, clock,
        groupOf: (c) => conversationGroup(kb(), c),
        messages: () => kb().messages,
        options: { maxMessageChars: config.maxMessageChars, maxBodyBytes },
      }));
      app.route('/', liveRoutes({
        store, transcripts, hub, presence, requireAgent, connections, log: logger, allowedOrigins: a.allowedOrigins,
        heldConversations: (agentId) => routing.heldConversationIds(agentId),
        visitorState: (id) => routing.visitorState(id),
        options: { heartbeatMs: a.liveHeartbeatMs, ...(config.rateLimits ? {} : { typingRateLimit: 'off' as const }) },
      }));
      app.route('/', colleagueRoutes({ agents, presence, requireAgent }));
      app.route('/', searchRoutes({ transcripts, requireAgent, options: config.rateLimits ? {} : { rateLimit: 'off' } }));
      app.route('/', adminVisitorRoutes({ visitors: createVisitorTranscripts(db), requireAgent, log: logger }));
    },
    async start() {
      await bootstrapAdmin({ agents, passwords, admin: config.admin, log: logger });
      await routing.recover();
      stops.push(routing.startIdleSweep());
      const sweeper = startSessionSweeper({ sessions, hub, log: logger });
      stops.push(() => sweeper.stop());
    },
    async stop() {
      connections.closeAll();
      for (const stop of stops.splice(0).reverse()) await stop();
      routing.dispose();
      presence.close();
      await routing.settled();
    },
  };
}
