// Public surface of the handoff module: storage of conversations and messages, and the typed errors.
export { openDatabase, defaultDbOptions, type Db, type DbOptions } from './db.ts';
export { startDbMaintenance, type DbMaintenanceOptions } from './db-maintenance.ts';
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
// Agents, sessions, sign-in, admin of agents, canned replies (helper A of issue 3).
export * from './agent-store.ts';
export { createSqliteAgentStore, defaultSqliteAgentStoreOptions, type SqliteAgentStoreOptions } from './sqlite-agent-store.ts';
export * from './session-store.ts';
export { createSqliteSessionStore } from './sqlite-session-store.ts';
export { createPasswordHasher, checkNewPassword, defaultPasswordOptions, type PasswordHasher, type PasswordOptions } from './password.ts';
export { createLoginLimiter, defaultLoginLimiterOptions, type LoginLimiter, type LoginLimiterOptions, type LoginBucketOptions } from './login-limiter.ts';
export { assertOriginAllowed, assertSameOrigin, sameOrigin, normalizeOrigin, normalizeAllowed, parseAllowedOrigins, type AllowedOrigins } from './same-origin.ts';
export { SESSION_COOKIE, setSessionCookie, clearSessionCookie, readSessionCookie, type SecureCookies } from './session-cookie.ts';
export { createRequireAgent, type RequireAgentDeps } from './require-agent.ts';
export { createAgentAccounts, type AgentAccounts, type AgentAccountsDeps, type ChangeOptions } from './agent-accounts.ts';
export { parseNewAgent, parseAgentPatch, MAX_CAPACITY, DEFAULT_CAPACITY, type NewAgentInput, type AgentPatchInput } from './agent-input.ts';
export { agentAuthRoutes, type AgentAuthRoutesDeps } from './agent-auth-routes.ts';
export { adminAgentRoutes, type AdminAgentRoutesDeps, type AgentView } from './admin-agent-routes.ts';
export * from './canned-reply-store.ts';
export { createSqliteCannedReplyStore, defaultSqliteCannedReplyStoreOptions, type SqliteCannedReplyStoreOptions } from './sqlite-canned-reply-store.ts';
export { cannedReplyRoutes, type CannedReplyRoutesDeps } from './canned-reply-routes.ts';
export { bootstrapAdmin, BootstrapAdminError, type BootstrapResult, type BootstrapAdminDeps } from './bootstrap-admin.ts';
export { startSessionSweeper, defaultSessionSweeperOptions, type SessionSweeper, type SessionSweeperOptions } from './session-sweeper.ts';
export { AgentLogEvent, silentAgentLog, type AgentLog } from './agent-log.ts';
// Live delivery (SSE), typing, transcript search (helper C of issue 3).
export { type MemoryHub } from './hub.ts';
export * from './transcript-store.ts';
export { createSqliteTranscriptStore, defaultSqliteTranscriptStoreOptions, TRIGRAM_MIN_CHARS, type SqliteTranscriptStoreOptions } from './sqlite-transcript-store.ts';
export { liveRoutes, defaultLiveOptions, resumePoint, LiveLogEvent, type LiveRoutesDeps, type LiveOptions, type LiveLog } from './live-routes.ts';
export { createLiveConnections, type LiveConnections } from './live-connections.ts';
export { defaultSseConnectionOptions, type SseConnectionOptions, type CloseReason } from './sse-connection.ts';
export * from './live-events.ts';
export { searchRoutes, defaultSearchOptions, type SearchRoutesDeps, type SearchOptions, type SearchResult } from './search-routes.ts';
export { makeSnippet, defaultSnippetOptions, type Snippet, type SnippetOptions } from './search-snippet.ts';
// Groups, business hours, presence, queue, routing, transfer, close, tickets, rating (helper B of issue 3).
export * from './business-hours.ts';
export { createGroups, defaultGroupsOptions, groupBodySchema, GROUP_ID, type Group, type GroupInput, type GroupStore, type Groups, type GroupsOptions, type HoursStatus, type RouteTarget } from './groups.ts';
export { declinesProvince, isProvinceId, parseProvinceAnswer, provinceName, provinceSuggestions, PROVINCE_IDS, type ProvinceSuggestion } from './provinces.ts';
export { createSqliteGroupStore } from './sqlite-group-store.ts';
export { createPresenceService, defaultPresenceServiceOptions, systemTimers, type PresenceService, type PresenceServiceDeps, type PresenceServiceOptions, type PresenceListener, type Timers } from './presence-service.ts';
export { pickAgent, type AgentLoad } from './round-robin.ts';
export * from './routing-store.ts';
export { createSqliteRoutingStore } from './sqlite-routing-store.ts';
export { median, estimateWaitSeconds, defaultQueueEtaOptions, type QueueEtaOptions } from './queue-eta.ts';
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
} from './routing.ts';
export { buildConversationView, VIEW_PAGE_SIZE, type ConversationView, type DescribeEntry, type ViewCandidate, type ViewMessage } from './conversation-view.ts';
export * from './tickets.ts';
export { createSqliteTicketStore } from './sqlite-ticket-store.ts';
export { defaultHandoffTexts, handoffText, type HandoffTextKey, type Messages } from './handoff-texts.ts';
export { queuedReply, unavailableReply, type HandoffReplyFields } from './handoff-reply.ts';
export { publishMessage, publishMessages } from './publish-message.ts';
export { parseBody } from './parse-body.ts';
export { agentQueueRoutes, defaultAgentQueueRoutesOptions, type AgentQueueRoutesDeps, type AgentQueueRoutesOptions } from './agent-queue-routes.ts';
export { adminGroupRoutes, type AdminGroupRoutesDeps } from './admin-group-routes.ts';
export { adminVisitorRoutes, type AdminVisitorRoutesDeps } from './admin-visitor-routes.ts';
export { createVisitorTranscripts, type VisitorTranscripts } from './visitor-transcripts.ts';
export { visitorRoutes, defaultVisitorRoutesOptions, type VisitorRoutesDeps, type VisitorRoutesOptions, type HandoffResponse } from './visitor-routes.ts';
export { toAgent } from './agent.ts';
export { colleagueRoutes, type Colleague } from './colleague-routes.ts';
// Who may call each /api route (SECURITY.md; test/authorization-table.test.ts checks it against the router).
export { authorizationTable, type AuthorizedRoute, type RouteAccess, type RouteMethod } from './authorization-table.ts';
export { limitBody } from './body-limit.ts';
// Supervisors' live monitor (issue 7).
export { createMonitor, defaultMonitorOptions, NO_GROUP, type Monitor, type MonitorAgent, type MonitorChat, type MonitorDeps, type MonitorOptions, type MonitorQueueGroup, type MonitorSnapshot } from './monitor.ts';
export { monitorRoutes, type MonitorRoutesDeps } from './monitor-routes.ts';
export { supervisorWireEvent, type SupervisorWireEvent, type WatchingWireEvent } from './monitor-events.ts';
export type { SupervisorChange } from './hub.ts';
// Supervisors' reports (issue 7).
export { createSqliteReports, defaultReportsOptions, type Report, type Reports, type ReportsOptions, type ReportRange, type AgentReport, type Csat } from './reports.ts';
export { reportRoutes, defaultReportRoutesOptions, type ReportRoutesDeps, type ReportRoutesOptions } from './report-routes.ts';
export { reportCsv, csvCell } from './report-csv.ts';
// Unanswered inbox: questions the bot could not answer, grouped for editors (issue 7).
export { createSqliteUnansweredStore, type UnansweredCandidate, type UnansweredLog, type UnansweredQuery, type UnansweredRecord, type UnansweredRow, type UnansweredStore } from './unanswered-store.ts';
export { groupUnanswered, groupKeyOf, defaultUnansweredGroupOptions, type GroupCandidate, type UnansweredGroup, type UnansweredGroupOptions } from './unanswered-groups.ts';
export { unansweredRoutes, defaultUnansweredRoutesOptions, type UnansweredRoutesDeps, type UnansweredRoutesOptions } from './unanswered-routes.ts';
export { checkKbChange, kbChangeRequestSchema } from './unanswered-change.ts';
// FAQ drafts: agents' answers to handed-off questions, saved for editors (issue 7).
export { createSqliteFaqDraftStore, FAQ_DRAFT_STATUSES, type FaqDraft, type FaqDraftQuery, type FaqDraftStatus, type FaqDraftStore, type NewFaqDraft, type DraftSourceMessage } from './faq-draft-store.ts';
export { faqDraftRoutes, defaultFaqDraftRoutesOptions, type FaqDraftJson, type FaqDraftRoutesDeps, type FaqDraftRoutesOptions } from './faq-draft-routes.ts';
export { draftToChange } from './faq-draft-change.ts';
export { draftQuestion, suggestedEntryOf } from './faq-draft-source.ts';
// Visitor blocking (issue 6): blocks by visitor id or address, the in-memory gate, the agent and admin routes.
export { createVisitorBlocks, defaultVisitorBlocksOptions, BLOCK_KINDS, type BlockKind, type BlockSummary, type NewBlock, type VisitorBlock, type VisitorBlocks, type VisitorBlocksOptions, type VisitorIdentity } from './visitor-blocks.ts';
export { visitorBlockRoutes, defaultVisitorBlockRoutesOptions, VisitorBlockLogEvent, type BlockJson, type VisitorBlockRoutesDeps, type VisitorBlockRoutesOptions } from './visitor-block-routes.ts';
// Editor role and audit log (issue 7): who may do what, and who changed what.
export { AGENT_ROLES, ROLES_WITH_ACCESS, roleAllows, type AgentAccess } from './agent.ts';
export { createSqliteAuditLog, defaultSqliteAuditLogOptions, actorOf, CLI_ACTOR, AuditAction, type AuditLog, type AuditActor, type AuditTarget, type AuditDetails, type AuditEntry, type AuditQuery, type SqliteAuditLogOptions } from './audit-log.ts';
export { auditRoutes, defaultAuditRoutesOptions, type AuditRoutesDeps, type AuditRoutesOptions } from './audit-routes.ts';
// Visitors on the site (issue 7): presence, page views, invitations and the automatic invitation rules.
export { createVisitorPresence, defaultVisitorPresenceOptions, type Invitation, type VisitorPresence, type VisitorPresenceOptions, type VisitorSnapshot } from './visitor-presence.ts';
export { createSqliteInvitationRuleStore, matchesUrlPattern, type InvitationRule, type InvitationRuleStore } from './invitation-rules.ts';
export { visitorPresenceRoutes, defaultVisitorPresenceRoutesOptions, type VisitorPresenceRoutesOptions } from './visitor-presence-routes.ts';
export { createInvitationClaims, type InvitationClaim, type InvitationClaims } from './invitation-claims.ts';
