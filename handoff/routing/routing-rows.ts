// The routing side of the conversations rows (and of their closures and transfers) as both engines read them, what
// routing makes of them, and the checks every move applies before it writes, so the SQLite and PostgreSQL routing
// stores decide each race on the same rules and differ only in how they lock.
import type { Lang } from '../../knowledge/types.ts';
import type { ConversationStatus } from '../conversations/conversation-store.ts';
import { ConflictError, ForbiddenError } from '../platform/errors.ts';
import type { AgentLoad } from './round-robin.ts';
import type {
  ClosedBy,
  Closure,
  CloseInput,
  HeldConversation,
  QueueEntry,
  RoutedConversation,
  RoutingCandidate,
  TransferInput,
  TransferRecord,
} from './routing-store.ts';

/** The routing columns of a conversation. */
export interface RoutingRow {
  id: string;
  status: ConversationStatus;
  lang: Lang;
  group_id: string | null;
  agent_id: string | null;
  assigned_at: string | null;
  queued_at: string | null;
  handoff_reason: string | null;
  closed_at: string | null;
  closed_by: ClosedBy | null;
  created_at: string;
  updated_at: string;
}

/** A queued (or, with assigned_at and updated_at, a held) conversation with its latest visitor text. */
export interface QueueRow {
  id: string;
  group_id: string | null;
  province?: string | null;
  lang: Lang;
  handoff_reason: string | null;
  queued_at: string;
  preview: string | null;
}

export interface ClosureRow {
  id: number;
  conversation_id: string;
  group_id: string | null;
  agent_id: string | null;
  closed_at: string;
  closed_by: ClosedBy;
  handling_seconds: number | null;
  rating: number | null;
  rating_comment: string | null;
}

export interface TransferRow {
  id: number;
  from_agent_id: string | null;
  to_agent_id: string | null;
  to_group_id: string | null;
  note: string | null;
  created_at: string;
}

export function toRouted(row: RoutingRow): RoutedConversation {
  const c: RoutedConversation = { id: row.id, status: row.status, lang: row.lang, createdAt: row.created_at, updatedAt: row.updated_at };
  if (row.group_id !== null) c.groupId = row.group_id;
  if (row.agent_id !== null) c.agentId = row.agent_id;
  if (row.assigned_at !== null) c.assignedAt = row.assigned_at;
  if (row.queued_at !== null) c.queuedAt = row.queued_at;
  if (row.handoff_reason !== null) c.handoffReason = row.handoff_reason;
  if (row.closed_at !== null) c.closedAt = row.closed_at;
  if (row.closed_by !== null) c.closedBy = row.closed_by;
  return c;
}

export function toClosure(row: ClosureRow): Closure {
  const c: Closure = { id: row.id, conversationId: row.conversation_id, closedAt: row.closed_at, closedBy: row.closed_by };
  if (row.group_id !== null) c.groupId = row.group_id;
  if (row.agent_id !== null) c.agentId = row.agent_id;
  if (row.handling_seconds !== null) c.handlingSeconds = row.handling_seconds;
  if (row.rating !== null) c.rating = row.rating;
  if (row.rating_comment !== null) c.ratingComment = row.rating_comment;
  return c;
}

export function toTransfer(row: TransferRow): TransferRecord {
  const t: TransferRecord = { id: row.id, createdAt: row.created_at };
  if (row.from_agent_id !== null) t.fromAgentId = row.from_agent_id;
  if (row.to_agent_id !== null) t.toAgentId = row.to_agent_id;
  if (row.to_group_id !== null) t.toGroupId = row.to_group_id;
  if (row.note !== null) t.note = row.note;
  return t;
}

/** Queue rows front first (any mix of groups) as entries, each numbered within its own group's queue. */
export function toQueueEntries(rows: readonly QueueRow[]): QueueEntry[] {
  const positions = new Map<string | null, number>();
  return rows.map((row): QueueEntry => {
    const position = (positions.get(row.group_id) ?? 0) + 1;
    positions.set(row.group_id, position);
    return {
      id: row.id,
      groupId: row.group_id ?? undefined,
      province: row.province ?? undefined,
      lang: row.lang,
      reason: row.handoff_reason ?? undefined,
      queuedAt: row.queued_at,
      position,
      preview: row.preview ?? undefined,
    };
  });
}

export function toHeld(row: QueueRow & { assigned_at: string; updated_at: string }): HeldConversation {
  return {
    id: row.id,
    groupId: row.group_id ?? undefined,
    lang: row.lang,
    reason: row.handoff_reason ?? undefined,
    assignedAt: row.assigned_at,
    updatedAt: row.updated_at,
    preview: row.preview ?? undefined,
  };
}

/** The loads of the candidates who may take a chat of this group: in the group, with their chats and last assignment. */
export function loadsFor(
  groupId: string | null,
  candidates: readonly RoutingCandidate[],
  active: ReadonlyMap<string, number>,
  lastAssigned: ReadonlyMap<string, string>,
): AgentLoad[] {
  return candidates
    .filter((c) => groupId !== null && c.groups.includes(groupId))
    .map((c) => ({ agentId: c.agentId, capacity: c.capacity, active: active.get(c.agentId) ?? 0, lastAssignedAt: lastAssigned.get(c.agentId) }));
}

