// The PostgreSQL side of the multi-node mode (DATABASE_URL=postgres://…): one pool per process, and the one
// query function every postgres-* store calls. A query made inside an open unit of work (unit-of-work.ts) runs
// on that unit's connection, so stores join a transaction without a handle being passed around; any other
// query takes a pooled connection for itself.
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';

/** A value a query may bind ($1, $2, …). */
export type SqlValue = string | number | bigint | boolean | null | Date | Buffer | readonly unknown[] | Record<string, unknown>;

export interface PgOpenUnit {
  readonly client: pg.PoolClient;
  /** Run after the commit, in order. */
  readonly afterCommit: Array<() => void>;
}

export interface PgDb {
  readonly pool: pg.Pool;
  /** Rows of one statement, on the open unit's connection when the caller is inside one. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** The first row, or undefined. */
  one<Row = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined>;
  /** Rows changed by an INSERT/UPDATE/DELETE. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /**
   * Runs `work` in a transaction (joining the caller's open one, if any): what a store uses where SQLite's
   * single writer decided a race (a take, a claim), with row locks (FOR UPDATE, SKIP LOCKED) doing it here.
   */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  /** The unit the caller is inside, if any (unit-of-work.ts). */
  readonly scope: AsyncLocalStorage<PgOpenUnit>;
  close(): Promise<void>;
}

export interface PgOptions {
  /** Connections per process. Range 2-100; default 10. */
  poolSize: number;
  /** A statement running longer than this is cancelled: a request fails (503) instead of hanging. Default 10000 ms. */
  statementTimeoutMs: number;
  /** Waiting longer than this for a pooled connection fails the request (503). Default 5000 ms. */
  connectTimeoutMs: number;
}

export const defaultPgOptions: PgOptions = { poolSize: 10, statementTimeoutMs: 10_000, connectTimeoutMs: 5_000 };

/**
 * How much longer than the statement timeout a query waits for any reply before it fails (503) and its connection
 * is dropped. The server cancels a slow statement itself; no reply at all by then means a server or network frozen
 * with the socket still open, which no timeout of the server can end.
 */
const NO_REPLY_MARGIN_MS = 2_000;

/** pg's error for a query that got no reply within query_timeout. */
const NO_REPLY = 'Query read timeout';

// BIGINT (int8) and COUNT(*) come back as strings by default; every id and count here fits a double.
pg.types.setTypeParser(20, (value) => Number(value));

export function createPgDb(url: string, options: Partial<PgOptions> = {}): PgDb {
  const opts = { ...defaultPgOptions, ...options };
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize,
    statement_timeout: opts.statementTimeoutMs,
    query_timeout: opts.statementTimeoutMs + NO_REPLY_MARGIN_MS,
    connectionTimeoutMillis: opts.connectTimeoutMs,
    // An idle connection dropped by the server (restart, failover) is an 'error' on the pool, not a crash.
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', () => {
    // The broken connection is already removed from the pool; the next query opens a new one.
  });
  const scope = new AsyncLocalStorage<PgOpenUnit>();

  async function exec(sql: string, params: readonly SqlValue[] = []): Promise<pg.QueryResult> {
    const unit = scope.getStore();
    if (unit) return unit.client.query(sql, params as unknown[]);
    return pool.query(sql, params as unknown[]);
  }

  const db: PgDb = {
    pool,
    scope,
    async query<Row>(sql: string, params?: readonly SqlValue[]) {
      return (await exec(sql, params)).rows as Row[];
    },
    async one<Row>(sql: string, params?: readonly SqlValue[]) {
      return (await exec(sql, params)).rows[0] as Row | undefined;
    },
    async run(sql, params) {
      return (await exec(sql, params)).rowCount ?? 0;
    },
    async transaction<T>(work: () => Promise<T>): Promise<T> {
      if (scope.getStore()) return work();
      const client = await pool.connect();
      const unit: PgOpenUnit = { client, afterCommit: [] };
      let result: T;
      /** Set when the connection cannot be trusted any more: the pool then closes it instead of lending it again. */
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        result = await scope.run(unit, work);
        await client.query('COMMIT');
      } catch (err) {
        // No reply came: a ROLLBACK would queue behind the unanswered query for as long again. Closing the
        // connection rolls the transaction back on the server.
        if ((err as Error | undefined)?.message === NO_REPLY) broken = err as Error;
        else await client.query('ROLLBACK').catch((rollbackFailed: Error) => (broken = rollbackFailed));
        throw err;
      } finally {
        client.release(broken);
      }
      for (const effect of unit.afterCommit) effect();
      return result;
    },
    async close() {
      await pool.end();
    },
  };
  return db;
}
