// The database's background upkeep: messages become searchable without a search, the checkpoint worker keeps
// the WAL bounded while the main connection writes, and everything stops with db.close().
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dbMaintenance, startDbMaintenance } from './db-maintenance.ts';
import { openDatabase, type Db } from './db.ts';
import { createSqliteConversationStore } from '../conversations/sqlite-conversation-store.ts';
import type { ConversationStore } from '../conversations/conversation-store.ts';

let dir: string;
const open: Db[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'db-maintenance-'));
});
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const walBytes = () => statSync(join(dir, 'chat.sqlite-wal')).size;
const inIndex = (db: Db, phrase: string) =>
  db.prepare('SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?').pluck().get(`"${phrase}"`) as number;

async function chat(store: ConversationStore, i: number): Promise<void> {
  await store.createConversation({
    lang: 'en',
    firstTurn: {
      visitorText: `how do I top up number ${i} by SMS`,
      reply: { author: 'bot', text: `Send CZ#<card password>+<number> to 10011 (${i})`, kind: 'answer', confidence: 0.9 },
      context: { lastEntryId: 'recharge.sms-topup', lastTopic: 'recharge' },
      decision: { kind: 'answer', entryId: 'recharge.sms-topup', confidence: 0.9 },
    },
  });
}

describe('db maintenance', () => {
  it('indexes stored messages in the background, without a search', async () => {
    const db = openDatabase(dir);
    startDbMaintenance(db, { searchIndexIntervalMs: 10, checkpointWorker: false });
    open.push(db);
    await chat(createSqliteConversationStore(db), 1);
    expect(inIndex(db, 'top up number 1')).toBe(0);
    await until('the background batch', () => inIndex(db, 'top up number 1') === 1);
  });

  it('checkpoints on a worker thread, so the WAL restarts while the main connection only writes', async () => {
    const db = openDatabase(dir, { walSizeLimitBytes: 64 * 1024 });
    startDbMaintenance(db, { searchIndexIntervalMs: 10, checkpointBusyMs: 5, checkpointIdleMs: 20 });
    open.push(db);
    const store = createSqliteConversationStore(db);
    const maintenance = dbMaintenance(db)!;
    expect(maintenance.checkpointing).toBe(false); // nothing written yet: no thread
    await chat(store, 0);
    await until('the checkpoint worker', () => maintenance.checkpointing);
    // The main connection now checkpoints by itself only past 4000 pages (the bound if the worker falls behind).
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(4000);

    // Far fewer pages than that: without the worker the WAL would only grow.
    for (let i = 1; i <= 200; i++) await chat(store, i);
    expect(walBytes()).toBeGreaterThan(256 * 1024);
    // Once the worker has copied every frame, the next commit restarts the WAL, cut back to the size limit.
    await until('a WAL restart', () => {
      void chat(store, 1000);
      return walBytes() <= 128 * 1024;
    }, 2000);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(4000);

    db.close();
    expect(maintenance.checkpointing).toBe(false);
    expect(() => db.close()).not.toThrow();
  });

  it('keeps the WAL bounded under a steady stream of writes', async () => {
    const db = openDatabase(dir);
    startDbMaintenance(db, { searchIndexIntervalMs: 10, walAutocheckpointPages: 1000 });
    open.push(db);
    const store = createSqliteConversationStore(db);
    await chat(store, 0);
    await until('the checkpoint worker', () => dbMaintenance(db)!.checkpointing);
    let largest = 0;
    for (let i = 1; i <= 1500; i++) {
      await chat(store, i);
      // Let timers run now and then, as a server does between requests.
      if (i % 50 === 0) await sleep(1);
      largest = Math.max(largest, walBytes());
    }
    // About 10 000 pages were written. Past 1000 pages the main connection checkpoints at its next commit
    // (or a following one, while the worker holds the checkpoint lock), so the WAL stays near that size.
    expect(largest).toBeLessThan(3000 * 4096);
  });

  it('works without any upkeep: searches index first, SQLite checkpoints at commits', async () => {
    const db = openDatabase(dir);
    open.push(db);
    expect(dbMaintenance(db)).toBeUndefined();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await chat(createSqliteConversationStore(db), 7);
    await sleep(30);
    expect(inIndex(db, 'number 7')).toBe(0);
    db.close();
  });
});
