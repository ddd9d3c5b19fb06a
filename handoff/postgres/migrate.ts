// Applies the numbered SQL files of handoff/postgres/migrations in order, each once, each in its own
// transaction, like SQLite's (handoff/sqlite/migrate.ts). Several nodes starting at once are safe: the whole
// run holds a session advisory lock, so the second node waits, then finds every version applied.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PgDb } from './pg-db.ts';

export const defaultPgMigrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url));

const FILE_NAME = /^(\d{3,})_([a-z0-9_]+)\.sql$/;

/** The advisory lock key of a migration run (any constant; it names this application's lock). */
const MIGRATION_LOCK = 727_001;

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

export function readPgMigrations(dir: string = defaultPgMigrationsDir): PgMigration[] {
  const out: PgMigration[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.sql')) continue;
    const match = FILE_NAME.exec(file);
    if (!match) throw new Error(`handoff/postgres/migrate: ${file} does not follow NNN_name.sql`);
    const version = Number(match[1]);
    if (out.some((m) => m.version === version)) throw new Error(`handoff/postgres/migrate: two migrations share the number ${version}`);
    out.push({ version, name: match[2]!, sql: readFileSync(join(dir, file), 'utf8') });
  }
  return out.sort((a, b) => a.version - b.version);
}

/** Brings the schema up to date; returns the versions applied by this call. */
export async function migratePostgres(db: PgDb, migrations: PgMigration[] = readPgMigrations()): Promise<number[]> {
  const client = await db.pool.connect();
  const applied: number[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
      const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
      const known = migrations.at(-1)?.version ?? 0;
      const newest = Math.max(0, ...done);
      // A database migrated by a newer build has tables this code does not know how to treat.
      if (newest > known) throw new Error(`handoff/postgres/migrate: the database is at schema version ${newest}, newer than this build's ${known}`);
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => {});
          throw new Error(`handoff/postgres/migrate: ${String(m.version).padStart(3, '0')}_${m.name} failed: ${(err as Error).message}`, { cause: err });
        }
        applied.push(m.version);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    }
  } finally {
    client.release();
  }
  return applied;
}
