// Every JSON shape the browser reads from handoff's routes, in one place: the widget and the console import
// their types from here (and bot/chat/wire.ts), never from the modules behind them. Types only.

// ---- The visitor's side: the handoff button, the live stream, presence and invitations.
export type { HandoffResponse } from '../conversations/visitor-routes.ts';
export type { ConversationStatus } from '../conversations/conversation-store.ts';
export type { VisitorMessageData, VisitorState, VisitorWireEvent, AgentWireEvent } from '../live/live-events.ts';
export type { ReadEventData } from '../live/live-events.ts';
export type { Reader, ReadMarker, ReadState } from '../conversations/read-markers/read-marker-store.ts';
export type { ReadResponse } from '../conversations/read-markers/read-marker-routes.ts';
export type { AttachmentType, MessageAttachment } from '../conversations/attachments/attachment.ts';
export type { AttachmentResponse } from '../conversations/attachments/attachment-routes.ts';

// ---- The console: who is signed in, colleagues, the queue and the chats held.
export type { Agent, AgentRole, AgentStatus } from '../agents/agent.ts';
export type { AgentRecord } from '../agents/agent-store.ts';
export type { Colleague } from '../agents/colleague-routes.ts';
export type { HeldItem, QueueItem } from '../routing/routing.ts';
export type { BusinessHours } from '../routing/business-hours.ts';
export type { ProvinceOption } from '../routing/provinces.ts';
export type { Ticket, TicketStatus, VisitorTicket } from '../routing/tickets.ts';
export type { ConversationView, ViewCandidate, ViewMessage } from '../conversations/conversation-view.ts';
export type { SearchResult } from '../search/search-routes.ts';
export type { ViewParticipant } from '../conversations/conversation-view.ts';
export type { ChatInvitationJson, ConsultNoteJson, ConsultThreadJson, ParticipantsJson } from '../collaboration/collaboration.ts';
export type { ParticipantChange } from '../platform/hub.ts';
export type { VisitorHistoryItem } from '../search/visitor-history-routes.ts';

// ---- Visitors on the site, blocks, invitation rules.
export type { VisitorJson } from '../visitors/visitor-presence-routes.ts';
export type { BlockJson } from '../visitors/visitor-block-routes.ts';
export type { BlockSummary } from '../visitors/visitor-blocks.ts';
export type { InvitationRule } from '../visitors/invitation-rules.ts';
export type { PublicVisitorTexts } from '../visitor-texts/visitor-texts.ts';
export type { AdminVisitorTexts } from '../visitor-texts/visitor-texts-routes.ts';

// ---- Supervision: the monitor, reports, the audit log.
export type { MonitorChat, MonitorSnapshot } from '../supervision/monitor.ts';
export type { SupervisorWireEvent, WatchingWireEvent } from '../supervision/monitor-events.ts';
export type { Report } from '../supervision/reports.ts';
export type { AuditEntry } from '../supervision/audit-log.ts';

// ---- Content: canned replies, the unanswered inbox, FAQ drafts, the change files they make.
export type { CannedReply } from '../content/canned-reply-store.ts';
export type { UnansweredGroup } from '../content/unanswered-groups.ts';
export type { FaqDraftJson } from '../content/faq-draft-routes.ts';
export type { FaqDraftStatus } from '../content/faq-draft-store.ts';
export type { KbChange } from '../../knowledge/kb-change.ts';
