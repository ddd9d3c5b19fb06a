// A first message (POST /api/chat without conversationId) retried after its response was lost, over a real
// socket on a real SQLite file: with the same visitorId and clientMessageId it gets the conversation it started,
// the same reply and a new token (the lost one stops working); too late, after a second turn or from another
// visitor it starts a new conversation; five concurrent duplicates create one.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../bot/server/app.ts';
import { loadConfig } from '../bot/server/config.ts';
import { createEngine } from '../bot/engine/engine.ts';
import { createKnowledgeRuntime } from '../bot/server/knowledge-runtime.ts';
import { createLogger } from '../bot/server/logger.ts';
import { createSqliteConversationStore } from '../handoff/conversations/sqlite-conversation-store.ts';
import { openDatabase, type Db } from '../handoff/sqlite/db.ts';
import { loadKnowledge } from '../knowledge/index.ts';

const KNOWLEDGE_DIR = path.resolve(import.meta.dirname, '../knowledge');
const QUESTION = '网厅充值有折扣吗';

type Json = Record<string, any>;

let work: string;
let db: Db;
let server: Server;
let url: string;
/** The store's clock (the retry window is measured on it). */
let now = Date.parse('2025-03-01T09:00:00.000Z');
const rawLogs: string[] = [];

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'first-message-retry-'));
  const config = loadConfig({ KNOWLEDGE_DIR, DATA_DIR: work, RATE_LIMITS: 'off', LOG_LEVEL: 'debug' });
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk, _e, done) {
        rawLogs.push(String(chunk));
        done();
      },
    }),
  });
  db = openDatabase(work);
  const store = createSqliteConversationStore(db, { clock: () => new Date(now) });
  const runtime = await createKnowledgeRuntime({ dir: KNOWLEDGE_DIR, load: loadKnowledge, build: (kb) => createEngine(kb, config.engine), logger });
  const app = createApp({ config, store, runtime, logger });
  server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  db?.close();
  rmSync(work, { recursive: true, force: true });
});

async function chat(body: Json, token?: string): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

async function messages(conversationId: string, token: string): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${url}/api/conversations/${conversationId}/messages`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, json: (await res.json()) as Json };
}

const count = (sql: string, ...params: unknown[]) => (db.prepare(sql).get(...params) as { n: number }).n;
let seq = 0;
/** A fresh pair per test, as one browser's first message. */
const pair = () => ({ visitorId: `visitor-${++seq}-aaaaaaaaaaaaaa`, clientMessageId: `first-${seq}-${Date.now()}` });

describe('a retried first message', () => {
  it('gets the same conversation and reply once, and a new token: the lost response’s token stops working', async () => {
    const p = pair();
    const first = await chat({ text: QUESTION, ...p });
    const retry = await chat({ text: QUESTION, ...p });
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.json.conversationId).toBe(first.json.conversationId);
    expect(retry.json.reply).toEqual(first.json.reply);
    expect(typeof retry.json.token).toBe('string');
    expect(retry.json.token).not.toBe(first.json.token);

    const id = first.json.conversationId as string;
    expect(count('SELECT count(*) AS n FROM conversations WHERE visitor_id = ?', p.visitorId)).toBe(1);
    expect((await messages(id, first.json.token)).status).toBe(404);
    const page = await messages(id, retry.json.token);
    expect(page.status).toBe(200);
    expect(page.json.messages.filter((m: Json) => m.author === 'visitor').map((m: Json) => m.text)).toEqual([QUESTION]);
    expect(page.json.messages).toHaveLength(2);
    // The old token cannot continue the chat either; the new one can.
    expect((await chat({ text: '还有吗', conversationId: id }, first.json.token)).status).toBe(404);
    expect((await chat({ text: '还有吗', conversationId: id }, retry.json.token)).status).toBe(200);
    // The pair is never logged (nor the tokens).
    const logged = rawLogs.join('');
    expect(logged).not.toContain(p.clientMessageId);
    expect(logged).not.toContain(retry.json.token);
  });

  it('starts a new conversation 2 minutes later, after a second turn, or from another visitor', async () => {
    const p = pair();
    const first = await chat({ text: QUESTION, ...p });
    now += 2 * 60_000;
    const late = await chat({ text: QUESTION, ...p });
    expect(late.json.conversationId).not.toBe(first.json.conversationId);
    // Not a retry: the first conversation's token still works.
    expect((await messages(first.json.conversationId, first.json.token)).status).toBe(200);

    await chat({ text: '还有吗', conversationId: late.json.conversationId, clientMessageId: 'second' }, late.json.token);
    const afterSecond = await chat({ text: QUESTION, ...p });
    expect(afterSecond.json.conversationId).not.toBe(late.json.conversationId);
    expect((await messages(late.json.conversationId, late.json.token)).status).toBe(200);

    const other = await chat({ text: QUESTION, visitorId: 'another-visitor-bbbbbb', clientMessageId: p.clientMessageId });
    expect(other.json.conversationId).not.toBe(afterSecond.json.conversationId);
    expect((await messages(afterSecond.json.conversationId, afterSecond.json.token)).status).toBe(200);
    expect(count('SELECT count(*) AS n FROM conversations WHERE visitor_id = ?', p.visitorId)).toBe(3);
  });

  it('without a visitorId (the id alone proves nothing) a retry starts another conversation, as before', async () => {
    const { clientMessageId } = pair();
    const a = await chat({ text: QUESTION, clientMessageId });
    const b = await chat({ text: QUESTION, clientMessageId });
    expect(b.json.conversationId).not.toBe(a.json.conversationId);
    expect((await messages(a.json.conversationId, a.json.token)).status).toBe(200);
  });

  it('five concurrent duplicates create exactly one conversation and store the message once', async () => {
    const p = pair();
    const responses = await Promise.all(Array.from({ length: 5 }, () => chat({ text: QUESTION, ...p })));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const ids = new Set(responses.map((r) => r.json.conversationId));
    expect(ids.size).toBe(1);
    const [id] = ids as Set<string>;
    expect(count('SELECT count(*) AS n FROM conversations WHERE visitor_id = ?', p.visitorId)).toBe(1);
    expect(count("SELECT count(*) AS n FROM messages WHERE conversation_id = ? AND author = 'visitor'", id)).toBe(1);
    for (const r of responses) expect(r.json.reply).toEqual(responses[0]!.json.reply);
    // Exactly one token opens the chat: the last one handed out.
    const open = await Promise.all(responses.map(async (r) => (await messages(id!, r.json.token)).status));
    expect(open.filter((s) => s === 200)).toHaveLength(1);
  });
});
