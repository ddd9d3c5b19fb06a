// Migration 001 (the whole schema) applies to a fresh PostgreSQL, twice safely, and holds what the stores rely on.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeWithServices, type TestDatabase } from '../testing/services.ts';
import { migratePostgres } from './migrate.ts';
import { openPostgres } from './open.ts';
import type { PgDb } from './pg-db.ts';

// Every table of SQLite's final schema (scratch/sqlite-schema.sql) except its FTS5 tables, which pg_trgm replaces.
const TABLES = [
  'agent_routing', 'agents', 'audit_log', 'canned_replies', 'conversation_agents', 'conversation_closures',
  'conversation_transfers', 'conversations', 'faq_drafts', 'invitation_rules', 'invited_conversations', 'messages',
  'schema_migrations', 'sessions', 'skill_groups', 'tickets', 'unanswered_questions', 'visitor_blocks',
];

describeWithServices('PostgreSQL schema (migration 001)', () => {
  let database: TestDatabase;
  let db: PgDb;
  beforeAll(async () => {
    database = await createTestDatabase();
    db = await openPostgres(database.url);
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('creates every table, and a second start applies nothing (the version is recorded)', async () => {
    const rows = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name");
    expect(rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(TABLES));
    expect(rows.some((r) => r.table_name.startsWith('messages_fts'))).toBe(false);
    // A second node starting on the same database must find 001 applied, not fail re-creating tables.
    expect(await migratePostgres(db)).toEqual([]);
    const again = await openPostgres(database.url);
    await again.close();
  });

  it('seeds the three groups as SQLite does, each serving its own subject', async () => {
    const groups = await db.query<{ id: string; skills: string; provinces: string }>(
      'SELECT id, skills, provinces FROM skill_groups ORDER BY id');
    expect(groups).toEqual([
      { id: 'billing', skills: '["billing"]', provinces: '[]' },
      { id: 'broadband', skills: '["broadband"]', provinces: '[]' },
      { id: 'mobile', skills: '["mobile"]', provinces: '[]' },
    ]);
  });

  it('keeps the checks: malformed JSON, a bad status and a short token hash are refused', async () => {
    const insert = (hash: Buffer, status: string, context: string) => db.run(
      "INSERT INTO conversations (id, token_hash, status, lang, context, created_at, updated_at) VALUES ($1, $2, $3, 'zh', $4, 't', 't')",
      [`c-${Math.random()}`, hash, status, context]);
    await expect(insert(Buffer.alloc(32), 'bot', '{')).rejects.toThrow();
    await expect(insert(Buffer.alloc(32), 'nope', '{}')).rejects.toThrow(/check/i);
    await expect(insert(Buffer.alloc(31), 'bot', '{}')).rejects.toThrow(/check/i);
    await expect(insert(Buffer.alloc(32), 'bot', '{}')).resolves.toBe(1);
  });

  it('records every holder of a conversation on assignment (the trigger replacing SQLite\'s)', async () => {
    await db.run("INSERT INTO conversations (id, token_hash, lang, created_at, updated_at) VALUES ('held', $1, 'en', 't', 't')", [Buffer.alloc(32)]);
    await db.run("UPDATE conversations SET agent_id = 'a1' WHERE id = 'held'");
    await db.run("UPDATE conversations SET agent_id = 'a2' WHERE id = 'held'");
    await db.run("UPDATE conversations SET agent_id = 'a1' WHERE id = 'held'");
    await db.run("UPDATE conversations SET agent_id = NULL WHERE id = 'held'");
    const held = await db.query<{ agent_id: string }>("SELECT agent_id FROM conversation_agents WHERE conversation_id = 'held' ORDER BY agent_id");
    expect(held.map((r) => r.agent_id)).toEqual(['a1', 'a2']);
  });

  it('refuses two usernames differing only in case (SQLite\'s NOCASE)', async () => {
    const add = (id: string, username: string) => db.run(
      "INSERT INTO agents (id, username, display_name, password_hash, password_changed_at, created_at, updated_at) VALUES ($1, $2, $1, '$argon2id$x', 't', 't', 't')",
      [id, username]);
    await add('u1', 'alice');
    await expect(add('u2', 'ALICE')).rejects.toThrow(/duplicate key/);
  });

  it('indexes message text with trigrams, and a Chinese substring uses it', async () => {
    const idx = await db.one<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE indexname = 'messages_text_trgm'");
    expect(idx?.indexdef).toMatch(/gin_trgm_ops/);
    // pg_trgm only extracts trigrams from CJK text under a UTF-8 locale; without any, the index could not narrow.
    const trgm = await db.one<{ n: number }>("SELECT cardinality(show_trgm('宽带办理')) AS n");
    expect(trgm!.n).toBeGreaterThan(0);
  });
});
