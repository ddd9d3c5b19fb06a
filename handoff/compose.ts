// Builds the human side once (agents, sessions, groups, presence, routing, tickets, live delivery,
// search) on the open database, and mounts its routes: shared by the server and the integration tests.
// What it needs of the bot side comes through ports (KbPort); its settings are HandoffOptions, which the
// server's configuration satisfies as it is.
import type { Context, Hono } from 'hono';
import { agentAuthRoutes } from './auth/agent-auth-routes.ts';
import { adminAgentRoutes } from './agents/admin-agent-routes.ts';
import { adminVisitorRoutes } from './visitors/admin-visitor-routes.ts';
import { colleagueRoutes } from './agents/colleague-routes.ts';
import { createAgentNames, type AgentNames } from './agents/agent-names.ts';
import { createCollaboration } from './collaboration/collaboration.ts';
import { collaborationRoutes } from './collaboration/collaboration-routes.ts';
import { adminGroupRoutes } from './routing/admin-group-routes.ts';
import { agentQueueRoutes } from './routing/agent-queue-routes.ts';
import { bootstrapAdmin } from './agents/bootstrap-admin.ts';
import { cannedReplyRoutes } from './content/canned-reply-routes.ts';
import { cannedFileRoutes } from './content/canned-file-routes.ts';
import { createAgentAccounts } from './agents/agent-accounts.ts';
import { createGroups } from './routing/groups.ts';
import { createLiveConnections, type LiveConnections } from './live/live-connections.ts';
import type { Hub } from './platform/hub.ts';
import { createPasswordHasher } from './auth/password.ts';
import type { PresenceService } from './routing/presence-service.ts';
import { createRequireAgent } from './auth/require-agent.ts';
import { createRouting, systemIntervals, type IntervalTimers, type Routing } from './routing/routing.ts';
import { type UnansweredLog } from './content/unanswered-store.ts';
import { liveRoutes } from './live/live-routes.ts';
import { unansweredRoutes } from './content/unanswered-routes.ts';
import { searchRoutes } from './search/search-routes.ts';
import { visitorHistoryRoutes } from './search/visitor-history-routes.ts';
import { startSessionSweeper } from './auth/session-sweeper.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import { visitorRoutes } from './conversations/visitor-routes.ts';
import type { ConversationStore, Conversation } from './conversations/conversation-store.ts';
import type { Db } from './sqlite/db.ts';
import { createSqliteStorage, type HandoffStorage } from './storage.ts';
import { createLocalCoordination, type Coordination } from './coordination.ts';
import type { RequireAgent } from './agents/agent-env.ts';
import { reportRoutes } from './supervision/report-routes.ts';
import { createMonitor } from './supervision/monitor.ts';
import { monitorRoutes } from './supervision/monitor-routes.ts';
import { faqDraftRoutes } from './content/faq-draft-routes.ts';
import { auditRoutes } from './supervision/audit-routes.ts';
import { maskPersonalData } from '../knowledge/text/mask-personal-data.ts';
import { createVisitorBlocks, type VisitorBlocks } from './visitors/visitor-blocks.ts';
import { createRetention } from './visitors/retention.ts';
import { visitorBlockRoutes } from './visitors/visitor-block-routes.ts';
import { createInvitationClaims, type InvitationClaims } from './visitors/invitation-claims.ts';
import type { VisitorPresence } from './visitors/visitor-presence.ts';
import type { RateLimiterFactory } from './http/rate-limit.ts';
import { visitorPresenceRoutes } from './visitors/visitor-presence-routes.ts';
import { attachmentRoutes } from './conversations/attachments/attachment-routes.ts';
import { readMarkerRoutes } from './conversations/read-markers/read-marker-routes.ts';
import { AttachmentLogEvent, createAttachmentErasure } from './conversations/attachments/attachment-erasure.ts';
import { visitorTextsRoutes } from './visitor-texts/visitor-texts-routes.ts';
import { createSmtpMailer, type Mailer, type SmtpSettings } from './mail/mailer.ts';
import { createTicketAnswerMail } from './mail/ticket-answer-mail.ts';
import type { Ticket } from './routing/tickets.ts';
import type { AppEnv } from './http/app-env.ts';
import { clientAddress, clientKey } from './http/client-address.ts';
import type { Logger } from 'pino';
import { kbChangeToYaml } from '../knowledge/kb-change.ts';
import type { KnowledgeBase, Lang } from '../knowledge/types.ts';

