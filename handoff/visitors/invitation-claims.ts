// POST /api/chat with an invitationId: checks the invitation, marks the new conversation as invited, and finds
// the inviting agent when they can take the chat now (online, below capacity).
import { type Agent, toAgent, type AgentStatus } from '../agents/agent.ts';
import type { Clock } from '../platform/clock.ts';
import { ValidationError } from '../platform/errors.ts';
import type { InvitationRuleStore } from './invitation-rules.ts';
import type { Invitation, VisitorPresence } from './visitor-presence.ts';

export interface InvitationClaim {
  invitation: Invitation;
  /** The inviting agent, when they are online with room for one more chat: the chat goes straight to them. */
  agent?: Agent;
}

export interface InvitationClaims {
  /** The invitation for this visitor id, used now; ValidationError `invalid_invitation` otherwise. */
  claim(invitationId: string, visitorId: string | undefined): Promise<InvitationClaim>;
  /** The conversation started from it (invited_conversations) and the visitor is in chat from now on. */
  started(conversationId: string, claim: InvitationClaim, visitorId: string | undefined): Promise<void>;
  /**
   * Any new conversation with a visitor id: the visitor list shows them in chat. Never rejects: the conversation
   * is made already, and its answer (with the visitor's token) must not be lost for a note in the visitor list.
   */
  noteConversation(visitorId: string, conversationId: string): Promise<void>;
}

export interface InvitationClaimsDeps {
  presence: VisitorPresence;
  rules: InvitationRuleStore;
  agents: { get(id: string): Promise<Agent | undefined> };
  status: (agentId: string) => AgentStatus;
  heldConversationIds: (agentId: string) => Promise<string[]>;
  clock: Clock;
  /** A note of the visitor list that could not be written (Redis out of reach). Default: ignored. */
  onNoteFailed?: (err: unknown) => void;
}

export function createInvitationClaims(deps: InvitationClaimsDeps): InvitationClaims {
  const note = async (visitorId: string, conversationId: string) => {
    try {
      await deps.presence.noteConversation(visitorId, conversationId);
    } catch (err) {
      deps.onNoteFailed?.(err);
    }
  };
  return {
    async claim(invitationId, visitorId) {
      const invitation = await deps.presence.claim(invitationId, visitorId);
      if (!invitation) {
        throw new ValidationError('invalid_invitation', 'invitationId names no open invitation of this visitor', 'invitationId');
      }
      if (invitation.from.kind !== 'agent') return { invitation };
      const agent = await deps.agents.get(invitation.from.agentId);
      // An inviter since made an editor (content only) or disabled takes no chat: the bot starts it instead.
      if (!agent || agent.disabled || agent.role === 'editor' || deps.status(agent.id) !== 'online') return { invitation };
      if ((await deps.heldConversationIds(agent.id)).length >= agent.capacity) return { invitation };
      return { invitation, agent: toAgent(agent) };
    },
    async started(conversationId, { invitation }, visitorId) {
      const from = invitation.from;
      await deps.rules.markInvited(
        conversationId,
        from.kind === 'agent' ? { id: invitation.id, kind: 'agent', agentId: from.agentId } : { id: invitation.id, kind: 'rule', ruleId: from.ruleId },
        deps.clock(),
      );
      if (visitorId) await note(visitorId, conversationId);
    },
    noteConversation: note,
  };
}
