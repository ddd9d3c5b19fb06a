// What the routes need from storage: conversations, their messages and the queue. SQLite today;
// a PostgreSQL adapter implements the same interface later (hence every method is async). The store
// does not own its connection: whoever opened the database closes it.
import type { Lang } from '../../knowledge/types.ts';
import type { MessageAttachment } from './attachments/attachment.ts';

export type ConversationStatus = 'bot' | 'queued' | 'assigned' | 'closed';
export const CONVERSATION_STATUSES: readonly ConversationStatus[] = ['bot', 'queued', 'assigned', 'closed'];

export type MessageAuthor = 'visitor' | 'bot' | 'agent' | 'system';

/** A JSON object the store keeps without looking inside (the engine's context, decision summaries). */
export type JsonObject = { [key: string]: unknown };

/** What we know about the visitor's side of the conversation. */
export interface VisitorInfo {
  userAgent?: string;
  pageUrl?: string;
  /** The page that led the visitor to the page with the chat (document.referrer). */
  referrer?: string;
  /** The widget's stable id of the browser (not a credential); kept from the first request only. */
  visitorId?: string;
  /** The client address the conversation was started from (absent when unknown). */
  ip?: string;
}

export interface HandoffInfo {
  /** Why a person is needed (a HandoffReason of the engine: requested, complaint, low_confidence...). */
  reason: string;
  /** The bot's decision that led here with its top candidates, and the decision before it, for the agent. */
  decision: JsonObject;
  /** The skill group whose agents take the chat (routing resolves it from the topic); none in old rows. */
  group?: string;
}

export interface Conversation {
  id: string;
  status: ConversationStatus;
  lang: Lang;
  visitor: VisitorInfo;
  /** The engine's memory after the latest turn. */
  context: JsonObject;
  /** Summary of the bot's latest decision, if the bot has answered yet. */
  lastDecision?: JsonObject;
  /** Present once the conversation has been handed to the queue. */
  handoff?: HandoffInfo & { queuedAt: string };
  /** The visitor's home province (handoff/routing/provinces.ts id), from the embedding page or the visitor's answer. */
  province?: string;
  /** The visitor was asked where their number is from (`waiting`: the handoff waits for the answer). */
  provinceQuestion?: ProvinceQuestion;
  createdAt: string;
  updatedAt: string;
}

/**
 * The province question of a conversation: the handoff put on hold for it (why, and the subject's group
 * key), `waiting` until the next message answers it. Kept once answered, so nobody is asked twice.
 */
export interface ProvinceQuestion {
  reason: string;
  skill?: string;
  waiting: boolean;
}

export interface StoredMessage {
  /** Increasing across the whole database; `listMessages(id, { after })` resumes from one. */
  id: number;
  conversationId: string;
  author: MessageAuthor;
  text: string;
  kind?: string;
  entryId?: string;
  confidence?: number;
  /** For agent messages: which agent wrote it (the visitor is shown only "agent"). */
  agentId?: string;
  /** A file sent in the chat (attachments/): the message's text is its name. */
  attachment?: MessageAttachment;
  createdAt: string;
}

export interface NewMessage {
  author: MessageAuthor;
  text: string;
  kind?: string;
  entryId?: string;
  confidence?: number;
}

/** One visitor message and everything that follows from it, written together or not at all. */
export interface TurnInput {
  visitorText: string;
  /** The bot's reply (or a system note); omitted while a person has the conversation. */
  reply?: NewMessage;
  /** The engine's memory after this turn; unchanged when omitted. */
  context?: object;
  /** Summary of the bot's decision on this turn; unchanged when omitted. */
  decision?: JsonObject;
  /** The conversation's language from now on; unchanged when omitted. */
  lang?: Lang;
  /** New status (e.g. `bot` when a closed conversation reopens); `handoff` implies `queued`. */
  status?: ConversationStatus;
  /** The conversation enters the queue now. */
  handoff?: HandoffInfo;
  /** The visitor's home province from now on (a known id: the caller validates it); unchanged when omitted. */
  province?: string;
  /** The province question asked, or answered; unchanged when omitted. */
  provinceQuestion?: ProvinceQuestion;
  /** The status the caller based this turn on; a different current status throws ConflictError. */
  expectStatus?: ConversationStatus;
  /**
   * The client's id for the visitor message (1-64 of [A-Za-z0-9_-]): when the conversation already has a
   * visitor message with it, nothing is written and the turn as first stored comes back (`replay`).
   */
  clientMessageId?: string;
  /** What the first response said (kept with a clientMessageId, so a retry can answer the same). */
  receipt?: JsonObject;
}

/** A turn whose clientMessageId was stored before: what that first turn wrote and said. */
export interface TurnReplay {
  receipt?: JsonObject;
}

export interface TurnResult {
  conversation: Conversation;
  /** The messages written, in order (visitor first). */
  messages: StoredMessage[];
  /** 1-based place in the queue when the conversation is queued after the turn. */
  queuePosition?: number;
  /** Present when the clientMessageId was already stored: nothing was written, `messages` are the first turn's. */
  replay?: TurnReplay;
}

export interface NewConversation {
  lang: Lang;
  /**
   * With a visitorId and a first turn with a clientMessageId, the pair makes the creation retryable: a
   * conversation started from the same pair a moment ago, with nothing else in it since, is answered instead
   * of a new one (see createConversation). The visitorId alone never matches anything: it is no credential.
   */
  visitor?: VisitorInfo;
  firstTurn?: TurnInput;
}

export interface NewConversationResult {
  conversation: Conversation;
  /** A fresh token every time, also for a retry (it replaces the one the lost response carried). */
  token: string;
  /**
   * The first turn's result, when one was given (its `conversation` is the up-to-date one). With `replay` set
   * this was a retried first message: nothing was written but the new token; `messages` are the first turn's.
   */
  turn?: TurnResult;
}

export interface ListMessagesOptions {
  /** Only messages with a larger id. Default 0 (all). */
  after?: number;
  /** At most this many, oldest first. Default 1000. */
  limit?: number;
}

export interface ConversationStore {
  /**
   * Starts a conversation, with its first turn in the same transaction when given (no empty
   * conversation is left behind if the turn fails). The token is returned this once; only its hash is kept.
   * A retried first message (the same visitorId and clientMessageId as a conversation created within the
   * store's retry window that is still at exactly that first turn, with no person on it) starts nothing: it
   * gets that conversation back with `turn.replay` and a new token, whose hash replaces the stored one.
   */
  createConversation(input: NewConversation): Promise<NewConversationResult>;
  /** The conversation if `token` is its token; NotFoundError for an unknown id or a wrong token alike. */
  authenticate(id: string, token: string): Promise<Conversation>;
  /** NotFoundError when unknown. */
  getConversation(id: string): Promise<Conversation>;
  /** NotFoundError when unknown; ConflictError when `expectStatus` does not hold. */
  appendTurn(id: string, turn: TurnInput): Promise<TurnResult>;
  listMessages(id: string, options?: ListMessagesOptions): Promise<StoredMessage[]>;
  /** 1-based place in its group's queue (front first), or undefined when not queued. */
  queuePosition(id: string): Promise<number | undefined>;
  /** Records the province question (a handoff on hold for it). NotFoundError when unknown. */
  setProvinceQuestion(id: string, question: ProvinceQuestion): Promise<void>;
}
