// Admin API for agent accounts: GET/POST /api/admin/agents, GET/PATCH /api/admin/agents/:id (admins only).
import { Hono } from 'hono';
import { limitBody } from '../http/body-limit.ts';
import type { AgentAccounts } from './agent-accounts.ts';
import { auditAgentCreated, auditAgentUpdated } from './agent-audit.ts';
import type { AgentEnv, RequireAgent } from './agent-env.ts';
import { parseAgentPatch, parseNewAgent } from './agent-input.ts';
import type { AgentRecord } from './agent-store.ts';
import { actorOf, type AuditLog } from '../supervision/audit-log.ts';
import { readJsonBody } from '../http/read-json-body.ts';

export interface AdminAgentRoutesDeps {
  accounts: AgentAccounts;
  requireAgent: RequireAgent;
  /** Who created or changed which account (never the password); none in tests that do not read it. */
  audit?: AuditLog;
  /** Largest request body. Range 1024-1048576 bytes; default 16384. */
  maxBodyBytes?: number;
}

/** What admins see of an account: everything but password material. */
export type AgentView = AgentRecord;

export function adminAgentRoutes({ accounts, requireAgent, audit, maxBodyBytes = 16_384 }: AdminAgentRoutesDeps): Hono<AgentEnv> {
  const app = new Hono<AgentEnv>();
  const bodyWithinLimit = limitBody(maxBodyBytes);
  // Per route, not app.use('/api/admin/*'): sub-apps mounted at '/' share one router, and a wide
  // middleware here would also run in front of other modules' routes.
  const admin = requireAgent('admin');

  app.get('/api/admin/agents', admin, async (c) => {
    return c.json({ agents: (await accounts.agents.list()).map(view) });
  });

  app.post('/api/admin/agents', admin, bodyWithinLimit, async (c) => {
    const input = parseNewAgent(await readJsonBody(c));
    const agent = await accounts.add(input, { actorId: c.var.agent.id });
    if (audit) await auditAgentCreated(audit, actorOf(c.var.agent), agent);
    return c.json({ agent: view(agent) }, 201);
  });

  app.get('/api/admin/agents/:id', admin, async (c) => {
    return c.json({ agent: view(await accounts.agents.get(c.req.param('id'))) });
  });

  app.patch('/api/admin/agents/:id', admin, bodyWithinLimit, async (c) => {
    const patch = parseAgentPatch(await readJsonBody(c));
    const id = c.req.param('id');
    const { agent: actor, session } = c.var;
    const before = await accounts.agents.get(id);
    const agent = await accounts.update(id, patch, {
      actorId: actor.id,
      // An admin setting their own password stays signed in here; their other sessions end.
      ...(id === actor.id ? { keepSessionId: session.id } : {}),
    });
    if (audit) await auditAgentUpdated(audit, actorOf(actor), before, agent, patch);
    return c.json({ agent: view(agent) });
  });

  return app;
}

function view(agent: AgentRecord): AgentView {
  return {
    id: agent.id,
    username: agent.username,
    displayName: agent.displayName,
    role: agent.role,
    groups: agent.groups,
    capacity: agent.capacity,
    disabled: agent.disabled,
    createdAt: agent.createdAt,
    updatedAt: agent.updatedAt,
    passwordChangedAt: agent.passwordChangedAt,
  };
}
