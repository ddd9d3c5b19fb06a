// Routing's contract: what the rest of handoff (and the chat turn) may ask of it, its dependencies, options
// and outcomes. The behaviour is routing.ts (takes, transfers, closes) on dispatcher.ts (the queue engine).
import type { Lang } from '../../knowledge/types.ts';
import type { Agent } from '../agents/agent.ts';
import type { Clock } from '../platform/clock.ts';
import type { ConversationStatus, ConversationStore, StoredMessage } from '../conversations/conversation-store.ts';
import type { ConversationView, DescribeEntry, ViewParticipant } from '../conversations/conversation-view.ts';
import type { Group, Groups, RouteTarget } from './groups.ts';
import type { Messages } from './handoff-texts.ts';
import type { Hub } from '../platform/hub.ts';
import type { PresenceService } from './presence-service.ts';
import { defaultQueueEtaOptions, type QueueEtaOptions } from './queue-eta.ts';
import type { Assignment, ClosedBy, Closure, RoutedConversation, RoutingStore, TransferRecord } from './routing-store.ts';

/** How routing finds agents; the agents module's store provides it (the composition root adapts it). */
export interface AgentDirectory {
  /** Undefined for an unknown id. */
  get(agentId: string): Promise<Agent | undefined>;
}

/**
 * Colleagues in a chat beside its holder (handoff/collaboration/): the joined ones read and write it like the holder,
 * and the view lists them. The composition root adapts the collaboration feature to it.
 */
export interface ChatColleagues {
  /** The chat's invited and joined colleagues while `row`'s holder keeps it (none unless it is assigned). */
  listed(row: RoutedConversation): Promise<ViewParticipant[]>;
}

/** Structured logging (pino's Logger fits); codes in `event`. */
export interface RoutingLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const RoutingLogEvent = {
  assigned: 'routing.assigned',
  requeued: 'routing.requeued',
  transferred: 'routing.transferred',
  closed: 'routing.closed',
  idleClosed: 'routing.idle_closed',
  rated: 'routing.rated',
  failed: 'routing.failed',
} as const;

/** Interval timers, injectable so tests can drive the idle sweep. */
export interface IntervalTimers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const systemIntervals: IntervalTimers = {
  setInterval(callback, ms) {
    const handle = setInterval(callback, ms);
    handle.unref?.();
    return handle;
  },
  clearInterval(handle) {
    clearInterval(handle as ReturnType<typeof setInterval>);
  },
};

export interface RoutingOptions extends QueueEtaOptions {
  /** An assigned chat with no message for this long is closed. Range 60000-86400000 ms; default 600000 (10 min). */
  idleCloseMs: number;
  /** How often the idle sweep runs. Range 1000-600000 ms; default 30000. */
  idleSweepIntervalMs: number;
}

export const defaultRoutingOptions: RoutingOptions = {
  ...defaultQueueEtaOptions,
  idleCloseMs: 10 * 60 * 1000,
  idleSweepIntervalMs: 30_000,
};

export interface RoutingDeps {
  store: RoutingStore;
  conversations: ConversationStore;
  groups: Groups;
  agents: AgentDirectory;
  presence: PresenceService;
  hub: Hub;
  clock?: Clock;
  logger?: RoutingLogger;
  /** The knowledge base's texts (messages.yaml), read at each use so a reload applies. */
  messages?: () => Messages | undefined;
  /** The question of a knowledge entry, to show agents what the bot's candidates were about. */
  describeEntry?: DescribeEntry;
  timers?: IntervalTimers;
  /** Colleagues invited into chats; without it only holders (and their groups, admins) read and write chats. */
  colleagues?: ChatColleagues;
}

/** Whether a chat for this group can reach a person now. */
export type Availability =
  | { kind: 'open'; group: Group }
  | { kind: 'outside_hours'; group: Group; opensAt: Date; timeZone: string }
  /** Within hours, but nobody of the group is there (all offline). */
  | { kind: 'no_agents'; group: Group };

export type QueueStanding = { position: number; etaSeconds: number };

export type EnqueueOutcome =
  | { kind: 'assigned'; agent: { id: string; displayName: string } }
  | ({ kind: 'queued' } & QueueStanding)
  /** The conversation left the queue meanwhile (the visitor closed it). */
  | { kind: 'not_queued' };

