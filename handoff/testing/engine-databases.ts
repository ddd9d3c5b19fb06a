// One test body, two engines, for every store: `describeEachEngine` runs it against SQLite always and against
// PostgreSQL where the test services are (describeWithServices). Each test opens fresh migrated databases of its
// own (`databases`, or `databaseEachTest` for a block whose every test uses one), and may open more pools on the
// same one (`another()`), as several nodes would. Raw SQL in tests is written once, with `?` placeholders.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe } from 'vitest';
import type { AgentStore } from '../agents/agent-store.ts';
import { createPostgresAgentStore } from '../agents/postgres-agent-store.ts';
import { createSqliteAgentStore } from '../agents/sqlite-agent-store.ts';
import { createPostgresSessionStore } from '../auth/postgres-session-store.ts';
import type { SessionStore, SessionStoreOptions } from '../auth/session-store.ts';
import { createSqliteSessionStore } from '../auth/sqlite-session-store.ts';
import type { CannedReplyStore, CannedReplyStoreOptions } from '../content/canned-reply-store.ts';
import type { FaqDraftStore } from '../content/faq-draft-store.ts';
import { createPostgresCannedReplyStore } from '../content/postgres-canned-reply-store.ts';
import { createPostgresFaqDraftStore } from '../content/postgres-faq-draft-store.ts';
import { createPostgresUnansweredStore } from '../content/postgres-unanswered-store.ts';
import { createSqliteCannedReplyStore } from '../content/sqlite-canned-reply-store.ts';
import { createSqliteFaqDraftStore } from '../content/sqlite-faq-draft-store.ts';
import { createSqliteUnansweredStore } from '../content/sqlite-unanswered-store.ts';
import type { UnansweredStore } from '../content/unanswered-store.ts';
import type { ConversationStore } from '../conversations/conversation-store.ts';
import { createPostgresConversationStore } from '../conversations/postgres-conversation-store.ts';
import { createSqliteConversationStore } from '../conversations/sqlite-conversation-store.ts';
import type { Clock } from '../platform/clock.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { openPostgres } from '../postgres/open.ts';
import { createPgDb, type PgDb, type SqlValue } from '../postgres/pg-db.ts';
import { createPostgresUnitOfWork } from '../postgres/unit-of-work.ts';
import type { GroupStore } from '../routing/groups.ts';
import { createPostgresGroupStore } from '../routing/postgres-group-store.ts';
import { createPostgresRoutingStore } from '../routing/postgres-routing-store.ts';
import { createPostgresTicketStore } from '../routing/postgres-ticket-store.ts';
import type { RoutingStore } from '../routing/routing-store.ts';
import { createSqliteGroupStore } from '../routing/sqlite-group-store.ts';
import { createSqliteRoutingStore } from '../routing/sqlite-routing-store.ts';
import { createSqliteTicketStore } from '../routing/sqlite-ticket-store.ts';
import type { TicketStore } from '../routing/tickets.ts';
import { createPostgresTranscriptStore } from '../search/postgres-transcript-store.ts';
import { createSqliteTranscriptStore } from '../search/sqlite-transcript-store.ts';
import type { TranscriptStore } from '../search/transcript-store.ts';
import { openDatabase, type Db } from '../sqlite/db.ts';
import { createSqliteUnitOfWork } from '../sqlite/unit-of-work.ts';
import type { AuditLog, AuditLogOptions } from '../supervision/audit-log.ts';
import { createPostgresAuditLog } from '../supervision/postgres-audit-log.ts';
import { createPostgresReports } from '../supervision/postgres-reports.ts';
import type { Reports, ReportsOptions } from '../supervision/reports.ts';
import { createSqliteAuditLog } from '../supervision/sqlite-audit-log.ts';
import { createSqliteReports } from '../supervision/sqlite-reports.ts';
import type { InvitationRuleStore } from '../visitors/invitation-rules.ts';
import { createPostgresInvitationRuleStore } from '../visitors/postgres-invitation-rule-store.ts';
import { createPostgresVisitorBlockStore } from '../visitors/postgres-visitor-block-store.ts';
import { createPostgresVisitorTranscripts } from '../visitors/postgres-visitor-transcripts.ts';
import { createSqliteInvitationRuleStore } from '../visitors/sqlite-invitation-rule-store.ts';
import { createSqliteVisitorBlockStore } from '../visitors/sqlite-visitor-block-store.ts';
import { createSqliteVisitorTranscripts } from '../visitors/sqlite-visitor-transcripts.ts';
import type { VisitorBlockStore } from '../visitors/visitor-blocks.ts';
import type { VisitorTranscripts } from '../visitors/visitor-transcripts.ts';
import { createTestDatabase, describeWithServices } from './services.ts';

export type EngineName = 'sqlite' | 'postgres';

/** The conversation store's options (the same on both engines). */
export type ConversationStoreTestOptions = NonNullable<Parameters<typeof createSqliteConversationStore>[1]>;

