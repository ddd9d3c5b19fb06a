import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { Agent, AgentStatus } from './agent.ts';
import type { AgentEnv, RequireAgent } from './agent-env.ts';
import { colleagueRoutes } from './colleague-routes.ts';

const agent = (id: string, over: Partial<Agent> = {}): Agent & { createdAt: string; updatedAt: string; passwordChangedAt: string } => ({
  id, username: `u-${id}`, displayName: `Name ${id}`, role: 'agent', groups: ['mobile'], capacity: 3, disabled: false,
  createdAt: '', updatedAt: '', passwordChangedAt: '', ...over,
});

// Signed in as the agent named by the x-agent header; none -> 401.
const requireAgent: RequireAgent = () => async (c, next) => {
  const id = c.req.header('x-agent');
  if (!id) return c.json({ error: { code: 'unauthorized' } }, 401);
  c.set('agent', agent(id));
  c.set('session', { id: 's' });
  await next();
};

describe('GET /api/agent/colleagues', () => {
  it('lists enabled agents and admins (no editors) with their presence and nothing private', async () => {
    const statuses: Record<string, AgentStatus> = { a: 'online', b: 'away' };
    const app = new Hono<AgentEnv>().route('/', colleagueRoutes({
      agents: { list: async () => [agent('a'), agent('b', { role: 'admin' }), agent('c', { disabled: true }), agent('d', { role: 'editor' })] },
      presence: { status: (id) => statuses[id] ?? 'offline' },
      requireAgent,
    }));
    const res = await app.request('/api/agent/colleagues', { headers: { 'x-agent': 'a' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { colleagues: Array<Record<string, unknown>> };
    expect(body.colleagues).toEqual([
      { id: 'a', displayName: 'Name a', groups: ['mobile'], status: 'online' },
      { id: 'b', displayName: 'Name b', groups: ['mobile'], status: 'away' },
    ]);
    expect(JSON.stringify(body)).not.toMatch(/u-a|username|role|capacity/);
    expect((await app.request('/api/agent/colleagues')).status).toBe(401);
  });
});
