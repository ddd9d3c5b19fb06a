// Migrations that rebuild a table with foreign keys off (`-- migrate: foreign-keys-off`), and 011 (editor role,
// audit log) applied to a database at 010 that holds agents, sessions and canned replies: nothing is lost.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from './db.ts';
import { FOREIGN_KEYS_OFF_MARKER, migrate, readMigrations, type Migration } from './migrate.ts';

let dir: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'migrate-'));
  db = new Database(join(dir, 'chat.sqlite'));
  // As openDatabase sets it: the migration must turn it off itself and back on after.
  db.pragma('foreign_keys = ON');
});
afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const NOW = '2025-03-03T01:00:00.000Z';
const HASH = '$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$ZGlnZXN0';
const upTo = (version: number) => readMigrations().filter((m) => m.version <= version);
const the011 = () => readMigrations().find((m) => m.version === 11)!;

/** A database at 010 holding what the rebuild must keep: two agents, their sessions, shared and personal replies. */
function seedAt010(): void {
  expect(migrate(db, upTo(10)).at(-1)).toBe(10);
  const agent = db.prepare(`INSERT INTO agents (id, username, display_name, role, groups, capacity, password_hash, password_changed_at, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, 3, '${HASH}', '${NOW}', '${NOW}', '${NOW}')`);
  agent.run('a-admin', 'lead', 'Lead', 'admin', '[]');
  agent.run('a-alice', 'alice', 'Alice', 'agent', '["mobile","billing"]');
  const session = db.prepare(`INSERT INTO sessions (id, agent_id, created_at, last_seen_at, expires_at) VALUES (?, ?, '${NOW}', '${NOW}', '2099-01-01T00:00:00.000Z')`);
  session.run('a'.repeat(64), 'a-admin');
  session.run('b'.repeat(64), 'a-alice');
  const reply = db.prepare(`INSERT INTO canned_replies (id, owner_agent_id, shortcut, title, text, lang, created_at, updated_at) VALUES (?, ?, ?, ?, ?, NULL, '${NOW}', '${NOW}')`);
  reply.run('r-shared', null, '/hello', 'Hello', 'Hello, how can I help?');
  reply.run('r-alice', 'a-alice', '/refund', 'Refund', 'Refunds take 3 days.');
}

const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

describe('011: the editor role and the audit log', () => {
  it('is marked to run with foreign keys off', () => {
    expect(the011().sql.startsWith(FOREIGN_KEYS_OFF_MARKER)).toBe(true);
    expect(the011().foreignKeysOff).toBe(true);
    expect(upTo(10).every((m) => !m.foreignKeysOff)).toBe(true);
  });

  it('keeps every agent, session and canned reply, and turns foreign keys back on', () => {
    seedAt010();
    const agentsBefore = db.prepare('SELECT * FROM agents ORDER BY id').all();
    expect(migrate(db, readMigrations())).toContain(11);

    expect(db.prepare('SELECT * FROM agents ORDER BY id').all()).toEqual(agentsBefore);
    expect(db.prepare('SELECT agent_id FROM sessions ORDER BY agent_id').pluck().all()).toEqual(['a-admin', 'a-alice']);
    expect(db.prepare('SELECT id, owner_agent_id FROM canned_replies ORDER BY id').all()).toEqual([
      { id: 'r-alice', owner_agent_id: 'a-alice' },
      { id: 'r-shared', owner_agent_id: null },
    ]);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'agents' AND sql IS NOT NULL").pluck().all()).toEqual(['agents_by_role']);
  });

  it('accepts the editor role, still refuses unknown ones, and the references still cascade', () => {
    seedAt010();
    migrate(db, readMigrations());
    const insert = db.prepare(`INSERT INTO agents (id, username, display_name, role, password_hash, password_changed_at, created_at, updated_at)
      VALUES (?, ?, 'x', ?, '${HASH}', '${NOW}', '${NOW}', '${NOW}')`);
    insert.run('a-erin', 'erin', 'editor');
    expect(() => insert.run('a-boss', 'boss', 'boss')).toThrow(/CHECK constraint/);
    // The sessions and replies point at the rebuilt table: deleting an agent still takes theirs along.
    db.prepare("DELETE FROM agents WHERE id = 'a-alice'").run();
    expect(count('sessions')).toBe(1);
    expect(db.prepare('SELECT id FROM canned_replies').pluck().all()).toEqual(['r-shared']);
    // And a reference to nobody is still refused.
    expect(() => db.prepare(`INSERT INTO sessions (id, agent_id, created_at, last_seen_at, expires_at) VALUES ('${'c'.repeat(64)}', 'nobody', '${NOW}', '${NOW}', '${NOW}')`).run()).toThrow(/FOREIGN KEY/);
  });

  it('creates audit_log with JSON-object details', () => {
    migrate(db, readMigrations());
    const insert = db.prepare("INSERT INTO audit_log (at, actor_id, actor_name, action, target_type, target_id, details) VALUES (?, 'a', 'A', 'agent.created', 'agent', 'x', ?)");
    insert.run(NOW, '{"role":"editor"}');
    expect(() => insert.run(NOW, 'not json')).toThrow(/CHECK constraint/);
    expect(() => insert.run(NOW, '[1]')).toThrow(/CHECK constraint/);
  });

  it('the same rebuild with foreign keys on would have erased the sessions and replies (why the marker exists)', () => {
    seedAt010();
    const unmarked: Migration = { ...the011(), sql: the011().sql.replace(FOREIGN_KEYS_OFF_MARKER, '-- (marker removed)'), foreignKeysOff: false };
    migrate(db, [...upTo(10), unmarked]);
    expect(count('agents')).toBe(2);
    expect(count('sessions')).toBe(0);
    expect(count('canned_replies')).toBe(1); // only the shared one, which has no owner
  });
});

