// PgDb when PostgreSQL goes away without closing the socket (a frozen server, a network cut during a failover):
// through a TCP relay in front of the test PostgreSQL that the test stalls, a query or a transaction fails in
// bounded time as a 503 instead of hanging its request for ever, and the pool serves again once replies come back.
import { Hono } from 'hono';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createErrorHandler } from '../http/error-handler.ts';
import { createTestDatabase, describeWithServices, type TestDatabase } from '../testing/services.ts';
import { startTcpRelay, type TcpRelay } from '../testing/tcp-relay.ts';
import { createPgDb, type PgDb } from './pg-db.ts';

/** The statement timeout here: a query with no reply at all fails 2 s after it. */
const STATEMENT_TIMEOUT_MS = 1000;
const NO_REPLY_AFTER_MS = STATEMENT_TIMEOUT_MS + 2000;

async function answerFor(err: unknown): Promise<{ status: number; code: string }> {
  const app = new Hono();
  app.get('/x', () => {
    throw err;
  });
  app.onError(createErrorHandler({ warn: () => {}, error: () => {} }));
  const res = await app.request('/x');
  return { status: res.status, code: ((await res.json()) as { error: { code: string } }).error.code };
}

async function failureOf(p: Promise<unknown>): Promise<{ err: unknown; ms: number }> {
  const started = Date.now();
  try {
    await p;
  } catch (err) {
    return { err, ms: Date.now() - started };
  }
  throw new Error('the query succeeded without a reply');
}

describeWithServices('PgDb when PostgreSQL stops replying', () => {
  let database: TestDatabase;
  let relay: TcpRelay;
  let db: PgDb;
  beforeAll(async () => {
    database = await createTestDatabase();
    const url = new URL(database.url);
    relay = await startTcpRelay({ host: url.hostname, port: Number(url.port) });
    url.host = `127.0.0.1:${relay.port}`;
    db = createPgDb(url.toString(), { statementTimeoutMs: STATEMENT_TIMEOUT_MS, poolSize: 2 });
    await db.run('CREATE TABLE frozen (v INTEGER)');
  });
  afterAll(async () => {
    relay.close();
    await db.close().catch(() => {});
    await database.drop();
  });

  it('a query and a transaction fail after the statement timeout plus 2 s as a 503; no connection is lent again in a bad state', async () => {
    // Both pooled connections open and idle, as on a busy node: the next queries reuse them.
    await Promise.all([db.query('SELECT pg_sleep(0.05)'), db.query('SELECT pg_sleep(0.05)')]);
    let stalled!: () => void;
    const midway = new Promise<void>((resolve) => (stalled = resolve));
    // The server stops replying in the middle of a transaction, after one of its writes.
    const inTransaction = failureOf(db.transaction(async () => {
      await db.run('INSERT INTO frozen (v) VALUES (1)');
      relay.stall();
      stalled();
      await db.run('INSERT INTO frozen (v) VALUES (3)');
    }));
    await midway;
    const plain = failureOf(db.query('SELECT 1'));
    for (const [what, { err, ms }] of [['query', await plain], ['transaction', await inTransaction]] as const) {
      // The server's own statement timeout cannot end this: no reply reaches the client at all.
      expect(ms, `${what}: ${String(err)}`).toBeGreaterThanOrEqual(NO_REPLY_AFTER_MS - 100);
      // A transaction does not wait as long again for a ROLLBACK queued behind the unanswered statement.
      expect(ms, `${what}: ${String(err)}`).toBeLessThan(NO_REPLY_AFTER_MS + 1500);
      expect(await answerFor(err), what).toEqual({ status: 503, code: 'unavailable' });
    }
    relay.resume();
    for (let i = 0; i < 4; i++) expect(await db.query('SELECT $1::int AS n', [i])).toEqual([{ n: i }]);
    await db.transaction(async () => {
      await db.run('INSERT INTO frozen (v) VALUES (2)');
    });
    // Seen from a connection of its own: the stalled transaction's writes were rolled back with its connection, and
    // no connection of the pool was left inside a transaction (where later writes would never be committed).
    const direct = new pg.Client({ connectionString: database.url });
    await direct.connect();
    try {
      expect((await direct.query('SELECT v FROM frozen ORDER BY v')).rows).toEqual([{ v: 2 }]);
      const stuck = async () => Number((await direct.query(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
      )).rows[0].n);
      const deadline = Date.now() + 3000;
      while ((await stuck()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(await stuck(), 'connections idle in a transaction').toBe(0);
    } finally {
      await direct.end();
    }
  }, 30_000);
});
