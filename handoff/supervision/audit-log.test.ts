// The audit log store on both engines: rows as the HTTP contract shows them, newest first, filters and id paging,
// forbidden keys dropped, and the row written with its change or not at all inside a unit of work.
import { expect, it } from 'vitest';
import { databases, describeEachEngine, type EngineDb } from '../testing/engine-databases.ts';
import { AuditAction, CLI_ACTOR, type AuditLog } from './audit-log.ts';

const LEAD = { id: 'a-lead', displayName: 'Lead' };
const ERIN = { id: 'a-erin', displayName: 'Erin' };

describeEachEngine('the audit log', (engine) => {
  const open = databases(engine);
  async function kit(): Promise<{ db: EngineDb; audit: AuditLog }> {
    const db = await open();
    let now = Date.parse('2025-03-03T01:00:00.000Z');
    // Each row a minute after the last: periods can be cut between them.
    return { db, audit: db.stores.audit({ clock: () => new Date((now += 60_000)) }) };
  }

  it('returns rows newest first in the contract shape', async () => {
    const { audit } = await kit();
    await audit.record(LEAD, AuditAction.agentCreated, { type: 'agent', id: 'a-erin' }, { role: 'editor' });
    await audit.record(CLI_ACTOR, AuditAction.agentDisabled, { type: 'agent', id: 'a-bob' });
    expect(await audit.list()).toEqual([
      { id: 2, at: '2025-03-03T01:02:00.000Z', actor: { id: null, displayName: 'admin CLI' }, action: 'agent.disabled', target: { type: 'agent', id: 'a-bob' }, details: {} },
      { id: 1, at: '2025-03-03T01:01:00.000Z', actor: { id: 'a-lead', displayName: 'Lead' }, action: 'agent.created', target: { type: 'agent', id: 'a-erin' }, details: { role: 'editor' } },
    ]);
  });

  it('filters by period, actor and action, and pages by id', async () => {
    const { audit } = await kit();
    for (let i = 0; i < 5; i++) await audit.record(i % 2 ? ERIN : LEAD, i < 3 ? AuditAction.unansweredDismissed : AuditAction.kbChangeGenerated, { type: 'unanswered_group', id: `g${i}` });
    const ids = async (q: Parameters<AuditLog['list']>[0]) => (await audit.list(q)).map((e) => e.id);
    expect(await ids({})).toEqual([5, 4, 3, 2, 1]);
    expect(await ids({ actorId: 'a-erin' })).toEqual([4, 2]);
    expect(await ids({ action: 'kb_change.generated' })).toEqual([5, 4]);
    expect(await ids({ from: '2025-03-03T01:02:00.000Z', to: '2025-03-03T01:04:00.000Z' })).toEqual([4, 3, 2]);
    expect(await ids({ limit: 2 })).toEqual([5, 4]);
    expect(await ids({ limit: 2, before: 4 })).toEqual([3, 2]);
    expect(await ids({ limit: 2, before: 2 })).toEqual([1]);
    expect(await ids({ limit: 0 })).toEqual([5]); // clamped to at least one
  });

  it('drops keys that could carry secrets or personal data, at any depth', async () => {
    const { db, audit } = await kit();
    const entry = await audit.record(LEAD, AuditAction.agentPasswordReset, { type: 'agent', id: 'x' }, {
      username: 'bob', password: 'hunter2-secret', passwordHash: '$argon2id$', token: 't0k', text: 'my phone is 138',
      nested: { ip: '203.0.113.9', value: '203.0.113.9', address: 'x', count: 2 }, list: [{ message: 'hi', id: 'm1' }],
    });
    expect(entry.details).toEqual({ username: 'bob', nested: { count: 2 }, list: [{ id: 'm1' }] });
    const stored = await db.value<string>('SELECT details FROM audit_log');
    for (const secret of ['hunter2', 'argon2', 't0k', '138', '203.0.113.9', '"hi"']) expect(stored).not.toContain(secret);
  });

  it('commits with its change in a unit of work: a failing change leaves no row, a failing row undoes the change', async () => {
    const { db, audit } = await kit();
    const unit = db.stores.unitOfWork();
    await db.run(`CREATE TABLE things (id ${db.engine === 'sqlite' ? 'INTEGER PRIMARY KEY' : 'SERIAL PRIMARY KEY'})`);
    const add = () => db.run('INSERT INTO things DEFAULT VALUES');
    const n = await unit.withTransaction(async () => {
      const added = await add();
      await audit.record(LEAD, 'thing.added', { type: 'thing' }, { n: added });
      return added;
    });
    expect(n).toBe(1);
    await expect(unit.withTransaction(async () => {
      await add();
      throw new Error('change failed');
    })).rejects.toThrow('change failed');
    // An action the table refuses (empty): the row fails, so the thing added with it goes too.
    await expect(unit.withTransaction(async () => {
      await add();
      await audit.record(LEAD, '', { type: 'thing' });
    })).rejects.toThrow(/check/i);
    expect(await db.value('SELECT count(*) FROM things')).toBe(1);
    expect((await audit.list()).map((e) => e.action)).toEqual(['thing.added']);
  });
});