/** What handoff needs of the knowledge base and the bot's memory of a chat; the server implements it. */
export interface KbPort {
  /** The knowledge base now (a reload swaps it): its messages for visitor texts. */
  kb(): KnowledgeBase;
  entryExists(id: string): boolean;
  /** The group of what the conversation was last about (the bot's memory), for the person button; undefined: the default. */
  conversationGroup(conversation: Conversation): string | undefined;
  /** An entry's first question and answer in `lang`, shown to agents with the bot's candidates. */
  entryQuestion(entryId: string, lang: Lang): { question: string; answer?: string } | undefined;
}

/** The settings handoff reads (the server's Config has them all, under the same names). */
export interface HandoffOptions {
  agents: {
    sessionIdleMinutes: number;
    sessionMaxHours: number;
    allowedOrigins: string[];
    cookieSecure: 'auto' | 'always' | 'never';
    presenceGraceSeconds: number;
    idleCloseMinutes: number;
    queueSecondsPerChat: number;
    liveHeartbeatMs: number;
  };
  businessHours: 'always' | 'default';
  /** RETENTION_DAYS: the daily erasure of conversations inactive this long; 0 is off. */
  retentionDays: number;
  admin?: { username: string; password: string; displayName?: string };
  maxBodyBytes: number;
  maxMessageChars: number;
  rateLimits: boolean;
  widgetOrigins: string[];
  trustProxy: (address: string, hop: number) => boolean;
  /** IPV6_PREFIX_LENGTH: the bits of an IPv6 address that name one client (limits, and an agent's block by address). */
  ipv6PrefixLength: number;
  /** MAX_VISITOR_STREAMS_PER_ADDRESS: open visitor conversation streams per client key (off with RATE_LIMITS=off). */
  maxVisitorStreamsPerAddress: number;
  /** SMTP_URL + SMTP_FROM: answers to left messages are also e-mailed to visitors who left an address. Unset: no mail. */
  smtp?: SmtpSettings;
  /** MAX_ATTACHMENT_BYTES: the largest file sent into a chat (the upload routes' own limit). Default 5 MiB. */
  maxAttachmentBytes?: number;
}

export interface HandoffServicesDeps {
  /** The stores on PostgreSQL (storage-postgres.ts) or SQLite; without it, SQLite on `db`. */
  storage?: HandoffStorage;
  /** The embedded default's database, when `storage` is not given. */
  db?: Db;
  /** Where e-mail goes (tests stand one in); default: SMTP from `config.smtp`, or no mail when it is unset. */
  mailer?: Mailer;
  /** Shared state of several nodes (coordination-redis.ts); without it, this process alone. */
  coordination?: Coordination;
  config: HandoffOptions;
  store: ConversationStore;
  kb: KbPort;
  /** pino's logger fits every log port of handoff. */
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
  /** The editors' unanswered inbox, written by the chat turn; a failed write is logged, never thrown. */
  unanswered: UnansweredLog;
  /** Blocked visitors: the chat routes check the gate (`check`) on every visitor request. */
  visitorBlocks: VisitorBlocks;
  /** Visitors online now (page views, invitations), as every node sees them. */
  visitors: VisitorPresence;
  /** Where the rate-limit buckets live (this process, or Redis): the chat routes take theirs from here. */
  rateLimiters: RateLimiterFactory;
  /** POST /api/chat's invitationId: checked, marked, routed to the inviting agent (bot/chat/chat-routes.ts). */
  invitations: InvitationClaims;
  /** The name an agent shows visitors, for each agent message of the visitor's history (a chat may have two agents). */
  agentNames: AgentNames;
  /** Mounts every agent, admin, visitor-handoff and live route on the app. */
  mount(app: Hono<AppEnv>): void;
  /** First admin, routing recovery after a restart, timers. Call once before serving. */
  start(): Promise<void>;
  /** Closes live streams (clients reconnect and resume), stops timers; the database stays open. */
  stop(): Promise<void>;
}

