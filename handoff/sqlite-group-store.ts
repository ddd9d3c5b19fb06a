// The GroupStore on better-sqlite3 (table skill_groups of migration 003).
import { businessHoursSchema } from './business-hours.ts';
import type { Clock } from './clock.ts';
import { systemClock } from './clock.ts';
import type { Db } from './db.ts';
import type { Group, GroupStore } from './groups.ts';

interface GroupRow {
  id: string;
  name: string;
  hours: string;
}

export function createSqliteGroupStore(db: Db, clock: Clock = systemClock): GroupStore {
  const selectAll = db.prepare<[], GroupRow>('SELECT id, name, hours FROM skill_groups ORDER BY id');
  const selectOne = db.prepare<[string], GroupRow>('SELECT id, name, hours FROM skill_groups WHERE id = ?');
  const upsert = db.prepare(`
    INSERT INTO skill_groups (id, name, hours, created_at, updated_at) VALUES (@id, @name, @hours, @now, @now)
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, hours = excluded.hours, updated_at = excluded.updated_at`);

  // Parsed groups by id, with the row they were parsed from. Every handoff looks up its group, and parsing
  // the hours (zod, the time zone check) costs far more than reading the row: a row read again unchanged,
  // whoever wrote it, gives the group parsed before. A changed row is parsed again.
  const parsed = new Map<string, { row: GroupRow; group: Group }>();
  const toCachedGroup = (row: GroupRow): Group => {
    const known = parsed.get(row.id);
    if (known && known.row.name === row.name && known.row.hours === row.hours) return known.group;
    const group = toGroup(row);
    parsed.set(row.id, { row, group });
    return group;
  };

  const putTx = db.transaction((group: Group) => {
    const created = !selectOne.get(group.id);
    upsert.run({ id: group.id, name: group.name, hours: JSON.stringify(group.hours), now: clock().toISOString() });
    return { group: toCachedGroup(selectOne.get(group.id)!), created };
  });

  return {
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
  };
}

function toGroup(row: GroupRow): Group {
  // Written only through the schema; a hand-edited row that no longer parses is a loud error, not closed hours.
  const parsed = businessHoursSchema.safeParse(JSON.parse(row.hours));
  if (!parsed.success) {
    throw new Error(`handoff/groups: group ${row.id} has invalid hours in the database: ${parsed.error.issues[0]?.message}`);
  }
  // Shared by every caller from the cache: frozen, so that nobody changes it for the others.
  const hours = Object.freeze({ ...parsed.data, days: Object.freeze([...parsed.data.days]) as number[] });
  return Object.freeze({ id: row.id, name: row.name, hours });
}
