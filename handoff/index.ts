// Public surface of the handoff module: storage of conversations and messages, and the typed errors.
export { openDatabase, defaultDbOptions, type Db, type DbOptions } from './sqlite/db.ts';
export { startDbMaintenance, type DbMaintenanceOptions } from './sqlite/db-maintenance.ts';
export { migrate, readMigrations, defaultMigrationsDir, type Migration } from './sqlite/migrate.ts';
export * from './conversations/conversation-store.ts';
export {
  createSqliteConversationStore,
  defaultSqliteConversationStoreOptions,
  type SqliteConversationStoreOptions,
} from './conversations/sqlite-conversation-store.ts';
export { hashToken, newConversationId, newConversationToken, tokenMatches } from './conversations/conversation-token.ts';
export * from './platform/errors.ts';
export { systemClock, type Clock } from './platform/clock.ts';
export type { Agent, AgentRole, AgentStatus } from './agents/agent.ts';
export type { Presence } from './routing/presence.ts';
export { createMemoryHub, type Hub, type LiveEvent, type Listener, type Topic } from './platform/hub.ts';
export type { AgentEnv, AgentVariables, RequireAgent } from './agents/agent-env.ts';
// Agents, sessions, sign-in, admin of agents, canned replies (helper A of issue 3).
export * from './agents/agent-store.ts';
export { createSqliteAgentStore, defaultSqliteAgentStoreOptions, type SqliteAgentStoreOptions } from './agents/sqlite-agent-store.ts';
export * from './auth/session-store.ts';
export { createSqliteSessionStore } from './auth/sqlite-session-store.ts';
export { createPasswordHasher, checkNewPassword, defaultPasswordOptions, type PasswordHasher, type PasswordOptions } from './auth/password.ts';
export { createLoginLimiter, defaultLoginLimiterOptions, type LoginLimiter, type LoginLimiterOptions, type LoginBucketOptions } from './auth/login-limiter.ts';
export { assertOriginAllowed, assertSameOrigin, sameOrigin, normalizeOrigin, normalizeAllowed, parseAllowedOrigins, type AllowedOrigins } from './http/same-origin.ts';
export { SESSION_COOKIE, setSessionCookie, clearSessionCookie, readSessionCookie, type SecureCookies } from './auth/session-cookie.ts';
export { createRequireAgent, type RequireAgentDeps } from './auth/require-agent.ts';
export { createAgentAccounts, type AgentAccounts, type AgentAccountsDeps, type ChangeOptions } from './agents/agent-accounts.ts';
export { parseNewAgent, parseAgentPatch, MAX_CAPACITY, DEFAULT_CAPACITY, type NewAgentInput, type AgentPatchInput } from './agents/agent-input.ts';
export { agentAuthRoutes, type AgentAuthRoutesDeps } from './auth/agent-auth-routes.ts';
export { adminAgentRoutes, type AdminAgentRoutesDeps, type AgentView } from './agents/admin-agent-routes.ts';
export * from './content/canned-reply-store.ts';
export { createSqliteCannedReplyStore, defaultSqliteCannedReplyStoreOptions, type SqliteCannedReplyStoreOptions } from './content/sqlite-canned-reply-store.ts';
export { cannedReplyRoutes, type CannedReplyRoutesDeps } from './content/canned-reply-routes.ts';
export { bootstrapAdmin, BootstrapAdminError, type BootstrapResult, type BootstrapAdminDeps } from './agents/bootstrap-admin.ts';
export { startSessionSweeper, defaultSessionSweeperOptions, type SessionSweeper, type SessionSweeperOptions } from './auth/session-sweeper.ts';
export { AgentLogEvent, silentAgentLog, type AgentLog } from './agents/agent-log.ts';
// Live delivery (SSE), typing, transcript search (helper C of issue 3).
export { type MemoryHub } from './platform/hub.ts';
export * from './search/transcript-store.ts';
export { createSqliteTranscriptStore, defaultSqliteTranscriptStoreOptions, TRIGRAM_MIN_CHARS, type SqliteTranscriptStoreOptions } from './search/sqlite-transcript-store.ts';
export { liveRoutes, defaultLiveOptions, resumePoint, LiveLogEvent, type LiveRoutesDeps, type LiveOptions, type LiveLog } from './live/live-routes.ts';
export { createLiveConnections, type LiveConnections } from './live/live-connections.ts';
export { defaultSseConnectionOptions, type SseConnectionOptions, type CloseReason } from './live/sse-connection.ts';
export * from './live/live-events.ts';
export { searchRoutes, defaultSearchOptions, type SearchRoutesDeps, type SearchOptions, type SearchResult } from './search/search-routes.ts';
export { makeSnippet, defaultSnippetOptions, type Snippet, type SnippetOptions } from './search/search-snippet.ts';
// Groups, business hours, presence, queue, routing, transfer, close, tickets, rating (helper B of issue 3).
export * from './routing/business-hours.ts';
export { createGroups, defaultGroupsOptions, groupBodySchema, GROUP_ID, type Group, type GroupInput, type GroupStore, type Groups, type GroupsOptions, type HoursStatus, type RouteTarget } from './routing/groups.ts';
export { declinesProvince, isProvinceId, parseProvinceAnswer, provinceName, provinceSuggestions, PROVINCE_IDS, type ProvinceSuggestion } from './routing/provinces.ts';
export { createSqliteGroupStore } from './routing/sqlite-group-store.ts';
export { createPresenceService, defaultPresenceServiceOptions, systemTimers, type PresenceService, type PresenceServiceDeps, type PresenceServiceOptions, type PresenceListener, type Timers } from './routing/presence-service.ts';
export { pickAgent, type AgentLoad } from './routing/round-robin.ts';
export * from './routing/routing-store.ts';
export { createSqliteRoutingStore } from './routing/sqlite-routing-store.ts';
export { median, estimateWaitSeconds, defaultQueueEtaOptions, type QueueEtaOptions } from './routing/queue-eta.ts';
export {
  createRouting,
  defaultRoutingOptions,
  RoutingLogEvent,
  type AgentDirectory,
  type Availability,
  type Closer,
  type CloseOutcome,
  type EnqueueOutcome,
  type HeldItem,
  type IntervalTimers,
  type QueueItem,
  type QueueStanding,
  type Routing,
  type RoutingDeps,
  type RoutingLogger,
  type RoutingOptions,
  type TransferTarget,
} from './routing/routing.ts';
export { buildConversationView, VIEW_PAGE_SIZE, type ConversationView, type DescribeEntry, type ViewCandidate, type ViewMessage } from './conversations/conversation-view.ts';
export * from './routing/tickets.ts';
export { createSqliteTicketStore } from './routing/sqlite-ticket-store.ts';
export { defaultHandoffTexts, handoffText, type HandoffTextKey, type Messages } from './routing/handoff-texts.ts';
export { queuedReply, unavailableReply, type HandoffReplyFields } from './routing/handoff-reply.ts';
export { publishMessage, publishMessages } from './conversations/publish-message.ts';
export { parseBody } from './http/parse-body.ts';
export { agentQueueRoutes, defaultAgentQueueRoutesOptions, type AgentQueueRoutesDeps, type AgentQueueRoutesOptions } from './routing/agent-queue-routes.ts';
export { adminGroupRoutes, type AdminGroupRoutesDeps } from './routing/admin-group-routes.ts';
export { adminVisitorRoutes, type AdminVisitorRoutesDeps } from './visitors/admin-visitor-routes.ts';
export { createVisitorTranscripts, type VisitorTranscripts } from './visitors/visitor-transcripts.ts';
export { visitorRoutes, defaultVisitorRoutesOptions, type VisitorRoutesDeps, type VisitorRoutesOptions, type HandoffResponse } from './conversations/visitor-routes.ts';
export { toAgent } from './agents/agent.ts';
export { colleagueRoutes, type Colleague } from './agents/colleague-routes.ts';
// Who may call each /api route (SECURITY.md; test/authorization-table.test.ts checks it against the router).
export { authorizationTable, type AuthorizedRoute, type RouteAccess, type RouteMethod } from './http/authorization-table.ts';
export { limitBody } from './http/body-limit.ts';
// Supervisors' live monitor (issue 7).
export { createMonitor, defaultMonitorOptions, NO_GROUP, type Monitor, type MonitorAgent, type MonitorChat, type MonitorDeps, type MonitorOptions, type MonitorQueueGroup, type MonitorSnapshot } from './supervision/monitor.ts';
export { monitorRoutes, type MonitorRoutesDeps } from './supervision/monitor-routes.ts';
export { supervisorWireEvent, type SupervisorWireEvent, type WatchingWireEvent } from './supervision/monitor-events.ts';
export type { SupervisorChange } from './platform/hub.ts';
// Supervisors' reports (issue 7).
export { createSqliteReports, defaultReportsOptions, type Report, type Reports, type ReportsOptions, type ReportRange, type AgentReport, type Csat } from './supervision/reports.ts';
export { reportRoutes, defaultReportRoutesOptions, type ReportRoutesDeps, type ReportRoutesOptions } from './supervision/report-routes.ts';
export { reportCsv, csvCell } from './supervision/report-csv.ts';
// Unanswered inbox: questions the bot could not answer, grouped for editors (issue 7).
export { createSqliteUnansweredStore, type UnansweredCandidate, type UnansweredLog, type UnansweredQuery, type UnansweredRecord, type UnansweredRow, type UnansweredStore } from './content/unanswered-store.ts';
export { groupUnanswered, groupKeyOf, defaultUnansweredGroupOptions, type GroupCandidate, type UnansweredGroup, type UnansweredGroupOptions } from './content/unanswered-groups.ts';
export { unansweredRoutes, defaultUnansweredRoutesOptions, type UnansweredRoutesDeps, type UnansweredRoutesOptions } from './content/unanswered-routes.ts';
export { checkKbChange, kbChangeRequestSchema } from './content/unanswered-change.ts';
// FAQ drafts: agents' answers to handed-off questions, saved for editors (issue 7).
export { createSqliteFaqDraftStore, FAQ_DRAFT_STATUSES, type FaqDraft, type FaqDraftQuery, type FaqDraftStatus, type FaqDraftStore, type NewFaqDraft, type DraftSourceMessage } from './content/faq-draft-store.ts';
export { faqDraftRoutes, defaultFaqDraftRoutesOptions, type FaqDraftJson, type FaqDraftRoutesDeps, type FaqDraftRoutesOptions } from './content/faq-draft-routes.ts';
export { draftToChange } from './content/faq-draft-change.ts';
export { draftQuestion, suggestedEntryOf } from './content/faq-draft-source.ts';
// Visitor blocking (issue 6): blocks by visitor id or address, the in-memory gate, the agent and admin routes.
export { createVisitorBlocks, defaultVisitorBlocksOptions, BLOCK_KINDS, type BlockKind, type BlockSummary, type NewBlock, type VisitorBlock, type VisitorBlocks, type VisitorBlocksOptions, type VisitorIdentity } from './visitors/visitor-blocks.ts';
export { visitorBlockRoutes, defaultVisitorBlockRoutesOptions, VisitorBlockLogEvent, type BlockJson, type VisitorBlockRoutesDeps, type VisitorBlockRoutesOptions } from './visitors/visitor-block-routes.ts';
// Editor role and audit log (issue 7): who may do what, and who changed what.
export { AGENT_ROLES, ROLES_WITH_ACCESS, roleAllows, type AgentAccess } from './agents/agent.ts';
export { createSqliteAuditLog, defaultSqliteAuditLogOptions, actorOf, CLI_ACTOR, AuditAction, type AuditLog, type AuditActor, type AuditTarget, type AuditDetails, type AuditEntry, type AuditQuery, type SqliteAuditLogOptions } from './supervision/audit-log.ts';
export { auditRoutes, defaultAuditRoutesOptions, type AuditRoutesDeps, type AuditRoutesOptions } from './supervision/audit-routes.ts';
// Visitors on the site (issue 7): presence, page views, invitations and the automatic invitation rules.
export { createVisitorPresence, defaultVisitorPresenceOptions, type Invitation, type VisitorPresence, type VisitorPresenceOptions, type VisitorSnapshot } from './visitors/visitor-presence.ts';
export { createSqliteInvitationRuleStore, matchesUrlPattern, type InvitationRule, type InvitationRuleStore } from './visitors/invitation-rules.ts';
export { visitorPresenceRoutes, defaultVisitorPresenceRoutesOptions, type VisitorPresenceRoutesOptions } from './visitors/visitor-presence-routes.ts';
export { createInvitationClaims, type InvitationClaim, type InvitationClaims } from './visitors/invitation-claims.ts';
