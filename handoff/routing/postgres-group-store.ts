// The GroupStore on PostgreSQL (table skill_groups, seeded with mobile, broadband and billing by 001_schema.sql).
import { businessHoursSchema } from './business-hours.ts';
import { type Clock, systemClock } from '../platform/clock.ts';
import type { PgDb } from '../postgres/pg-db.ts';
import type { Group, GroupInput, GroupStore } from './groups.ts';

interface GroupRow {
  id: string;
  name: string;
  hours: string;
  provinces: string;
  skills: string;
}

const COLUMNS = 'id, name, hours, provinces, skills';

export function createPostgresGroupStore(db: PgDb, clock: Clock = systemClock): GroupStore {
  // Parsed groups by id, with the row they were parsed from. Every handoff looks up its group, and parsing
  // the hours (zod, the time zone check) costs far more than reading the row: a row read again unchanged,
  // whichever node wrote it, gives the group parsed before. A changed row is parsed again, so an admin's
  // change on one node is seen by the others at their next read.
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

  return {
    async list() {
      // COLLATE "C": byte order, as SQLite sorts ids.
      return (await db.query<GroupRow>(`SELECT ${COLUMNS} FROM skill_groups ORDER BY id COLLATE "C"`)).map(toCachedGroup);
    },
    async get(id) {
      const row = await db.one<GroupRow>(`SELECT ${COLUMNS} FROM skill_groups WHERE id = $1`, [id]);
      return row ? toCachedGroup(row) : undefined;
    },
    async put(group: GroupInput) {
      const values = [
        group.id, group.name, JSON.stringify(group.hours), JSON.stringify(group.provinces ?? []), JSON.stringify(group.skills ?? []),
        clock().toISOString(),
      ];
      // Insert-or-nothing first, then update: `created` is true for exactly one of two nodes saving a new group at
      // once (the second insert waits for the first to commit, then finds the row and updates it).
      return db.transaction(async () => {
        const inserted = await db.one<GroupRow>(
          `INSERT INTO skill_groups (id, name, hours, provinces, skills, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)
           ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`,
          values,
        );
        if (inserted) return { group: toCachedGroup(inserted), created: true };
        const updated = await db.one<GroupRow>(
          `UPDATE skill_groups SET name = $2, hours = $3, provinces = $4, skills = $5, updated_at = $6 WHERE id = $1 RETURNING ${COLUMNS}`,
          values,
        );
        return { group: toCachedGroup(updated!), created: false };
      });
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
  const ids = (json: string) => Object.freeze((JSON.parse(json) as unknown[]).filter((v): v is string => typeof v === 'string')) as string[];
  return Object.freeze({ id: row.id, name: row.name, hours, provinces: ids(row.provinces), skills: ids(row.skills) });
}
