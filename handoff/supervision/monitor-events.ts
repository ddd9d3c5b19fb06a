// The admins' monitor on the live agent stream: `supervisor` events (what changed) and the read-only watch of a chat.
import type { AgentStatus } from '../agents/agent.ts';
import type { LiveEvent, SupervisorChange } from '../platform/hub.ts';
import type { SseEvent } from '../live/sse-connection.ts';

/**
 * `event: supervisor` on GET /api/agent/events, for admins only: a hint that the figures of
 * GET /api/admin/monitor changed (the console refetches), with what changed and for whom.
 */
export interface SupervisorWireEvent extends SseEvent {
  event: 'supervisor';
  data: { change: SupervisorChange; agentId?: string; conversationId?: string; status?: AgentStatus };
}

/**
 * `event: watching` on the admin's stream: the conversation is (no longer) followed read-only; while it is,
 * its `message`, `typing`, `status` and `closed` events arrive as they do for the holder.
 */
export interface WatchingWireEvent extends SseEvent {
  event: 'watching';
  data: { conversationId: string; watching: boolean };
}

export function supervisorWireEvent(e: Extract<LiveEvent, { type: 'supervisor' }>): SupervisorWireEvent {
  const data: SupervisorWireEvent['data'] = { change: e.change };
  if (e.agentId !== undefined) data.agentId = e.agentId;
  if (e.conversationId !== undefined) data.conversationId = e.conversationId;
  if (e.status !== undefined) data.status = e.status;
  return { event: 'supervisor', data };
}
