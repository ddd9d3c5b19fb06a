// The session store on both engines (a real SQLite file; a real PostgreSQL database where the test services are),
// with an injected clock: creation guards, expiry, ends, sweep, and a session seen alike through every connection.
import { describe, expect, it } from 'vitest';
import { testClock, type TestClock } from '../testing/agent-test-kit.ts';
import { databases, describeEachEngine, type EngineDb } from '../testing/engine-databases.ts';
import type { AgentRecord, AgentStore } from '../agents/agent-store.ts';
import { looksLikeSessionSecret, newSessionSecret, sessionIdOf, type SessionStore, type SessionStoreOptions } from './session-store.ts';

const MINUTE = 60_000;
const HASH = '$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
const OTHER_HASH = HASH.replace('aGFz', 'bGFz');

interface Kit {
  db: EngineDb;
  clock: TestClock;
  agents: AgentStore;
  sessions: SessionStore;
}

async function hashOf(k: Kit, agentId: string): Promise<string> {
  return (await k.agents.credentialsById(agentId)).passwordHash;
}

async function addAgent(k: Kit, username: string): Promise<AgentRecord> {
  return k.agents.create({ username, displayName: username, role: 'agent', groups: ['mobile'], capacity: 3, passwordHash: HASH });
}

async function start(k: Kit, agentId: string): Promise<string> {
  const created = await k.sessions.create({ agentId, passwordHash: await hashOf(k, agentId) });
  if (created.kind !== 'created') throw new Error('refused');
  return created.secret;
}

