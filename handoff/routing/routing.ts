// Routing: who gets a chat that needs a person, and everything that moves it between queue and agents
// (auto-assignment, takes, transfers, closes, requeue on disconnect, idle close), announced on the hub.
import type { Agent, AgentStatus } from '../agents/agent.ts';
import { systemClock } from '../platform/clock.ts';
import { buildConversationView } from '../conversations/conversation-view.ts';
import { mayView, viewAccessOf } from '../conversations/view-access.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../platform/errors.ts';
import type { RouteTarget } from './groups.ts';
import { agentClientMessageId } from '../conversations/client-message-id.ts';
import { publishMessage } from '../conversations/publish-message.ts';
import type { ClosedBy, RoutingCandidate } from './routing-store.ts';
import { createDispatcher } from './dispatcher.ts';
import { defaultRoutingOptions, RoutingLogEvent, systemIntervals, type CloseOutcome, type Closer, type Routing, type RoutingDeps, type RoutingOptions, type TransferTarget } from './routing-api.ts';

// The contract lives in routing-api.ts; importers keep reading it from here.
export * from './routing-api.ts';

/** Shown in queue lists; the whole text is in the transcript. Range 20-500 characters; 140. */
const PREVIEW_CHARS = 140;

/** Pauses between attempts at an offline agent's requeue that the store refused (the last one repeats). */
const REQUEUE_RETRY_MS = [1_000, 2_000, 5_000, 10_000];

export function createRouting(deps: RoutingDeps, options: Partial<RoutingOptions> = {}): Routing {
  const opts: RoutingOptions = { ...defaultRoutingOptions, ...options };
  const { store, groups, agents, presence, hub } = deps;
  const clock = deps.clock ?? systemClock;
  const timers = deps.timers ?? systemIntervals;
  const pending = new Set<Promise<unknown>>();
  const {
    servedGroups, presentIn, displayName, note, supervise, announceAssignment, publishQueue, dispatch, standing, outcomeOf,
    requeueAgent, agentsGroups, forgetStanding,
  } = createDispatcher(deps, opts, clock);

  function background(what: string, work: () => Promise<unknown>): void {
    const p = work()
      .catch((err: unknown) => deps.logger?.error({ event: RoutingLogEvent.failed, err, what }, `routing: ${what} failed`))
      .finally(() => pending.delete(p));
    pending.add(p);
  }

  let disposed = false;
  /** Wakes the retries below when routing is disposed (shutdown waits for them in settled()). */
  const wakeOnDispose = new Set<() => void>();

  /**
   * The agent went offline, which happens once (on the node that decided it): if the store refuses the requeue
   * (the database briefly unreachable), it is tried again while the agent stays offline, or their chats would be
   * left with nobody.
   */
  async function requeueOffline(agentId: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await requeueAgent(agentId);
      } catch (err) {
        if (disposed || presence.status(agentId) !== 'offline') throw err;
        const retryInMs = REQUEUE_RETRY_MS[Math.min(attempt, REQUEUE_RETRY_MS.length - 1)]!;
        deps.logger?.warn({ event: RoutingLogEvent.failed, err, what: 'requeue offline agent', agentId, retryInMs }, 'routing: requeue offline agent failed; trying again');
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            wakeOnDispose.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, retryInMs);
          wakeOnDispose.add(wake);
        });
        // Back meanwhile: their chats stay theirs.
        if (disposed || presence.status(agentId) !== 'offline') throw err;
      }
    }
  }

  const unsubscribe = presence.onChange((agentId: string, status: AgentStatus) => {
    if (status === 'online') background('fill online agent', async () => dispatch(await agentsGroups(agentId)));
    else if (status === 'offline') background('requeue offline agent', () => requeueOffline(agentId));
    // Away, busy or invisible: fewer slots, so the waits in their groups grow.
    else background('republish the queue', async () => publishQueue(await agentsGroups(agentId)));
  });

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
    forgetStanding(conversationId);
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

  /** The holder of a chat `agentId` joined as a colleague, or undefined when they are not in it now. */
  async function joinedHolder(conversationId: string, agentId: string): Promise<string | undefined> {
    const row = await store.get(conversationId);
    if (row.status !== 'assigned' || !row.agentId) return undefined;
    const listed = await deps.colleagues!.listed(row);
    return listed.some((p) => p.id === agentId && p.state === 'joined') ? row.agentId : undefined;
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
      const write = (holder: string) =>
        store.addMessage(
          conversationId,
          { author: 'agent', text: messageText, agentId: agent.id },
          {
            holder,
            ...(sendOptions.clientMessageId !== undefined ? { clientMessageId: agentClientMessageId(agent.id, sendOptions.clientMessageId) } : {}),
          },
        );
      let written;
      try {
        written = await write(agent.id);
      } catch (err) {
        // Not the holder: a colleague who joined writes while the holder keeps the chat (the store checks the holder
        // again as it writes, so a transfer meanwhile still refuses it).
        const colleague = err instanceof ConflictError && deps.colleagues ? await joinedHolder(conversationId, agent.id) : undefined;
        if (colleague === undefined) throw err;
        written = await write(colleague);
      }
      const { replayed, ...message } = written;
      // A retry was delivered the first time.
      if (!replayed) publishMessage(hub, message);
      return message;
    },

    async view(conversationId: string, viewer: Agent, viewOptions?: { after?: number }) {
      const row = await store.get(conversationId);
      const colleagues = deps.colleagues && row.status === 'assigned' ? await deps.colleagues.listed(row) : undefined;
      const participants = colleagues?.filter((p) => p.state === 'joined').map((p) => p.id);
      // The rule transcript search applies too (view-access.ts): one place decides what an agent may read.
      if (!mayView(viewAccessOf(viewer), { ...row, participants })) {
        throw new ForbiddenError(`handoff: conversation ${conversationId} is neither yours nor waiting in your groups`);
      }
      const view = await buildConversationView(
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
      if (deps.colleagues) view.participants = colleagues ?? [];
      return view;
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
      disposed = true;
      for (const wake of [...wakeOnDispose]) wake();
    },
  };
}

function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
