// The PostgreSQL platform the postgres-* stores of each feature build on.
export { createPgDb, defaultPgOptions, type PgDb, type PgOptions, type SqlValue } from './pg-db.ts';
export { migratePostgres, readPgMigrations } from './migrate.ts';
export { openPostgres } from './open.ts';
export { createPostgresUnitOfWork } from './unit-of-work.ts';
