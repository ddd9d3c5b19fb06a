// The conversations and messages rows as both engines read them, the conversation and messages made of them, and
// the rules both adapters apply alike (options, the creation key, when a first message is a retry), so the SQLite
// and PostgreSQL stores cannot drift apart on what a row means.
import { createHash } from 'node:crypto';
import type { Lang } from '../../knowledge/types.ts';
import type {
  Conversation,
  ConversationStatus,
  JsonObject,
  MessageAuthor,
  NewMessage,
  StoredMessage,
  TurnInput,
  VisitorInfo,
} from './conversation-store.ts';
import { hashToken } from './conversation-token.ts';
import { visitorClientMessageId } from './client-message-id.ts';
import { ConflictError, NotFoundError } from '../platform/errors.ts';
import { parseAttachmentColumn } from './attachments/attachment.ts';

export interface ConversationStoreOptions {
  /** Source of timestamps (tests pin it). Default `() => new Date()`. */
  clock: () => Date;
  /** Most messages one listMessages call returns. Range 1-10000; default 1000. */
  maxListLimit: number;
  /**
   * How long after its creation a conversation answers a retry of its first message (same visitorId and
   * clientMessageId) instead of a new one being started. Range 0-600000 ms (0: never); default 120000:
   * the widget's retries are over within seconds, and a short window keeps the pair's power short.
   */
  firstMessageRetryMs: number;
}

export const defaultConversationStoreOptions: ConversationStoreOptions = {
  clock: () => new Date(),
  maxListLimit: 1000,
  firstMessageRetryMs: 120_000,
};

/** A row of `conversations`. The optional columns are absent on a SQLite database migrated only part of the way. */
export interface ConversationRow {
  id: string;
  /** Migration 016: the visitor's home province. */
  province?: string | null;
  /** Migration 017: a handoff waiting for the visitor to name their province (JSON). */
  province_question?: string | null;
  token_hash: Buffer;
  status: ConversationStatus;
  /** Migration 003: the agent holding the chat (kept after close as the last holder). */
  agent_id: string | null;
  lang: Lang;
  user_agent: string | null;
  page_url: string | null;
  referrer: string | null;
  group_id: string | null;
  context: string;
  last_decision: string | null;
  handoff_reason: string | null;
  handoff_decision: string | null;
  queued_at: string | null;
  created_at: string;
  updated_at: string;
  /** Migration 008: the widget's visitor id and the client address at creation (absent before 008). */
  visitor_id?: string | null;
  client_ip?: string | null;
  /** Migration 014: sha256 of the visitor id and the first message's client id (see creationKey). */
  creation_key?: Buffer | null;
}

/** What a turn needs to know of its conversation before writing. */
export type TurnState = Pick<ConversationRow, 'status' | 'agent_id'>;

/** A row of `messages`. */
export interface MessageRow {
  id: number;
  conversation_id: string;
  author: MessageAuthor;
  text: string;
  kind: string | null;
  entry_id: string | null;
  confidence: number | null;
  agent_id?: string | null;
  created_at: string;
  /** Migration 007: the scoped client message id ('visitor:<id>', 'agent:<agent>:<id>'), the first response, the reply written with it. */
  client_message_id?: string | null;
  client_receipt?: string | null;
  reply_id?: number | null;
  /** Migration 019 (PostgreSQL 003): the attachment the message carries (JSON), see attachments/attachment.ts. */
  attachment?: string | null;
}

/** Compared against when the id is unknown, so both failures cost the same hashing and comparison. */
export const DUMMY_HASH = hashToken('no such conversation');

export const noConversation = (id: string) => new NotFoundError(`handoff: no conversation ${JSON.stringify(id)}`);

/**
 * What a conversation started from a visitorId and a first clientMessageId is found by again: a hash, so the
 * pair (the client's proof on a retry) is not kept readable. ':' is in neither id, so two pairs never join alike.
 */
export function creationKey(visitorId: string, clientMessageId: string): Buffer {
  return createHash('sha256').update(`${visitorId}:${clientMessageId}`, 'utf8').digest();
}

/** The visitor message's client id as stored, with the first response kept beside it; undefined without a client id. */
export function visitorClient(turn: TurnInput): { id: string; receipt: JsonObject | undefined } | undefined {
  return turn.clientMessageId !== undefined ? { id: visitorClientMessageId(turn.clientMessageId), receipt: turn.receipt } : undefined;
}

/** ConflictError when the turn was based on another status than the conversation's. */
export function checkExpectedStatus(id: string, current: ConversationStatus, turn: TurnInput): void {
  if (turn.expectStatus && current !== turn.expectStatus) {
    throw new ConflictError(`handoff: conversation ${id} is ${current}, not ${turn.expectStatus}`);
  }
}

