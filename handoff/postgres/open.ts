// Opens DATABASE_URL's database for this process, migrated: the multi-node mode's counterpart of
// handoff/sqlite/db.ts's openDatabase.
import { createPgDb, type PgDb, type PgOptions } from './pg-db.ts';
import { migratePostgres } from './migrate.ts';

export async function openPostgres(url: string, options: Partial<PgOptions> = {}): Promise<PgDb> {
  const db = createPgDb(url, options);
  try {
    await migratePostgres(db);
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  return db;
}
