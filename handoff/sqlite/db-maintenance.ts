// Background upkeep of the open database, off the request path: search indexing in batches, WAL checkpoints on a worker thread.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { searchIndexer } from './search-index.ts';

type Db = Database.Database;

export interface DbMaintenanceOptions {
  /**
   * How often messages stored meanwhile are indexed for transcript search (one batch per tick, more at once
   * while a backlog remains). A search always catches up first, so this only bounds the work a search does.
   * Range 10-10000 ms; default 100. 0 turns the timer off (tests).
   */
  searchIndexIntervalMs: number;
  /**
   * Checkpoint the WAL from a worker thread with a connection of its own (PASSIVE: it never blocks a reader
   * or a writer), so that copying pages into the database file and its fsyncs stay off the event loop.
   * Started with the first messages indexed (a database that is not written needs none). Default true.
   */
  checkpointWorker: boolean;
  /**
   * The worker's pause after a checkpoint that had pages to copy. Longer pauses copy a page written many
   * times once (fewer page writes and fsyncs in all) but let the WAL grow longer meanwhile. Range 5-1000 ms;
   * default 100.
   */
  checkpointBusyMs: number;
  /** The worker's pause after a checkpoint that found nothing new. Range 50-10000 ms; default 250. */
  checkpointIdleMs: number;
  /**
   * While the worker runs, the main connection still checkpoints (by itself, at a commit) once the WAL holds
   * this many pages: the WAL file restarts only after a checkpoint copied every frame, which the worker
   * cannot always finish between two commits under load. Little is left to copy by then. A soft bound: while
   * the worker holds the checkpoint lock, the main connection tries again at its next commits. Range
   * 1000-100000 pages; default 4000 (16 MiB with 4 KiB pages). SQLite's own default, without the worker, is 1000.
   */
  walAutocheckpointPages: number;
}

export const defaultDbMaintenanceOptions: DbMaintenanceOptions = {
  searchIndexIntervalMs: 100,
  checkpointWorker: true,
  checkpointBusyMs: 100,
  checkpointIdleMs: 250,
  walAutocheckpointPages: 4000,
};

export interface DbMaintenance {
  /** Whether the checkpoint worker runs (for tests and diagnostics). */
  readonly checkpointing: boolean;
  /** Stops the timer and the worker, after indexing what is left. Safe to call twice. */
  stop(): void;
}

/**
 * The worker's whole program, as a CommonJS script evaluated in the worker (no TypeScript loader is needed,
 * under tsx, vitest or plain node alike). It opens the same file and checkpoints PASSIVE in a loop: quickly
 * while pages keep arriving, slowly when idle. The main connection restarts the WAL from its beginning at
 * its next write once a checkpoint has copied every frame; its own wal_autocheckpoint (see db.ts) is only
 * the bound for when the worker cannot catch up (every frame copied between two commits).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
// Never wait for a lock: a busy checkpoint is simply tried again at the next tick.
db.pragma('busy_timeout = 0');
let timer;
let last = '';
function tick() {
  let pause = workerData.idleMs;
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    const now = result.log + '/' + result.checkpointed;
    if (now !== last) pause = workerData.busyMs;
    last = now;
  } catch (err) {
    // SQLITE_BUSY and the like: the main connection holds what the checkpoint needs; try again.
    pause = workerData.busyMs;
  }
  timer = setTimeout(tick, pause);
}
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
tick();
`;

/** The upkeep started for this connection (tests, diagnostics). */
const running = new WeakMap<Db, DbMaintenance>();
export function dbMaintenance(db: Db): DbMaintenance | undefined {
  return running.get(db);
}

/**
 * Starts the upkeep of an open database (the composition root does, once); it stops with `db.close()`,
 * so whoever closes the database (the server, a test) stops it too.
 */
export function startDbMaintenance(db: Db, options: Partial<DbMaintenanceOptions> = {}): DbMaintenance {
  const opts: DbMaintenanceOptions = { ...defaultDbMaintenanceOptions, ...options };
  const indexer = searchIndexer(db);
  let worker: Worker | undefined;
  let workerFailed = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let pending: NodeJS.Immediate | undefined;

  const startWorker = () => {
    if (worker || workerFailed || !opts.checkpointWorker || db.memory || db.readonly) return;
    const w = new Worker(WORKER_SOURCE, {
      eval: true,
      // Plain JavaScript: none of the parent's loaders (tsx) or profiling flags.
      execArgv: [],
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        file: db.name,
        busyMs: opts.checkpointBusyMs,
        idleMs: opts.checkpointIdleMs,
      },
    });
    // The process may exit whenever it likes: a checkpoint cut short is redone by the next one.
    w.unref();
    w.on('error', () => {
      // Without the worker the main connection checkpoints by itself again, at SQLite's usual size.
      workerFailed = true;
      worker = undefined;
      if (db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
    });
    worker = w;
    db.pragma(`wal_autocheckpoint = ${Math.trunc(opts.walAutocheckpointPages)}`);
  };

  const index = () => {
    pending = undefined;
    if (stopped || !db.open || !indexer) return;
    try {
      const { indexed, more } = indexer.step();
      if (indexed > 0) startWorker();
      // The rest of a backlog goes in later turns of the event loop, so requests waiting meanwhile are served.
      if (more) pending = setImmediate(index);
    } catch {
      // SQLITE_BUSY (another process writes): the next tick, or the next search, catches up.
    }
  };

  if (indexer && opts.searchIndexIntervalMs > 0) {
    timer = setInterval(() => {
      if (!pending) index();
    }, opts.searchIndexIntervalMs);
    timer.unref();
  }

  const maintenance: DbMaintenance = {
    get checkpointing() {
      return worker !== undefined;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearInterval(timer);
      if (pending) clearImmediate(pending);
      if (worker) {
        worker.postMessage('stop');
        worker = undefined;
      }
      if (db.open && indexer) {
        try {
          indexer.catchUp();
        } catch {
          // Whoever opens the database next catches up.
        }
      }
    },
  };
  running.set(db, maintenance);
  const close = db.close.bind(db);
  db.close = () => {
    maintenance.stop();
    return close();
  };
  return maintenance;
}

/** SQLite's own wal_autocheckpoint default, in pages. */
export const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;
