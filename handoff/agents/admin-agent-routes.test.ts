// The admin API for agent accounts through app.request(): role enforcement, validation, and what a
// disable or a password change does to the agent's sessions.
import { afterEach, describe, expect, it } from 'vitest';
import { addAgent, call, createKit, login, PASSWORD, type Kit, type KitOptions } from '../testing/agent-test-kit.ts';
import { sessionIdOf } from '../auth/session-store.ts';

const kits: Kit[] = [];
afterEach(() => {
  for (const kit of kits.splice(0)) kit.close();
});
async function setup(options: KitOptions = {}) {
  const k = createKit(options);
  kits.push(k);
  const root = await addAgent(k, 'root', { role: 'admin', displayName: 'Root', groups: [] });
  const alice = await addAgent(k, 'alice', { displayName: 'Alice', groups: ['mobile'] });
  const adminCookie = await login(k, 'root');
  const agentCookie = await login(k, 'alice');
  return { k, root, alice, adminCookie, agentCookie };
}

describe('role enforcement', () => {
  it('401 without a session, 403 for an agent, on every admin route', async () => {
    const { k, alice, agentCookie } = await setup();
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/api/admin/agents'],
      ['POST', '/api/admin/agents', { username: 'x1', displayName: 'X', password: 'a long password' }],
      ['GET', `/api/admin/agents/${alice.id}`],
      ['PATCH', `/api/admin/agents/${alice.id}`, { capacity: 9 }],
    ];
    for (const [method, path, body] of routes) {
      const anonymous = await call(k, method, path, { body });
      expect(anonymous.status, `${method} ${path}`).toBe(401);
      const agent = await call(k, method, path, { body, cookie: agentCookie });
      expect(agent.status, `${method} ${path}`).toBe(403);
      expect((await agent.json()).error.code).toBe('forbidden');
    }
    // The agent could not raise their own capacity, nor make anyone.
    expect((await k.agents.get(alice.id)).capacity).toBe(3);
    expect(await k.agents.findByUsername('x1')).toBeUndefined();
  });

  it('a role change ends the account\'s sessions and announces it (open streams close); the new role signs in again', async () => {
    const { k, root, adminCookie } = await setup();
    const other = await addAgent(k, 'boss', { role: 'admin' });
    const otherCookie = await login(k, 'boss');
    const res = await call(k, 'PATCH', `/api/admin/agents/${other.id}`, { cookie: adminCookie, body: { role: 'agent' } });
    expect(res.status).toBe(200);
    expect(k.hub.events).toEqual([{ topic: `agent:${other.id}`, event: { type: 'session_ended', agentId: other.id } }]);
    expect((await call(k, 'GET', '/api/agent/me', { cookie: otherCookie })).status).toBe(401);
    const again = await login(k, 'boss');
    expect((await call(k, 'GET', '/api/admin/agents', { cookie: again })).status).toBe(403);
    expect((await call(k, 'GET', '/api/agent/me', { cookie: again })).status).toBe(200);
    expect(root.role).toBe('admin');
  });

  it('refuses a foreign Origin on admin changes with 403', async () => {
    const { k, alice, adminCookie } = await setup();
    const res = await call(k, 'PATCH', `/api/admin/agents/${alice.id}`, { cookie: adminCookie, origin: 'https://evil.example', body: { disabled: true } });
    expect(res.status).toBe(403);
    expect((await k.agents.get(alice.id)).disabled).toBe(false);
  });
});

describe('GET /api/admin/agents', () => {
  it('lists every account by username, without password material', async () => {
    const { k, adminCookie } = await setup();
    const res = await call(k, 'GET', '/api/admin/agents', { cookie: adminCookie });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { agents } = await res.json();
    expect(agents.map((a: { username: string }) => a.username)).toEqual(['alice', 'root']);
    expect(Object.keys(agents[0]).sort()).toEqual(
      ['capacity', 'createdAt', 'disabled', 'displayName', 'groups', 'id', 'passwordChangedAt', 'role', 'updatedAt', 'username'].sort(),
    );
    expect(JSON.stringify(agents)).not.toMatch(/argon2|password_hash|passwordHash/);
  });
});