export function createHandoffServices({ storage: given, db, coordination: givenCoordination, config, store, kb: kbPort, logger, clock = systemClock, mailer: givenMailer }: HandoffServicesDeps): HandoffServices {
  const a = config.agents;
  if (!given && !db) throw new Error('handoff: createHandoffServices needs storage or db');
  const storage = given ?? createSqliteStorage(db!, clock, store);
  const coordination = givenCoordination ?? createLocalCoordination((err) => logger.error({ event: 'hub.listener_failed', err }, 'live listener failed'));
  const hub = coordination.hub;
  const agents = storage.agents;
  const sessions = storage.sessions({
    idleTimeoutMs: a.sessionIdleMinutes * 60_000,
    absoluteTimeoutMs: a.sessionMaxHours * 3_600_000,
    touchIntervalMs: Math.min(60_000, a.sessionIdleMinutes * 30_000),
  });
  const passwords = createPasswordHasher();
  const groups = createGroups(storage.groups, clock, { alwaysOpen: config.businessHours === 'always' });
  const accounts = createAgentAccounts({
    agents, sessions, passwords, hub, log: logger,
    knownGroups: async () => (await groups.list()).map((g) => g.id),
  });
  const requireAgent = createRequireAgent({ agents, sessions, hub, allowedOrigins: a.allowedOrigins, secureCookies: a.cookieSecure, log: logger });
  const presence = coordination.createPresence(
    { hub, clock, onListenerError: (err) => logger.error({ event: 'presence.listener_failed', err }, 'presence listener failed') },
    { graceMs: a.presenceGraceSeconds * 1000 },
  );
  const kb = () => kbPort.kb();
  // The timed jobs (idle close, session sweep, retention) run on the leader only: of several nodes,
  // the holder of the lease; alone, this one. Every tick asks, so a new leader takes over at its next tick.
  const isLeader = () => coordination.isLeader();
  const leaderIntervals: IntervalTimers = {
    setInterval: (callback, ms) => systemIntervals.setInterval(() => { if (isLeader()) callback(); }, ms),
    clearInterval: (handle) => systemIntervals.clearInterval(handle),
  };
  const routingStore = storage.routing;
  // Colleagues invited into chats and consult notes (issue 17): routing lets a colleague who joined read and write
  // the chat like its holder, and the view rule counts them (view-access.ts).
  const collaboration = createCollaboration({
    store: storage.participants, routing: routingStore, agents: { get: (id) => agents.find(id) }, presence, hub,
    audit: storage.audit, unitOfWork: storage.unitOfWork, messages: () => kb().messages,
  });
  // A colleague gone offline (by choice, or when their last connection's grace ran out: signing out ends it too)
  // leaves the chats they joined. Presence runs its listeners once per change, on the node that decided it.
  const leaving = new Set<Promise<unknown>>();
  presence.onChange((agentId, status) => {
    if (status !== 'offline') return;
    const p = collaboration.leaveAll(agentId)
      .catch((err: unknown) => logger.warn({ event: 'collaboration.leave_failed', err, agentId }, 'offline colleague: chats not left'))
      .finally(() => leaving.delete(p));
    leaving.add(p);
  });
  const agentNames = createAgentNames(agents, { clock });
  const routing = createRouting(
    {
      store: routingStore,
      conversations: store,
      groups,
      // Editors do content work only: to routing they are nobody, so they are never given or transferred a chat
      // (even with a console stream still open from before a role change).
      agents: { get: async (id) => { const agent = await agents.find(id); return agent?.role === 'editor' ? undefined : agent; } },
      presence,
      hub,
      clock,
      timers: leaderIntervals,
      logger,
      messages: () => kb().messages,
      describeEntry: (id, lang) => kbPort.entryQuestion(id, lang),
      colleagues: collaboration,
    },
    {
      idleCloseMs: a.idleCloseMinutes * 60_000,
      // A quarter of the idle time, between 1 and 30 s: a chat closes at most a quarter late.
      idleSweepIntervalMs: Math.min(30_000, Math.max(1_000, Math.round((a.idleCloseMinutes * 60_000) / 4))),
      defaultSecondsPerChat: a.queueSecondsPerChat,
    },
  );
  const tickets = storage.tickets;
  const transcripts = storage.transcripts;
  const connections = createLiveConnections();
  const maxBodyBytes = config.maxBodyBytes;
  const unansweredStore = storage.unanswered;
  const unanswered: UnansweredLog = {
    async record(entry) {
      // The visitor's turn is stored and answered already: a lost inbox row must not fail it.
      try {
        await unansweredStore.record(entry);
      } catch (err) {
        logger.warn({ event: 'unanswered.record_failed', err }, 'unanswered question not logged');
      }
    },
  };
  const visitorTranscripts = storage.visitorTranscripts;
  /** Routes that change several stores at once (a change and its audit row) commit them through this. */
  const unitOfWork = storage.unitOfWork;
  // Active blocks are loaded at start (and on several nodes reloaded at each other node's change); refused requests
  // are written at most once a second and on stop.
  const visitorBlocks = createVisitorBlocks(storage.visitorBlocks, unitOfWork, {
    clock,
    notices: coordination.blockNotices,
    onError: (err) => logger.warn({ event: 'visitor_blocks.sync_failed', err }, 'visitor blocks: reload or hit count failed (retried)'),
  });
  const rateLimiters = coordination.rateLimiters;
  const visitorGate = (c: Context, conversation: Conversation) =>
    visitorBlocks.check({ ip: clientAddress(c), visitorId: conversation.visitor.visitorId });
  const stops: Array<() => void | Promise<void>> = [];
  // Visitors on the site: presence in this process or Redis, automatic invitation rules in the database, checked
  // every second.
  const visitors = coordination.createVisitorPresence({ clock });
  const invitationRules = storage.invitationRules;
  const chatOpen = async (conversationId: string) => {
    try {
      return (await store.getConversation(conversationId)).status !== 'closed';
    } catch {
      return false;
    }
  };
  const invitations = createInvitationClaims({
    presence: visitors, rules: invitationRules, agents: { get: (id) => agents.find(id) }, clock,
    status: (id) => presence.status(id), heldConversationIds: (id) => routing.heldConversationIds(id),
    onNoteFailed: (err) => logger.warn({ event: 'invitation.note_failed', err }, 'visitor list: chat not noted'),
  });
  /** Who changed what (accounts, groups, blocks, privacy, shared replies, content), read by GET /api/admin/audit. */
  const audit = storage.audit;
  // Files sent in chats: bytes in an object store (a folder under DATA_DIR, or PostgreSQL with several nodes), rows
  // beside the messages. An erasure deletes the rows in its transaction; the bytes follow once it has committed.
  const attachmentErasure = createAttachmentErasure({ store: storage.attachments, blobs: storage.attachmentBlobs, clock });
  const removeErasedAttachments = async () => {
    const removed = await attachmentErasure.removeErased();
    if (removed > 0) logger.info({ event: AttachmentLogEvent.erased, files: removed }, 'files of erased chats removed');
  };
  // Answers to left messages also go by e-mail when the visitor left an address and mail is set up (issue 17).
  const mailer = givenMailer ?? (config.smtp ? createSmtpMailer(config.smtp) : undefined);
  const ticketMail = mailer ? createTicketAnswerMail({ mailer, log: logger }) : undefined;

  return {
    hub, clock, routing, presence, requireAgent, connections, unanswered, visitorBlocks, visitors, invitations, rateLimiters, agentNames,
    mount(app) {
      app.route('/', visitorPresenceRoutes({
        presence: visitors, rules: invitationRules, requireAgent, clock, clientAddress, clientKey, connections, inChat: chatOpen, audit, unitOfWork,
        visitorGate: (who) => visitorBlocks.check(who), rateLimiters, streamSlots: coordination.streamSlots,
        options: { heartbeatMs: a.liveHeartbeatMs, ...(config.rateLimits ? {} : { rateLimit: 'off' as const }) },
      }));
      app.route('/', agentAuthRoutes({
        // The limiter counts per client key (an IPv6 client's /64), so rotating addresses buys no more guesses.
        accounts, sessions, passwords, limiter: coordination.loginLimiter({}), requireAgent, clientAddress: clientKey, hub,
        allowedOrigins: a.allowedOrigins, secureCookies: a.cookieSecure, log: logger, maxBodyBytes,
      }));
      app.route('/', adminAgentRoutes({ accounts, requireAgent, audit, maxBodyBytes }));
      app.route('/', cannedReplyRoutes({ replies: storage.cannedReplies, requireAgent, audit, maxBodyBytes, files: storage.cannedFileBlobs }));
      // The library's files: uploaded by admins, sent into chats as copies (attachments of that chat).
      app.route('/', cannedFileRoutes({
        replies: storage.cannedReplies, files: storage.cannedFileBlobs, attachments: storage.attachments, attachmentBlobs: storage.attachmentBlobs,
        hub, requireAgent, audit, rateLimiters,
        // A colleague who joined the chat sends a library file like its holder.
        viewed: async (id) => collaboration.viewed(await routingStore.get(id)),
        options: {
          ...(config.maxAttachmentBytes !== undefined ? { maxBytes: config.maxAttachmentBytes } : {}),
          ...(config.rateLimits ? {} : { rateLimit: 'off' as const }),
        },
      }));
      app.route('/', adminGroupRoutes({ groups, hub, requireAgent, audit, maxBodyBytes }));
      app.route('/', agentQueueRoutes({
        routing, presence, groups, tickets, hub, requireAgent, audit, options: { maxBodyBytes },
        ...(ticketMail ? { onTicketAnswered: (ticket: Ticket) => ticketMail.answered(ticket) } : {}),
      }));
      app.route('/', visitorRoutes({
        conversations: store, routing, tickets, clock,
        groupOf: (c) => kbPort.conversationGroup(c),
        messages: () => kb().messages,
        visitorGate,
        options: { maxMessageChars: config.maxMessageChars, maxBodyBytes },
      }));
      app.route('/', liveRoutes({
        store, transcripts, hub, presence, requireAgent, connections, log: logger, allowedOrigins: a.allowedOrigins, widgetOrigins: config.widgetOrigins,
        // Stream topics and typing: the chats held, and those joined as a colleague.
        heldConversations: async (agentId) => [...(await routing.heldConversationIds(agentId)), ...(await collaboration.joinedConversationIds(agentId))],
        agentName: agentNames,
        visitorState: (id) => routing.visitorState(id),
        visitorGate,
        streamSlots: coordination.streamSlots,
        rateLimiters,
        options: {
          heartbeatMs: a.liveHeartbeatMs,
          // Redis pub/sub may drop an event between nodes: streams then read the store on every heartbeat.
          catchUpOnHeartbeat: coordination.mode === 'redis',
          maxVisitorStreamsPerAddress: config.rateLimits ? config.maxVisitorStreamsPerAddress : 'off',
          ...(config.rateLimits ? {} : { typingRateLimit: 'off' as const }),
        },
      }));
      app.route('/', colleagueRoutes({ agents, presence, requireAgent }));
      app.route('/', collaborationRoutes({ collaboration, requireAgent, options: { maxBodyBytes } }));
      app.route('/', searchRoutes({ transcripts, requireAgent, audit, rateLimiters, agents: { get: (id) => agents.find(id) }, options: config.rateLimits ? {} : { rateLimit: 'off' } }));
      app.route('/', visitorHistoryRoutes({ transcripts, routing: { get: async (id) => collaboration.viewed(await routingStore.get(id)) }, conversations: store, agents: { get: (id) => agents.find(id) }, requireAgent, audit }));
      app.route('/', visitorBlockRoutes({
        blocks: visitorBlocks, routing, conversations: store, agents: { get: (id) => agents.find(id) }, requireAgent, log: logger, audit, unitOfWork,
        isTrustedProxy: (ip) => config.trustProxy(ip, 0),
        options: { maxBodyBytes, ipv6PrefixLength: config.ipv6PrefixLength },
      }));
      app.route('/', adminVisitorRoutes({ visitors: visitorTranscripts, requireAgent, log: logger, audit, unitOfWork, afterErase: removeErasedAttachments }));
      app.route('/', attachmentRoutes({
        conversations: store, attachments: storage.attachments, blobs: storage.attachmentBlobs, hub, requireAgent, audit, visitorGate, rateLimiters,
        // A colleague who joined the chat opens its files like its holder.
        viewed: async (id) => collaboration.viewed(await routingStore.get(id)),
        options: {
          ...(config.maxAttachmentBytes !== undefined ? { maxBytes: config.maxAttachmentBytes } : {}),
          ...(config.rateLimits ? {} : { rateLimit: 'off' as const }),
        },
      }));
      // Read receipts: how far each side has read, told to the other side live (a `read` event on the chat's topic).
      app.route('/', readMarkerRoutes({
        conversations: store, markers: storage.readMarkers, hub, requireAgent, visitorGate, rateLimiters, clock,
        // A colleague who joined the chat reads it like its holder, and their reading counts for the visitor.
        viewed: async (id) => collaboration.viewed(await routingStore.get(id)),
        participates: async (id, agentId) => (await collaboration.viewed(await routingStore.get(id))).participants.includes(agentId),
        ...(config.rateLimits ? {} : { options: { rateLimit: 'off' as const } }),
      }));
      app.route('/', auditRoutes({ audit, requireAgent }));
      // The widget's welcome, warning banner and logo: read by every widget at start, edited by admins.
      app.route('/', visitorTextsRoutes({ store: storage.visitorTexts, requireAgent, audit, unitOfWork, clock, messages: () => kb().messages }));
      app.route('/', reportRoutes({ reports: storage.reports, requireAgent, clock }));
      app.route('/', monitorRoutes({
        monitor: createMonitor({ store: routingStore, agents, presence, maskText: maskPersonalData, clock }),
        store: routingStore, hub, requireAgent, audit,
      }));
      app.route('/', unansweredRoutes({ store: unansweredStore, requireAgent, clock, audit, unitOfWork, entryExists: (id) => kbPort.entryExists(id), toYaml: kbChangeToYaml }));
      app.route('/', faqDraftRoutes({
        drafts: storage.faqDrafts, conversations: store, requireAgent, clock, audit, unitOfWork, mask: maskPersonalData,
        entryExists: (id) => kbPort.entryExists(id), toYaml: kbChangeToYaml,
        agentName: async (id) => (await agents.find(id))?.displayName,
      }));
    },
    async start() {
      await visitorBlocks.load();
      await visitors.start();
      await bootstrapAdmin({ agents, passwords, admin: config.admin, log: logger });
      await routing.recover();
      // Bytes an erasure (or a crashed upload) left behind when the process stopped; then again every 6 hours.
      const attachmentUpkeep = () => {
        removeErasedAttachments()
          .then(() => attachmentErasure.sweepOrphans())
          .then((n) => n > 0 && logger.info({ event: AttachmentLogEvent.orphansRemoved, files: n }, 'files of uploads that never completed removed'))
          .catch((err) => logger.warn({ event: AttachmentLogEvent.eraseFailed, err }, 'attachment upkeep failed (retried)'));
      };
      attachmentUpkeep();
      const upkeepTimer = leaderIntervals.setInterval(attachmentUpkeep, 6 * 3_600_000);
      stops.push(() => leaderIntervals.clearInterval(upkeepTimer));
      stops.push(routing.startIdleSweep());
      // On every node, not the leader only: a node sweeps the visitors whose presence stream it holds, and each
      // invitation is sent once however many nodes sweep (VisitorPresence.sweep).
      const invitationSweep = setInterval(() => {
        invitationRules.list().then((rules) => visitors.sweep(rules, chatOpen)).catch((err) => logger.warn({ event: 'invitation.sweep_failed', err }, 'invitation sweep failed'));
      }, 1000);
      invitationSweep.unref();
      stops.push(() => clearInterval(invitationSweep));
      const sweeper = startSessionSweeper({ sessions: { ...sessions, sweep: async () => (isLeader() ? sessions.sweep() : []) }, hub, log: logger });
      stops.push(() => sweeper.stop());
      if (config.retentionDays > 0) {
        const retention = createRetention(
          {
            // Off the leader a run finds nothing to erase. A new leader runs at its own daily tick (a day late at most).
            transcripts: { ...visitorTranscripts, inactiveSince: async (before, limit) => (isLeader() ? visitorTranscripts.inactiveSince(before, limit) : []) },
            audit, unitOfWork, clock, log: logger, afterErase: removeErasedAttachments,
          },
          { days: config.retentionDays },
        );
        stops.push(retention.start());
      }
    },
    async stop() {
      connections.closeAll();
      ticketMail?.stop();
      for (const stop of stops.splice(0).reverse()) await stop();
      routing.dispose();
      presence.close();
      await routing.settled();
      await Promise.all(leaving);
      // After the streams and timers: the refused requests counted so far reach the database before it closes.
      await visitorBlocks.stop();
      await visitors.stop();
    },
  };
}