describe('migrate with foreign keys off', () => {
  const base: Migration = { version: 1, name: 'base', foreignKeysOff: false, sql: `
    CREATE TABLE parents (id TEXT PRIMARY KEY);
    CREATE TABLE children (id TEXT PRIMARY KEY, parent_id TEXT NOT NULL REFERENCES parents (id) ON DELETE CASCADE);
    INSERT INTO parents VALUES ('p1'); INSERT INTO children VALUES ('c1', 'p1');` };

  it('rolls back a rebuild that leaves a dangling reference, records nothing, and turns foreign keys back on', () => {
    migrate(db, [base]);
    const lossy: Migration = { version: 2, name: 'lossy', foreignKeysOff: true, sql: `${FOREIGN_KEYS_OFF_MARKER}
      CREATE TABLE parents_new (id TEXT PRIMARY KEY, extra TEXT);
      DROP TABLE parents;
      ALTER TABLE parents_new RENAME TO parents;` };
    expect(() => migrate(db, [base, lossy])).toThrow(/migration 2 \(lossy\) leaves 1 broken foreign key/);
    expect(db.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(1);
    expect(db.prepare('SELECT id FROM parents').pluck().all()).toEqual(['p1']);
    expect(db.prepare("SELECT count(*) FROM pragma_table_info('parents') WHERE name = 'extra'").pluck().get()).toBe(0);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('leaves foreign keys off when the connection had them off', () => {
    db.pragma('foreign_keys = OFF');
    migrate(db, [base, { version: 2, name: 'noop', foreignKeysOff: true, sql: `${FOREIGN_KEYS_OFF_MARKER}\nSELECT 1;` }]);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(0);
  });

  it('reads the marker from the first line only', () => {
    const dir2 = mkdtempSync(join(tmpdir(), 'migrations-'));
    try {
      const write = (name: string, sql: string) => writeFileSync(join(dir2, name), sql);
      write('001_marked.sql', `${FOREIGN_KEYS_OFF_MARKER}\nSELECT 1;`);
      write('002_later.sql', `SELECT 1;\n${FOREIGN_KEYS_OFF_MARKER}\n`);
      expect(readMigrations(dir2).map((m) => m.foreignKeysOff)).toEqual([true, false]);
    } finally {
      rmSync(dir2, { recursive: true, force: true });
    }
  });
});

describe('migration 015: role_changed ends sessions', () => {
  it('keeps every session row (ended or not) and accepts the new end reason; deleting an agent still removes theirs', () => {
    seedAt010();
    migrate(db, upTo(14));
    db.prepare(`UPDATE sessions SET ended_at = '${NOW}', end_reason = 'logout' WHERE id = ?`).run('b'.repeat(64));
    const before = db.prepare('SELECT * FROM sessions ORDER BY id').all();
    expect(migrate(db, upTo(15))).toEqual([15]);
    expect(db.prepare('SELECT * FROM sessions ORDER BY id').all()).toEqual(before);
    db.prepare(`UPDATE sessions SET ended_at = '${NOW}', end_reason = 'role_changed' WHERE id = ?`).run('a'.repeat(64));
    expect(() => db.prepare(`UPDATE sessions SET end_reason = 'whatever' WHERE id = ?`).run('a'.repeat(64))).toThrow(/CHECK/);
    db.prepare('DELETE FROM agents WHERE id = ?').run('a-alice');
    expect(db.prepare('SELECT count(*) AS n FROM sessions').get()).toEqual({ n: 1 });
    expect(db.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  });
});
