import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeWithServices, type TestDatabase } from '../testing/services.ts';
import { createPgDb } from './pg-db.ts';
import { migratePostgres, readPgMigrations } from './migrate.ts';
import { createPostgresUnitOfWork } from './unit-of-work.ts';

describeWithServices('PostgreSQL migrations and units of work', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('applies each migration once when three nodes start at the same moment (advisory lock)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pg-mig-'));
    // Not idempotent on purpose: a second run of 001 would fail on the existing table.
    writeFileSync(path.join(dir, '001_first.sql'), 'CREATE TABLE t1 (id INTEGER PRIMARY KEY);');
    writeFileSync(path.join(dir, '002_second.sql'), 'INSERT INTO t1 (id) VALUES (1);');
    const nodes = [createPgDb(database.url), createPgDb(database.url), createPgDb(database.url)];
    try {
      const runs = await Promise.all(nodes.map((db) => migratePostgres(db, readPgMigrations(dir))));
      expect(runs.flat().sort()).toEqual([1, 2]);
      expect(await nodes[0]!.query('SELECT id FROM t1')).toEqual([{ id: 1 }]);
      // A newer database than the build refuses to start rather than guess.
      writeFileSync(path.join(dir, '002_second.sql'), '');
      await expect(migratePostgres(nodes[1]!, readPgMigrations(dir).slice(0, 1))).rejects.toThrow(/newer than this build/);
    } finally {
      await Promise.all(nodes.map((db) => db.close()));
    }
  });

  it('commits a unit of work together, rolls it back together, and runs afterCommit only after a commit', async () => {
    const db = createPgDb(database.url);
    try {
      await db.run('CREATE TABLE uow (v TEXT)');
      const uow = createPostgresUnitOfWork(db);
      const effects: string[] = [];
      await uow.withTransaction(async () => {
        await db.run("INSERT INTO uow VALUES ('a')");
        uow.afterCommit(() => effects.push('a'));
        // Another caller outside the unit does not see the uncommitted row.
        expect(await createPgDbQuery(database.url, 'SELECT count(*)::int AS n FROM uow')).toEqual([{ n: 0 }]);
        await db.run("INSERT INTO uow VALUES ('b')");
      });
      await expect(uow.withTransaction(async () => {
        await db.run("INSERT INTO uow VALUES ('c')");
        uow.afterCommit(() => effects.push('c'));
        throw new Error('boom');
      })).rejects.toThrow('boom');
      expect((await db.query<{ v: string }>('SELECT v FROM uow ORDER BY v')).map((r) => r.v)).toEqual(['a', 'b']);
      expect(effects).toEqual(['a']);
    } finally {
      await db.close();
    }
  });
});

async function createPgDbQuery(url: string, sql: string): Promise<unknown[]> {
  const other = createPgDb(url);
  try {
    return await other.query(sql);
  } finally {
    await other.close();
  }
}
