// The audit log store on a real SQLite file: rows as the HTTP contract shows them, newest first, filters and
// id paging, forbidden keys dropped, and recordWith writing the row with the change or not at all.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditAction, CLI_ACTOR, type AuditLog } from './audit-log.ts';
import { createSqliteAuditLog } from './sqlite-audit-log.ts';
import { openDatabase, type Db } from '../sqlite/db.ts';

let dir: string;
let db: Db;
let audit: AuditLog;
let now: number;
const LEAD = { id: 'a-lead', displayName: 'Lead' };
const ERIN = { id: 'a-erin', displayName: 'Erin' };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'audit-log-'));
  db = openDatabase(dir);
  now = Date.parse('2025-03-03T01:00:00.000Z');
  // Each row a minute after the last: periods can be cut between them.
  audit = createSqliteAuditLog(db, { clock: () => new Date((now += 60_000)) });
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the audit log', () => {
  it('returns rows newest first in the contract shape', () => {
    audit.record(LEAD, AuditAction.agentCreated, { type: 'agent', id: 'a-erin' }, { role: 'editor' });
    audit.record(CLI_ACTOR, AuditAction.agentDisabled, { type: 'agent', id: 'a-bob' });
    expect(audit.list()).toEqual([
      { id: 2, at: '2025-03-03T01:02:00.000Z', actor: { id: null, displayName: 'admin CLI' }, action: 'agent.disabled', target: { type: 'agent', id: 'a-bob' }, details: {} },
      { id: 1, at: '2025-03-03T01:01:00.000Z', actor: { id: 'a-lead', displayName: 'Lead' }, action: 'agent.created', target: { type: 'agent', id: 'a-erin' }, details: { role: 'editor' } },
    ]);
  });

  it('filters by period, actor and action, and pages by id', () => {
    for (let i = 0; i < 5; i++) audit.record(i % 2 ? ERIN : LEAD, i < 3 ? AuditAction.unansweredDismissed : AuditAction.kbChangeGenerated, { type: 'unanswered_group', id: `g${i}` });
    const ids = (q: Parameters<AuditLog['list']>[0]) => audit.list(q).map((e) => e.id);
    expect(ids({})).toEqual([5, 4, 3, 2, 1]);
    expect(ids({ actorId: 'a-erin' })).toEqual([4, 2]);
    expect(ids({ action: 'kb_change.generated' })).toEqual([5, 4]);
    expect(ids({ from: '2025-03-03T01:02:00.000Z', to: '2025-03-03T01:04:00.000Z' })).toEqual([4, 3, 2]);
    expect(ids({ limit: 2 })).toEqual([5, 4]);
    expect(ids({ limit: 2, before: 4 })).toEqual([3, 2]);
    expect(ids({ limit: 2, before: 2 })).toEqual([1]);
    expect(ids({ limit: 0 })).toEqual([5]); // clamped to at least one
  });

  it('drops keys that could carry secrets or personal data, at any depth', () => {
    const entry = audit.record(LEAD, AuditAction.agentPasswordReset, { type: 'agent', id: 'x' }, {
      username: 'bob', password: 'hunter2-secret', passwordHash: '$argon2id$', token: 't0k', text: 'my phone is 138',
      nested: { ip: '203.0.113.9', value: '203.0.113.9', address: 'x', count: 2 }, list: [{ message: 'hi', id: 'm1' }],
    });
    expect(entry.details).toEqual({ username: 'bob', nested: { count: 2 }, list: [{ id: 'm1' }] });
    const stored = db.prepare('SELECT details FROM audit_log').pluck().get() as string;
    for (const secret of ['hunter2', 'argon2', 't0k', '138', '203.0.113.9', '"hi"']) expect(stored).not.toContain(secret);
  });

  it('recordWith keeps the change and its row together: a failing change leaves no row, a failing row undoes the change', () => {
    db.exec('CREATE TABLE things (id INTEGER PRIMARY KEY)');
    const add = () => db.prepare('INSERT INTO things DEFAULT VALUES').run().changes;
    expect(audit.recordWith(add, (n) => ({ actor: LEAD, action: 'thing.added', target: { type: 'thing' }, details: { n } }))).toBe(1);
    expect(() => audit.recordWith(() => { add(); throw new Error('change failed'); }, () => ({ actor: LEAD, action: 'thing.added', target: { type: 'thing' } }))).toThrow('change failed');
    // An action the table refuses (empty): the row fails, so the thing added with it goes too.
    expect(() => audit.recordWith(add, () => ({ actor: LEAD, action: '', target: { type: 'thing' } }))).toThrow(/CHECK/);
    expect(db.prepare('SELECT count(*) FROM things').pluck().get()).toBe(1);
    expect(audit.list().map((e) => e.action)).toEqual(['thing.added']);
  });
});
