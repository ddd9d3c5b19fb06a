// The first admin from ADMIN_USERNAME/ADMIN_PASSWORD: made once, only on a database without an admin.
import { afterEach, describe, expect, it } from 'vitest';
import { addAgent, call, createKit, login, type Kit } from '../testing/agent-test-kit.ts';
import { bootstrapAdmin, BootstrapAdminError } from './bootstrap-admin.ts';

const kits: Kit[] = [];
afterEach(() => {
  for (const kit of kits.splice(0)) kit.close();
});
function kit(): Kit {
  const k = createKit();
  kits.push(k);
  return k;
}
const ADMIN = { username: 'Root', password: 'a long admin secret' };

describe('bootstrapAdmin', () => {
  it('creates the first admin, who can sign in and use the admin API; the password is never logged', async () => {
    const k = kit();
    const result = await bootstrapAdmin({ agents: k.agents, passwords: k.passwords, admin: ADMIN, log: k.log });
    expect(result.kind).toBe('created');
    if (result.kind !== 'created') return;
    // Visitors never see the sign-in name: a neutral default unless ADMIN_DISPLAY_NAME names one.
    expect(result.agent).toMatchObject({ username: 'root', displayName: '值班经理', role: 'admin', disabled: false });
    const cookie = await login(k, 'root', ADMIN.password);
    expect((await call(k, 'GET', '/api/admin/agents', { cookie })).status).toBe(200);
    expect(k.log.lines.map((l) => l.event)).toContain('agent.admin_bootstrapped');
    expect(JSON.stringify(k.log.lines)).not.toContain(ADMIN.password);
  });

  it('does nothing when an enabled admin exists, even with other variables (no password reset by restart)', async () => {
    const k = kit();
    await bootstrapAdmin({ agents: k.agents, passwords: k.passwords, admin: ADMIN });
    const again = await bootstrapAdmin({ agents: k.agents, passwords: k.passwords, admin: { username: 'root', password: 'a different secret' } });
    expect(again).toEqual({ kind: 'admin_exists' });
    const named = kit();
    const withName = await bootstrapAdmin({ agents: named.agents, passwords: named.passwords, admin: { ...ADMIN, displayName: '王经理' }, log: named.log });
    expect(withName.kind === 'created' && withName.agent.displayName).toBe('王经理');
    const other = await bootstrapAdmin({ agents: k.agents, passwords: k.passwords, admin: { username: 'boss', password: 'a different secret' } });
    expect(other).toEqual({ kind: 'admin_exists' });
    expect((await k.agents.list()).map((a) => a.username)).toEqual(['root']);
    await login(k, 'root', ADMIN.password);
  });

  it('makes no account without the variables: there is no built-in admin or default password', async () => {
    const k = kit();
    const result = await bootstrapAdmin({ agents: k.agents, passwords: k.passwords, admin: undefined, log: k.log });
    expect(result).toEqual({ kind: 'not_configured' });
    expect(await k.agents.list()).toEqual([]);
    expect(k.log.lines[0]).toMatchObject({ level: 'warn', event: 'agent.no_admin' });
    for (const [username, password] of [
      ['admin', 'admin'],
      ['admin', 'password'],
      ['root', 'root'],
      ['admin', ''],
    ] as const) {
      const res = await call(k, 'POST', '/api/agent/login', { body: { username, password }, ip: `192.0.2.${username.length}${password.length}` });
      expect(res.status).not.toBe(200);
    }
  });

  it('does not promote an existing agent who has the name', async () => {
    const k = kit();
    await addAgent(k, 'root');
    const result = await bootstrapAdmin({ agents: k.agents, passwords: k.passwords, admin: ADMIN, log: k.log });
    expect(result).toEqual({ kind: 'username_taken' });
    expect((await k.agents.findByUsername('root'))?.role).toBe('agent');
    expect(k.log.lines.at(-1)).toMatchObject({ level: 'warn', event: 'agent.admin_bootstrap_skipped' });
  });

  it('refuses a bad ADMIN_USERNAME, naming the variable', async () => {
    const k = kit();
    await expect(
      bootstrapAdmin({ agents: k.agents, passwords: k.passwords, admin: { username: 'root admin', password: 'a long admin secret' } }),
    ).rejects.toThrow(/^ADMIN_USERNAME /);
    expect(await k.agents.list()).toEqual([]);
  });

  it('refuses a short or common ADMIN_PASSWORD with an error naming the variable and the rule, never the password', async () => {
    const k = kit();
    for (const [password, rule] of [
      ['adm1n', /^ADMIN_PASSWORD must be at least 10 characters/],
      ['password123', /^ADMIN_PASSWORD is one of the most common passwords/],
      ['Root', /^ADMIN_PASSWORD must be at least 10 characters/],
    ] as const) {
      const err = await bootstrapAdmin({ agents: k.agents, passwords: k.passwords, admin: { username: 'root', password }, log: k.log }).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (!(err instanceof BootstrapAdminError)) throw new Error(`${password}: expected a BootstrapAdminError, got ${String(err)}`);
      expect(err.variable).toBe('ADMIN_PASSWORD');
      expect(err.message).toMatch(rule);
      expect(err.message).not.toContain(password);
    }
    expect(await k.agents.list()).toEqual([]);
    expect(JSON.stringify(k.log.lines)).not.toMatch(/adm1n|password123/);
  });

  it('two starts at once on one database make one admin', async () => {
    const k = kit();
    const results = await Promise.all([
      bootstrapAdmin({ agents: k.agents, passwords: k.passwords, admin: ADMIN }),
      bootstrapAdmin({ agents: k.agents, passwords: k.passwords, admin: { username: 'other', password: 'a long admin secret' } }),
    ]);
    expect(results.map((r) => r.kind).sort()).toEqual(['admin_exists', 'created']);
    expect(await k.agents.list()).toHaveLength(1);
  });
});
