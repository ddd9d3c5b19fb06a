// The group store on both engines keeps groups parsed while their rows stay the same, and parses a changed row
// again, whoever changed it (another connection, another node); a row that no longer parses is still a loud error.
import { expect, it } from 'vitest';
import { databases, describeEachEngine, type EngineDb } from '../testing/engine-databases.ts';
import type { GroupStore } from './groups.ts';

const NOON = () => new Date('2025-03-03T12:00:00Z');
const HOURS = { timeZone: 'Asia/Shanghai', open: '08:30', close: '21:30', days: [1, 2, 3, 4, 5, 6, 7] };

describeEachEngine('group store', (engine) => {
  const open = databases(engine);
  async function kit(): Promise<{ db: EngineDb; groups: GroupStore }> {
    const db = await open();
    return { db, groups: db.stores.groups(NOON) };
  }

  it('gives the same parsed group while its row is unchanged, frozen so no caller can change it for others', async () => {
    const { groups } = await kit();
    const first = await groups.get('mobile');
    expect(first).toEqual({ id: 'mobile', name: '移动业务 Mobile', hours: HOURS, provinces: [], skills: ['mobile'] });
    expect(await groups.get('mobile')).toBe(first);
    expect((await groups.list()).find((g) => g.id === 'mobile')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first!.hours)).toBe(true);
    expect(() => (first!.hours.days as number[]).push(8)).toThrow();
    expect(await groups.get('nope')).toBeUndefined();
  });

  it('parses again after a put, and after another connection changed the row', async () => {
    const { db, groups } = await kit();
    const before = await groups.get('billing');
    const { group, created } = await groups.put({ id: 'billing', name: 'Billing', hours: { ...before!.hours, open: '09:00', close: '22:00' } });
    expect(created).toBe(false);
    expect(group.hours).toMatchObject({ open: '09:00', close: '22:00' });
    expect(await groups.get('billing')).toBe(group);

    const other = await db.another();
    await other.run('UPDATE skill_groups SET hours = ? WHERE id = ?', [
      JSON.stringify({ timeZone: 'Asia/Urumqi', open: '10:00', close: '20:00', days: [1, 2, 3, 4, 5] }),
      'billing',
    ]);
    await other.close();
    expect((await groups.get('billing'))!.hours).toEqual({ timeZone: 'Asia/Urumqi', open: '10:00', close: '20:00', days: [1, 2, 3, 4, 5] });
  });

  it('refuses a row whose hours no longer parse, every time it is read', async () => {
    const { db, groups } = await kit();
    await groups.get('broadband');
    await db.run('UPDATE skill_groups SET hours = ? WHERE id = ?', [JSON.stringify({ timeZone: 'Mars/Olympus', open: '08:00', close: '20:00' }), 'broadband']);
    await expect(groups.get('broadband')).rejects.toThrow(/group broadband has invalid hours/);
    await expect(groups.get('broadband')).rejects.toThrow(/group broadband has invalid hours/);
  });

  it('creates a new group with provinces and skills, lists groups by id, and keeps created_at on a later put', async () => {
    const { db, groups } = await kit();
    const gd = { id: 'gd-mobile', name: '广东移动', hours: HOURS, provinces: ['guangdong'], skills: ['mobile'] };
    expect(await groups.put(gd)).toEqual({ group: gd, created: true });
    expect((await groups.list()).map((g) => g.id)).toEqual(['billing', 'broadband', 'gd-mobile', 'mobile']);
    const later = db.stores.groups(() => new Date('2025-03-04T12:00:00Z'));
    expect((await later.put({ id: 'gd-mobile', name: '广东', hours: HOURS })).group).toMatchObject({ name: '广东', provinces: [], skills: [] });
    expect(await db.rows('SELECT created_at, updated_at FROM skill_groups WHERE id = ?', ['gd-mobile'])).toEqual([
      { created_at: '2025-03-03T12:00:00.000Z', updated_at: '2025-03-04T12:00:00.000Z' },
    ]);
  });

  it('tells exactly one of several nodes saving a new group at once that it created it', async () => {
    const { db } = await kit();
    const nodes = [db, ...(await Promise.all([1, 2, 3].map(() => db.another())))];
    const stores = nodes.map((node) => node.stores.groups(NOON));
    await Promise.all(stores.map((store) => store.list()));
    const results = await Promise.all(stores.map((store, i) => store.put({ id: 'vip', name: `VIP ${i}`, hours: HOURS })));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await db.value('SELECT count(*) FROM skill_groups WHERE id = ?', ['vip'])).toBe(1);
  });
});
