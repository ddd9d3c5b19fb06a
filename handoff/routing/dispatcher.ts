// The queue engine under routing: which agents serve which groups, who is free, handing waiting chats to
// free agents (front first), each waiting visitor's place and wait (published only when it changes),
// requeueing an agent's chats when they go offline, and the notes the visitor sees as that happens.
import type { Lang } from '../../knowledge/types.ts';
import type { Agent } from '../agents/agent.ts';
import type { Clock } from '../platform/clock.ts';
import type { StoredMessage } from '../conversations/conversation-store.ts';
import type { SupervisorChange } from '../platform/hub.ts';
import { publishMessage } from '../conversations/publish-message.ts';
import { handoffText, type HandoffTextKey } from './handoff-texts.ts';
import { estimateWaitSeconds, median } from './queue-eta.ts';
import type { Assignment, RoutingCandidate } from './routing-store.ts';
import { RoutingLogEvent, type EnqueueOutcome, type QueueStanding, type RoutingDeps, type RoutingOptions } from './routing-api.ts';

export type Dispatcher = ReturnType<typeof createDispatcher>;

export function createDispatcher(deps: RoutingDeps, opts: RoutingOptions, clock: Clock) {
  const { store, groups, agents, presence, hub } = deps;
  /** What each waiting conversation was last told, so a queue move publishes only real changes. */
  const lastStanding = new Map<string, { groupId: string | undefined; position: number; etaSeconds: number }>();

  const text = (key: HandoffTextKey, lang: Lang, vars?: Record<string, string>) => handoffText(deps.messages?.(), key, lang, vars);

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
    const { inGroup, all } = await store.recentHandlingSeconds(groupId, since, opts.samples);
    if (inGroup.length >= opts.minSamples) return median(inGroup)!;
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

  /** The chat left the queue (taken, closed): nothing more to tell it about its place. */
  function forgetStanding(conversationId: string): void {
    lastStanding.delete(conversationId);
  }

  return {
    servedGroups, presentIn, displayName, note, supervise, announceAssignment, publishQueue, dispatch, standing, outcomeOf,
    requeueAgent, agentsGroups, forgetStanding,
  };
}
