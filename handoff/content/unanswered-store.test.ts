// The unanswered-question store on a real SQLite file: one conversation cannot flood the editors' inbox.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../sqlite/db.ts';
import { createSqliteUnansweredStore, MAX_PER_CONVERSATION } from './sqlite-unanswered-store.ts';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'unanswered-'));
  db = openDatabase(dir);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const NOW = '2025-03-03T01:00:00.000Z';
const conversation = (id: string) =>
  db.prepare(`INSERT INTO conversations (id, token_hash, status, lang, created_at, updated_at) VALUES (?, randomblob(32), 'bot', 'zh', '${NOW}', '${NOW}')`).run(id);
const miss = (conversationId: string, text: string) => ({
  conversationId, text, normKey: text, tokens: [text], lang: 'zh' as const, kind: 'fallback' as const, reason: 'no_match',
  candidates: [], askedAt: NOW,
});

describe('unanswered store', () => {
  it(`keeps at most ${MAX_PER_CONVERSATION} questions of one conversation; others are still recorded`, async () => {
    const store = createSqliteUnansweredStore(db);
    conversation('junk');
    conversation('real');
    for (let i = 0; i < 3 * MAX_PER_CONVERSATION; i++) await store.record(miss('junk', `垃圾${i}`));
    await store.record(miss('real', '宽带怎么办停机保号'));
    const count = (id: string) => (db.prepare('SELECT count(*) AS n FROM unanswered_questions WHERE conversation_id = ?').get(id) as { n: number }).n;
    expect(count('junk')).toBe(MAX_PER_CONVERSATION);
    expect(count('real')).toBe(1);
  });
});
