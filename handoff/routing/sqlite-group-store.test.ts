// The group store keeps groups parsed while their rows stay the same, and parses a changed row again,
// whoever changed it; a row that no longer parses is still a loud error.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../sqlite/db.ts';
import type { GroupStore } from './groups.ts';
import { createSqliteGroupStore } from './sqlite-group-store.ts';

let dir: string;
let db: Db;
let groups: GroupStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'groups-'));
  db = openDatabase(dir);
  groups = createSqliteGroupStore(db, () => new Date('2025-03-03T12:00:00Z'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sqlite group store', () => {
  it('gives the same parsed group while its row is unchanged, frozen so no caller can change it for others', async () => {
    const first = await groups.get('mobile');
    expect(first).toEqual({
      id: 'mobile',
      name: '移动业务 Mobile',
      hours: { timeZone: 'Asia/Shanghai', open: '08:30', close: '21:30', days: [1, 2, 3, 4, 5, 6, 7] },
      provinces: [],
      skills: ['mobile'],
    });
    expect(await groups.get('mobile')).toBe(first);
    expect((await groups.list()).find((g) => g.id === 'mobile')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first!.hours)).toBe(true);
    expect(() => (first!.hours.days as number[]).push(8)).toThrow();
    expect(await groups.get('nope')).toBeUndefined();
  });

  it('parses again after a put, and after another connection changed the row', async () => {
    const before = await groups.get('billing');
    const { group, created } = await groups.put({ id: 'billing', name: 'Billing', hours: { ...before!.hours, open: '09:00', close: '22:00' } });
    expect(created).toBe(false);
    expect(group.hours).toMatchObject({ open: '09:00', close: '22:00' });
    expect(await groups.get('billing')).toBe(group);

    const other = openDatabase(dir);
    try {
      other
        .prepare('UPDATE skill_groups SET hours = ? WHERE id = ?')
        .run(JSON.stringify({ timeZone: 'Asia/Urumqi', open: '10:00', close: '20:00', days: [1, 2, 3, 4, 5] }), 'billing');
    } finally {
      other.close();
    }
    expect((await groups.get('billing'))!.hours).toEqual({ timeZone: 'Asia/Urumqi', open: '10:00', close: '20:00', days: [1, 2, 3, 4, 5] });
  });

  it('refuses a row whose hours no longer parse, every time it is read', async () => {
    await groups.get('broadband');
    db.prepare('UPDATE skill_groups SET hours = ? WHERE id = ?').run(JSON.stringify({ timeZone: 'Mars/Olympus', open: '08:00', close: '20:00' }), 'broadband');
    await expect(groups.get('broadband')).rejects.toThrow(/group broadband has invalid hours/);
    await expect(groups.get('broadband')).rejects.toThrow(/group broadband has invalid hours/);
  });
});
