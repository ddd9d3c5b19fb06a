// The block store and gate on both engines (a real SQLite file; a real PostgreSQL database where the test
// services are): expiry honoured at lookup, a second block of the same value extends the first (never shortening
// it, also when two nodes block at once), a unit of work that fails after the block (its audit row) leaves store
// and gate unchanged, refused requests held in memory and written in one go (not per request), blocks reloaded;
// address blocks matched in canonical form and CIDR ranges matched by any address inside them.
import { beforeEach, expect, it } from 'vitest';
import { databases, describeEachEngine, type EngineDb } from '../testing/engine-databases.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { createVisitorBlocks, type VisitorBlocksOptions } from './visitor-blocks.ts';

const T0 = new Date('2025-03-03T02:00:00.000Z');

describeEachEngine('visitor blocks', (engine) => {
  const openDb = databases(engine);
  let db: EngineDb;
  let unit: UnitOfWork;
  let now: number;
  const clock = () => new Date(now);
  const storedHits = async (id: string) => db.value<number>('SELECT hits FROM visitor_blocks WHERE id = ?', [id]);

  async function open(options: Partial<VisitorBlocksOptions> = {}, on: EngineDb = db) {
    const blocks = createVisitorBlocks(on.stores.visitorBlocks(), on === db ? unit : on.stores.unitOfWork(), { clock, ...options });
    await blocks.load();
    return blocks;
  }

  beforeEach(async () => {
    db = await openDb();
    unit = db.stores.unitOfWork();
    now = T0.getTime();
  });

  it('honours expiry at lookup, and blocking again extends the block in force', async () => {
    const blocks = await open();
    const first = await blocks.block({ kind: 'visitor', value: 'v1', createdBy: 'a1', durationHours: 1 });
    expect(() => blocks.check({ visitorId: 'v1' })).toThrow(/not available/);
    expect(() => blocks.check({ visitorId: 'v2', ip: '198.51.100.1' })).not.toThrow();
    const again = await blocks.block({ kind: 'visitor', value: 'v1', createdBy: 'a2', durationHours: 2 });
    expect(again.id).toBe(first.id);
    now += 90 * 60_000;
    expect(() => blocks.check({ visitorId: 'v1' })).toThrow();
    now += 31 * 60_000;
    expect(() => blocks.check({ visitorId: 'v1' })).not.toThrow();
    expect((await blocks.get(first.id))!.active).toBe(false);
    // After expiry a new block is a new row; the expired one stays as history.
    const fresh = await blocks.block({ kind: 'visitor', value: 'v1', createdBy: 'a1' });
    expect(fresh.id).not.toBe(first.id);
    expect((await blocks.list()).map((b) => [b.id, b.active])).toEqual([[fresh.id, true], [first.id, false]]);
    await blocks.stop();
  });

  it('blocking again never shortens the block in force: the later expiry wins, until lifted beats any', async () => {
    const blocks = await open();
    const admin = await blocks.block({ kind: 'ip', value: '198.51.100.3', createdBy: 'lead' });
    const agent = await blocks.block({ kind: 'ip', value: '198.51.100.3', createdBy: 'a1', durationHours: 1 });
    expect(agent.id).toBe(admin.id);
    expect(agent.expiresAt).toBeNull();
    const day = await blocks.block({ kind: 'visitor', value: 'v9', createdBy: 'a1', durationHours: 24 });
    expect((await blocks.block({ kind: 'visitor', value: 'v9', createdBy: 'a2', durationHours: 1 })).expiresAt).toBe(day.expiresAt);
    now += 2 * 3_600_000;
    expect(() => blocks.check({ ip: '198.51.100.3' })).toThrow();
    expect(() => blocks.check({ visitorId: 'v9' })).toThrow();
    // A fresh process reads the same from the database.
    await blocks.stop();
    const reloaded = await open();
    expect(() => reloaded.check({ ip: '198.51.100.3' })).toThrow();
    expect((await reloaded.get(day.id))!.expiresAt).toBe(day.expiresAt);
    await reloaded.stop();
  });

  it('when the unit fails after the block (its audit row), nothing is stored and the gate is unchanged', async () => {
    const blocks = await open();
    const failAfter = (change: () => Promise<unknown>) =>
      unit.withTransaction(async () => {
        await change();
        throw new Error('audit insert failed');
      });
    await expect(failAfter(() => blocks.block({ kind: 'ip', value: '198.51.100.4', createdBy: 'a1' }))).rejects.toThrow('audit insert failed');
    expect(() => blocks.check({ ip: '198.51.100.4' })).not.toThrow();
    expect(await blocks.list()).toEqual([]);
    // Extending: the stored expiry and the gate keep the first block's hour.
    const first = await blocks.block({ kind: 'ip', value: '198.51.100.4', createdBy: 'a1', durationHours: 1 });
    await expect(failAfter(() => blocks.block({ kind: 'ip', value: '198.51.100.4', createdBy: 'lead' }))).rejects.toThrow();
    expect((await blocks.get(first.id))!.expiresAt).toBe(first.expiresAt);
    // Lifting: still blocked in memory and in the database.
    await expect(failAfter(() => blocks.lift(first.id, 'lead'))).rejects.toThrow();
    expect((await blocks.get(first.id))!.active).toBe(true);
    expect(() => blocks.check({ ip: '198.51.100.4' })).toThrow(/not available/);
    // Inside a unit that commits, the gate opens only after the commit; the unit sees the block as stored.
    let gateDuringUnit = '';
    const lifted = await unit.withTransaction(async () => {
      const b = await blocks.lift(first.id, 'lead');
      try {
        blocks.check({ ip: '198.51.100.4' });
        gateDuringUnit = 'open';
      } catch {
        gateDuringUnit = 'closed';
      }
      return b;
    });
    expect(lifted.active).toBe(false);
    expect(gateDuringUnit).toBe('closed');
    expect(() => blocks.check({ ip: '198.51.100.4' })).not.toThrow();
    await blocks.stop();
  });

  it('counts hits in memory and writes them in one go on flush (and on stop), then reloads them', async () => {
    const blocks = await open({ flushIntervalMs: 60_000 });
    const block = await blocks.block({ kind: 'ip', value: '198.51.100.9', createdBy: 'a1' });
    for (let i = 0; i < 500; i++) expect(() => blocks.check({ ip: '198.51.100.9' })).toThrow();
    expect(await storedHits(block.id)).toBe(0);
    expect((await blocks.get(block.id))!.hits).toBe(500);
    await blocks.flush();
    expect(await storedHits(block.id)).toBe(500);
    expect(() => blocks.check({ ip: '198.51.100.9' })).toThrow();
    await blocks.stop();
    expect(await storedHits(block.id)).toBe(501);

    const reopened = await open();
    expect(() => reopened.check({ ip: '198.51.100.9' })).toThrow();
    expect(await reopened.summary()).toEqual({ active: 1, hits: 502, hitsToday: 502 });
    await reopened.lift(block.id, 'lead');
    expect(() => reopened.check({ ip: '198.51.100.9' })).not.toThrow();
    expect(await reopened.summary()).toEqual({ active: 0, hits: 0, hitsToday: 502 });
    await expect(reopened.lift('nope', 'lead')).rejects.toThrow(/no block/);
    await reopened.stop();
  });

  it('keeps the hits of a write that failed and writes them with the next one (none lost, none twice)', async () => {
    const store = db.stores.visitorBlocks();
    let failNext = true;
    const failing = {
      ...store,
      async addHits(hits: Parameters<typeof store.addHits>[0], day: string) {
        if (failNext) {
          failNext = false;
          throw new Error('database busy');
        }
        return store.addHits(hits, day);
      },
    };
    const blocks = createVisitorBlocks(failing, unit, { clock, flushIntervalMs: 60_000 });
    await blocks.load();
    const block = await blocks.block({ kind: 'visitor', value: 'v-retry', createdBy: 'a1' });
    for (let i = 0; i < 3; i++) expect(() => blocks.check({ visitorId: 'v-retry' })).toThrow();
    await expect(blocks.flush()).rejects.toThrow('database busy');
    expect(await storedHits(block.id)).toBe(0);
    // Still counted (in memory), and one more meanwhile.
    expect((await blocks.get(block.id))!.hits).toBe(3);
    expect(() => blocks.check({ visitorId: 'v-retry' })).toThrow();
    await blocks.flush();
    expect(await storedHits(block.id)).toBe(4);
    await blocks.flush();
    expect(await storedHits(block.id)).toBe(4);
    await blocks.stop();
  });

  it('a reload that read the rows before a change made here does not undo the change', async () => {
    const store = db.stores.visitorBlocks();
    let release!: () => void;
    let reads = 0;
    const slow = {
      ...store,
      async unlifted() {
        const rows = await store.unlifted();
        // The second read (the reload below) is held until the block has been made and applied.
        if (++reads === 2) await new Promise<void>((resolve) => (release = resolve));
        return rows;
      },
    };
    const blocks = createVisitorBlocks(slow, unit, { clock });
    await blocks.load();
    const reloading = blocks.reload();
    await blocks.block({ kind: 'visitor', value: 'v-race', createdBy: 'a1' });
    expect(() => blocks.check({ visitorId: 'v-race' })).toThrow();
    release();
    await reloading;
    // The held read had no such block: it was read again instead of replacing the gate with it.
    expect(reads).toBe(3);
    expect(() => blocks.check({ visitorId: 'v-race' })).toThrow();
    await blocks.stop();
  });

  // SQLite's write lock ordered two blocks of one value; on PostgreSQL two nodes may block it at once: they must
  // extend one block (not fail on the one-active-block index, nor make two).
  it('makes one block when several nodes block the same value at once, the latest expiry winning', async () => {
    const nodes = [db, ...(await Promise.all([1, 2, 3].map(() => db.another())))];
    const all = await Promise.all(nodes.map((node) => open({}, node)));
    const made = await Promise.all(all.map((blocks, i) => blocks.block({ kind: 'visitor', value: 'v-many', createdBy: `a${i}`, durationHours: i + 1 })));
    expect(new Set(made.map((b) => b.id)).size).toBe(1);
    expect(await db.value('SELECT count(*) FROM visitor_blocks')).toBe(1);
    expect((await all[0]!.get(made[0]!.id))!.expiresAt).toBe(new Date(T0.getTime() + 4 * 3_600_000).toISOString());
    // Each node's own gate has it at once; a node that starts later reads it.
    for (const blocks of all) expect(() => blocks.check({ visitorId: 'v-many' })).toThrow(/not available/);
    const late = await open({}, await db.another());
    expect(() => late.check({ visitorId: 'v-many' })).toThrow(/not available/);
    for (const blocks of [...all, late]) await blocks.stop();
  });

  it('flushes by itself after the interval', async () => {
    const blocks = await open({ flushIntervalMs: 100 });
    const block = await blocks.block({ kind: 'ip', value: '198.51.100.10', createdBy: 'a1' });
    expect(() => blocks.check({ ip: '198.51.100.10' })).toThrow();
    expect(await storedHits(block.id)).toBe(0);
    await new Promise((r) => setTimeout(r, 250));
    expect(await storedHits(block.id)).toBe(1);
    await blocks.stop();
  });

  it('matches an address however it is written, and every address inside a blocked range (IPv4 and IPv6)', async () => {
    const blocks = await open();
    const single = await blocks.block({ kind: 'ip', value: '2001:DB8:9:9:0:0:0:1', createdBy: 'lead' });
    expect(single.value).toBe('2001:db8:9:9::1');
    expect(() => blocks.check({ ip: '2001:db8:9:9::1' })).toThrow(/not available/);
    expect(() => blocks.check({ ip: '2001:0db8:0009:0009::0001' })).toThrow(/not available/);
    // A single address stays a single address.
    expect(() => blocks.check({ ip: '2001:db8:9:9::2' })).not.toThrow();

    const v6 = await blocks.block({ kind: 'ip', value: '2001:db8:7:7::1/64', createdBy: 'lead' });
    expect(v6.value).toBe('2001:db8:7:7::/64');
    for (const ip of ['2001:db8:7:7::1', '2001:db8:7:7::2', '2001:db8:7:7:ffff:ffff:ffff:ffff']) {
      expect(() => blocks.check({ ip }), ip).toThrow(/not available/);
    }
    expect(() => blocks.check({ ip: '2001:db8:7:8::1' })).not.toThrow();

    const v4 = await blocks.block({ kind: 'ip', value: '198.51.100.0/24', createdBy: 'lead', durationHours: 1 });
    expect(() => blocks.check({ ip: '198.51.100.200' })).toThrow(/not available/);
    // A dual-stack socket's IPv4-mapped form is the IPv4 address.
    expect(() => blocks.check({ ip: '::ffff:198.51.100.9' })).toThrow(/not available/);
    expect(() => blocks.check({ ip: '198.51.101.1' })).not.toThrow();
    // Blocking the same range written another way extends the one block.
    expect((await blocks.block({ kind: 'ip', value: '198.51.100.99/24', createdBy: 'lead' })).id).toBe(v4.id);
    await expect(blocks.block({ kind: 'ip', value: 'not-an-address', createdBy: 'lead' })).rejects.toThrow(/neither an IP address nor a CIDR range/);

    // Hits count on the range; a fresh process reads the ranges back; lifting opens the range, expiry too.
    expect((await blocks.get(v6.id))!.hits).toBe(3);
    await blocks.stop();
    const reloaded = await open();
    expect(() => reloaded.check({ ip: '2001:db8:7:7::abcd' })).toThrow();
    await reloaded.lift(v6.id, 'lead');
    expect(() => reloaded.check({ ip: '2001:db8:7:7::abcd' })).not.toThrow();
    // The /24 had an hour; the next block of the same value made it until lifted (the later expiry wins).
    expect(() => reloaded.check({ ip: '198.51.100.1' })).toThrow();
    const short = await reloaded.block({ kind: 'ip', value: '203.0.113.0/25', createdBy: 'lead', durationHours: 1 });
    now += 2 * 3_600_000;
    expect(() => reloaded.check({ ip: '203.0.113.5' })).not.toThrow();
    expect((await reloaded.get(short.id))!.active).toBe(false);
    expect(() => reloaded.check({ ip: '198.51.100.1' })).toThrow();
    await reloaded.stop();
  });
});
