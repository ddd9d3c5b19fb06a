// Routing: who gets a chat that needs a person, and everything that moves it between queue and agents
// (auto-assignment, takes, transfers, closes, requeue on disconnect, idle close), announced on the hub.
import type { Lang } from '../../knowledge/types.ts';
import type { Agent, AgentStatus } from '../agents/agent.ts';
import { type Clock, systemClock } from '../platform/clock.ts';
import type { ConversationStatus, ConversationStore, StoredMessage } from '../conversations/conversation-store.ts';
import { buildConversationView, type ConversationView, type DescribeEntry } from '../conversations/conversation-view.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../platform/errors.ts';
import type { Group, Groups, RouteTarget } from './groups.ts';
import { handoffText, type HandoffTextKey, type Messages } from './handoff-texts.ts';
import type { Hub, SupervisorChange } from '../platform/hub.ts';
import type { PresenceService } from './presence-service.ts';
import { agentClientMessageId } from '../conversations/client-message-id.ts';
import { publishMessage } from '../conversations/publish-message.ts';
import { defaultQueueEtaOptions, estimateWaitSeconds, median, type QueueEtaOptions } from './queue-eta.ts';
import type { Assignment, ClosedBy, Closure, RoutingCandidate, RoutingStore, TransferRecord } from './routing-store.ts';

