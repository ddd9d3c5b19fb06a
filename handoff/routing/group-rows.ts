// A skill_groups row as both engines read it (hours, provinces and skills as JSON text), and the Group parsed from
// it, cached per store so that a row read again unchanged is not parsed again.
import { businessHoursSchema } from './business-hours.ts';
import type { Group } from './groups.ts';

export interface GroupRow {
  id: string;
  name: string;
  hours: string;
  provinces: string;
  skills: string;
}

/**
 * A row-to-Group function with its own cache: parsed groups by id, with the row they were parsed from. Every
 * handoff looks up its group, and parsing the hours (zod, the time zone check) costs far more than reading the
 * row: a row read again unchanged, whoever wrote it (this process or another node), gives the group parsed
 * before. A changed row is parsed again, so a change made elsewhere is seen at the next read.
 */
export function cachedGroupOfRow(): (row: GroupRow) => Group {
  const parsed = new Map<string, { row: GroupRow; group: Group }>();
  return (row) => {
    const known = parsed.get(row.id);
    if (known && known.row.name === row.name && known.row.hours === row.hours && known.row.provinces === row.provinces && known.row.skills === row.skills) {
      return known.group;
    }
    const group = groupOfRow(row);
    parsed.set(row.id, { row, group });
    return group;
  };
}

function groupOfRow(row: GroupRow): Group {
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
