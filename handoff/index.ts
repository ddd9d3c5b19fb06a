// The human side's surface: what the server composes and what one visitor turn (bot/chat) uses. Everything
// else is reached inside handoff through its feature folders; the browser's JSON types are http/wire.ts.

// ---- Composition: the database, and every store, service and route of the human side on it.
export { openDatabase, type Db } from './sqlite/db.ts';
export { startDbMaintenance } from './sqlite/db-maintenance.ts';
export { createSqliteConversationStore } from './conversations/sqlite-conversation-store.ts';
export { createHandoffServices, type HandoffOptions, type HandoffServices, type KbPort } from './compose.ts';
export { openHandoffBackend, type HandoffBackend } from './backend.ts';
export { createKbPublications, openKbPublications, type KbPublications } from './content/kb-publications.ts';
export type { KbPublication, KbPublicationHead } from './content/kb-publication-store.ts';

// ---- HTTP plumbing the chat routes share with handoff's routes.
export type { AppEnv } from './http/app-env.ts';
export { clientAddress, clientKey, resolveClientAddress } from './http/client-address.ts';
export { createErrorHandler, errorBody, notFoundHandler } from './http/error-handler.ts';
export { loggedPath } from './http/logged-path.ts';
export { bearerToken } from './http/bearer-token.ts';
export { limitBody } from './http/body-limit.ts';
export { readJsonBody } from './http/read-json-body.ts';
export { normalizeOrigin, parseAllowedOrigins } from './http/same-origin.ts';
export { createRateLimiter, defaultConversationCreateRateLimit, defaultConversationRateLimit, defaultIpRateLimit, memoryRateLimiters, type RateLimiterFactory, type RateLimitOptions } from './http/rate-limit.ts';
export { ConflictError, ValidationError } from './platform/errors.ts';
export { systemClock, type Clock } from './platform/clock.ts';
export type { Hub } from './platform/hub.ts';

// ---- One visitor turn: the conversation it is stored in, and what a handoff does with it.
export type { Conversation, ConversationStore, JsonObject, ProvinceQuestion, StoredMessage, TurnInput, VisitorInfo } from './conversations/conversation-store.ts';
export { CLIENT_MESSAGE_ID_RULE, clientMessageIdField } from './conversations/client-message-id.ts';
export { publishMessages } from './conversations/publish-message.ts';
export type { Agent } from './agents/agent.ts';
export type { Availability, Routing } from './routing/routing.ts';
export { queuedReply, unavailableReply, type HandoffReplyFields } from './routing/handoff-reply.ts';
export { handoffText } from './routing/handoff-texts.ts';
export { describeHours } from './routing/business-hours.ts';
export { declinesProvince, isProvinceId, parseProvinceAnswer, provinceName, provinceSuggestions } from './routing/provinces.ts';
export type { InvitationClaims } from './visitors/invitation-claims.ts';
export type { VisitorBlocks } from './visitors/visitor-blocks.ts';
export type { UnansweredLog, UnansweredRecord } from './content/unanswered-store.ts';