function sortById<T extends { id: string }>(list: T[]): T[] {
  return [...list].sort((a, b) => a.id.localeCompare(b.id));
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

describeEachEngine('session store', (engine) => {
  const open = databases(engine);
  async function kit(options: Partial<Omit<SessionStoreOptions, 'clock'>> = {}): Promise<Kit> {
    const db = await open();
    const clock = testClock();
    return { db, clock, agents: db.stores.agents({ clock: clock.clock }), sessions: db.stores.sessions({ ...options, clock: clock.clock }) };
  }

  describe('create', () => {
    it('starts a session with absolute expiry at login + lifetime', async () => {
      const k = await kit({ absoluteTimeoutMs: 8 * 60 * MINUTE, idleTimeoutMs: 20 * MINUTE });
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
      const k = await kit();
      const alice = await addAgent(k, 'alice');
      const oldHash = await hashOf(k, alice.id);
      await k.agents.update(alice.id, { passwordHash: OTHER_HASH });
      expect(await k.sessions.create({ agentId: alice.id, passwordHash: oldHash })).toEqual({ kind: 'refused' });
      const newHash = await hashOf(k, alice.id);
      await k.agents.update(alice.id, { disabled: true });
      expect(await k.sessions.create({ agentId: alice.id, passwordHash: newHash })).toEqual({ kind: 'refused' });
      expect(await k.sessions.create({ agentId: 'nobody', passwordHash: newHash })).toEqual({ kind: 'refused' });
    });

    it('refuses a touch interval not below the idle timeout', async () => {
      const k = await kit();
      expect(() => k.db.stores.sessions({ idleTimeoutMs: MINUTE, touchIntervalMs: MINUTE })).toThrow(/touchIntervalMs/);
    });

    // SQLite's one writer orders a login after a disable being written; on PostgreSQL another node's disable may
    // be uncommitted when the login's check runs: the login must wait for it, then be refused.
    it.runIf(engine.name === 'postgres')('waits for a disable another node is committing, then refuses the login', async () => {
      const k = await kit();
      const alice = await addAgent(k, 'alice');
      const node = await k.db.another();
      const otherAgents = node.stores.agents({ clock: k.clock.clock });
      let commit!: () => void;
      const holding = new Promise<void>((resolve) => (commit = resolve));
      let disabled!: () => void;
      const written = new Promise<void>((resolve) => (disabled = resolve));
      const unit = node.stores.unitOfWork().withTransaction(async () => {
        await otherAgents.update(alice.id, { disabled: true });
        disabled();
        await holding;
      });
      await written;
      try {
        const login = k.sessions.create({ agentId: alice.id, passwordHash: HASH });
        let settled = false;
        void login.then(() => (settled = true));
        await new Promise((r) => setTimeout(r, 200));
        expect(settled).toBe(false);
        commit();
        await unit;
        expect(await login).toEqual({ kind: 'refused' });
      } finally {
        commit();
        await unit.catch(() => {});
      }
    });
  });

  describe('resolve', () => {
    it('unknown for a secret of no session, or one of the wrong shape', async () => {
      const k = await kit();
      expect(await k.sessions.resolve(newSessionSecret())).toEqual({ kind: 'unknown' });
      expect(await k.sessions.resolve('')).toEqual({ kind: 'unknown' });
      expect(await k.sessions.resolve("' OR 1=1 --")).toEqual({ kind: 'unknown' });
    });

    it('refreshes last-seen at most once per touch interval', async () => {
      const k = await kit({ touchIntervalMs: MINUTE });
      const alice = await addAgent(k, 'alice');
      const secret = await start(k, alice.id);
      const lastSeen = () => k.db.value('SELECT last_seen_at FROM sessions');
      k.clock.advance(30_000);
      await k.sessions.resolve(secret);
      expect(await lastSeen()).toBe('2025-03-03T01:00:00.000Z');
      k.clock.advance(30_000);
      const lookup = await k.sessions.resolve(secret);
      expect(await lastSeen()).toBe('2025-03-03T01:01:00.000Z');
      expect(lookup.kind === 'active' && lookup.session.lastSeenAt).toBe('2025-03-03T01:01:00.000Z');
    });

    it('ends an idle session on the spot, once (endedNow only for the lookup that ended it)', async () => {
      const k = await kit({ idleTimeoutMs: 10 * MINUTE });
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
      const k = await kit({ idleTimeoutMs: 30 * MINUTE, absoluteTimeoutMs: 60 * MINUTE });
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
      const k = await kit();
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
      const k = await kit({ idleTimeoutMs: 10 * MINUTE, absoluteTimeoutMs: 30 * MINUTE, touchIntervalMs: 0 });
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
      expect(await k.db.value('SELECT count(*) FROM sessions')).toBe(1);
      expect((await k.sessions.resolve(busy)).kind).toBe('unknown');
    });
  });

  // The point of keeping sessions in the database: a cookie set by the node that took the login is good on any
  // other node, and a logout on one is a logout everywhere.
  describe('across nodes', () => {
    it('finds a session created through one connection through another, and sees its end there', async () => {
      const k = await kit();
      const alice = await addAgent(k, 'alice');
      const secret = await start(k, alice.id);
      const node = await k.db.another();
      const elsewhere = node.stores.sessions({ clock: k.clock.clock });
      const seen = await elsewhere.resolve(secret);
      expect(seen.kind === 'active' && seen.session).toMatchObject({ id: sessionIdOf(secret), agentId: alice.id });
      expect((await elsewhere.listActive(alice.id)).map((s) => s.id)).toEqual([sessionIdOf(secret)]);
      await k.sessions.end(sessionIdOf(secret), 'logout');
      expect(await elsewhere.resolve(secret)).toEqual({
        kind: 'ended', endedNow: false, ended: { id: sessionIdOf(secret), agentId: alice.id, reason: 'logout' },
      });
    });

    it('removes and returns an ended session once when two nodes sweep at once', async () => {
      const k = await kit({ idleTimeoutMs: 10 * MINUTE, touchIntervalMs: 0 });
      const alice = await addAgent(k, 'alice');
      const secrets = [await start(k, alice.id), await start(k, alice.id), await start(k, alice.id)];
      const node = await k.db.another();
      const elsewhere = node.stores.sessions({ idleTimeoutMs: 10 * MINUTE, touchIntervalMs: 0, clock: k.clock.clock });
      await elsewhere.listActive(alice.id);
      k.clock.advance(11 * MINUTE);
      const [here, there] = await Promise.all([k.sessions.sweep(), elsewhere.sweep()]);
      // Announcing twice would be harmless, but each row is deleted once: together the sweeps return each once.
      expect(sortById([...here, ...there]).map((s) => s.id)).toEqual(sortById(secrets.map((s) => ({ id: sessionIdOf(s) }))).map((s) => s.id));
      expect(await k.db.value('SELECT count(*) FROM sessions')).toBe(0);
    });
  });
});
