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
    expect(db.pragma('busy_timeout', { simple: true })).toBe(2000);
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