/**
 * Whether the agent may take the chat as it stands: true when they hold it already (nothing to write), false when
 * it is theirs to take; ConflictError (someone else has it, it is not waiting) or ForbiddenError (not their group).
 */
export function checkTake(row: RoutingRow, agent: { agentId: string; groups?: readonly string[] | undefined }): boolean {
  const { id } = row;
  if (row.status === 'assigned' && row.agent_id === agent.agentId) return true;
  if (row.status === 'assigned') throw takenByAnother(id);
  if (row.status !== 'queued') throw new ConflictError(`handoff: conversation ${id} is not waiting in the queue (it is ${row.status})`);
  if (agent.groups && (row.group_id === null || !agent.groups.includes(row.group_id))) {
    throw new ForbiddenError(`handoff: conversation ${id} waits in group ${row.group_id ?? '(none)'}, not one of yours`);
  }
  return false;
}

export const takenByAnother = (id: string) => new ConflictError(`handoff: conversation ${id} was already taken by another agent`);

/** ConflictError when the agent already holds their capacity (counted under the lock that keeps it true). */
export function checkCapacity(active: number, capacity: number, whose: 'own' | 'target'): void {
  if (active < capacity) return;
  throw new ConflictError(
    whose === 'own' ? `handoff: you already hold ${active} chats, your capacity; close one first` : `handoff: that agent is at capacity (${active} chats)`,
  );
}

/** ConflictError unless `holder` (when given) holds the chat now. */
export function checkHolder(row: RoutingRow, holder: string | undefined): void {
  if (holder !== undefined && (row.status !== 'assigned' || row.agent_id !== holder)) {
    throw new ConflictError(`handoff: conversation ${row.id} is not yours (anymore)`);
  }
}

/**
 * ConflictError unless the chat is with the people (queued or assigned), held by `from` when given, and not already
 * the target agent's. The agent it goes to (undefined: it goes to a group's queue) and the transfer row's values.
 */
export function checkTransfer(row: RoutingRow, input: TransferInput, now: string) {
  if (row.status !== 'queued' && row.status !== 'assigned') {
    throw new ConflictError(`handoff: conversation ${row.id} is ${row.status}; only chats with the people can be transferred`);
  }
  if (input.from !== undefined && (row.status !== 'assigned' || row.agent_id !== input.from)) {
    throw new ConflictError(`handoff: conversation ${row.id} is not yours (anymore)`);
  }
  const agent = 'agent' in input.to ? input.to.agent : undefined;
  if (agent && row.status === 'assigned' && row.agent_id === agent.agentId) {
    throw new ConflictError(`handoff: the agent already holds conversation ${row.id}`);
  }
  const record = {
    conversationId: row.id,
    fromAgentId: row.status === 'assigned' ? row.agent_id : null,
    toAgentId: agent?.agentId ?? null,
    toGroupId: 'group' in input.to ? input.to.group : null,
    note: input.note ?? null,
    now,
  };
  return { agent, record };
}

/** A rank before every chat waiting in the group (`front`: the smallest queue_rank there, if any), or now. */
export function frontRank(front: number | null | undefined, nowMs: number): number {
  return front === null || front === undefined ? nowMs : Math.min(front - 1, nowMs);
}

/**
 * What a close does to the chat as it stands: nothing (already closed; or, for the idle sweep, active again since),
 * or ConflictError when `holder` is given and does not hold it; 'close' otherwise.
 */
export function closeVerdict(row: RoutingRow, input: CloseInput): 'already_closed' | 'skipped' | 'close' {
  if (row.status === 'closed') return 'already_closed';
  if (input.idleBefore !== undefined && (row.status !== 'assigned' || row.updated_at >= input.idleBefore)) return 'skipped';
  checkHolder(row, input.holder);
  return 'close';
}

/** The closure row's values: who had it (the group and reason while with the people, the agent while held) and for how long. */
export function closureValues(row: RoutingRow, by: ClosedBy, at: Date) {
  const assigned = row.status === 'assigned';
  const withPeople = assigned || row.status === 'queued';
  return {
    conversationId: row.id,
    groupId: withPeople ? row.group_id : null,
    agentId: assigned ? row.agent_id : null,
    reason: withPeople ? row.handoff_reason : null,
    queuedAt: withPeople ? row.queued_at : null,
    assignedAt: assigned ? row.assigned_at : null,
    now: at.toISOString(),
    by,
    handlingSeconds: assigned && row.assigned_at ? Math.max(0, (at.getTime() - Date.parse(row.assigned_at)) / 1000) : null,
  };
}

/** ConflictError unless the latest close can be rated now: there is one, the chat is not with the people again, and it is unrated. */
export function checkRatable(row: RoutingRow, closure: ClosureRow | undefined): asserts closure is ClosureRow {
  const { id } = row;
  if (!closure) throw new ConflictError(`handoff: conversation ${id} has not been closed; rate it after the chat ends`);
  if (row.status === 'queued' || row.status === 'assigned') {
    throw new ConflictError(`handoff: conversation ${id} is ${row.status} again; rate it after this chat ends`);
  }
  if (closure.rating !== null) throw new ConflictError(`handoff: this chat was already rated`);
}
