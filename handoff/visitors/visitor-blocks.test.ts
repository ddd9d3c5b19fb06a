// The block store and gate on a real SQLite file: expiry honoured at lookup, a second block of the same value
// extends the first (never shortening it), a failed audit row leaves store and gate unchanged, refused
// requests held in memory and written in one go (not per request), blocks reloaded.
import { mkdtempSync, rmSync } from 'node:fs';
import { createSqliteVisitorBlockStore } from './sqlite-visitor-block-store.ts';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../sqlite/db.ts';
import { createVisitorBlocks } from './visitor-blocks.ts';

const T0 = new Date('2025-03-03T02:00:00.000Z');
let dir: string;
let db: Db;
let now: number;
const clock = () => new Date(now);
const storedHits = (id: string) => (db.prepare('SELECT hits FROM visitor_blocks WHERE id = ?').get(id) as { hits: number }).hits;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'visitor-blocks-'));
  db = openDatabase(dir);
  now = T0.getTime();
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('visitor blocks', () => {
  it('honours expiry at lookup, and blocking again extends the block in force', () => {
    const blocks = createVisitorBlocks(createSqliteVisitorBlockStore(db), { clock });
    const first = blocks.block({ kind: 'visitor', value: 'v1', createdBy: 'a1', durationHours: 1 });
    expect(() => blocks.check({ visitorId: 'v1' })).toThrow(/not available/);
    expect(() => blocks.check({ visitorId: 'v2', ip: '198.51.100.1' })).not.toThrow();
    const again = blocks.block({ kind: 'visitor', value: 'v1', createdBy: 'a2', durationHours: 2 });
    expect(again.id).toBe(first.id);
    now += 90 * 60_000;
    expect(() => blocks.check({ visitorId: 'v1' })).toThrow();
    now += 31 * 60_000;
    expect(() => blocks.check({ visitorId: 'v1' })).not.toThrow();
    expect(blocks.get(first.id)!.active).toBe(false);
    // After expiry a new block is a new row; the expired one stays as history.
    const fresh = blocks.block({ kind: 'visitor', value: 'v1', createdBy: 'a1' });
    expect(fresh.id).not.toBe(first.id);
    expect(blocks.list().map((b) => [b.id, b.active])).toEqual([[fresh.id, true], [first.id, false]]);
    blocks.stop();
  });

  it('blocking again never shortens the block in force: the later expiry wins, until lifted beats any', () => {
    const blocks = createVisitorBlocks(createSqliteVisitorBlockStore(db), { clock });
    const admin = blocks.block({ kind: 'ip', value: '198.51.100.3', createdBy: 'lead' });
    const agent = blocks.block({ kind: 'ip', value: '198.51.100.3', createdBy: 'a1', durationHours: 1 });
    expect(agent.id).toBe(admin.id);
    expect(agent.expiresAt).toBeNull();
    const day = blocks.block({ kind: 'visitor', value: 'v9', createdBy: 'a1', durationHours: 24 });
    expect(blocks.block({ kind: 'visitor', value: 'v9', createdBy: 'a2', durationHours: 1 }).expiresAt).toBe(day.expiresAt);
    now += 2 * 3_600_000;
    expect(() => blocks.check({ ip: '198.51.100.3' })).toThrow();
    expect(() => blocks.check({ visitorId: 'v9' })).toThrow();
    // A fresh process reads the same from the database.
    blocks.stop();
    const reloaded = createVisitorBlocks(createSqliteVisitorBlockStore(db), { clock });
    expect(() => reloaded.check({ ip: '198.51.100.3' })).toThrow();
    expect(reloaded.get(day.id)!.expiresAt).toBe(day.expiresAt);
    reloaded.stop();
  });

  it('when what runs alongside (the audit row) throws, nothing is stored and the gate is unchanged', () => {
    const blocks = createVisitorBlocks(createSqliteVisitorBlockStore(db), { clock });
    const fail = () => {
      throw new Error('audit insert failed');
    };
    expect(() => blocks.block({ kind: 'ip', value: '198.51.100.4', createdBy: 'a1' }, fail)).toThrow('audit insert failed');
    expect(() => blocks.check({ ip: '198.51.100.4' })).not.toThrow();
    expect(blocks.list()).toEqual([]);
    // Extending: the stored expiry and the gate keep the first block's hour.
    const first = blocks.block({ kind: 'ip', value: '198.51.100.4', createdBy: 'a1', durationHours: 1 });
    expect(() => blocks.block({ kind: 'ip', value: '198.51.100.4', createdBy: 'lead' }, fail)).toThrow();
    expect(blocks.get(first.id)!.expiresAt).toBe(first.expiresAt);
    // Lifting: still blocked in memory and in the database.
    expect(() => blocks.lift(first.id, 'lead', fail)).toThrow();
    expect(blocks.get(first.id)!.active).toBe(true);
    expect(() => blocks.check({ ip: '198.51.100.4' })).toThrow(/not available/);
    // What runs alongside sees the block as stored.
    const seen: string[] = [];
    blocks.lift(first.id, 'lead', (b) => seen.push(`${b.id}:${b.active}`));
    expect(seen).toEqual([`${first.id}:false`]);
    expect(() => blocks.check({ ip: '198.51.100.4' })).not.toThrow();
    blocks.stop();
  });

  it('counts hits in memory and writes them in one go on flush (and on stop), then reloads them', () => {
    const blocks = createVisitorBlocks(createSqliteVisitorBlockStore(db), { clock, flushIntervalMs: 60_000 });
    const block = blocks.block({ kind: 'ip', value: '198.51.100.9', createdBy: 'a1' });
    for (let i = 0; i < 500; i++) expect(() => blocks.check({ ip: '198.51.100.9' })).toThrow();
    expect(storedHits(block.id)).toBe(0);
    expect(blocks.get(block.id)!.hits).toBe(500);
    blocks.flush();
    expect(storedHits(block.id)).toBe(500);
    expect(() => blocks.check({ ip: '198.51.100.9' })).toThrow();
    blocks.stop();
    expect(storedHits(block.id)).toBe(501);

    const reopened = createVisitorBlocks(createSqliteVisitorBlockStore(db), { clock });
    expect(() => reopened.check({ ip: '198.51.100.9' })).toThrow();
    expect(reopened.summary()).toEqual({ active: 1, hits: 502, hitsToday: 502 });
    reopened.lift(block.id, 'lead');
    expect(() => reopened.check({ ip: '198.51.100.9' })).not.toThrow();
    expect(reopened.summary()).toEqual({ active: 0, hits: 0, hitsToday: 502 });
    expect(() => reopened.lift('nope', 'lead')).toThrow(/no block/);
    reopened.stop();
  });

  it('flushes by itself after the interval', async () => {
    const blocks = createVisitorBlocks(createSqliteVisitorBlockStore(db), { clock, flushIntervalMs: 100 });
    const block = blocks.block({ kind: 'ip', value: '198.51.100.10', createdBy: 'a1' });
    expect(() => blocks.check({ ip: '198.51.100.10' })).toThrow();
    expect(storedHits(block.id)).toBe(0);
    await new Promise((r) => setTimeout(r, 250));
    expect(storedHits(block.id)).toBe(1);
    blocks.stop();
  });
});
