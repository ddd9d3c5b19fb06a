// The wire format of the live streams (SSE `event:` names and `data:` JSON): what visitors and agents are told.
import type { AgentStatus } from '../agents/agent.ts';
import type { ConversationStatus, MessageAuthor, StoredMessage } from '../conversations/conversation-store.ts';
import type { MessageAttachment } from '../conversations/attachments/attachment.ts';
import type { ConsultNoteData, LiveEvent, ParticipantChange } from '../platform/hub.ts';
import type { SseEvent } from './sse-connection.ts';

/** A message as the visitor sees it (the same fields as GET /api/conversations/:id/messages). */
export interface VisitorMessageData {
  conversationId: string;
  id: number;
  author: MessageAuthor;
  text: string;
  createdAt: string;
  /** A file sent in the chat (its `url` downloads it with the visitor's token or an agent's session). */
  attachment?: MessageAttachment;
  /** Who wrote an agent message, by the name they show visitors: a chat may have two agents (a colleague invited in). */
  agentName?: string;
}

/**
 * A message as an agent sees it: with the bot's decision kind, FAQ entry and confidence when the bot
 * wrote it, and which agent wrote an agent message.
 */
export interface AgentMessageData extends VisitorMessageData {
  kind?: string;
  entryId?: string;
  confidence?: number;
  agentId?: string;
}

/** A side's read marker moved (read receipts): every message up to `upTo` is read by `reader`, since `at`. */
export interface ReadEventData {
  conversationId: string;
  reader: 'visitor' | 'agent';
  upTo: number;
  at: string;
}

/** What the visitor's widget needs to show after (re)connecting. */
export interface VisitorState {
  status: ConversationStatus;
  /** Who holds the conversation, when assigned. */
  agent?: { displayName: string };
  /** Place in the queue, when queued (the estimate when the routing side knows one). */
  queue?: { position: number; etaSeconds?: number };
}

/**
 * Events of GET /api/conversations/:id/events. `message` and `ready` carry `id:` (a message id, the
 * resume point for Last-Event-ID / ?after); the others do not.
 */
export type VisitorWireEvent =
  /** Sent once the stored messages after the resume point have been sent; live events follow. */
  | { event: 'ready'; id: number; data: VisitorState & { conversationId: string; lastMessageId: number } }
  | { event: 'message'; id: number; data: VisitorMessageData }
  | { event: 'typing'; data: { conversationId: string; author: 'agent'; typing: boolean } }
  /** The agent side read the visitor's messages up to `upTo` (an agent holding the chat had it open). */
  | { event: 'read'; data: ReadEventData }
  | { event: 'status'; data: { conversationId: string; status: ConversationStatus; agent?: { displayName: string } } }
  | { event: 'queue_position'; data: { conversationId: string; position: number; etaSeconds: number } }
  /** The conversation moved to another agent or group (the internal note is not shown to visitors). */
  | { event: 'transfer'; data: { conversationId: string } }
  | { event: 'closed'; data: { conversationId: string; by: 'agent' | 'visitor' | 'idle' | 'system' } };

/**
 * Events of GET /api/agent/events. `message` and `ready` carry `id:`. Conversation events come for the
 * conversations the agent holds; `session_ended` is the last event before the stream ends (log in again,
 * do not reconnect).
 */
export type AgentWireEvent =
  | { event: 'ready'; id: number; data: { agentId: string; conversations: string[]; lastMessageId: number } }
  | { event: 'message'; id: number; data: AgentMessageData }
  | { event: 'typing'; data: { conversationId: string; author: 'visitor'; typing: boolean } }
  /** The visitor's widget showed the chat up to `upTo` while visible (the agents' messages up to there are read). */
  | { event: 'read'; data: ReadEventData }
  | { event: 'status'; data: { conversationId: string; status: ConversationStatus; agent?: { id: string; displayName: string } } }
  | { event: 'transfer'; data: { conversationId: string; from?: string; toAgent?: string; toGroup?: string; note?: string } }
  | { event: 'closed'; data: { conversationId: string; by: 'agent' | 'visitor' | 'idle' | 'system' } }
  | { event: 'queue_changed'; data: Record<string, never> }
  | { event: 'assigned'; data: { conversationId: string; agentId: string } }
  | { event: 'presence'; data: { agentId: string; status: AgentStatus } }
  /** A colleague invited into a chat, joined, declined or left it: the console refetches the chat's participants. */
  | { event: 'participants'; data: { conversationId: string; agentId: string; change: ParticipantChange } }
  /** A private note between agents about a chat (a consult): never on the visitor's stream. */
  | { event: 'consult'; data: ConsultNoteData }
  | { event: 'session_ended'; data: Record<string, never> };

/** `agentName`: the display name of the agent who wrote it (agent messages; agent ids stay internal). */
export function visitorMessageEvent(m: StoredMessage, agentName?: string): VisitorWireEvent & SseEvent {
  return {
    event: 'message',
    id: m.id,
    data: {
      conversationId: m.conversationId, id: m.id, author: m.author, text: m.text, createdAt: m.createdAt,
      ...(m.attachment ? { attachment: m.attachment } : {}),
      ...(agentName !== undefined && m.author === 'agent' ? { agentName } : {}),
    },
  };
}

