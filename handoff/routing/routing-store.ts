// What routing needs from storage: who holds which chat, the queue per group, transfers, closures and
// ratings. Every state change is one conditional write (so concurrent takes have exactly one winner);
// SQLite today, a PostgreSQL adapter implements the same interface later (hence every method is async).
import type { Lang } from '../../knowledge/types.ts';
import type { ConversationStatus, JsonObject, NewMessage, StoredMessage } from '../conversations/conversation-store.ts';

export type ClosedBy = 'agent' | 'visitor' | 'idle' | 'system';

/** The routing side of a conversation. */
export interface RoutedConversation {
  id: string;
  status: ConversationStatus;
  lang: Lang;
  groupId?: string;
  /** The agent holding it while assigned; the last holder after a close. */
  agentId?: string;
  assignedAt?: string;
  /** When it (last) entered the queue. */
  queuedAt?: string;
  handoffReason?: string;
  closedAt?: string;
  closedBy?: ClosedBy;
  createdAt: string;
  updatedAt: string;
}

/** A conversation waiting in a group's queue. */
export interface QueueEntry {
  id: string;
  groupId: string | undefined;
  /** The visitor's home province, when known. */
  province: string | undefined;
  lang: Lang;
  /** Why the bot handed off (requested, complaint, low_confidence ...). */
  reason: string | undefined;
  queuedAt: string;
  /** 1-based place in its group's queue. */
  position: number;
  /** The visitor's latest message, for the queue view. */
  preview: string | undefined;
}

/** An agent routing may give chats to. */
export interface RoutingCandidate {
  agentId: string;
  capacity: number;
  groups: readonly string[];
}

export interface Assignment {
  conversationId: string;
  agentId: string;
  groupId: string | undefined;
  lang: Lang;
}

/** A chat an agent holds, for their list. */
export interface HeldConversation {
  id: string;
  groupId: string | undefined;
  lang: Lang;
  reason: string | undefined;
  assignedAt: string;
  updatedAt: string;
  preview: string | undefined;
}

export interface TransferRecord {
  id: number;
  fromAgentId?: string;
  toAgentId?: string;
  toGroupId?: string;
  note?: string;
  createdAt: string;
}

export interface Closure {
  id: number;
  conversationId: string;
  groupId?: string;
  agentId?: string;
  closedAt: string;
  closedBy: ClosedBy;
  handlingSeconds?: number;
  rating?: number;
  ratingComment?: string;
}

export interface CloseInput {
  by: ClosedBy;
  /** Only if this agent holds it (an agent closing); ConflictError otherwise. */
  holder?: string;
  /** Only if nothing happened since (the idle sweep racing a new message); skipped otherwise. */
  idleBefore?: string;
}

export type CloseResult =
  | { kind: 'closed'; before: RoutedConversation; closure: Closure }
  | { kind: 'already_closed'; conversation: RoutedConversation }
  /** idleBefore did not hold: the chat saw activity meanwhile. */
  | { kind: 'skipped'; conversation: RoutedConversation };

export interface TransferInput {
  /** The agent giving the chat away; must hold it. Undefined: an admin moves a chat they do not hold. */
  from?: string;
  to: { agent: RoutingCandidate } | { group: string };
  note?: string;
}

export interface HandoffRequest {
  groupId: string;
  reason: string;
  decision: JsonObject;
  /** What the visitor is told (stored as a bot message). */
  note: NewMessage;
}

export type HandoffRequestResult =
  | { kind: 'queued'; message: StoredMessage; conversation: RoutedConversation }
  /** Already queued or assigned: nothing written. */
  | { kind: 'unchanged'; conversation: RoutedConversation };

export interface HandlingSamples {
  inGroup: number[];
  all: number[];
}

export interface RoutingStore {
  /** NotFoundError when unknown. */
  get(conversationId: string): Promise<RoutedConversation>;
  /** Queued conversations front first, positions per group; `groups` undefined = every group. */
  queue(groups?: readonly string[]): Promise<QueueEntry[]>;
  /** Place in its group's queue, or undefined when not queued. */
  queuePosition(conversationId: string): Promise<{ groupId: string | undefined; position: number } | undefined>;
  /** Chats each agent holds now (agents with none are absent). */
  activeCounts(): Promise<Map<string, number>>;
  /**
   * Assigns the front chat of the given groups' queues that some candidate (online, in its group, under
   * capacity) can take, to the least loaded such candidate (round-robin on ties). Undefined when none.
   */
  assignNext(groups: readonly string[], candidates: readonly RoutingCandidate[]): Promise<Assignment | undefined>;
  /**
   * An agent picks a queued chat. ConflictError when another agent has it, it is not waiting, or the
   * agent is at capacity; ForbiddenError when `groups` is given and the chat's group is not among them.
   * Taking a chat one already holds returns it unchanged (`alreadyHeld`).
   */
  take(conversationId: string, agent: { agentId: string; capacity: number; groups?: readonly string[] }): Promise<Assignment & { alreadyHeld: boolean }>;
  /** Moves a queued or assigned chat to an agent (assigned) or to the front of a group's queue, with a note. */
  transfer(conversationId: string, input: TransferInput): Promise<{ before: RoutedConversation; after: RoutedConversation; transfer: TransferRecord }>;
  /** The agent's assigned chats back to the front of their groups' queues, in the order they were assigned. */
  requeueAgent(agentId: string): Promise<RoutedConversation[]>;
  close(conversationId: string, input: CloseInput): Promise<CloseResult>;
  /** Assigned conversations with no activity since `before` (ISO). */
  idleAssigned(before: string): Promise<string[]>;
  /**
   * Stores a message (agent or system) and counts it as activity. With `holder`, only while that agent
   * holds the chat (ConflictError otherwise). With `clientMessageId` (already scoped by sender, see
   * agentClientMessageId), a message stored before under it comes back as it was (`replayed`), nothing written.
   */
  addMessage(
    conversationId: string,
    message: NewMessage & { agentId?: string },
    options?: { holder?: string; clientMessageId?: string },
  ): Promise<StoredMessage & { replayed?: boolean }>;
  /** The visitor pressed "talk to a person": queue the chat now (no visitor text). */
  requestHandoff(conversationId: string, request: HandoffRequest): Promise<HandoffRequestResult>;
  heldBy(agentId: string): Promise<HeldConversation[]>;
  /** Agents holding at least one chat (after a restart they must reconnect or lose them). */
  agentsHoldingChats(): Promise<string[]>;
  /**
   * Handling times (seconds) of the most recent closes since `since`, at most `limit` of each list: in `groupId`
   * (empty when undefined) and in every group. Both at once: the queue's pace falls back on every group's.
   */
  recentHandlingSeconds(groupId: string | undefined, since: string, limit: number): Promise<HandlingSamples>;
  transfers(conversationId: string): Promise<TransferRecord[]>;
  latestClosure(conversationId: string): Promise<Closure | undefined>;
  /**
   * Records the visitor's rating of the latest close. ConflictError when the conversation never closed,
   * is open again with a person (queued or assigned), or that close was already rated.
   */
  rate(conversationId: string, rating: { score: number; comment?: string }): Promise<Closure>;
}
