// A chat turn with a phone number and an ID number in it: the transcript keeps them, no log line shows them,
// also when the turn fails with an error that quotes the visitor's text.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteConversationStore } from '../../handoff/conversations/sqlite-conversation-store.ts';
import { openDatabase } from '../../handoff/sqlite/db.ts';
import type { ConversationStore } from '../../handoff/conversations/conversation-store.ts';
import { loadKnowledge } from '../../knowledge/index.ts';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { createEngine } from '../engine/engine.ts';
import { createKnowledgeRuntime } from './knowledge-runtime.ts';
import { createLogger } from './logger.ts';

const KNOWLEDGE_DIR = path.resolve(import.meta.dirname, '../../knowledge');
const PHONE = '13800138000';
const ID_NUMBER = '11010519900307123X';
const TEXT = `我的号码 ${PHONE}，身份证 ${ID_NUMBER}，帮我查下话费`;

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function harness(wrap: (s: ConversationStore) => ConversationStore = (s) => s) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'log-masking-'));
  const config = loadConfig({ KNOWLEDGE_DIR, DATA_DIR: dataDir, RATE_LIMITS: 'off', REQUEST_LOG_EVERY: '1' });
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      raw.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ level: 'trace', destination });
  const db = openDatabase(dataDir);
  const store = createSqliteConversationStore(db);
  const runtime = await createKnowledgeRuntime({ dir: KNOWLEDGE_DIR, load: () => loadKnowledge(KNOWLEDGE_DIR), build: (kb) => createEngine(kb, config.engine), logger });
  cleanups.push(() => {
    db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const app = createApp({ config, store: wrap(store), runtime, logger });
  const chat = (text: string) =>
    app.request('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
  return { app, store, raw, chat };
}

describe('personal data in logs', () => {
  it('a chat turn stores the numbers for the agent but logs neither', async () => {
    const h = await harness();
    const res = await h.chat(TEXT);
    expect(res.status).toBe(200);
    const { conversationId } = (await res.json()) as { conversationId: string };
    expect((await h.store.listMessages(conversationId))[0]!.text).toBe(TEXT);
    const log = h.raw.join('');
    expect(log).toContain('http.request');
    expect(log).not.toContain(PHONE);
    expect(log).not.toContain(ID_NUMBER);
  });

  it('an unexpected error quoting the text is logged with the numbers masked', async () => {
    const h = await harness((store) => ({
      ...store,
      async createConversation(input) {
        throw new Error(`cannot store turn "${input.firstTurn?.visitorText ?? ''}"`);
      },
    }));
    const res = await h.chat(TEXT);
    expect(res.status).toBe(500);
    const log = h.raw.join('');
    expect(log).toContain('cannot store turn');
    expect(log).toContain('138****8000');
    expect(log).not.toContain(PHONE);
    expect(log).not.toContain(ID_NUMBER);
  });

  it('masks the message string and a text field too', () => {
    const raw: string[] = [];
    const logger = createLogger({
      level: 'info',
      destination: new Writable({
        write(chunk, _enc, done) {
          raw.push(String(chunk));
          done();
        },
      }),
    });
    logger.info({ event: 'test', text: TEXT }, `visitor wrote ${TEXT}`);
    logger.warn('format %s', TEXT);
    const log = raw.join('');
    expect(log).not.toContain(PHONE);
    expect(log).not.toContain(ID_NUMBER);
    expect(log).toContain('帮我查下话费');
  });
});
