// GET /api/agent/conversations/:id/history: the customer history beside a chat, i.e. the same visitor's other
// conversations (the widget's visitor id) with date, agent and status, and whether the caller may open each.
import { Hono } from 'hono';
import type { Agent } from '../agents/agent.ts';
import type { AgentEnv, RequireAgent } from '../agents/agent-env.ts';
import type { ConversationStatus, ConversationStore } from '../conversations/conversation-store.ts';
import { mayView, viewAccessOf } from '../conversations/view-access.ts';
import { ForbiddenError, NotFoundError } from '../platform/errors.ts';
import type { RoutingStore } from '../routing/routing-store.ts';
import { actorOf, AuditAction, type AuditLog } from '../supervision/audit-log.ts';
import type { TranscriptStore } from './transcript-store.ts';

export interface VisitorHistoryRoutesDeps {
  transcripts: Pick<TranscriptStore, 'conversationsOfVisitor'>;
  routing: Pick<RoutingStore, 'get'>;
  conversations: Pick<ConversationStore, 'getConversation'>;
  agents: { get(id: string): Promise<Pick<Agent, 'displayName'> | undefined> };
  requireAgent: RequireAgent;
  /** One row per listing (the chat, how many listed; never text); none in tests that do not read it. */
  audit?: AuditLog;
  /** Most conversations listed. Range 1-100; default 20. */
  limit?: number;
}

/** One earlier (or later) conversation of the visitor, as the console's history panel shows it. */
export interface VisitorHistoryItem {
  id: string;
  status: ConversationStatus;
  createdAt: string;
  updatedAt: string;
  messages: number;
  /** Who held it (last); absent when no agent did. */
  agent?: { id: string; displayName: string };
  /** The caller may open it (GET /api/agent/conversations/:id, view-access.ts); when false it is listed, never readable. */
  viewable: boolean;
}

/** Longer ids cannot be ours (UUIDs are 36). */
const MAX_ID_LENGTH = 128;

export function visitorHistoryRoutes(deps: VisitorHistoryRoutesDeps): Hono<AgentEnv> {
  const { transcripts, routing, conversations, agents, requireAgent, audit, limit = 20 } = deps;
  const app = new Hono<AgentEnv>();

  app.get('/api/agent/conversations/:id/history', requireAgent('agent'), async (c) => {
    const id = c.req.param('id');
    if (id.length === 0 || id.length > MAX_ID_LENGTH) throw new NotFoundError('handoff: no such conversation');
    const me = c.var.agent;
    const access = viewAccessOf(me);
    // Only beside a chat the caller may read: the history is about that chat's visitor.
    if (!mayView(access, await routing.get(id))) {
      throw new ForbiddenError(`handoff: conversation ${id} is neither yours nor waiting in your groups`);
    }
    const visitorId = (await conversations.getConversation(id)).visitor.visitorId;
    const rows = visitorId ? (await transcripts.conversationsOfVisitor(visitorId, limit + 1)).filter((r) => r.conversationId !== id).slice(0, limit) : [];
    const names = new Map<string, string>();
    const history: VisitorHistoryItem[] = [];
    for (const row of rows) {
      let agent: VisitorHistoryItem['agent'];
      if (row.agentId !== undefined) {
        if (!names.has(row.agentId)) names.set(row.agentId, (await agents.get(row.agentId))?.displayName ?? row.agentId);
        agent = { id: row.agentId, displayName: names.get(row.agentId)! };
      }
      history.push({
        id: row.conversationId,
        status: row.status,
        createdAt: row.createdAt,
        updatedAt: row.updatedAt,
        messages: row.messages,
        ...(agent ? { agent } : {}),
        viewable: mayView(access, { status: row.status, agentId: row.agentId, groupId: row.groupId }),
      });
    }
    await audit?.record(actorOf(me), AuditAction.visitorHistoryViewed, { type: 'conversation', id }, { listed: history.length });
    return c.json({ conversations: history });
  });

  return app;
}