export function agentMessageEvent(m: StoredMessage): AgentWireEvent & SseEvent {
  const data: AgentMessageData = { conversationId: m.conversationId, id: m.id, author: m.author, text: m.text, createdAt: m.createdAt };
  if (m.kind !== undefined) data.kind = m.kind;
  if (m.entryId !== undefined) data.entryId = m.entryId;
  if (m.confidence !== undefined) data.confidence = m.confidence;
  if (m.agentId !== undefined) data.agentId = m.agentId;
  if (m.attachment !== undefined) data.attachment = m.attachment;
  return { event: 'message', id: m.id, data };
}

/**
 * A hub event of the visitor's conversation as the visitor sees it, or undefined when it is not for
 * them (their own typing echo, agent-side events). Messages are not mapped here: the stream reads them
 * from the store so that their order and the resume point are exact.
 */
export function toVisitorEvent(e: LiveEvent): (VisitorWireEvent & SseEvent) | undefined {
  switch (e.type) {
    case 'typing':
      return e.author === 'agent'
        ? { event: 'typing', data: { conversationId: e.conversationId, author: 'agent', typing: e.typing } }
        : undefined;
    // The visitor hears only of the agent side's reading; their own marker is theirs already.
    case 'read':
      return e.reader === 'agent' ? { event: 'read', data: readEventData(e) } : undefined;
    case 'status': {
      const data: { conversationId: string; status: ConversationStatus; agent?: { displayName: string } } = {
        conversationId: e.conversationId,
        status: e.status,
      };
      // Agent ids are internal; the visitor gets the name the agent chose to show.
      if (e.agent) data.agent = { displayName: e.agent.displayName };
      return { event: 'status', data };
    }
    case 'queue_position':
      return {
        event: 'queue_position',
        data: { conversationId: e.conversationId, position: e.position, etaSeconds: e.etaSeconds },
      };
    case 'transfer':
      return { event: 'transfer', data: { conversationId: e.conversationId } };
    case 'closed':
      return { event: 'closed', data: { conversationId: e.conversationId, by: e.by } };
    // Said explicitly, though the default drops them too: the agents' own business never reaches the visitor.
    case 'participants':
    case 'consult':
      return undefined;
    default:
      return undefined;
  }
}

/** A hub event as agent `agentId` sees it, or undefined when it is not for them. Messages: see toVisitorEvent. */
export function toAgentEvent(e: LiveEvent, agentId: string): (AgentWireEvent & SseEvent) | undefined {
  switch (e.type) {
    case 'typing':
      return e.author === 'visitor'
        ? { event: 'typing', data: { conversationId: e.conversationId, author: 'visitor', typing: e.typing } }
        : undefined;
    case 'read':
      return e.reader === 'visitor' ? { event: 'read', data: readEventData(e) } : undefined;
    case 'status': {
      const data: { conversationId: string; status: ConversationStatus; agent?: { id: string; displayName: string } } = {
        conversationId: e.conversationId,
        status: e.status,
      };
      if (e.agent) data.agent = { id: e.agent.id, displayName: e.agent.displayName };
      return { event: 'status', data };
    }
    case 'transfer': {
      const data: { conversationId: string; from?: string; toAgent?: string; toGroup?: string; note?: string } = {
        conversationId: e.conversationId,
      };
      if (e.from !== undefined) data.from = e.from;
      if (e.toAgent !== undefined) data.toAgent = e.toAgent;
      if (e.toGroup !== undefined) data.toGroup = e.toGroup;
      if (e.note !== undefined) data.note = e.note;
      return { event: 'transfer', data };
    }
    case 'closed':
      return { event: 'closed', data: { conversationId: e.conversationId, by: e.by } };
    case 'queue_changed':
      return { event: 'queue_changed', data: {} };
    case 'assigned':
      return e.agentId === agentId
        ? { event: 'assigned', data: { conversationId: e.conversationId, agentId: e.agentId } }
        : undefined;
    case 'presence':
      return { event: 'presence', data: { agentId: e.agentId, status: e.status } };
    case 'participants':
      return { event: 'participants', data: { conversationId: e.conversationId, agentId: e.agentId, change: e.change } };
    case 'consult':
      return { event: 'consult', data: e.note };
    default:
      return undefined;
  }
}

function readEventData(e: Extract<LiveEvent, { type: 'read' }>): ReadEventData {
  return { conversationId: e.conversationId, reader: e.reader, upTo: e.upTo, at: e.at };
}

/** Whether this event may mean the agent no longer holds the conversation (then the stream checks). */
export function mayEndHolding(e: LiveEvent, agentId: string): boolean {
  switch (e.type) {
    case 'closed':
      return true;
    case 'transfer':
      return e.toAgent !== agentId;
    case 'status':
      return e.status !== 'assigned' || (e.agent !== undefined && e.agent.id !== agentId);
    // A colleague in the chat (not its holder) who left or declined follows it no more.
    case 'participants':
      return e.agentId === agentId && (e.change === 'left' || e.change === 'declined');
    default:
      return false;
  }
}
