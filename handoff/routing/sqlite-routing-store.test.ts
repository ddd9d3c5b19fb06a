// Storage details of routing that the service tests do not reach: the 003 migration on existing data,
// the button's handoff, and ticket ordering.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, readMigrations } from '../sqlite/migrate.ts';
import { createSqliteRoutingStore } from './sqlite-routing-store.ts';
import { createSqliteTicketStore } from './sqlite-ticket-store.ts';
import { routingKit, type RoutingKit } from '../testing/routing-test-kit.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('migration 003 on a database with chats already queued', () => {
  it('keeps their order and puts them in the default group', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'routing-migrate-'));
    const db = new Database(join(dir, 'chat.sqlite'));
    db.pragma('foreign_keys = ON');
    cleanups.push(() => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const all = readMigrations();
    migrate(db, all.filter((m) => m.version < 3));
    const insert = db.prepare(`INSERT INTO conversations (id, token_hash, status, lang, handoff_reason, queued_at, created_at, updated_at)
      VALUES (?, zeroblob(32), 'queued', 'zh', 'requested', ?, ?, ?)`);
    insert.run('late', '2025-01-01T10:05:00.000Z', '2025-01-01T10:00:00.000Z', '2025-01-01T10:05:00.000Z');
    insert.run('early', '2025-01-01T10:01:00.000Z', '2025-01-01T10:00:00.000Z', '2025-01-01T10:01:00.000Z');
    migrate(db, all);
    const store = createSqliteRoutingStore(db);
    expect((await store.queue()).map((e) => [e.id, e.groupId, e.position])).toEqual([
      ['early', 'mobile', 1],
      ['late', 'mobile', 2],
    ]);
  });
});

describe('requestHandoff (the button)', () => {
  let kit: RoutingKit;
  afterEach(() => kit.close());

  it('queues a bot conversation with the note; leaves a queued or assigned one alone', async () => {
    kit = routingKit();
    const chat = await kit.conversation();
    const request = { groupId: 'billing', reason: 'requested', decision: { source: 'button' }, note: { author: 'bot' as const, text: '正在转接', kind: 'handoff' } };
    const first = await kit.store.requestHandoff(chat.id, request);
    expect(first).toMatchObject({ kind: 'queued', message: { author: 'bot', text: '正在转接' }, conversation: { status: 'queued', groupId: 'billing' } });
    const again = await kit.store.requestHandoff(chat.id, request);
    expect(again.kind).toBe('unchanged');
    expect((await kit.conversations.listMessages(chat.id)).filter((m) => m.text === '正在转接')).toHaveLength(1);
    expect(await kit.conversations.getConversation(chat.id)).toMatchObject({ handoff: { reason: 'requested', group: 'billing', decision: { source: 'button' } } });
  });
});

describe('tickets', () => {
  let kit: RoutingKit;
  afterEach(() => kit.close());

  it('lists open tickets oldest first, answered newest first, open before answered', async () => {
    kit = routingKit();
    const tickets = createSqliteTicketStore(kit.db, kit.time.clock);
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) {
      const chat = await kit.conversation();
      kit.time.advance(1000);
      ids.push((await tickets.create({ conversationId: chat.id, groupId: 'mobile', lang: 'zh', contact: `c${i}`, text: `t${i}`, reason: 'outside_hours' })).id);
    }
    await tickets.answer(ids[0]!, { agentId: 'a', text: 'ok' });
    await tickets.answer(ids[2]!, { agentId: 'a', text: 'ok' });
    expect((await tickets.list()).map((t) => t.id)).toEqual([ids[1], ids[3], ids[2], ids[0]]);
    expect((await tickets.list({ status: 'open' })).map((t) => t.id)).toEqual([ids[1], ids[3]]);
    expect(await tickets.list({ groups: ['billing'] })).toEqual([]);
    expect(await tickets.list({ limit: 1 })).toHaveLength(1);
  });
});
