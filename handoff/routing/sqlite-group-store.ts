// The GroupStore on better-sqlite3 (table skill_groups of migration 003; provinces and skills of 016).
import { cachedGroupOfRow, type GroupRow } from './group-rows.ts';
import { type Clock, systemClock } from '../platform/clock.ts';
import type { Db } from '../sqlite/db.ts';
import { gated } from '../sqlite/unit-of-work.ts';
import type { GroupInput, GroupStore } from './groups.ts';

export function createSqliteGroupStore(db: Db, clock: Clock = systemClock): GroupStore {
  const selectAll = db.prepare<[], GroupRow>('SELECT id, name, hours, provinces, skills FROM skill_groups ORDER BY id');
  const selectOne = db.prepare<[string], GroupRow>('SELECT id, name, hours, provinces, skills FROM skill_groups WHERE id = ?');
  const upsert = db.prepare(`
    INSERT INTO skill_groups (id, name, hours, provinces, skills, created_at, updated_at) VALUES (@id, @name, @hours, @provinces, @skills, @now, @now)
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, hours = excluded.hours, provinces = excluded.provinces, skills = excluded.skills,
      updated_at = excluded.updated_at`);

  const toCachedGroup = cachedGroupOfRow();

  const putTx = db.transaction((group: GroupInput) => {
    const created = !selectOne.get(group.id);
    upsert.run({
      id: group.id, name: group.name, hours: JSON.stringify(group.hours),
      provinces: JSON.stringify(group.provinces ?? []), skills: JSON.stringify(group.skills ?? []), now: clock().toISOString(),
    });
    return { group: toCachedGroup(selectOne.get(group.id)!), created };
  });

  return gated(db, {
    async list() {
      return selectAll.all().map(toCachedGroup);
    },
    async get(id) {
      const row = selectOne.get(id);
      return row ? toCachedGroup(row) : undefined;
    },
    async put(group) {
      return putTx.immediate(group);
    },
  });
}