/** The conversation's columns as a turn writes them; null means "leave as it is" (coalesce in the statement). */
export interface TurnValues {
  /** A handoff queues; else the turn's status; null: unchanged. */
  status: ConversationStatus | null;
  lang: Lang | null;
  context: string | null;
  decision: string | null;
  /** Set by a handoff only: it (re)sets the queue time, the group and the queue order, and clears the holder. */
  handoffReason: string | null;
  handoffDecision: string | null;
  groupId: string | null;
  province: string | null;
  provinceQuestion: string | null;
  now: string;
  /** The queue order of a handoff: epoch ms (migration 003's queue_rank). */
  nowMs: number;
}

export function turnValues(turn: TurnInput, at: Date): TurnValues {
  return {
    status: turn.handoff ? 'queued' : (turn.status ?? null),
    lang: turn.lang ?? null,
    context: turn.context ? JSON.stringify(turn.context) : null,
    decision: turn.decision ? JSON.stringify(turn.decision) : null,
    handoffReason: turn.handoff?.reason ?? null,
    handoffDecision: turn.handoff ? JSON.stringify(turn.handoff.decision) : null,
    groupId: turn.handoff?.group ?? null,
    province: turn.province ?? null,
    provinceQuestion: turn.provinceQuestion !== undefined ? JSON.stringify(turn.provinceQuestion) : null,
    now: at.toISOString(),
    nowMs: at.getTime(),
  };
}

/** A first turn that leaves the conversation with the bot (no handoff): written into the new row itself. */
export function isPlainFirstTurn(firstTurn: TurnInput | undefined): firstTurn is TurnInput {
  return (
    firstTurn !== undefined &&
    !firstTurn.handoff &&
    (firstTurn.status ?? 'bot') === 'bot' &&
    (firstTurn.expectStatus ?? 'bot') === 'bot'
  );
}

/**
 * Whether the conversation `earlier` (found by the creation key) may still answer a retry of its first message,
 * before its messages are looked at: created less than the retry window ago, and no person on it.
 */
export const mayAnswerRetry = (earlier: ConversationRow, at: Date, firstMessageRetryMs: number): boolean =>
  at.getTime() - Date.parse(earlier.created_at) < firstMessageRetryMs && earlier.agent_id === null;

/** Queued only by the first turn itself (its handoff was written with it, at the same time), or never queued. */
export const asFirstTurnLeftIt = (earlier: ConversationRow, first: MessageRow): boolean =>
  earlier.status === 'bot' ? earlier.queued_at === null : earlier.status === 'queued' && earlier.queued_at === first.created_at;

export function parseObject(json: string | null | undefined): JsonObject | undefined {
  if (json === null || json === undefined) return undefined;
  const value: unknown = JSON.parse(json);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

export function toConversation(row: ConversationRow): Conversation {
  const visitor: VisitorInfo = {};
  if (row.user_agent !== null) visitor.userAgent = row.user_agent;
  if (row.page_url !== null) visitor.pageUrl = row.page_url;
  if (row.referrer !== null) visitor.referrer = row.referrer;
  if (row.visitor_id != null) visitor.visitorId = row.visitor_id;
  if (row.client_ip != null) visitor.ip = row.client_ip;
  const conversation: Conversation = {
    id: row.id,
    status: row.status,
    lang: row.lang,
    visitor,
    context: parseObject(row.context) ?? {},
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  const lastDecision = parseObject(row.last_decision);
  if (lastDecision) conversation.lastDecision = lastDecision;
  if (row.province != null) conversation.province = row.province;
  const question = parseObject(row.province_question);
  if (question && typeof question.reason === 'string') {
    conversation.provinceQuestion = { reason: question.reason, waiting: question.waiting === true, ...(typeof question.skill === 'string' ? { skill: question.skill } : {}) };
  }
  if (row.handoff_reason !== null && row.queued_at !== null) {
    conversation.handoff = {
      reason: row.handoff_reason,
      decision: parseObject(row.handoff_decision) ?? {},
      queuedAt: row.queued_at,
    };
    if (row.group_id !== null) conversation.handoff.group = row.group_id;
  }
  return conversation;
}

export function toMessage(row: MessageRow): StoredMessage {
  const message: StoredMessage = {
    id: row.id,
    conversationId: row.conversation_id,
    author: row.author,
    text: row.text,
    createdAt: row.created_at,
  };
  if (row.kind !== null) message.kind = row.kind;
  if (row.entry_id !== null) message.entryId = row.entry_id;
  if (row.confidence !== null) message.confidence = row.confidence;
  if (row.agent_id != null) message.agentId = row.agent_id;
  const attachment = parseAttachmentColumn(row.conversation_id, row.attachment);
  if (attachment) message.attachment = attachment;
  return message;
}

/** A message as just written (its id from the insert): what a reader would get back for it. */
export function writtenMessage(id: number, conversationId: string, message: NewMessage & { agentId?: string }, createdAt: string): StoredMessage {
  const stored: StoredMessage = { id, conversationId, author: message.author, text: message.text, createdAt };
  if (message.kind !== undefined) stored.kind = message.kind;
  if (message.entryId !== undefined) stored.entryId = message.entryId;
  if (message.confidence !== undefined) stored.confidence = message.confidence;
  if (message.agentId !== undefined) stored.agentId = message.agentId;
  return stored;
}
