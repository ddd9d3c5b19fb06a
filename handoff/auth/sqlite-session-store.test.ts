// The session store on a real SQLite file with an injected clock: creation guards, expiry, ends, sweep.
import { afterEach, describe, expect, it } from 'vitest';
import { addAgent, createKit, type Kit, type KitOptions } from '../testing/agent-test-kit.ts';
import { createSqliteSessionStore } from './sqlite-session-store.ts';
import { looksLikeSessionSecret, newSessionSecret, sessionIdOf } from './session-store.ts';

const kits: Kit[] = [];
afterEach(() => {
  for (const kit of kits.splice(0)) kit.close();
});
function kit(options: KitOptions = {}): Kit {
  const k = createKit(options);
  kits.push(k);
  return k;
}
const MINUTE = 60_000;

async function hashOf(k: Kit, agentId: string): Promise<string> {
  return (await k.agents.credentialsById(agentId)).passwordHash;
}

async function start(k: Kit, agentId: string): Promise<string> {
  const created = await k.sessions.create({ agentId, passwordHash: await hashOf(k, agentId) });
  if (created.kind !== 'created') throw new Error('refused');
  return created.secret;
}

describe('session secrets', () => {
  it('are 256-bit base64url values stored as their hex sha256', () => {
    const a = newSessionSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(newSessionSecret());
    expect(looksLikeSessionSecret(a)).toBe(true);
    expect(looksLikeSessionSecret(`${a}x`)).toBe(false);
    expect(looksLikeSessionSecret('a b')).toBe(false);
    expect(sessionIdOf(a)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('create', () => {
  it('starts a session with absolute expiry at login + lifetime', async () => {
    const k = kit({ sessions: { absoluteTimeoutMs: 8 * 60 * MINUTE, idleTimeoutMs: 20 * MINUTE } });
    const alice = await addAgent(k, 'alice');
    const created = await k.sessions.create({ agentId: alice.id, passwordHash: await hashOf(k, alice.id) });
    expect(created.kind).toBe('created');
    if (created.kind !== 'created') return;
    expect(created.session).toEqual({
      id: sessionIdOf(created.secret),
      agentId: alice.id,
      createdAt: '2025-03-03T01:00:00.000Z',
      lastSeenAt: '2025-03-03T01:00:00.000Z',
      expiresAt: '2025-03-03T09:00:00.000Z',
      idleExpiresAt: '2025-03-03T01:20:00.000Z',
    });
  });

  it('is refused for a disabled agent or a hash that is no longer the agent\'s (a racing password change)', async () => {
    const k = kit();
    const alice = await addAgent(k, 'alice');
    const oldHash = await hashOf(k, alice.id);
    await k.agents.update(alice.id, { passwordHash: await k.passwords.hash('another password') });
    expect(await k.sessions.create({ agentId: alice.id, passwordHash: oldHash })).toEqual({ kind: 'refused' });
    const newHash = await hashOf(k, alice.id);
    await k.agents.update(alice.id, { disabled: true });
    expect(await k.sessions.create({ agentId: alice.id, passwordHash: newHash })).toEqual({ kind: 'refused' });
    expect(await k.sessions.create({ agentId: 'nobody', passwordHash: newHash })).toEqual({ kind: 'refused' });
  });

  it('refuses a touch interval not below the idle timeout', () => {
    const k = kit();
    expect(() => createSqliteSessionStore(k.db, { idleTimeoutMs: MINUTE, touchIntervalMs: MINUTE })).toThrow(/touchIntervalMs/);
  });
});

describe('resolve', () => {
  it('unknown for a secret of no session, or one of the wrong shape', async () => {
    const k = kit();
    expect(await k.sessions.resolve(newSessionSecret())).toEqual({ kind: 'unknown' });
    expect(await k.sessions.resolve('')).toEqual({ kind: 'unknown' });
    expect(await k.sessions.resolve("' OR 1=1 --")).toEqual({ kind: 'unknown' });
  });

  it('refreshes last-seen at most once per touch interval', async () => {
    const k = kit({ sessions: { touchIntervalMs: MINUTE } });
    const alice = await addAgent(k, 'alice');
    const secret = await start(k, alice.id);
    const lastSeen = () => k.db.prepare('SELECT last_seen_at FROM sessions').pluck().get();
    k.clock.advance(30_000);
    await k.sessions.resolve(secret);
    expect(lastSeen()).toBe('2025-03-03T01:00:00.000Z');
    k.clock.advance(30_000);
    const lookup = await k.sessions.resolve(secret);
    expect(lastSeen()).toBe('2025-03-03T01:01:00.000Z');
    expect(lookup.kind === 'active' && lookup.session.lastSeenAt).toBe('2025-03-03T01:01:00.000Z');
  });

  it('ends an idle session on the spot, once (endedNow only for the lookup that ended it)', async () => {
    const k = kit({ sessions: { idleTimeoutMs: 10 * MINUTE } });
    const alice = await addAgent(k, 'alice');
    const secret = await start(k, alice.id);
    k.clock.advance(10 * MINUTE - 1);
    expect((await k.sessions.resolve(secret)).kind).toBe('active');
    k.clock.advance(10 * MINUTE);
    const first = await k.sessions.resolve(secret);
    expect(first).toEqual({ kind: 'ended', endedNow: true, ended: { id: sessionIdOf(secret), agentId: alice.id, reason: 'idle' } });
    const second = await k.sessions.resolve(secret);
    expect(second).toEqual({ kind: 'ended', endedNow: false, ended: { id: sessionIdOf(secret), agentId: alice.id, reason: 'idle' } });
  });

  it('ends at the absolute expiry however busy, and idle expiry never runs past it', async () => {
    const k = kit({ sessions: { idleTimeoutMs: 30 * MINUTE, absoluteTimeoutMs: 60 * MINUTE } });
    const alice = await addAgent(k, 'alice');
    const secret = await start(k, alice.id);
    k.clock.advance(20 * MINUTE);
    await k.sessions.resolve(secret);
    k.clock.advance(20 * MINUTE);
    const busy = await k.sessions.resolve(secret);
    expect(busy.kind === 'active' && busy.session.idleExpiresAt).toBe('2025-03-03T02:00:00.000Z');
    k.clock.advance(20 * MINUTE);
    const over = await k.sessions.resolve(secret);
    expect(over.kind === 'ended' && over.ended.reason).toBe('expired');
  });
});

describe('end, endAllOf, listActive, get', () => {
  it('ends one session, or all of an agent but one, and reports only those it ended', async () => {
    const k = kit();
    const alice = await addAgent(k, 'alice');
    const bob = await addAgent(k, 'bob');
    const [a1, a2, a3] = [await start(k, alice.id), await start(k, alice.id), await start(k, alice.id)];
    const b1 = await start(k, bob.id);
    expect(await k.sessions.end(sessionIdOf(a1!), 'logout')).toEqual({ id: sessionIdOf(a1!), agentId: alice.id, reason: 'logout' });
    expect(await k.sessions.end(sessionIdOf(a1!), 'logout')).toBeUndefined();
    const ended = await k.sessions.endAllOf(alice.id, 'password_changed', { except: sessionIdOf(a2!) });
    expect(ended).toEqual([{ id: sessionIdOf(a3!), agentId: alice.id, reason: 'password_changed' }]);
    expect((await k.sessions.listActive(alice.id)).map((s) => s.id)).toEqual([sessionIdOf(a2!)]);
    expect((await k.sessions.resolve(b1)).kind).toBe('active');
    expect(await k.sessions.get(sessionIdOf(a2!))).toMatchObject({ agentId: alice.id });
    expect(await k.sessions.get(sessionIdOf(a3!))).toBeUndefined();
    const lookup = await k.sessions.resolve(a3!);
    expect(lookup.kind === 'ended' && lookup.ended.reason).toBe('password_changed');
  });
});

describe('sweep', () => {
  it('ends expired and idle sessions and removes every ended one, returning them once', async () => {
    const k = kit({ sessions: { idleTimeoutMs: 10 * MINUTE, absoluteTimeoutMs: 30 * MINUTE, touchIntervalMs: 0 } });
    const alice = await addAgent(k, 'alice');
    const busy = await start(k, alice.id);
    const idle = await start(k, alice.id);
    const loggedOut = await start(k, alice.id);
    await k.sessions.end(sessionIdOf(loggedOut), 'logout');
    const fresh = () => start(k, alice.id);
    for (let t = 0; t < 3; t++) {
      k.clock.advance(9 * MINUTE);
      await k.sessions.resolve(busy);
    }
    const young = await fresh();
    expect(sortById(await k.sessions.sweep())).toEqual(
      sortById([
        { id: sessionIdOf(idle), agentId: alice.id, reason: 'idle' },
        { id: sessionIdOf(loggedOut), agentId: alice.id, reason: 'logout' },
      ]),
    );
    expect(await k.sessions.sweep()).toEqual([]);
    k.clock.advance(3 * MINUTE + 1); // busy passes its 30 min absolute lifetime
    await k.sessions.resolve(young);
    expect(await k.sessions.sweep()).toEqual([{ id: sessionIdOf(busy), agentId: alice.id, reason: 'expired' }]);
    expect(k.db.prepare('SELECT count(*) FROM sessions').pluck().get()).toBe(1);
    expect((await k.sessions.resolve(busy)).kind).toBe('unknown');
  });
});

function sortById<T extends { id: string }>(list: T[]): T[] {
  return [...list].sort((a, b) => a.id.localeCompare(b.id));
}
