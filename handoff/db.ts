// Opens the chat database (DATA_DIR/chat.sqlite) with the pragmas the store relies on, migrated.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate, readMigrations } from './migrate.ts';

export type Db = Database.Database;

export interface DbOptions {
  /** File name inside the data directory. Default `chat.sqlite`. */
  fileName: string;
  /** How long a writer waits for another connection's lock before SQLITE_BUSY. Range 0-5000 ms; default 2000. */
  busyTimeoutMs: number;
  /** Where the numbered SQL files live (tests point elsewhere). Default handoff/migrations. */
  migrationsDir?: string;
}

export const defaultDbOptions: DbOptions = {
  fileName: 'chat.sqlite',
  busyTimeoutMs: 2000,
};

export function openDatabase(dataDir: string, options: Partial<DbOptions> = {}): Db {
  const opts = { ...defaultDbOptions, ...options };
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, opts.fileName));
  try {
    // WAL: readers (history, queue) never block the writer and vice versa.
    db.pragma('journal_mode = WAL');
    // NORMAL is durable against a crash of this process in WAL mode; only a power loss or OS crash
    // can drop the last few commits. FULL would fsync every chat message for little gain here.
    db.pragma('synchronous = NORMAL');
    // SQLite leaves foreign keys off per connection unless asked; messages must belong to a conversation.
    db.pragma('foreign_keys = ON');
    // Short: a chat request should fail fast rather than hang behind a stuck writer.
    db.pragma(`busy_timeout = ${Math.trunc(opts.busyTimeoutMs)}`);
    migrate(db, readMigrations(opts.migrationsDir));
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
