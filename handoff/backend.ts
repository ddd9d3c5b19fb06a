// Opens what handoff keeps its state in, from the configuration: the embedded default (one SQLite file under
// DATA_DIR, everything else in this process), or PostgreSQL (DATABASE_URL) and Redis (REDIS_URL) shared by
// several nodes. The server calls this once and hands the result to createHandoffServices.
import type { Logger } from 'pino';
import { openDatabase, type Db } from './sqlite/db.ts';
import { startDbMaintenance } from './sqlite/db-maintenance.ts';
import type { PgDb } from './postgres/pg-db.ts';
import type { RedisLink } from './redis/redis-link.ts';
import { createSqliteStorage, type HandoffStorage } from './storage.ts';
import { createLocalCoordination, type Coordination } from './coordination.ts';
import { systemClock, type Clock } from './platform/clock.ts';

export interface BackendOptions {
  dataDir: string;
  databaseUrl?: string;
  redisUrl?: string;
  /** Every Redis key and channel starts with it. */
  redisPrefix: string;
  /** PRESENCE_GRACE_SECONDS: how long an agent with no live connection on any node keeps their status. */
  presenceGraceSeconds: number;
}

export interface HandoffBackend {
  storage: HandoffStorage;
  coordination: Coordination;
  /** The SQLite database of the embedded default (the admin CLI, maintenance). */
  sqlite?: Db;
  /** The PostgreSQL pool of the multi-node mode (knowledge-base publications). */
  postgres?: PgDb;
  /** The Redis link of the multi-node mode. */
  redis?: RedisLink;
  /** Leaves the cluster, then closes the databases. */
  close(): Promise<void>;
}

export async function openHandoffBackend(options: BackendOptions, logger: Logger, clock: Clock = systemClock): Promise<HandoffBackend> {
  const closers: Array<() => unknown> = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close();
  };
  try {
    let storage: HandoffStorage;
    let sqlite: Db | undefined;
    let postgres: PgDb | undefined;
    if (options.databaseUrl) {
      // Loaded only here: the embedded default never loads the PostgreSQL and Redis clients.
      const { openPostgres } = await import('./postgres/open.ts');
      const { createPostgresStorage } = await import('./storage-postgres.ts');
      postgres = await openPostgres(options.databaseUrl);
      const pg = postgres;
      closers.push(() => pg.close());
      storage = createPostgresStorage(pg, clock);
    } else {
      const db = openDatabase(options.dataDir);
      sqlite = db;
      closers.push(() => db.close());
      // Search indexing and WAL checkpoints in the background; they stop when the database is closed.
      startDbMaintenance(db);
      storage = createSqliteStorage(db, clock);
    }
    let coordination: Coordination;
    let redis: RedisLink | undefined;
    if (options.redisUrl) {
      const { createRedisLink } = await import('./redis/redis-link.ts');
      const { createRedisCoordination } = await import('./coordination-redis.ts');
      const link = createRedisLink(options.redisUrl, { prefix: options.redisPrefix });
      redis = link;
      closers.push(() => link.close());
      const shared = createRedisCoordination(link, { presenceGraceMs: options.presenceGraceSeconds * 1000, logger });
      coordination = shared;
      await shared.start();
      closers.push(() => shared.stop());
    } else {
      coordination = createLocalCoordination((err) => logger.error({ event: 'hub.listener_failed', err }, 'live listener failed'));
    }
    return {
      storage, coordination, close: closeAll,
      ...(sqlite ? { sqlite } : {}), ...(postgres ? { postgres } : {}), ...(redis ? { redis } : {}),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
