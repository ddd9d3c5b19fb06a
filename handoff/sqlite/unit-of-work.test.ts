// The SQLite unit of work on a real file: several store writes commit together or not at all; a caller
// outside an open unit waits for it instead of landing in (and being rolled back with) someone else's
// transaction; nested units join; concurrent units queue and both commit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './db.ts';
import { createSqliteUnitOfWork, gated } from './unit-of-work.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';

let dir: string;
let db: Db;
let unit: UnitOfWork;
/** A store of one table, wrapped like every SQLite store. */
let things: { add(name: string): Promise<void>; names(): Promise<string[]> };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'unit-of-work-'));
  db = openDatabase(dir);
  db.exec('CREATE TABLE things (name TEXT NOT NULL UNIQUE)');
  const insert = db.prepare<[string]>('INSERT INTO things (name) VALUES (?)');
  const select = db.prepare<[], { name: string }>('SELECT name FROM things ORDER BY rowid');
  things = gated(db, {
    async add(name: string) {
      insert.run(name);
    },
    async names() {
      return select.all().map((r) => r.name);
    },
  });
  unit = createSqliteUnitOfWork(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the SQLite unit of work', () => {
  it('commits every write of a unit, or none when it throws', async () => {
    await unit.withTransaction(async () => {
      await things.add('a');
      await things.add('b');
    });
    await expect(unit.withTransaction(async () => {
      await things.add('c');
      await things.add('a'); // UNIQUE: the unit fails, so c goes too
    })).rejects.toThrow(/UNIQUE/);
    expect(await things.names()).toEqual(['a', 'b']);
    expect(db.inTransaction).toBe(false);
  });

  it('makes an outside caller wait, so it is neither rolled back with the unit nor reads its uncommitted rows', async () => {
    let seenByOutsider: string[] | undefined;
    const failing = unit.withTransaction(async () => {
      await things.add('inside');
      // Real waiting inside the unit: other requests run meanwhile.
      await sleep(30);
      throw new Error('unit failed');
    });
    await sleep(5);
    const outsider = (async () => {
      seenByOutsider = await things.names();
      await things.add('outside');
    })();
    await expect(failing).rejects.toThrow('unit failed');
    await outsider;
    expect(seenByOutsider).toEqual([]);
    expect(await things.names()).toEqual(['outside']);
  });

  it('joins a unit opened inside another, and queues units started together', async () => {
    await unit.withTransaction(async () => {
      await things.add('outer');
      await unit.withTransaction(async () => things.add('inner'));
    });
    await Promise.all([
      unit.withTransaction(async () => {
        await things.add('x1');
        await sleep(10);
        await things.add('x2');
      }),
      unit.withTransaction(async () => {
        await things.add('y1');
        await things.add('y2');
      }),
    ]);
    // The second unit ran whole after the first: no interleaving.
    expect(await things.names()).toEqual(['outer', 'inner', 'x1', 'x2', 'y1', 'y2']);
  });
});
