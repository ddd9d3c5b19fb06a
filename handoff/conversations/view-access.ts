// Who may read a conversation: the one rule behind GET /api/agent/conversations/:id and transcript search.
import type { Agent } from '../agents/agent.ts';
import type { ConversationStatus } from './conversation-store.ts';

/**
 * What a viewer may read. Admins: every conversation. Anyone else: the chats they hold now, the chats they joined
 * as a colleague of the holder (while that holder keeps it), and the chats waiting in their groups. Having held a
 * chat once is not enough: after a transfer or a close, what the visitor writes goes to another agent or to the
 * bot, and is for whoever may view the chat now. The SQL form of the same rule (colleagues included, read from
 * their participations) is sqlite-view-access.ts and postgres-view-access.ts; view-access.test.ts checks that they agree.
 */
export type ViewAccess =
  | { kind: 'every' }
  | { kind: 'held_or_queued_in_groups'; agentId: string; groups: readonly string[] };

export const EVERY_CONVERSATION: ViewAccess = { kind: 'every' };

export function viewAccessOf(viewer: Pick<Agent, 'id' | 'role'> & { groups: readonly string[] }): ViewAccess {
  return viewer.role === 'admin' ? EVERY_CONVERSATION : { kind: 'held_or_queued_in_groups', agentId: viewer.id, groups: [...viewer.groups] };
}

/** The fields of a conversation the rule reads (the routing store's row has them). */
export interface ViewedConversation {
  status: ConversationStatus;
  /** The holder while assigned; after a close, the last holder (which gives no access). */
  agentId?: string | undefined;
  groupId?: string | undefined;
  /**
   * The colleagues in the chat beside its holder now (handoff/collaboration/; joined, in the current holding). A
   * caller that does not say gives them nothing (the SQL form reads them from the participations itself).
   */
  participants?: readonly string[] | undefined;
}

export function mayView(access: ViewAccess, conversation: ViewedConversation): boolean {
  if (access.kind === 'every') return true;
  if (conversation.status === 'assigned') return conversation.agentId === access.agentId || (conversation.participants?.includes(access.agentId) ?? false);
  if (conversation.status === 'queued') return conversation.groupId !== undefined && access.groups.includes(conversation.groupId);
  return false;
}
