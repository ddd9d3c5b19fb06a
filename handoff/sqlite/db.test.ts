import { mkdtempSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './db.ts';
import { migrate, readMigrations } from './migrate.ts';

let dir: string;
const open: Db[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'chat-db-'));
});
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

function openIn(path: string, migrationsDir?: string): Db {
  const db = openDatabase(path, migrationsDir ? { migrationsDir } : {});
  open.push(db);
  return db;
}

describe('openDatabase', () => {
  it('creates the data directory and the file, with the pragmas the store relies on', () => {
    const dataDir = join(dir, 'nested', 'data');
    const db = openIn(dataDir);
    expect(existsSync(join(dataDir, 'chat.sqlite'))).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // 1 = NORMAL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(200);
  });

  it('applies the shipped migrations once and records them', () => {
    const db = openIn(dir);
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    expect(versions).toEqual(readMigrations().map((m) => m.version));
    expect(versions[0]).toBe(1);
    db.close();
    // Re-opening applies nothing and keeps the data.
    const again = openIn(dir);
    expect(migrate(again)).toEqual([]);
    expect(again.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(versions.length);
  });

  it('enforces foreign keys: a message needs its conversation', () => {
    const db = openIn(dir);
    expect(() =>
      db
        .prepare("INSERT INTO messages (conversation_id, author, text, created_at) VALUES ('nope', 'visitor', 'x', 'now')")
        .run(),
    ).toThrow(/FOREIGN KEY/);
  });
});

describe('migrate', () => {
  function writeMigrations(files: Record<string, string>): string {
    const migrationsDir = join(dir, 'migrations');
    mkdirSync(migrationsDir, { recursive: true });
    for (const [name, sql] of Object.entries(files)) writeFileSync(join(migrationsDir, name), sql);
    return migrationsDir;
  }

  it('applies files in numeric order, each in its own transaction', () => {
    const migrationsDir = writeMigrations({
      '002_b.sql': 'ALTER TABLE a ADD COLUMN y TEXT;',
      '001_a.sql': 'CREATE TABLE a (x INTEGER);',
      '003_broken.sql': 'CREATE TABLE c (z INTEGER); THIS IS NOT SQL;',
    });
    expect(() => openIn(join(dir, 'data'), migrationsDir)).toThrow(/syntax error/);
    // 001 and 002 committed; 003 rolled back entirely (table c does not exist).
    const db = openIn(join(dir, 'data'), writeMigrations({ '003_broken.sql': 'CREATE TABLE c (z INTEGER);' }));
    expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()).toEqual([1, 2, 3]);
    expect(db.prepare("SELECT name FROM pragma_table_info('a')").pluck().all()).toEqual(['x', 'y']);
  });

  it('rejects badly named files and duplicate numbers', () => {
    expect(() => readMigrations(writeMigrations({ 'create-things.sql': '' }))).toThrow(/NNN_name\.sql/);
    rmSync(join(dir, 'migrations'), { recursive: true });
    expect(() => readMigrations(writeMigrations({ '001_a.sql': '', '001_b.sql': '' }))).toThrow(/share the number 1/);
  });

  it('refuses a database migrated by a newer build', () => {
    const db = openIn(dir);
    db.prepare("INSERT INTO schema_migrations VALUES (999, 'future', 'x')").run();
    expect(() => migrate(db)).toThrow(/schema version 999/);
  });
});

describe('migration 006: partial conversation indexes', () => {
  const plan = (db: Db, sql: string) =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array((sql.match(/\?/g) ?? []).length).fill('x')) as Array<{ detail: string }>)
      .map((r) => r.detail)
      .join('\n');

  it('drops the unused queue index and keeps only queued or assigned chats in the others', () => {
    const db = openIn(dir);
    // The status indexes of 006 (later migrations add their own: visitor id 008, reports by start time 009).
    const indexes = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'conversations' AND sql LIKE '%status%' ORDER BY name").all() as Array<{ name: string; sql: string }>;
    expect(indexes.map((i) => i.name)).toEqual(['conversations_activity', 'conversations_by_agent', 'conversations_group_queue']);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'conversations_queue'").get()).toEqual({ n: 0 });
    for (const index of indexes) expect(index.sql).toMatch(/WHERE status = '(queued|assigned)'$/);
  });

  it('the routing queries (status named as a literal) still search through them', () => {
    const db = openIn(dir);
    // The shapes of sqlite-routing-store.ts and sqlite-conversation-store.ts.
    expect(plan(db, "SELECT id FROM conversations WHERE status = 'queued' AND group_id IN (SELECT value FROM json_each(?)) ORDER BY queue_rank, rowid")).toContain('USING INDEX conversations_group_queue');
    expect(plan(db, "SELECT min(queue_rank) FROM conversations WHERE status = 'queued' AND group_id IS ?")).toContain('conversations_group_queue');
    expect(plan(db, `SELECT count(*) FROM conversations AS c JOIN conversations AS q ON q.status = 'queued' AND q.group_id IS c.group_id
      AND (q.queue_rank < c.queue_rank OR (q.queue_rank = c.queue_rank AND q.rowid <= c.rowid)) WHERE c.id = ? AND c.status = 'queued'`)).toContain('conversations_group_queue');
    expect(plan(db, "SELECT count(*) FROM conversations WHERE status = 'assigned' AND agent_id = ?")).toContain('conversations_by_agent');
    expect(plan(db, "SELECT agent_id, count(*) FROM conversations WHERE status = 'assigned' AND agent_id IS NOT NULL GROUP BY agent_id")).toContain('conversations_by_agent');
    expect(plan(db, "SELECT id FROM conversations WHERE status = 'assigned' AND updated_at < ? ORDER BY updated_at")).toContain('conversations_activity');
  });
});

describe('migration 007: client message ids', () => {
  it('allows one message per client id in a conversation, any number without one, and finds it by index', () => {
    const db = openIn(dir);
    for (const id of ['c1', 'c2']) {
      db.prepare("INSERT INTO conversations (id, token_hash, lang, created_at, updated_at) VALUES (?, zeroblob(32), 'zh', 'now', 'now')").run(id);
    }
    const insert = db.prepare("INSERT INTO messages (conversation_id, author, text, created_at, client_message_id) VALUES (?, 'visitor', 'hi', 'now', ?)");
    insert.run('c1', 'visitor:m-1');
    insert.run('c1', null);
    insert.run('c1', null);
    insert.run('c2', 'visitor:m-1');
    expect(() => insert.run('c1', 'visitor:m-1')).toThrow(/UNIQUE/);
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT * FROM messages WHERE conversation_id = ? AND client_message_id = ?').all('c1', 'x') as Array<{ detail: string }>;
    expect(plan.map((r) => r.detail).join('\n')).toContain('messages_client_message_id');
  });
});
