// The conversation, routing, ticket and transcript stores of a contract test on either engine, so one suite checks
// that the SQLite and PostgreSQL stores behave alike: a fresh SQLite file per test, or one PostgreSQL database per
// suite emptied before each test.
// Raw SQL in tests is written once, with `?` placeholders, and runs on both.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { Clock } from '../platform/clock.ts';
import type { ConversationStore } from '../conversations/conversation-store.ts';
import type { RoutingStore } from '../routing/routing-store.ts';
import type { TicketStore } from '../routing/tickets.ts';
import type { TranscriptStore } from '../search/transcript-store.ts';
import { openDatabase, type Db } from '../sqlite/db.ts';
import { openPostgres } from '../postgres/open.ts';
import type { PgDb, SqlValue } from '../postgres/pg-db.ts';
import { createSqliteConversationStore } from '../conversations/sqlite-conversation-store.ts';
import { createSqliteRoutingStore } from '../routing/sqlite-routing-store.ts';
import { createSqliteTicketStore } from '../routing/sqlite-ticket-store.ts';
import { createSqliteTranscriptStore } from '../search/sqlite-transcript-store.ts';
import { createPostgresConversationStore } from '../conversations/postgres-conversation-store.ts';
import { createPostgresRoutingStore } from '../routing/postgres-routing-store.ts';
import { createPostgresTicketStore } from '../routing/postgres-ticket-store.ts';
import { createPostgresTranscriptStore } from '../search/postgres-transcript-store.ts';
import { createTestDatabase, type TestDatabase } from './services.ts';

export interface ConversationStoreTestOptions {
  clock?: () => Date;
  firstMessageRetryMs?: number;
}

export interface StoreEngine {
  readonly name: 'sqlite' | 'postgres';
  conversations(options?: ConversationStoreTestOptions): ConversationStore;
  routing(clock?: Clock): RoutingStore;
  tickets(clock?: Clock): TicketStore;
  transcripts(): TranscriptStore;
  /** Rows changed by SQL written with `?` placeholders. */
  run(sql: string, ...params: unknown[]): Promise<number>;
  all<Row = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<Row[]>;
  /** The first column of the first row. */
  value<T = unknown>(sql: string, ...params: unknown[]): Promise<T>;
}

/** The engine of the current test; valid between this suite's beforeEach and afterEach. */
export type EngineRef = () => StoreEngine;

/** Registers hooks giving each test of the enclosing describe a fresh SQLite file. */
export function useSqliteEngine(): EngineRef {
  let dir: string;
  let engine: (StoreEngine & { db: Db }) | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'store-engine-'));
    engine = sqliteEngine(openDatabase(dir));
  });
  afterEach(() => {
    engine?.db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return () => engine!;
}

export function sqliteEngine(db: Db): StoreEngine & { db: Db } {
  return {
    name: 'sqlite',
    db,
    conversations: (options = {}) => createSqliteConversationStore(db, options),
    routing: (clock) => createSqliteRoutingStore(db, clock),
    tickets: (clock) => createSqliteTicketStore(db, clock),
    transcripts: () => createSqliteTranscriptStore(db),
    async run(sql, ...params) {
      return db.prepare(sql).run(...params).changes;
    },
    async all<Row>(sql: string, ...params: unknown[]) {
      return db.prepare(sql).all(...params) as Row[];
    },
    async value<T>(sql: string, ...params: unknown[]) {
      return db.prepare(sql).pluck().get(...params) as T;
    },
  };
}

/**
 * Registers hooks giving the enclosing describe one migrated PostgreSQL database, emptied before each test
 * (every table but the migrations and the seeded groups; ids restart). Use inside describeWithServices.
 */
export function usePostgresEngine(): (() => StoreEngine & { db: PgDb }) & { url(): string } {
  let database: TestDatabase;
  let engine: (StoreEngine & { db: PgDb }) | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    engine = postgresEngine(await openPostgres(database.url));
  });
  afterAll(async () => {
    await engine?.db.close();
    await database?.drop();
  });
  beforeEach(async () => {
    const tables = await engine!.db.query<{ name: string }>(
      `SELECT quote_ident(table_name) AS name FROM information_schema.tables
       WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT IN ('schema_migrations', 'skill_groups')`,
    );
    await engine!.db.run(`TRUNCATE ${tables.map((t) => t.name).join(', ')} RESTART IDENTITY CASCADE`);
  });
  return Object.assign(() => engine!, { url: () => database.url });
}

export function postgresEngine(db: PgDb): StoreEngine & { db: PgDb } {
  return {
    name: 'postgres',
    db,
    conversations: (options = {}) => createPostgresConversationStore(db, options),
    routing: (clock) => createPostgresRoutingStore(db, clock),
    tickets: (clock) => createPostgresTicketStore(db, clock),
    transcripts: () => createPostgresTranscriptStore(db),
    async run(sql, ...params) {
      return db.run(numbered(sql), params as SqlValue[]);
    },
    async all<Row>(sql: string, ...params: unknown[]) {
      return db.query<Row>(numbered(sql), params as SqlValue[]);
    },
    async value<T>(sql: string, ...params: unknown[]) {
      const row = await db.one<Record<string, unknown>>(numbered(sql), params as SqlValue[]);
      return (row ? Object.values(row)[0] : undefined) as T;
    },
  };
}

/** `?` placeholders as PostgreSQL's `$1`, `$2`, … (test SQL has no `?` inside its literals). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
