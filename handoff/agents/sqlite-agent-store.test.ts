// The agent store on both engines (a real SQLite file; a real PostgreSQL database where the test services are):
// usernames, updates, the last-admin guard, the first admin, and the races several nodes would run.
import { expect, it } from 'vitest';
import { testClock, type TestClock } from '../testing/agent-test-kit.ts';
import { databases, describeEachEngine, type EngineDb } from '../testing/engine-databases.ts';
import type { AgentStore, NewAgent } from './agent-store.ts';
import { ConflictError, NotFoundError } from '../platform/errors.ts';

const HASH = '$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
const input = (username: string, extra: Partial<NewAgent> = {}): NewAgent => ({
  username,
  displayName: username,
  role: 'agent',
  groups: ['mobile'],
  capacity: 3,
  passwordHash: HASH,
  ...extra,
});

describeEachEngine('agent store', (engine) => {
  const open = databases(engine);
  async function kit(): Promise<{ db: EngineDb; clock: TestClock; agents: AgentStore }> {
    const db = await open();
    const clock = testClock();
    return { db, clock, agents: db.stores.agents({ clock: clock.clock }) };
  }

  it('creates, gets, lists by username, and finds by username in any case and width', async () => {
    const k = await kit();
    const zed = await k.agents.create(input('Zed'));
    const amy = await k.agents.create(input('amy', { groups: ['billing', 'mobile'], capacity: 5, role: 'admin' }));
    expect(zed).toMatchObject({ username: 'zed', role: 'agent', groups: ['mobile'], capacity: 3, disabled: false });
    expect(zed.createdAt).toBe('2025-03-03T01:00:00.000Z');
    expect(await k.agents.get(amy.id)).toEqual(amy);
    expect((await k.agents.list()).map((a) => a.username)).toEqual(['amy', 'zed']);
    expect((await k.agents.findByUsername('ＺＥＤ '))?.id).toBe(zed.id);
    expect(await k.agents.findByUsername('nobody')).toBeUndefined();
    expect((await k.agents.credentials('ZED'))?.passwordHash).toBe(HASH);
    await expect(k.agents.get('nope')).rejects.toBeInstanceOf(NotFoundError);
    expect(await k.agents.find('nope')).toBeUndefined();
    expect(await k.agents.find(zed.id)).toEqual(zed);
    await expect(k.agents.credentialsById('nope')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses a username taken in another case with ConflictError', async () => {
    const k = await kit();
    await k.agents.create(input('alice'));
    await expect(k.agents.create(input('ALICE'))).rejects.toBeInstanceOf(ConflictError);
    await expect(k.agents.create(input('ａｌｉｃｅ'))).rejects.toBeInstanceOf(ConflictError);
  });

  it('updates only the fields given; a new hash sets passwordChangedAt', async () => {
    const k = await kit();
    const a = await k.agents.create(input('alice'));
    k.clock.advance(60_000);
    const renamed = await k.agents.update(a.id, { displayName: 'Alice', capacity: 0 });
    expect(renamed).toMatchObject({ displayName: 'Alice', capacity: 0, groups: ['mobile'], role: 'agent' });
    expect(renamed.passwordChangedAt).toBe(a.passwordChangedAt);
    expect(renamed.updatedAt).toBe('2025-03-03T01:01:00.000Z');
    const newHash = HASH.replace('aGFz', 'bGFz');
    const changed = await k.agents.update(a.id, { passwordHash: newHash });
    expect(changed.passwordChangedAt).toBe('2025-03-03T01:01:00.000Z');
    expect((await k.agents.credentialsById(a.id)).passwordHash).toBe(newHash);
    await expect(k.agents.update('nope', { capacity: 1 })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('never leaves no enabled admin: the last one cannot be disabled or demoted', async () => {
    const k = await kit();
    const root = await k.agents.create(input('root', { role: 'admin' }));
    await expect(k.agents.update(root.id, { disabled: true })).rejects.toBeInstanceOf(ConflictError);
    await expect(k.agents.update(root.id, { role: 'agent' })).rejects.toBeInstanceOf(ConflictError);
    expect(await k.agents.get(root.id)).toMatchObject({ role: 'admin', disabled: false });
    const boss = await k.agents.create(input('boss', { role: 'admin' }));
    await k.agents.update(root.id, { disabled: true });
    await expect(k.agents.update(boss.id, { role: 'agent' })).rejects.toBeInstanceOf(ConflictError);
    // Other changes to the last admin are fine.
    expect((await k.agents.update(boss.id, { capacity: 1 })).capacity).toBe(1);
  });

  it('a refused change to the last admin leaves nothing behind in the caller\'s unit of work', async () => {
    const k = await kit();
    const root = await k.agents.create(input('root', { role: 'admin' }));
    const unit = k.db.stores.unitOfWork();
    // The caller catches the refusal and commits the rest of its unit: the refused change must not be in it.
    await unit.withTransaction(async () => {
      await expect(k.agents.update(root.id, { role: 'agent', displayName: 'Demoted' })).rejects.toBeInstanceOf(ConflictError);
    });
    expect(await k.agents.get(root.id)).toMatchObject({ role: 'admin', displayName: 'root' });
  });

  it('rehash replaces the hash only while it is unchanged', async () => {
    const k = await kit();
    const a = await k.agents.create(input('alice'));
    const upgraded = HASH.replace('m=1024', 'm=2048');
    expect(await k.agents.rehash(a.id, 'stale', upgraded)).toBe(false);
    expect(await k.agents.rehash(a.id, HASH, upgraded)).toBe(true);
    expect((await k.agents.credentialsById(a.id)).passwordHash).toBe(upgraded);
    expect((await k.agents.get(a.id)).passwordChangedAt).toBe(a.passwordChangedAt);
  });

  it('createFirstAdmin makes an admin only when no enabled admin exists and the username is free', async () => {
    const k = await kit();
    await k.agents.create(input('alice'));
    expect(await k.agents.createFirstAdmin(input('alice', { role: 'admin' }))).toEqual({ kind: 'username_taken' });
    expect(await k.agents.hasEnabledAdmin()).toBe(false);
    const first = await k.agents.createFirstAdmin(input('root', { role: 'agent' }));
    expect(first.kind === 'created' && first.agent.role).toBe('admin');
    expect(await k.agents.createFirstAdmin(input('other', { role: 'admin' }))).toEqual({ kind: 'admin_exists' });
    expect(await k.agents.hasEnabledAdmin()).toBe(true);
  });

  it('stores groups as a JSON array routing can read (json_each on SQLite, jsonb on PostgreSQL)', async () => {
    const k = await kit();
    await k.agents.create(input('alice', { groups: ['mobile', 'billing'] }));
    await k.agents.create(input('bob', { groups: ['broadband'] }));
    const sql =
      k.db.engine === 'sqlite'
        ? "SELECT a.username FROM agents a, json_each(a.groups) g WHERE g.value = 'billing'"
        : "SELECT a.username FROM agents a, jsonb_array_elements_text(a.groups::jsonb) g WHERE g = 'billing'";
    expect((await k.db.rows<{ username: string }>(sql)).map((r) => r.username)).toEqual(['alice']);
  });

  // Several nodes starting at once on one database each run bootstrapAdmin: the store alone must make one admin.
  // On PostgreSQL each node is its own pool (its own connections); the calls really overlap there.
  it('makes exactly one first admin when several nodes try at once', async () => {
    const k = await kit();
    const nodes = [k.db, ...(await Promise.all([1, 2, 3, 4, 5].map(() => k.db.another())))];
    const stores = nodes.map((node) => node.stores.agents({ clock: k.clock.clock }));
    await Promise.all(stores.map((store) => store.hasEnabledAdmin())); // every node connected: the calls overlap
    const results = await Promise.all(stores.map((store, i) => store.createFirstAdmin(input(i % 2 ? 'root' : `root${i}`, { role: 'admin' }))));
    const created = results.filter((r) => r.kind === 'created');
    expect(created).toHaveLength(1);
    // The others saw the admin (or, for the same username, the admin or the taken name): nothing else was written.
    for (const r of results) if (r.kind !== 'created') expect(['admin_exists', 'username_taken']).toContain(r.kind);
    const all = await k.agents.list();
    expect(all.filter((a) => a.role === 'admin')).toHaveLength(1);
    expect(all).toHaveLength(1);
  });

  it('gives a username to exactly one of several nodes creating it at once', async () => {
    const k = await kit();
    const nodes = [k.db, ...(await Promise.all([1, 2, 3].map(() => k.db.another())))];
    await Promise.all(nodes.map((node) => node.stores.agents().list()));
    const attempts = nodes.map((node, i) => node.stores.agents({ clock: k.clock.clock }).create(input(i % 2 ? 'Carol' : 'carol')));
    const settled = await Promise.allSettled(attempts);
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    for (const s of settled) if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(ConflictError);
    expect((await k.agents.list()).map((a) => a.username)).toEqual(['carol']);
  });

  it('keeps one enabled admin when two nodes demote the only two admins at once', async () => {
    const k = await kit();
    const a = await k.agents.create(input('ann', { role: 'admin' }));
    const b = await k.agents.create(input('ben', { role: 'admin' }));
    const other = (await k.db.another()).stores.agents({ clock: k.clock.clock });
    await other.list(); // a connection ready on both sides, so that the two updates overlap
    for (let round = 0; round < 5; round++) {
      await k.agents.update(a.id, { role: 'admin', disabled: false });
      await k.agents.update(b.id, { role: 'admin', disabled: false });
      // Each update alone is allowed (the other admin remains); together they would leave none.
      const settled = await Promise.allSettled([k.agents.update(a.id, { role: 'agent' }), other.update(b.id, { disabled: true })]);
      expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
      const rejected = settled.find((s) => s.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toBeInstanceOf(ConflictError);
      expect(await k.agents.hasEnabledAdmin()).toBe(true);
    }
  });
});
