// Who else is working, for the console's transfer dialog: GET /api/agent/colleagues.
import { Hono } from 'hono';
import { publicStatus, type AgentStatus } from './agent.ts';
import type { AgentEnv, RequireAgent } from './agent-env.ts';
import type { AgentStore } from './agent-store.ts';
import type { Presence } from '../routing/presence.ts';

export interface Colleague {
  id: string;
  displayName: string;
  groups: string[];
  status: AgentStatus;
}

export interface ColleagueRoutesDeps {
  agents: Pick<AgentStore, 'list'>;
  presence: Pick<Presence, 'status'>;
  requireAgent: RequireAgent;
}

/**
 * Enabled agents and admins with their presence; no usernames, roles or capacity (an agent needs none of that to
 * transfer). Editors work on content only and never hold chats, so they are no transfer target.
 */
export function colleagueRoutes({ agents, presence, requireAgent }: ColleagueRoutesDeps): Hono<AgentEnv> {
  const app = new Hono<AgentEnv>();
  app.get('/api/agent/colleagues', requireAgent(), async (c) => {
    const colleagues: Colleague[] = (await agents.list())
      .filter((a) => !a.disabled && a.role !== 'editor')
      // An invisible colleague reads as offline (they chose not to be seen); one's own status stays as chosen.
      .map((a) => {
        const status = presence.status(a.id);
        return { id: a.id, displayName: a.displayName, groups: a.groups, status: a.id === c.var.agent.id ? status : publicStatus(status) };
      });
    return c.json({ colleagues });
  });
  return app;
}