export interface QueueItem {
  id: string;
  waitingSeconds: number;
  lang: Lang;
  reason: string | undefined;
  preview: string | undefined;
  group: string | undefined;
  /** The visitor's home province (handoff/routing/provinces.ts id), when known. */
  province: string | undefined;
  position: number;
}

export interface HeldItem {
  id: string;
  group: string | undefined;
  lang: Lang;
  reason: string | undefined;
  assignedAt: string;
  lastActivityAt: string;
  preview: string | undefined;
}

export type Closer = { kind: 'agent'; agent: Agent } | { kind: 'visitor' } | { kind: 'system' };

export interface CloseOutcome {
  conversationId: string;
  status: 'closed';
  closedBy: ClosedBy;
  /** It was closed already: nothing changed. */
  alreadyClosed: boolean;
}

export interface TransferTarget {
  agent?: string;
  group?: string;
  note?: string;
}

export interface Routing {
  /** For a group id (the default group when unknown), or the group picked for a subject and province. */
  availability(target: string | undefined | RouteTarget): Promise<Availability>;
  /** The conversation was just stored as queued in its group: assign it if someone is free, else tell its place. */
  enqueued(conversationId: string): Promise<EnqueueOutcome>;
  /** The visitor's "talk to a person" button: queue without a visitor message, with `note` as the bot's words. */
  requestHandoff(
    conversationId: string,
    input: { groupId: string; reason: string; decision: Record<string, unknown>; note: string; lang: Lang },
  ): Promise<{ outcome: EnqueueOutcome; message?: StoredMessage }>;
  /**
   * A request for a person that did not reach the queue (outside hours, or on hold for the province
   * question): what the visitor was told is kept as the bot's handoff reply, so the history shows it and
   * reports count the handoff.
   */
  handoffReply(conversationId: string, text: string): Promise<StoredMessage>;
  /** The provinces some group serves in particular (empty: every group is national, nobody is asked). */
  servedProvinces(): Promise<string[]>;
  /** Where the chat stands: with an agent, waiting (place, wait), or neither. */
  currentOutcome(conversationId: string): Promise<EnqueueOutcome>;
  /** The visitor's rating of the latest close (see RoutingStore.rate). */
  rate(conversationId: string, rating: { score: number; comment?: string }): Promise<Closure>;
  /** Place in the queue and estimated wait, or undefined when not queued. */
  standing(conversationId: string): Promise<QueueStanding | undefined>;
  /** For the live visitor stream's `ready` event: status, who holds the chat, place and wait. */
  visitorState(conversationId: string): Promise<{ status: ConversationStatus; agent?: { displayName: string }; queue?: QueueStanding }>;
  /** Ids of the chats the agent holds now (the live agent stream's topics). */
  heldConversationIds(agentId: string): Promise<string[]>;
  queueFor(agent: Agent): Promise<QueueItem[]>;
  heldBy(agent: Agent): Promise<HeldItem[]>;
  take(conversationId: string, agent: Agent): Promise<Assignment & { alreadyHeld: boolean }>;
  transfer(conversationId: string, actor: Agent, target: TransferTarget): Promise<TransferRecord>;
  close(conversationId: string, closer: Closer): Promise<CloseOutcome>;
  /**
   * With `clientMessageId`, a retry of a message already stored returns it as stored and writes nothing. The holder
   * writes, and so does a colleague who joined the chat (while its holder keeps it).
   */
  sendAgentMessage(conversationId: string, agent: Agent, text: string, options?: { clientMessageId?: string }): Promise<StoredMessage>;
  view(conversationId: string, viewer: Agent, options?: { after?: number }): Promise<ConversationView>;
  /** Closes assigned chats idle for longer than idleCloseMs; returns how many. */
  closeIdle(): Promise<number>;
  /** Starts the idle sweep on a timer; returns the stop function. */
  startIdleSweep(): () => void;
  /** At start-up: agents who held chats get one grace period to reconnect before their chats are requeued. */
  recover(): Promise<void>;
  /** Resolves when the work started by presence changes so far has finished (tests, shutdown). */
  settled(): Promise<void>;
  /** Stops reacting to presence (shutdown). */
  dispose(): void;
}
