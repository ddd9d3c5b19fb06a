// The GroupStore on better-sqlite3 (table skill_groups of migration 003; provinces and skills of 016).
import { businessHoursSchema } from './business-hours.ts';
import { type Clock, systemClock } from '../platform/clock.ts';
import type { Db } from '../sqlite/db.ts';
import { gated } from '../sqlite/unit-of-work.ts';
import type { Group, GroupInput, GroupStore } from './groups.ts';

interface GroupRow {
  id: string;
  name: string;
  hours: string;
  provinces: string;
  skills: string;
}

export function createSqliteGroupStore(db: Db, clock: Clock = systemClock): GroupStore {
  const selectAll = db.prepare<[], GroupRow>('SELECT id, name, hours, provinces, skills FROM skill_groups ORDER BY id');
  const selectOne = db.prepare<[string], GroupRow>('SELECT id, name, hours, provinces, skills FROM skill_groups WHERE id = ?');
  const upsert = db.prepare(`
    INSERT INTO skill_groups (id, name, hours, provinces, skills, created_at, updated_at) VALUES (@id, @name, @hours, @provinces, @skills, @now, @now)
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, hours = excluded.hours, provinces = excluded.provinces, skills = excluded.skills,
      updated_at = excluded.updated_at`);

  // Parsed groups by id, with the row they were parsed from. Every handoff looks up its group, and parsing
  // the hours (zod, the time zone check) costs far more than reading the row: a row read again unchanged,
  // whoever wrote it, gives the group parsed before. A changed row is parsed again.
  const parsed = new Map<string, { row: GroupRow; group: Group }>();
  const toCachedGroup = (row: GroupRow): Group => {
    const known = parsed.get(row.id);
    if (known && known.row.name === row.name && known.row.hours === row.hours && known.row.provinces === row.provinces && known.row.skills === row.skills) {
      return known.group;
    }
    const group = toGroup(row);
    parsed.set(row.id, { row, group });
    return group;
  };

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

function toGroup(row: GroupRow): Group {
  // Written only through the schema; a hand-edited row that no longer parses is a loud error, not closed hours.
  const parsed = businessHoursSchema.safeParse(JSON.parse(row.hours));
  if (!parsed.success) {
    throw new Error(`handoff/groups: group ${row.id} has invalid hours in the database: ${parsed.error.issues[0]?.message}`);
  }
  // Shared by every caller from the cache: frozen, so that nobody changes it for the others.
  const hours = Object.freeze({ ...parsed.data, days: Object.freeze([...parsed.data.days]) as number[] });
  const ids = (json: string) => Object.freeze((JSON.parse(json) as unknown[]).filter((v): v is string => typeof v === 'string')) as string[];
  return Object.freeze({ id: row.id, name: row.name, hours, provinces: ids(row.provinces), skills: ids(row.skills) });
}
