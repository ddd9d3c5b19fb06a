// The invisible status (隐身) through the HTTP routes: no chat offered automatically, the queue still takeable,
// shown as offline to colleagues and to the routing's "anyone there" check, as chosen to the agent themselves.
import { afterEach, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { colleagueRoutes } from '../agents/colleague-routes.ts';
import { headerRequireAgent, routingKit, type RoutingKit } from '../testing/routing-test-kit.ts';

let kits: RoutingKit[] = [];
afterEach(() => {
  for (const kit of kits.splice(0)) kit.close();
});

describe('invisible status', () => {
  it('gets no chat automatically, can take from the queue, and reads its own status back as invisible', async () => {
    const kit = routingKit();
    kits.push(kit);
    kit.agents.add({ id: 'a', groups: ['mobile'] });
    kit.agents.add({ id: 'b', groups: ['mobile'] });
    await kit.online('a', 'b');
    const set = await kit.request('/api/agent/status', { method: 'POST', agent: 'a', body: { status: 'invisible' } });
    expect(set).toEqual({ status: 200, json: { status: 'invisible' } });
    expect(await kit.request('/api/agent/status', { agent: 'a' })).toEqual({ status: 200, json: { status: 'invisible' } });
    // b busy: nobody online, but b is there, so the visitor waits in the queue.
    expect((await kit.request('/api/agent/status', { method: 'POST', agent: 'b', body: { status: 'busy' } })).status).toBe(200);
    await kit.routing.settled();

    const chat = await kit.queued('mobile');
    expect(await kit.routing.enqueued(chat.id)).toMatchObject({ kind: 'queued' });
    await kit.routing.settled();
    expect(await kit.store.get(chat.id)).toMatchObject({ status: 'queued' });
    expect(kit.hub.events.filter((e) => e.event.type === 'assigned')).toHaveLength(0);

    const queue = await kit.request('/api/agent/queue', { agent: 'a' });
    expect(queue.json.conversations.map((c: { id: string }) => c.id)).toEqual([chat.id]);
    const taken = await kit.request(`/api/agent/conversations/${chat.id}/take`, { method: 'POST', agent: 'a' });
    expect(taken.status).toBe(200);
    expect(taken.json).toMatchObject({ id: chat.id, status: 'assigned', agent: { id: 'a' } });
    // Taking a chat does not end the choice.
    expect((await kit.request('/api/agent/status', { agent: 'a' })).json).toEqual({ status: 'invisible' });
  });

  it('an invisible agent alone does not make a group staffed for visitors, nor a transfer target', async () => {
    const kit = routingKit();
    kits.push(kit);
    kit.agents.add({ id: 'a', groups: ['mobile'] });
    kit.agents.add({ id: 'b', groups: ['mobile'] });
    await kit.online('a', 'b');
    await kit.request('/api/agent/status', { method: 'POST', agent: 'a', body: { status: 'invisible' } });
    await kit.request('/api/agent/status', { method: 'POST', agent: 'b', body: { status: 'offline' } });
    await kit.routing.settled();
    expect(kit.presence.presentAgents()).toEqual([]);
    const chat = await kit.queued('mobile');
    expect((await kit.routing.enqueued(chat.id)).kind).not.toBe('assigned');

    // b back online takes the chat; a transfer to the invisible a is refused like one to an away agent.
    await kit.request('/api/agent/status', { method: 'POST', agent: 'b', body: { status: 'online' } });
    await kit.routing.settled();
    const other = await kit.queued('mobile');
    expect(await kit.routing.enqueued(other.id)).toMatchObject({ kind: 'assigned', agent: { id: 'b' } });
    const transfer = await kit.request(`/api/agent/conversations/${other.id}/transfer`, { method: 'POST', agent: 'b', body: { agent: 'a' } });
    expect(transfer.status).toBe(409);
  });

  it('colleagues see an invisible agent as offline; the agent sees themselves as invisible', async () => {
    const kit = routingKit();
    kits.push(kit);
    kit.agents.add({ id: 'a', groups: ['mobile'] });
    kit.agents.add({ id: 'b', groups: ['mobile'] });
    await kit.online('a', 'b');
    kit.presence.setStatus('a', 'invisible');
    const app = new Hono();
    app.route('/', colleagueRoutes({ agents: { list: async () => kit.agents.all().map((a) => ({ ...a, createdAt: '', updatedAt: '', passwordChangedAt: '' })) }, presence: kit.presence, requireAgent: headerRequireAgent(kit.agents) }));
    const statusIn = async (viewer: string) => {
      const res = await app.request('/api/agent/colleagues', { headers: { 'x-agent': viewer } });
      const { colleagues } = (await res.json()) as { colleagues: Array<{ id: string; status: string }> };
      return Object.fromEntries(colleagues.map((c) => [c.id, c.status]));
    };
    expect(await statusIn('b')).toEqual({ a: 'offline', b: 'online' });
    expect(await statusIn('a')).toEqual({ a: 'invisible', b: 'online' });
  });

  it('400 for an unknown status still names the invisible choice', async () => {
    const kit = routingKit();
    kits.push(kit);
    kit.agents.add({ id: 'a' });
    const bad = await kit.request('/api/agent/status', { method: 'POST', agent: 'a', body: { status: 'hidden' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/invisible/);
  });
});
