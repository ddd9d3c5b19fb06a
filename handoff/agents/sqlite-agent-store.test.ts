// The agent store on a real SQLite file: usernames, updates, the last-admin guard, the first admin.
import { afterEach, describe, expect, it } from 'vitest';
import { createKit, type Kit } from '../testing/agent-test-kit.ts';
import type { NewAgent } from './agent-store.ts';
import { ConflictError, NotFoundError } from '../platform/errors.ts';

const kits: Kit[] = [];
afterEach(() => {
  for (const kit of kits.splice(0)) kit.close();
});
function kit(): Kit {
  const k = createKit();
  kits.push(k);
  return k;
}
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

describe('SqliteAgentStore', () => {
  it('creates, gets, lists by username, and finds by username in any case and width', async () => {
    const k = kit();
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
    const k = kit();
    await k.agents.create(input('alice'));
    await expect(k.agents.create(input('ALICE'))).rejects.toBeInstanceOf(ConflictError);
    await expect(k.agents.create(input('ａｌｉｃｅ'))).rejects.toBeInstanceOf(ConflictError);
  });

  it('updates only the fields given; a new hash sets passwordChangedAt', async () => {
    const k = kit();
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
    const k = kit();
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

  it('rehash replaces the hash only while it is unchanged', async () => {
    const k = kit();
    const a = await k.agents.create(input('alice'));
    const upgraded = HASH.replace('m=1024', 'm=2048');
    expect(await k.agents.rehash(a.id, 'stale', upgraded)).toBe(false);
    expect(await k.agents.rehash(a.id, HASH, upgraded)).toBe(true);
    expect((await k.agents.credentialsById(a.id)).passwordHash).toBe(upgraded);
    expect((await k.agents.get(a.id)).passwordChangedAt).toBe(a.passwordChangedAt);
  });

  it('createFirstAdmin makes an admin only when no enabled admin exists and the username is free', async () => {
    const k = kit();
    await k.agents.create(input('alice'));
    expect(await k.agents.createFirstAdmin(input('alice', { role: 'admin' }))).toEqual({ kind: 'username_taken' });
    expect(await k.agents.hasEnabledAdmin()).toBe(false);
    const first = await k.agents.createFirstAdmin(input('root', { role: 'agent' }));
    expect(first.kind === 'created' && first.agent.role).toBe('admin');
    expect(await k.agents.createFirstAdmin(input('other', { role: 'admin' }))).toEqual({ kind: 'admin_exists' });
    expect(await k.agents.hasEnabledAdmin()).toBe(true);
  });

  it('stores groups as a JSON array routing can read with json_each', async () => {
    const k = kit();
    await k.agents.create(input('alice', { groups: ['mobile', 'billing'] }));
    await k.agents.create(input('bob', { groups: ['broadband'] }));
    const billing = k.db
      .prepare("SELECT a.username FROM agents a, json_each(a.groups) g WHERE g.value = 'billing'")
      .pluck()
      .all();
    expect(billing).toEqual(['alice']);
  });
});