/** The stores these tests cover, built on one engine's database. */
export interface EngineStores {
  conversations(options?: ConversationStoreTestOptions): ConversationStore;
  routing(clock?: Clock): RoutingStore;
  tickets(clock?: Clock): TicketStore;
  transcripts(): TranscriptStore;
  agents(options?: { clock?: Clock }): AgentStore;
  sessions(options?: Partial<SessionStoreOptions>): SessionStore;
  groups(clock?: Clock): GroupStore;
  cannedReplies(options?: Partial<CannedReplyStoreOptions>): CannedReplyStore;
  unanswered(): UnansweredStore;
  faqDrafts(): FaqDraftStore;
  audit(options?: Partial<AuditLogOptions>): AuditLog;
  reports(options?: Partial<ReportsOptions>): Reports;
  visitorBlocks(): VisitorBlockStore;
  visitorTranscripts(): VisitorTranscripts;
  invitationRules(): InvitationRuleStore;
  unitOfWork(): UnitOfWork;
}

/** A migrated database on one engine, and SQL the tests write once for both (`?` placeholders). */
export interface EngineDb {
  readonly engine: EngineName;
  readonly stores: EngineStores;
  /** The SQLite connection (engine `sqlite` only). */
  readonly sqlite: Db | undefined;
  /** The PostgreSQL pool (engine `postgres` only). */
  readonly pg: PgDb | undefined;
  /** Rows of a query; on PostgreSQL inside a unit of work, on the unit's connection. */
  rows<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** The first column of the first row (undefined when there is none). */
  value<T = unknown>(sql: string, params?: unknown[]): Promise<T>;
  /** A statement without rows (INSERT, UPDATE, CREATE …); the rows it changed. */
  run(sql: string, params?: unknown[]): Promise<number>;
  /** Writes one row as a fixture (column names as keys) and returns it as stored, its generated id included. */
  insert(table: string, row: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Another connection to the same database: on PostgreSQL another pool (of `poolSize` connections, default 4), as another node has. */
  another(options?: { poolSize?: number }): Promise<EngineDb>;
  close(): Promise<void>;
}

export interface StoreEngine {
  readonly name: EngineName;
  /** A fresh, migrated database: empty but for what the migrations seed (the three groups). */
  open(): Promise<EngineDb>;
}

function sqliteStores(db: Db): EngineStores {
  return {
    conversations: (o = {}) => createSqliteConversationStore(db, o),
    routing: (clock) => createSqliteRoutingStore(db, clock),
    tickets: (clock) => createSqliteTicketStore(db, clock),
    transcripts: () => createSqliteTranscriptStore(db),
    agents: (o = {}) => createSqliteAgentStore(db, o),
    sessions: (o = {}) => createSqliteSessionStore(db, o),
    groups: (clock) => createSqliteGroupStore(db, clock),
    cannedReplies: (o = {}) => createSqliteCannedReplyStore(db, o),
    unanswered: () => createSqliteUnansweredStore(db),
    faqDrafts: () => createSqliteFaqDraftStore(db),
    audit: (o = {}) => createSqliteAuditLog(db, o),
    reports: (o = {}) => createSqliteReports(db, o),
    visitorBlocks: () => createSqliteVisitorBlockStore(db),
    visitorTranscripts: () => createSqliteVisitorTranscripts(db),
    invitationRules: () => createSqliteInvitationRuleStore(db),
    unitOfWork: () => createSqliteUnitOfWork(db),
  };
}

function postgresStores(db: PgDb): EngineStores {
  return {
    conversations: (o = {}) => createPostgresConversationStore(db, o),
    routing: (clock) => createPostgresRoutingStore(db, clock),
    tickets: (clock) => createPostgresTicketStore(db, clock),
    transcripts: () => createPostgresTranscriptStore(db),
    agents: (o = {}) => createPostgresAgentStore(db, o),
    sessions: (o = {}) => createPostgresSessionStore(db, o),
    groups: (clock) => createPostgresGroupStore(db, clock),
    cannedReplies: (o = {}) => createPostgresCannedReplyStore(db, o),
    unanswered: () => createPostgresUnansweredStore(db),
    faqDrafts: () => createPostgresFaqDraftStore(db),
    audit: (o = {}) => createPostgresAuditLog(db, o),
    reports: (o = {}) => createPostgresReports(db, o),
    visitorBlocks: () => createPostgresVisitorBlockStore(db),
    visitorTranscripts: () => createPostgresVisitorTranscripts(db),
    invitationRules: () => createPostgresInvitationRuleStore(db),
    unitOfWork: () => createPostgresUnitOfWork(db),
  };
}

/** `owner`: the handle open() returned, which closes the other connections and removes the folder when closed. */
function sqliteDb(dir: string, owner: boolean, others: Db[]): EngineDb {
  const db = openDatabase(dir);
  if (!owner) others.push(db);
  return {
    engine: 'sqlite',
    stores: sqliteStores(db),
    sqlite: db,
    pg: undefined,
    async rows<T>(sql: string, params: unknown[] = []) {
      return db.prepare(sql).all(...params) as T[];
    },
    async value<T>(sql: string, params: unknown[] = []) {
      return db.prepare(sql).pluck().get(...params) as T;
    },
    async run(sql, params = []) {
      return db.prepare(sql).run(...params).changes;
    },
    async insert(table, row) {
      return db.prepare(insertSql(table, row)).get(...Object.values(row)) as Record<string, unknown>;
    },
    async another() {
      return sqliteDb(dir, false, others);
    },
    async close() {
      if (db.open) db.close();
      if (!owner) return;
      for (const other of others.splice(0)) if (other.open) other.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The INSERT of a fixture row; both engines return the stored row (RETURNING). */
function insertSql(table: string, row: Record<string, unknown>): string {
  const columns = Object.keys(row);
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) RETURNING *`;
}

/** `?` placeholders as PostgreSQL's $1, $2 … (the tests' SQL has no `?` inside literals). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * `drop` is the owner's (the handle open() returned): closing it closes every other pool made to the database,
 * then drops the database. A handle from another() closes only its own pool.
 */
function postgresDb(db: PgDb, url: string, drop: (() => Promise<void>) | undefined, others: PgDb[]): EngineDb {
  return {
    engine: 'postgres',
    stores: postgresStores(db),
    sqlite: undefined,
    pg: db,
    async rows<T>(sql: string, params: unknown[] = []) {
      return db.query<T>(numbered(sql), params as SqlValue[]);
    },
    async value<T>(sql: string, params: unknown[] = []) {
      const row = await db.one<Record<string, unknown>>(numbered(sql), params as SqlValue[]);
      return (row ? Object.values(row)[0] : undefined) as T;
    },
    async run(sql, params = []) {
      return db.run(numbered(sql), params as SqlValue[]);
    },
    async insert(table, row) {
      return (await db.one<Record<string, unknown>>(numbered(insertSql(table, row)), Object.values(row) as SqlValue[]))!;
    },
    async another({ poolSize = 4 } = {}) {
      const other = createPgDb(url, { poolSize });
      others.push(other);
      return postgresDb(other, url, undefined, others);
    },
    async close() {
      if (!drop) {
        const at = others.indexOf(db);
        if (at >= 0) others.splice(at, 1);
        await db.close().catch(() => {});
        return;
      }
      for (const other of others.splice(0)) await other.close().catch(() => {});
      await db.close().catch(() => {});
      await drop();
    },
  };
}

export const sqliteEngine: StoreEngine = {
  name: 'sqlite',
  async open() {
    return sqliteDb(mkdtempSync(path.join(tmpdir(), 'engine-db-')), true, []);
  },
};

export const postgresEngine: StoreEngine = {
  name: 'postgres',
  async open() {
    const database = await createTestDatabase();
    try {
      // A small pool: several test files hold databases at once on one server.
      const db = await openPostgres(database.url, { poolSize: 4 });
      return postgresDb(db, database.url, () => database.drop(), []);
    } catch (err) {
      await database.drop().catch(() => {});
      throw err;
    }
  },
};

/** Runs `body` once per engine: SQLite always, PostgreSQL inside describeWithServices (skipped without it; CI fails). */
export function describeEachEngine(name: string, body: (engine: StoreEngine) => void): void {
  describe(`${name} [sqlite]`, () => body(sqliteEngine));
  describeWithServices(`${name} [postgres]`, () => body(postgresEngine));
}

/**
 * `open()` for the tests of one engine's describe block: every database it opens (and every other pool made
 * to one) is closed, and dropped, after the test.
 */
export function databases(engine: StoreEngine): () => Promise<EngineDb> {
  const opened: EngineDb[] = [];
  afterEach(async () => {
    for (const db of opened.splice(0).reverse()) await db.close();
  });
  return async () => {
    const db = await engine.open();
    opened.push(db);
    return db;
  };
}

/**
 * For a block whose every test uses one database: a fresh migrated one is opened before each test (before the
 * block's own beforeEach hooks, registered after this call, run) and closed after it. The function returned gives
 * the current test's database.
 */
export function databaseEachTest(engine: StoreEngine): () => EngineDb {
  const open = databases(engine);
  let current: EngineDb | undefined;
  beforeEach(async () => {
    current = await open();
  });
  return () => current!;
}

/** A conversation row (status bot, zh, created 2025-03-03T01:00Z unless `extra` says otherwise) for rows that hang off one. */
export function addConversation(db: EngineDb, id: string, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const at = '2025-03-03T01:00:00.000Z';
  return db.insert('conversations', { id, token_hash: randomBytes(32), status: 'bot', lang: 'zh', created_at: at, updated_at: at, ...extra });
}
