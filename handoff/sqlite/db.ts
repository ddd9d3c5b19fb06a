// Opens the chat database (DATA_DIR/chat.sqlite) with the pragmas the store relies on, migrated. The server
// then starts its background upkeep (db-maintenance.ts); a test or the admin CLI need not.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate, readMigrations } from './migrate.ts';
import { searchIndexer } from './search-index.ts';

export type Db = Database.Database;

export interface DbOptions {
  /** File name inside the data directory. Default `chat.sqlite`. */
  fileName: string;
  /**
   * How long a writer waits for another connection's lock before SQLITE_BUSY. better-sqlite3 waits
   * synchronously, holding the event loop, so this stays short: a request then answers 503 (busy)
   * instead of every request freezing behind it. Range 0-5000 ms; default 200.
   */
  busyTimeoutMs: number;
  /** Where the numbered SQL files live (tests point elsewhere). Default handoff/sqlite/migrations. */
  migrationsDir?: string;
  /**
   * The WAL file is cut back to this size when it restarts after growing past it (a burst, a long reader;
   * SQLite otherwise keeps the file at its largest). Range 64 KiB-1 GiB; default 32 MiB.
   */
  walSizeLimitBytes: number;
}

export const defaultDbOptions: DbOptions = {
  fileName: 'chat.sqlite',
  busyTimeoutMs: 200,
  walSizeLimitBytes: 32 * 1024 * 1024,
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
    db.pragma(`journal_size_limit = ${Math.trunc(opts.walSizeLimitBytes)}`);
    // Freed pages are overwritten with zeros: an erased transcript (privacy erasure, retention) is gone from
    // the file, not left in its free pages. Costs a little write I/O on deletes, which are rare here.
    db.pragma('secure_delete = ON');
    migrate(db, readMigrations(opts.migrationsDir));
    // Messages a stopped process had stored but not yet indexed become searchable before anything else runs.
    searchIndexer(db)?.catchUp();
  } catch (err) {
    db.close();
    throw err;
  }
  // Background upkeep (search indexing, WAL checkpoints) is the composition's to start: startDbMaintenance.
  return db;
}

/** A value built at first use, then kept (a statement on a column a later migration adds). */
export function lazy<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= build());
}
