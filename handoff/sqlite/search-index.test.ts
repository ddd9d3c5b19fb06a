// Batched search indexing (migration 005): messages are indexed after they are stored, yet every search
// sees every message; edits, deletes, a crash before indexing and an upgrade from 004 keep the index exact.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './db.ts';
import { defaultMigrationsDir } from './migrate.ts';
import { searchIndexer } from './search-index.ts';
import { createSqliteConversationStore } from '../conversations/sqlite-conversation-store.ts';
import { createSqliteTranscriptStore } from '../search/sqlite-transcript-store.ts';
import { EVERY_CONVERSATION } from '../conversations/view-access.ts';

const dirs: string[] = [];
const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tmp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** No background timer: only what the code under test does indexes anything. */
function openQuiet(dir: string, migrationsDir?: string): Db {
  const db = openDatabase(dir, migrationsDir ? { migrationsDir } : {});
  open.push(db);
  return db;
}

const indexedThrough = (db: Db) => db.prepare('SELECT indexed_through FROM messages_fts_progress').pluck().get() as number;
const inIndex = (db: Db, phrase: string) =>
  db.prepare('SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?').pluck().get(`"${phrase}"`) as number;
const integrityCheck = (db: Db) => db.exec("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");

async function turn(db: Db, visitorText: string, reply: string): Promise<string> {
  const { conversation } = await createSqliteConversationStore(db).createConversation({
    lang: 'zh',
    firstTurn: { visitorText, reply: { author: 'bot', text: reply } },
  });
  return conversation.id;
}

const searchTexts = async (db: Db, terms: string[]) =>
  (await createSqliteTranscriptStore(db).search({ terms, access: EVERY_CONVERSATION, limit: 50 })).hits.map((h) => h.text);

describe('batched search indexing', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = tmp('search-index-');
    db = openQuiet(dir);
  });

  it('leaves a stored message out of the index until a batch or a search, which finds it at once', async () => {
    await turn(db, '我的宽带一直掉线', '请重启光猫后再试');
    // Storing a turn wrote no index entry: that is the point.
    expect(inIndex(db, '宽带一直')).toBe(0);
    expect(indexedThrough(db)).toBe(0);
    // A search indexes the backlog first: nothing stored before it is missing.
    expect(await searchTexts(db, ['宽带一直'])).toEqual(['我的宽带一直掉线']);
    expect(await searchTexts(db, ['重启光猫'])).toEqual(['请重启光猫后再试']);
    expect(inIndex(db, '宽带一直')).toBe(1);
    expect(indexedThrough(db)).toBe(2);
    integrityCheck(db);
  });

  it('indexes in batches of at most batchSize, without indexing a message twice', async () => {
    for (let i = 0; i < 7; i++) await turn(db, `question number ${i}`, `answer number ${i}`);
    const indexer = searchIndexer(db)!;
    expect(searchIndexer(db)).toBe(indexer); // one per connection
    expect(indexer.step(5)).toEqual({ indexed: 5, more: true });
    expect(indexedThrough(db)).toBe(5);
    expect(inIndex(db, 'number')).toBe(5);
    expect(indexer.step(5)).toEqual({ indexed: 5, more: true });
    expect(indexer.step(5)).toEqual({ indexed: 4, more: false });
    expect(indexer.step()).toEqual({ indexed: 0, more: false });
    expect(indexer.catchUp()).toBe(0);
    expect(inIndex(db, 'number')).toBe(14);
    integrityCheck(db);
  });

  it('keeps edits and deletes exact, whether or not the message was indexed yet', async () => {
    const indexed = await turn(db, 'my broadband is down', 'restart the modem');
    searchIndexer(db)!.catchUp();
    const pending = await turn(db, 'my invoice is wrong', 'we will check the invoice');
    const [pendingVisitor] = db.prepare('SELECT id FROM messages WHERE conversation_id = ? ORDER BY id').pluck().all(pending) as number[];
    const [indexedVisitor] = db.prepare('SELECT id FROM messages WHERE conversation_id = ? ORDER BY id').pluck().all(indexed) as number[];

    // Edit of an indexed message: the index follows at once (trigger).
    db.prepare('UPDATE messages SET text = ? WHERE id = ?').run('my fibre is down', indexedVisitor);
    expect(inIndex(db, 'broadband')).toBe(0);
    expect(inIndex(db, 'fibre')).toBe(1);
    // Edit of a message not indexed yet: the batch indexes the text as it is by then.
    db.prepare('UPDATE messages SET text = ? WHERE id = ?').run('my bill is wrong', pendingVisitor);
    expect(await searchTexts(db, ['invoice is wrong'])).toEqual([]);
    expect(await searchTexts(db, ['bill is wrong'])).toEqual(['my bill is wrong']);
    integrityCheck(db);

    // Deletes (cascaded from the conversation), of indexed and of not yet indexed messages alike.
    const late = await turn(db, 'roaming abroad', 'roaming is on');
    db.prepare('DELETE FROM conversations WHERE id IN (?, ?)').run(indexed, late);
    expect(await searchTexts(db, ['fibre'])).toEqual([]);
    expect(await searchTexts(db, ['roaming'])).toEqual([]);
    expect(await searchTexts(db, ['wrong'])).toEqual(['my bill is wrong']);
    integrityCheck(db);
  });

  it('indexes at once a message stored with an id the batches have passed', async () => {
    const c = await turn(db, 'first question', 'first answer');
    searchIndexer(db)!.catchUp();
    const [id] = db.prepare('SELECT id FROM messages WHERE conversation_id = ? ORDER BY id').pluck().all(c) as number[];
    db.prepare('DELETE FROM messages WHERE id = ?').run(id);
    db.prepare("INSERT INTO messages (id, conversation_id, author, text, created_at) VALUES (?, ?, 'visitor', 'restored question', 't')").run(id, c);
    expect(inIndex(db, 'restored')).toBe(1);
    expect(await searchTexts(db, ['question'])).toEqual(['restored question']);
    integrityCheck(db);
  });

  it('two connections catching up together index each message once', async () => {
    const other = openQuiet(dir);
    for (let i = 0; i < 5; i++) await turn(db, `shared question ${i}`, `shared answer ${i}`);
    searchIndexer(other)!.catchUp();
    searchIndexer(db)!.catchUp();
    expect(inIndex(db, 'shared')).toBe(10);
    expect(await searchTexts(other, ['shared question 3'])).toEqual(['shared question 3']);
    integrityCheck(db);
  });

  it('messages stored by a process that died before indexing them are indexed when the database opens', async () => {
    await turn(db, '国际漫游怎么开通', '发送KTMY到10010');
    expect(inIndex(db, '国际漫游')).toBe(0);
    // The files as a crash leaves them: the last commits are in the WAL, the index has not seen them.
    const crashed = tmp('search-index-crash-');
    for (const file of readdirSync(dir)) copyFileSync(join(dir, file), join(crashed, file));
    expect(existsSync(join(crashed, 'chat.sqlite-wal'))).toBe(true);

    const reopened = openQuiet(crashed);
    expect(inIndex(reopened, '国际漫游')).toBe(1);
    expect(inIndex(reopened, 'KTMY')).toBe(1);
    expect(indexedThrough(reopened)).toBe(2);
    integrityCheck(reopened);
  });

  it('a clean close leaves no backlog', async () => {
    await turn(db, 'close me cleanly', 'closed');
    db.close();
    const again = openDatabase(dir);
    open.push(again);
    expect(inIndex(again, 'cleanly')).toBe(1);
  });
});

