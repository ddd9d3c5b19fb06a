// The GroupStore on PostgreSQL (table skill_groups, seeded with mobile, broadband and billing by 001_schema.sql).
import { cachedGroupOfRow, type GroupRow } from './group-rows.ts';
import { type Clock, systemClock } from '../platform/clock.ts';
import type { PgDb } from '../postgres/pg-db.ts';
import type { GroupInput, GroupStore } from './groups.ts';

const COLUMNS = 'id, name, hours, provinces, skills';

export function createPostgresGroupStore(db: PgDb, clock: Clock = systemClock): GroupStore {
  const toCachedGroup = cachedGroupOfRow();

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