describe('POST /api/admin/agents', () => {
  it('creates an agent who can sign in, with defaults for role, groups and capacity', async () => {
    const { k, adminCookie } = await setup();
    const res = await call(k, 'POST', '/api/admin/agents', {
      cookie: adminCookie,
      body: { username: 'Wang.Fang', displayName: '  王芳 ', password: 'her own long password' },
    });
    expect(res.status).toBe(201);
    const { agent } = await res.json();
    expect(agent).toMatchObject({ username: 'wang.fang', displayName: '王芳', role: 'agent', groups: [], capacity: 3, disabled: false });
    await login(k, 'wang.fang', 'her own long password');
    const full = await call(k, 'POST', '/api/admin/agents', {
      cookie: adminCookie,
      body: { username: 'li', displayName: 'Li', role: 'admin', groups: ['Billing', 'mobile', 'billing'], capacity: 5, password: 'another long password' },
    });
    expect((await full.json()).agent).toMatchObject({ role: 'admin', groups: ['billing', 'mobile'], capacity: 5 });
  });

  it('refuses a taken username in any case with 409', async () => {
    const { k, adminCookie } = await setup();
    const res = await call(k, 'POST', '/api/admin/agents', {
      cookie: adminCookie,
      body: { username: 'ALICE', displayName: 'Other Alice', password: 'a long password' },
    });
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe('conflict');
  });

  it('answers bad input with 400 naming the field', async () => {
    const { k, adminCookie } = await setup();
    const good = { username: 'newbie', displayName: 'New', password: 'a long password' };
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ displayName: 'New', password: 'a long password' }, 'missing_field', 'username'],
      [{ ...good, username: 'has space' }, 'invalid_username', 'username'],
      [{ ...good, username: '-dash' }, 'invalid_username', 'username'],
      [{ ...good, displayName: '   ' }, 'invalid_display_name', 'displayName'],
      [{ ...good, displayName: 'x'.repeat(65) }, 'invalid_display_name', 'displayName'],
      [{ ...good, role: 'root' }, 'invalid_role', 'role'],
      [{ ...good, groups: 'mobile' }, 'invalid_groups', 'groups'],
      [{ ...good, groups: ['has space'] }, 'invalid_groups', 'groups'],
      [{ ...good, capacity: 2.5 }, 'invalid_capacity', 'capacity'],
      [{ ...good, capacity: 51 }, 'invalid_capacity', 'capacity'],
      [{ ...good, capacity: -1 }, 'invalid_capacity', 'capacity'],
      [{ ...good, password: 'short' }, 'weak_password', 'password'],
      [{ ...good, password: 'newbie' }, 'weak_password', 'password'],
      [{ ...good, password: 'NEWBIE' }, 'weak_password', 'password'],
      [{ ...good, password: 'password' }, 'weak_password', 'password'],
      [{ ...good, password: '12345678' }, 'weak_password', 'password'],
      [{ ...good, password: 'nine char' }, 'weak_password', 'password'],
      [{ ...good, password: 'Password123' }, 'weak_password', 'password'],
      [{ ...good, extra: true }, 'unknown_field', 'extra'],
      [{ username: 'newbie', displayName: 'New' }, 'missing_field', 'password'],
    ];
    for (const [body, code, field] of cases) {
      const res = await call(k, 'POST', '/api/admin/agents', { cookie: adminCookie, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json()).error, JSON.stringify(body)).toMatchObject({ code, field });
    }
    expect(await k.agents.findByUsername('newbie')).toBeUndefined();
  });

  it('refuses groups routing does not know, when given the list', async () => {
    const { k, adminCookie } = await setup({ knownGroups: ['mobile', 'broadband', 'billing'] });
    const res = await call(k, 'POST', '/api/admin/agents', {
      cookie: adminCookie,
      body: { username: 'newbie', displayName: 'New', groups: ['mobile', 'roaming'], password: 'a long password' },
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ code: 'unknown_group', field: 'groups' });
  });
});

