// The real RequireAgent on a small app of its own: what it puts on the context, roles, and the cases
// another process causes (an agent disabled or a session ended by the CLI).
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { createErrorHandler } from '../http/error-handler.ts';
import { silentLog } from '../testing/silent-log.ts';
import type { AgentEnv } from '../agents/agent-env.ts';
import { addAgent, createKit, login, type Kit } from '../testing/agent-test-kit.ts';
import { sessionIdOf } from './session-store.ts';

const kits: Kit[] = [];
afterEach(() => {
  for (const kit of kits.splice(0)) kit.close();
});

function setup() {
  const k = createKit();
  kits.push(k);
  const app = new Hono<AgentEnv>();
  app.get('/who', k.requireAgent(), (c) => c.json({ agent: c.var.agent, session: c.var.session }));
  app.post('/act', k.requireAgent(), (c) => c.json({ ok: true }));
  app.get('/admin', k.requireAgent('admin'), (c) => c.json({ ok: true }));
  app.get('/content', k.requireAgent('content'), (c) => c.json({ ok: true }));
  app.get('/me', k.requireAgent('signed-in'), (c) => c.json({ ok: true }));
  app.get('/editors-only', k.requireAgent(['editor']), (c) => c.json({ ok: true }));
  app.onError(createErrorHandler(silentLog));
  const get = (path: string, cookie?: string, headers: Record<string, string> = {}) =>
    app.request(`http://localhost${path}`, { headers: { ...headers, ...(cookie ? { cookie: `agent_session=${cookie}` } : {}) } });
  const post = (path: string, cookie: string, headers: Record<string, string> = {}) =>
    app.request(`http://localhost${path}`, { method: 'POST', headers: { ...headers, cookie: `agent_session=${cookie}` } });
  return { k, get, post };
}

describe('createRequireAgent', () => {
  it('puts the agent (no password material) and the session id on the context, and marks the response no-store', async () => {
    const { k, get } = setup();
    const alice = await addAgent(k, 'alice', { groups: ['billing'], capacity: 2 });
    const cookie = await login(k, 'alice');
    const res = await get('/who', cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({
      agent: { id: alice.id, username: 'alice', displayName: 'alice', role: 'agent', groups: ['billing'], capacity: 2, disabled: false },
      session: { id: sessionIdOf(cookie) },
    });
  });

  it('admin routes: 403 for agents, 200 for admins; agent routes let admins in', async () => {
    const { k, get } = setup();
    await addAgent(k, 'alice');
    await addAgent(k, 'root', { role: 'admin' });
    const agent = await login(k, 'alice');
    const admin = await login(k, 'root');
    expect((await get('/admin', agent)).status).toBe(403);
    expect((await get('/admin', admin)).status).toBe(200);
    expect((await get('/who', admin)).status).toBe(200);
    expect((await get('/admin')).status).toBe(401);
  });

  it('the role matrix: signed-in any role, agent for agents and admins, content for editors and admins, a set exactly', async () => {
    const { k, get } = setup();
    await addAgent(k, 'alice');
    await addAgent(k, 'root', { role: 'admin' });
    await k.accounts.add({ username: 'erin', displayName: 'Erin', role: 'editor', groups: [], capacity: 0, password: 'erin-edits-the-faq' });
    const cookies = { agent: await login(k, 'alice'), admin: await login(k, 'root'), editor: await login(k, 'erin', 'erin-edits-the-faq') };
    const matrix: Record<string, Record<keyof typeof cookies, number>> = {};
    for (const path of ['/me', '/who', '/content', '/admin', '/editors-only']) {
      matrix[path] = { agent: 0, editor: 0, admin: 0 };
      for (const role of ['agent', 'editor', 'admin'] as const) matrix[path]![role] = (await get(path, cookies[role])).status;
    }
    expect(matrix).toEqual({
      '/me': { agent: 200, editor: 200, admin: 200 },
      '/who': { agent: 200, editor: 403, admin: 200 },
      '/content': { agent: 403, editor: 200, admin: 200 },
      '/admin': { agent: 403, editor: 403, admin: 200 },
      '/editors-only': { agent: 403, editor: 200, admin: 403 },
    });
    expect((await get('/content')).status).toBe(401);
  });

  it('401 for an agent disabled behind its back (another process), ending its sessions and announcing it', async () => {
    const { k, get } = setup();
    const alice = await addAgent(k, 'alice');
    const cookie = await login(k, 'alice');
    // What the CLI does from its own process: a direct write, no hub.
    k.db.prepare('UPDATE agents SET disabled = 1 WHERE id = ?').run(alice.id);
    const res = await get('/who', cookie);
    expect(res.status).toBe(401);
    expect(res.headers.getSetCookie().join()).toMatch(/agent_session=;/);
    expect(k.hub.events).toEqual([{ topic: `agent:${alice.id}`, event: { type: 'session_ended', agentId: alice.id } }]);
    expect(k.db.prepare('SELECT end_reason FROM sessions').pluck().all()).toEqual(['disabled']);
  });

  it('401 for a session ended elsewhere, without announcing it again', async () => {
    const { k, get } = setup();
    const alice = await addAgent(k, 'alice');
    const cookie = await login(k, 'alice');
    await k.sessions.endAllOf(alice.id, 'password_changed');
    expect((await get('/who', cookie)).status).toBe(401);
    expect(k.hub.events).toEqual([]);
  });

  it('checks Origin on changes before the session: 403 even with a valid cookie', async () => {
    const { k, post } = setup();
    await addAgent(k, 'alice');
    const cookie = await login(k, 'alice');
    expect((await post('/act', cookie, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await post('/act', cookie, { origin: 'http://localhost' })).status).toBe(200);
    expect((await post('/act', 'x'.repeat(43), { origin: 'https://evil.example' })).status).toBe(403);
  });
});