describe('upgrade from migration 004 (an index kept by triggers)', () => {
  it('keeps what 004 indexed, indexes what comes after in batches, and stays consistent', async () => {
    const dataDir = tmp('search-index-004-');
    const earlier = tmp('migrations-004-');
    for (const file of readdirSync(defaultMigrationsDir).filter((f) => f.endsWith('.sql') && f < '005')) {
      copyFileSync(join(defaultMigrationsDir, file), join(earlier, file));
    }
    const before = openQuiet(dataDir, earlier);
    expect(searchIndexer(before)).toBeUndefined(); // nothing to catch up: 004's triggers index every insert
    const old = await turn(before, '积分怎么兑换', '登录网上营业厅兑换积分');
    expect(inIndex(before, '营业厅')).toBe(1);
    before.close();

    const after = openQuiet(dataDir);
    expect(after.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBeGreaterThanOrEqual(5);
    expect(indexedThrough(after)).toBe(2);
    expect(inIndex(after, '营业厅')).toBe(1);
    await turn(after, '积分可以换话费吗', '可以用积分兑换话费');
    expect(inIndex(after, '换话费')).toBe(0);
    expect(await searchTexts(after, ['积分'])).toEqual(['可以用积分兑换话费', '积分可以换话费吗', '登录网上营业厅兑换积分', '积分怎么兑换']);
    // An edit of a message 004 indexed goes through the new triggers.
    after.prepare('UPDATE messages SET text = ? WHERE conversation_id = ? AND author = ?').run('积分能换流量吗', old, 'visitor');
    expect(await searchTexts(after, ['怎么兑换'])).toEqual([]);
    expect(await searchTexts(after, ['换流量'])).toEqual(['积分能换流量吗']);
    integrityCheck(after);
  });
});