describe('GET /api/admin/agents/:id', () => {
  it('returns one account, 404 for an unknown id', async () => {
    const { k, alice, adminCookie } = await setup();
    const res = await call(k, 'GET', `/api/admin/agents/${alice.id}`, { cookie: adminCookie });
    expect((await res.json()).agent).toMatchObject({ id: alice.id, username: 'alice' });
    expect((await call(k, 'GET', '/api/admin/agents/no-such-id', { cookie: adminCookie })).status).toBe(404);
  });
});

describe('PATCH /api/admin/agents/:id', () => {
  it('changes name, groups and capacity; sessions stay', async () => {
    const { k, alice, adminCookie, agentCookie } = await setup();
    k.clock.advance(1000);
    const res = await call(k, 'PATCH', `/api/admin/agents/${alice.id}`, {
      cookie: adminCookie,
      body: { displayName: 'Alice Li', groups: ['billing', 'broadband'], capacity: 6 },
    });
    expect(res.status).toBe(200);
    const { agent } = await res.json();
    expect(agent).toMatchObject({ displayName: 'Alice Li', groups: ['billing', 'broadband'], capacity: 6 });
    expect(agent.updatedAt).toBe('2025-03-03T01:00:01.000Z');
    expect(agent.passwordChangedAt).toBe('2025-03-03T01:00:00.000Z');
    // The agent sees the change at once, and stays signed in.
    const me = await (await call(k, 'GET', '/api/agent/me', { cookie: agentCookie })).json();
    expect(me.agent).toMatchObject({ displayName: 'Alice Li', groups: ['billing', 'broadband'], capacity: 6 });
    expect(k.hub.events).toEqual([]);
  });

  it('disabling ends every session of the agent, announces it, and refuses sign-in from then on', async () => {
    const { k, alice, adminCookie, agentCookie } = await setup();
    const second = await login(k, 'alice');
    const res = await call(k, 'PATCH', `/api/admin/agents/${alice.id}`, { cookie: adminCookie, body: { disabled: true } });
    expect(res.status).toBe(200);
    expect((await res.json()).agent.disabled).toBe(true);
    expect(await k.sessions.listActive(alice.id)).toEqual([]);
    expect(k.hub.events).toEqual([{ topic: `agent:${alice.id}`, event: { type: 'session_ended', agentId: alice.id } }]);
    expect((await call(k, 'GET', '/api/agent/me', { cookie: agentCookie })).status).toBe(401);
    expect((await call(k, 'GET', '/api/agent/me', { cookie: second })).status).toBe(401);
    const again = await call(k, 'POST', '/api/agent/login', { body: { username: 'alice', password: PASSWORD } });
    expect(again.status).toBe(401);
    // Enabled again: sign-in works, the old sessions stay dead.
    await call(k, 'PATCH', `/api/admin/agents/${alice.id}`, { cookie: adminCookie, body: { disabled: false } });
    await login(k, 'alice');
    expect((await call(k, 'GET', '/api/agent/me', { cookie: agentCookie })).status).toBe(401);
  });

  it('a new password ends every session of the agent, and only the new password works', async () => {
    const { k, alice, adminCookie, agentCookie } = await setup();
    const res = await call(k, 'PATCH', `/api/admin/agents/${alice.id}`, { cookie: adminCookie, body: { password: 'reset by the admin' } });
    expect(res.status).toBe(200);
    expect(await k.sessions.listActive(alice.id)).toEqual([]);
    expect(k.hub.events).toEqual([{ topic: `agent:${alice.id}`, event: { type: 'session_ended', agentId: alice.id } }]);
    expect((await call(k, 'GET', '/api/agent/me', { cookie: agentCookie })).status).toBe(401);
    expect((await call(k, 'POST', '/api/agent/login', { body: { username: 'alice', password: PASSWORD } })).status).toBe(401);
    await login(k, 'alice', 'reset by the admin');
    // The admin's own sessions are untouched.
    expect((await call(k, 'GET', '/api/agent/me', { cookie: adminCookie })).status).toBe(200);
  });

  it('an admin setting their own password stays signed in here; their other sessions end', async () => {
    const { k, root, adminCookie } = await setup();
    const elsewhere = await login(k, 'root');
    const res = await call(k, 'PATCH', `/api/admin/agents/${root.id}`, { cookie: adminCookie, body: { password: 'my fresh long password' } });
    expect(res.status).toBe(200);
    expect((await call(k, 'GET', '/api/agent/me', { cookie: adminCookie })).status).toBe(200);
    expect((await call(k, 'GET', '/api/agent/me', { cookie: elsewhere })).status).toBe(401);
    expect(k.hub.events).toEqual([
      { topic: `agent:${root.id}`, event: { type: 'session_ended', agentId: root.id, sessionId: sessionIdOf(elsewhere) } },
    ]);
  });

  it('refuses to disable or demote oneself, or to leave no enabled admin (409)', async () => {
    const { k, root, adminCookie } = await setup();
    for (const body of [{ disabled: true }, { role: 'agent' }]) {
      const res = await call(k, 'PATCH', `/api/admin/agents/${root.id}`, { cookie: adminCookie, body });
      expect(res.status).toBe(409);
    }
    // With a second admin, that one may be demoted, and then root is the last one again.
    const boss = await addAgent(k, 'boss', { role: 'admin' });
    const bossCookie = await login(k, 'boss');
    expect((await call(k, 'PATCH', `/api/admin/agents/${root.id}`, { cookie: bossCookie, body: { role: 'agent' } })).status).toBe(200);
    // Root's session ended with the role change; signed in again, root is no admin any more.
    expect((await call(k, 'PATCH', `/api/admin/agents/${boss.id}`, { cookie: adminCookie, body: { role: 'agent' } })).status).toBe(401);
    const rootAgain = await login(k, 'root');
    const last = await call(k, 'PATCH', `/api/admin/agents/${boss.id}`, { cookie: rootAgain, body: { role: 'agent' } });
    expect(last.status).toBe(403);
    expect((await k.agents.get(boss.id)).role).toBe('admin');
    expect(await k.agents.hasEnabledAdmin()).toBe(true);
  });

  it('answers bad patches with 400 naming the field, and an unknown id with 404', async () => {
    const { k, alice, adminCookie } = await setup();
    const cases: Array<[unknown, string, string | undefined]> = [
      [{}, 'empty_patch', ''],
      [{ disabled: 'yes' }, 'invalid_disabled', 'disabled'],
      [{ capacity: '3' }, 'invalid_capacity', 'capacity'],
      [{ username: 'renamed' }, 'unknown_field', 'username'],
      [{ password: 'short' }, 'weak_password', 'password'],
      [{ password: 'ALICE' }, 'weak_password', 'password'],
      [{ password: 'qwertyuiop' }, 'weak_password', 'password'],
      [{ role: 'owner' }, 'invalid_role', 'role'],
    ];
    for (const [body, code, field] of cases) {
      const res = await call(k, 'PATCH', `/api/admin/agents/${alice.id}`, { cookie: adminCookie, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      const { error } = await res.json();
      expect(error.code, JSON.stringify(body)).toBe(code);
      if (field) expect(error.field).toBe(field);
    }
    expect((await call(k, 'PATCH', '/api/admin/agents/nope', { cookie: adminCookie, body: { capacity: 1 } })).status).toBe(404);
    expect(k.hub.events).toEqual([]);
  });
});