/** How routing finds agents; the agents module's store provides it (the composition root adapts it). */
export interface AgentDirectory {
  /** Undefined for an unknown id. */
  get(agentId: string): Promise<Agent | undefined>;
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

const systemIntervals: IntervalTimers = {
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
  /** With `clientMessageId`, a retry of a message already stored returns it as stored and writes nothing. */
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

/** Shown in queue lists; the whole text is in the transcript. Range 20-500 characters; 140. */
const PREVIEW_CHARS = 140;

export function createRouting(deps: RoutingDeps, options: Partial<RoutingOptions> = {}): Routing {
  const opts: RoutingOptions = { ...defaultRoutingOptions, ...options };
  const { store, groups, agents, presence, hub } = deps;
  const clock = deps.clock ?? systemClock;
  const timers = deps.timers ?? systemIntervals;
  const pending = new Set<Promise<unknown>>();
  /** What each waiting conversation was last told, so a queue move publishes only real changes. */
  const lastStanding = new Map<string, { groupId: string | undefined; position: number; etaSeconds: number }>();

  const text = (key: HandoffTextKey, lang: Lang, vars?: Record<string, string>) => handoffText(deps.messages?.(), key, lang, vars);

  function background(what: string, work: () => Promise<unknown>): void {
    const p = work()
      .catch((err: unknown) => deps.logger?.error({ event: RoutingLogEvent.failed, err, what }, `routing: ${what} failed`))
      .finally(() => pending.delete(p));
    pending.add(p);
  }

  /**
   * The groups whose chats an agent takes. An admin takes every group's (the first admin, made from
   * ADMIN_USERNAME with no groups, must receive the chats of a fresh install); others their own.
   */
  async function servedGroups(agent: Agent): Promise<string[]> {
    if (agent.role !== 'admin') return agent.groups;
    return [...new Set([...agent.groups, ...(await groups.list()).map((g) => g.id)])];
  }

  async function onlineCandidates(): Promise<RoutingCandidate[]> {
    const found = await Promise.all(presence.onlineAgents().map((id) => agents.get(id)));
    const usable = found.filter((a): a is Agent => a !== undefined && !a.disabled && a.capacity > 0);
    return Promise.all(usable.map(async (a) => ({ agentId: a.id, capacity: a.capacity, groups: await servedGroups(a) })));
  }

  async function presentIn(groupId: string): Promise<Agent[]> {
    const found = await Promise.all(presence.presentAgents().map((id) => agents.get(id)));
    const usable = found.filter((a): a is Agent => a !== undefined && !a.disabled);
    const serving = await Promise.all(usable.map(async (a) => ((await servedGroups(a)).includes(groupId) ? a : undefined)));
    return serving.filter((a): a is Agent => a !== undefined);
  }

  async function displayName(agentId: string): Promise<string> {
    return (await agents.get(agentId))?.displayName ?? agentId;
  }

  async function note(conversationId: string, key: HandoffTextKey, lang: Lang, vars?: Record<string, string>): Promise<StoredMessage> {
    const message = await store.addMessage(conversationId, { author: 'system', text: text(key, lang, vars), kind: key });
    publishMessage(hub, message);
    return message;
  }

  /** Tells the admins' monitor (the `supervisor` topic) what changed; it refetches its figures. */
  function supervise(change: SupervisorChange, fields: { agentId?: string; conversationId?: string } = {}): void {
    hub.publish('supervisor', { type: 'supervisor', change, ...fields });
  }

  /** Tells the visitor, their new agent and the queue views that a chat has an agent. */
  async function announceAssignment(a: Assignment, how: 'auto' | 'take' | 'transfer'): Promise<void> {
    lastStanding.delete(a.conversationId);
    const name = await displayName(a.agentId);
    hub.publish(`agent:${a.agentId}`, { type: 'assigned', conversationId: a.conversationId, agentId: a.agentId });
    supervise('assigned', { agentId: a.agentId, conversationId: a.conversationId });
    hub.publish(`conversation:${a.conversationId}`, {
      type: 'status',
      conversationId: a.conversationId,
      status: 'assigned',
      agent: { id: a.agentId, displayName: name },
    });
    await note(a.conversationId, 'agent_joined', a.lang, { agent: name });
    deps.logger?.info({ event: RoutingLogEvent.assigned, conversationId: a.conversationId, agentId: a.agentId, how }, 'chat assigned');
  }

  /** Seconds an agent needs per chat lately: the group's median, else everyone's, else the default. */
  async function secondsPerChat(groupId: string | undefined): Promise<number> {
    const since = new Date(clock().getTime() - opts.windowMs).toISOString();
    if (groupId !== undefined) {
      const inGroup = await store.recentHandlingSeconds(groupId, since, opts.samples);
      if (inGroup.length >= opts.minSamples) return median(inGroup)!;
    }
    const all = await store.recentHandlingSeconds(undefined, since, opts.samples);
    return all.length >= opts.minSamples ? median(all)! : opts.defaultSecondsPerChat;
  }

  function slotsIn(groupId: string | undefined, candidates: RoutingCandidate[]): number {
    if (groupId === undefined) return 1;
    return candidates.filter((c) => c.groups.includes(groupId)).reduce((sum, c) => sum + c.capacity, 0);
  }

  /**
   * Publishes the new place and wait of every conversation whose standing changed in these groups.
   * One run at a time: two overlapping runs could otherwise publish an older reading after a newer one.
   */
  let queueRuns: Promise<void> = Promise.resolve();
  function publishQueue(groupIds: Iterable<string | undefined>): Promise<void> {
    const groupsNow = [...groupIds];
    const run = queueRuns.then(() => publishQueueNow(groupsNow));
    queueRuns = run.catch(() => {});
    return run;
  }

  async function publishQueueNow(groupIds: Iterable<string | undefined>): Promise<void> {
    const wanted = [...new Set(groupIds)].filter((g): g is string => g !== undefined);
    const candidates = await onlineCandidates();
    for (const groupId of wanted) {
      const entries = await store.queue([groupId]);
      const pace = await secondsPerChat(groupId);
      const slots = slotsIn(groupId, candidates);
      const present = new Set<string>();
      for (const entry of entries) {
        present.add(entry.id);
        const etaSeconds = estimateWaitSeconds(entry.position, pace, slots);
        const last = lastStanding.get(entry.id);
        if (last && last.position === entry.position && last.etaSeconds === etaSeconds) continue;
        lastStanding.set(entry.id, { groupId, position: entry.position, etaSeconds });
        hub.publish(`conversation:${entry.id}`, { type: 'queue_position', conversationId: entry.id, position: entry.position, etaSeconds });
      }
      for (const [id, last] of lastStanding) if (last.groupId === groupId && !present.has(id)) lastStanding.delete(id);
    }
    hub.publish('queue', { type: 'queue_changed' });
    supervise('queue');
  }

  /** Gives waiting chats of these groups to online agents with free slots, front of the queue first. */
  async function dispatch(groupIds: Iterable<string | undefined>): Promise<void> {
    const wanted = [...new Set(groupIds)].filter((g): g is string => g !== undefined);
    if (wanted.length === 0) return;
    const candidates = await onlineCandidates();
    for (;;) {
      const assignment = await store.assignNext(wanted, candidates);
      if (!assignment) break;
      await announceAssignment(assignment, 'auto');
    }
    await publishQueue(wanted);
  }

  async function standing(conversationId: string): Promise<QueueStanding | undefined> {
    const place = await store.queuePosition(conversationId);
    if (!place) return undefined;
    const [pace, candidates] = await Promise.all([secondsPerChat(place.groupId), onlineCandidates()]);
    const slots = slotsIn(place.groupId, candidates);
    return { position: place.position, etaSeconds: estimateWaitSeconds(place.position, pace, slots) };
  }

  async function outcomeOf(conversationId: string): Promise<EnqueueOutcome> {
    const row = await store.get(conversationId);
    if (row.status === 'assigned' && row.agentId) {
      return { kind: 'assigned', agent: { id: row.agentId, displayName: await displayName(row.agentId) } };
    }
    const place = row.status === 'queued' ? await standing(conversationId) : undefined;
    return place ? { kind: 'queued', ...place } : { kind: 'not_queued' };
  }

  async function requeueAgent(agentId: string): Promise<void> {
    const moved = await store.requeueAgent(agentId);
    // Holding nothing, they still leave fewer slots behind: the waits in their groups grow.
    if (moved.length === 0) return publishQueue(await agentsGroups(agentId));
    for (const c of moved) {
      hub.publish(`conversation:${c.id}`, { type: 'status', conversationId: c.id, status: 'queued' });
      supervise('requeued', { agentId, conversationId: c.id });
      await note(c.id, 'requeued', c.lang);
    }
    deps.logger?.warn(
      { event: RoutingLogEvent.requeued, agentId, conversations: moved.map((c) => c.id) },
      'agent went offline: their chats are back at the front of the queue',
    );
    await dispatch(moved.map((c) => c.groupId));
  }

  async function agentsGroups(agentId: string): Promise<string[]> {
    const agent = await agents.get(agentId);
    return agent ? servedGroups(agent) : [];
  }

  const unsubscribe = presence.onChange((agentId: string, status: AgentStatus) => {
    if (status === 'online') background('fill online agent', async () => dispatch(await agentsGroups(agentId)));
    else if (status === 'offline') background('requeue offline agent', () => requeueAgent(agentId));
    // Away or busy: fewer slots, so the waits in their groups grow.
    else background('republish the queue', async () => publishQueue(await agentsGroups(agentId)));
  });

  function mayHandle(agent: Agent, groupId: string | undefined): boolean {
    return agent.role === 'admin' || (groupId !== undefined && agent.groups.includes(groupId));
  }

  /** Undefined when the idle sweep found the chat active again (nothing changed). */
  async function closeWith(
    conversationId: string,
    by: ClosedBy,
    input: { holder?: string; idleBefore?: string },
  ): Promise<CloseOutcome | undefined> {
    const result = await store.close(conversationId, { by, ...input });
    if (result.kind === 'skipped') return undefined;
    if (result.kind === 'already_closed') {
      return { conversationId, status: 'closed', closedBy: result.conversation.closedBy ?? by, alreadyClosed: true };
    }
    const { before } = result;
    lastStanding.delete(conversationId);
    hub.publish(`conversation:${conversationId}`, { type: 'closed', conversationId, by });
    hub.publish(`conversation:${conversationId}`, { type: 'status', conversationId, status: 'closed' });
    supervise('closed', { conversationId, ...(before.agentId ? { agentId: before.agentId } : {}) });
    await note(conversationId, by === 'idle' ? 'closed_idle' : 'closed', before.lang);
    deps.logger?.info(
      { event: by === 'idle' ? RoutingLogEvent.idleClosed : RoutingLogEvent.closed, conversationId, by, agentId: before.agentId },
      'chat closed',
    );
    if (before.status === 'queued') await publishQueue([before.groupId]);
    // A freed slot takes the next waiting chat.
    if (before.status === 'assigned' && before.agentId) await dispatch(await agentsGroups(before.agentId));
    return { conversationId, status: 'closed', closedBy: by, alreadyClosed: false };
  }

  async function closeIdle(): Promise<number> {
    const before = new Date(clock().getTime() - opts.idleCloseMs).toISOString();
    let closed = 0;
    for (const id of await store.idleAssigned(before)) {
      const outcome = await closeWith(id, 'idle', { idleBefore: before });
      if (outcome && !outcome.alreadyClosed) closed++;
    }
    return closed;
  }

  return {
    async availability(target: string | undefined | RouteTarget) {
      // A group id as given, or the most specific group for a subject and province.
      const group = target !== undefined && typeof target === 'object' ? await groups.pick(target) : await groups.resolve(target);
      const hours = groups.hoursStatus(group);
      if (!hours.open) return { kind: 'outside_hours', group, opensAt: hours.opensAt, timeZone: hours.timeZone };
      if ((await presentIn(group.id)).length === 0) return { kind: 'no_agents', group };
      return { kind: 'open', group };
    },

    async enqueued(conversationId: string) {
      const row = await store.get(conversationId);
      if (row.status === 'queued') {
        hub.publish(`conversation:${conversationId}`, { type: 'status', conversationId, status: 'queued' });
        await dispatch([row.groupId]);
      }
      return outcomeOf(conversationId);
    },

    async requestHandoff(conversationId: string, input: Parameters<Routing['requestHandoff']>[1]) {
      const result = await store.requestHandoff(conversationId, {
        groupId: input.groupId,
        reason: input.reason,
        decision: input.decision,
        note: { author: 'bot', text: input.note, kind: 'handoff', confidence: 1 },
      });
      if (result.kind === 'unchanged') return { outcome: await outcomeOf(conversationId) };
      publishMessage(hub, result.message);
      hub.publish(`conversation:${conversationId}`, { type: 'status', conversationId, status: 'queued' });
      await dispatch([input.groupId]);
      return { outcome: await outcomeOf(conversationId), message: result.message };
    },

    standing,
    currentOutcome: outcomeOf,

    async servedProvinces() {
      return [...new Set((await groups.list()).flatMap((g) => g.provinces))];
    },

    async handoffReply(conversationId: string, text: string) {
      const message = await store.addMessage(conversationId, { author: 'bot', text, kind: 'handoff', confidence: 1 });
      publishMessage(hub, message);
      return message;
    },

    async visitorState(conversationId: string) {
      const row = await store.get(conversationId);
      if (row.status === 'assigned' && row.agentId) return { status: row.status, agent: { displayName: await displayName(row.agentId) } };
      const queue = row.status === 'queued' ? await standing(conversationId) : undefined;
      return queue ? { status: row.status, queue } : { status: row.status };
    },

    async heldConversationIds(agentId: string) {
      return (await store.heldBy(agentId)).map((h) => h.id);
    },

    async rate(conversationId: string, rating: { score: number; comment?: string }) {
      const closure = await store.rate(conversationId, rating);
      deps.logger?.info({ event: RoutingLogEvent.rated, conversationId, score: closure.rating, agentId: closure.agentId }, 'chat rated');
      return closure;
    },

    async queueFor(agent: Agent) {
      const entries = await store.queue(agent.role === 'admin' ? undefined : agent.groups);
      const now = clock().getTime();
      return entries.map((e) => ({
        id: e.id,
        waitingSeconds: Math.max(0, Math.round((now - Date.parse(e.queuedAt)) / 1000)),
        lang: e.lang,
        reason: e.reason,
        preview: e.preview === undefined ? undefined : truncate(e.preview, PREVIEW_CHARS),
        group: e.groupId,
        province: e.province,
        position: e.position,
      }));
    },

    async heldBy(agent: Agent) {
      return (await store.heldBy(agent.id)).map((h) => ({
        id: h.id,
        group: h.groupId,
        lang: h.lang,
        reason: h.reason,
        assignedAt: h.assignedAt,
        lastActivityAt: h.updatedAt,
        preview: h.preview === undefined ? undefined : truncate(h.preview, PREVIEW_CHARS),
      }));
    },

    async take(conversationId: string, agent: Agent) {
      const result = await store.take(conversationId, {
        agentId: agent.id,
        capacity: agent.capacity,
        ...(agent.role === 'admin' ? {} : { groups: agent.groups }),
      });
      if (!result.alreadyHeld) {
        await announceAssignment(result, 'take');
        await publishQueue([result.groupId]);
      }
      return result;
    },

    async transfer(conversationId: string, actor: Agent, target: TransferTarget) {
      if ((target.agent === undefined) === (target.group === undefined)) {
        throw new ValidationError('invalid_target', 'transfer needs exactly one of agent or group', target.agent === undefined ? 'agent' : 'group');
      }
      const row = await store.get(conversationId);
      const holds = row.status === 'assigned' && row.agentId === actor.id;
      if (!holds && actor.role !== 'admin') throw new ConflictError(`handoff: conversation ${conversationId} is not yours (anymore)`);
      const from = holds ? actor.id : undefined;

      let to: { agent: RoutingCandidate } | { group: string };
      if (target.agent !== undefined) {
        const agent = await agents.get(target.agent);
        if (!agent || agent.disabled) throw new ValidationError('unknown_agent', `no active agent ${JSON.stringify(target.agent)}`, 'agent');
        if (presence.status(agent.id) !== 'online') {
          throw new ConflictError(`handoff: ${agent.displayName} is ${presence.status(agent.id)}; transfer to an online agent or to a group`);
        }
        to = { agent: { agentId: agent.id, capacity: agent.capacity, groups: agent.groups } };
      } else {
        const group = await groups.get(target.group!);
        if (!group) throw new ValidationError('unknown_group', `no group ${JSON.stringify(target.group)}`, 'group');
        const hours = groups.hoursStatus(group);
        if (!hours.open) throw new ConflictError(`handoff: group ${group.id} is closed until ${hours.opensAt.toISOString()}`);
        if ((await presentIn(group.id)).length === 0) throw new ConflictError(`handoff: nobody of group ${group.id} is online`);
        to = { group: group.id };
      }

      const { before, after, transfer } = await store.transfer(conversationId, {
        ...(from !== undefined ? { from } : {}),
        to,
        ...(target.note ? { note: target.note } : {}),
      });
      // The note is for agents: the visitor's topic gets the transfer without it.
      const event = { type: 'transfer', conversationId, ...(before.agentId && before.status === 'assigned' ? { from: before.agentId } : {}) } as const;
      const toFields = transfer.toAgentId ? { toAgent: transfer.toAgentId } : { toGroup: transfer.toGroupId! };
      hub.publish(`conversation:${conversationId}`, { ...event, ...toFields });
      const withNote = { ...event, ...toFields, ...(transfer.note ? { note: transfer.note } : {}) };
      if (transfer.toAgentId) hub.publish(`agent:${transfer.toAgentId}`, withNote);
      else hub.publish('queue', withNote);
      if (before.status === 'assigned' && before.agentId) hub.publish(`agent:${before.agentId}`, withNote);
      supervise('transferred', { conversationId, ...(before.agentId && before.status === 'assigned' ? { agentId: before.agentId } : {}) });
      deps.logger?.info({ event: RoutingLogEvent.transferred, conversationId, from: before.agentId, ...toFields }, 'chat transferred');

      await note(conversationId, 'transferred', after.lang);
      if (transfer.toAgentId) {
        await announceAssignment({ conversationId, agentId: transfer.toAgentId, groupId: after.groupId, lang: after.lang }, 'transfer');
        if (before.status === 'queued') await publishQueue([before.groupId]);
      } else {
        hub.publish(`conversation:${conversationId}`, { type: 'status', conversationId, status: 'queued' });
        await dispatch([after.groupId, ...(before.status === 'queued' ? [before.groupId] : [])]);
      }
      if (before.status === 'assigned' && before.agentId) await dispatch(await agentsGroups(before.agentId));
      return transfer;
    },

    async close(conversationId: string, closer: Closer) {
      // An admin may close any chat; an agent only one they hold.
      const input = closer.kind === 'agent' && closer.agent.role !== 'admin' ? { holder: closer.agent.id } : {};
      return (await closeWith(conversationId, closer.kind, input))!;
    },

    async sendAgentMessage(conversationId: string, agent: Agent, messageText: string, sendOptions: { clientMessageId?: string } = {}) {
      const { replayed, ...message } = await store.addMessage(
        conversationId,
        { author: 'agent', text: messageText, agentId: agent.id },
        {
          holder: agent.id,
          ...(sendOptions.clientMessageId !== undefined ? { clientMessageId: agentClientMessageId(agent.id, sendOptions.clientMessageId) } : {}),
        },
      );
      // A retry was delivered the first time.
      if (!replayed) publishMessage(hub, message);
      return message;
    },

    async view(conversationId: string, viewer: Agent, viewOptions?: { after?: number }) {
      const row = await store.get(conversationId);
      const holds = row.status === 'assigned' && row.agentId === viewer.id;
      const queuedInTheirGroup = row.status === 'queued' && mayHandle(viewer, row.groupId);
      if (viewer.role !== 'admin' && !holds && !queuedInTheirGroup) {
        throw new ForbiddenError(`handoff: conversation ${conversationId} is neither yours nor waiting in your groups`);
      }
      return buildConversationView(
        {
          conversations: deps.conversations,
          store,
          agents,
          ...(deps.describeEntry ? { describeEntry: deps.describeEntry } : {}),
          clock,
          standing,
        },
        row,
        { ...viewOptions, showIp: viewer.role === 'admin' },
      );
    },

    closeIdle,

    startIdleSweep() {
      let running = false;
      const handle = timers.setInterval(() => {
        // One sweep at a time: a slow sweep is not stacked on by the next tick.
        if (running) return;
        running = true;
        background('idle sweep', async () => {
          try {
            await closeIdle();
          } finally {
            running = false;
          }
        });
      }, opts.idleSweepIntervalMs);
      return () => timers.clearInterval(handle);
    },

    async recover() {
      for (const agentId of await store.agentsHoldingChats()) presence.expectReconnect(agentId);
    },

    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },

    dispose() {
      unsubscribe();
    },
  };
}

function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
