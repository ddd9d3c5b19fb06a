// Applies the numbered SQL files of handoff/sqlite/migrations in order, each once, each in its own transaction.
// A file whose first line is `-- migrate: foreign-keys-off` runs with foreign keys off (SQLite's table
// rebuild: a CHECK or column type cannot be altered in place), then must pass `PRAGMA foreign_key_check`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from 'better-sqlite3';

export const defaultMigrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url));

/** `NNN_name.sql`: the number orders the migrations and is what schema_migrations records. */
const FILE_NAME = /^(\d{3,})_([a-z0-9_]+)\.sql$/;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * Declared by a first line `-- migrate: foreign-keys-off`: the migration rebuilds a table others refer to
   * (create new, copy, drop old, rename). With foreign keys on, dropping the old table would cascade into
   * the rows that refer to it; SQLite ignores the pragma inside a transaction, so it is set around it.
   */
  foreignKeysOff: boolean;
}

/** The first-line marker of a migration that must run with foreign keys off. */
export const FOREIGN_KEYS_OFF_MARKER = '-- migrate: foreign-keys-off';

export function readMigrations(dir: string = defaultMigrationsDir): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.sql')) continue;
    const match = FILE_NAME.exec(file);
    if (!match) throw new Error(`handoff/migrate: ${file} does not follow NNN_name.sql`);
    const version = Number(match[1]);
    if (migrations.some((m) => m.version === version)) {
      throw new Error(`handoff/migrate: two migrations share the number ${version} (${file})`);
    }
    const sql = readFileSync(join(dir, file), 'utf8');
    const foreignKeysOff = sql.split(/\r?\n/, 1)[0]!.trim() === FOREIGN_KEYS_OFF_MARKER;
    migrations.push({ version, name: match[2]!, sql, foreignKeysOff });
  }
  return migrations.sort((a, b) => a.version - b.version);
}

/** Brings the schema up to date; returns the versions applied by this call. */
export function migrate(db: Database, migrations: Migration[] = readMigrations()): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const isApplied = db.prepare<[number], { version: number }>('SELECT version FROM schema_migrations WHERE version = ?');
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');

  // A database migrated by a newer build has tables this code does not know how to treat.
  const newest = db.prepare<[], { v: number | null }>('SELECT max(version) AS v FROM schema_migrations').get()?.v ?? 0;
  const known = migrations.at(-1)?.version ?? 0;
  if (newest > known) {
    throw new Error(`handoff/migrate: the database is at schema version ${newest}, newer than this build's ${known}`);
  }

  const applied: number[] = [];
  for (const migration of migrations) {
    if (isApplied.get(migration.version)) continue;
    // IMMEDIATE takes the write lock before the check, so two processes starting at once
    // cannot both apply the same migration.
    const apply = db.transaction(() => {
      if (isApplied.get(migration.version)) return;
      db.exec(migration.sql);
      if (migration.foreignKeysOff) assertForeignKeys(db, migration);
      record.run(migration.version, migration.name, new Date().toISOString());
      applied.push(migration.version);
    });
    if (!migration.foreignKeysOff) {
      apply.immediate();
      continue;
    }
    const wasOn = db.pragma('foreign_keys', { simple: true }) === 1;
    db.pragma('foreign_keys = OFF');
    try {
      apply.immediate();
    } finally {
      if (wasOn) db.pragma('foreign_keys = ON');
    }
  }
  return applied;
}

/** Inside the migration's transaction: a dangling reference rolls the whole migration back. */
function assertForeignKeys(db: Database, migration: Migration): void {
  const broken = db.pragma('foreign_key_check') as Array<{ table: string; rowid: number; parent: string }>;
  if (broken.length > 0) {
    const first = broken[0]!;
    throw new Error(
      `handoff/migrate: migration ${migration.version} (${migration.name}) leaves ${broken.length} broken foreign key(s), ` +
        `first ${first.table} row ${first.rowid} -> ${first.parent}`,
    );
  }
}
