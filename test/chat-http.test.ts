// The service over a real socket: `startServer` on 127.0.0.1 with an ephemeral port, real fetch, the real
// engine on a copy of the shipped knowledge base, and hot reload of edited, added, deleted and broken files.
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createApp } from '../bot/server/app.ts';
import { loadConfig, type Config } from '../bot/server/config.ts';
import { createEngine } from '../bot/engine/engine.ts';
import { createLogger } from '../bot/server/logger.ts';
import { startServer, type RunningServer } from '../bot/server/start-server.ts';
import { loadKnowledge } from '../knowledge/index.ts';
import type { Entry } from '../knowledge/types.ts';

const SHIPPED_KB = path.resolve(import.meta.dirname, '../knowledge');

type Json = Record<string, any>;

let work: string;
let kbDir: string;
let server: RunningServer;
let config: Config;
const logs: Record<string, unknown>[] = [];
const rawLogs: string[] = [];
/** An entry that answers its own first Chinese question, and the file it lives in. */
let target: { entry: Entry; question: string; file: string };

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'chat-http-'));
  kbDir = path.join(work, 'knowledge');
  cpSync(SHIPPED_KB, kbDir, { recursive: true, filter: (src) => !src.endsWith('.ts') });

  const loaded = await loadKnowledge(kbDir);
  if (!loaded.ok) throw new Error(`shipped knowledge base is broken: ${JSON.stringify(loaded.problems[0])}`);
  const engine = createEngine(loaded.kb);
  const entry = loaded.kb.entries.find((e) => {
    const d = engine.decide(e.questions.zh[0]!, { lang: 'zh' });
    return d.kind === 'answer' && d.entryId === e.id;
  });
  if (!entry) throw new Error('no entry answers its own question');
  target = { entry, question: entry.questions.zh[0]!, file: path.join(kbDir, entry.pos.file) };

  const destination = new Writable({
    write(chunk, _e, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        rawLogs.push(line);
        logs.push(JSON.parse(line));
      }
      done();
    },
  });
  config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: path.join(work, 'data'), KNOWLEDGE_DIR: kbDir, LOG_LEVEL: 'debug' });
  server = await startServer(config, createLogger({ level: 'debug', destination }));
  expect(config.rateLimits).toBe(true);
});

afterAll(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

async function chat(body: Json, token?: string): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${server.url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

async function health(): Promise<Json> {
  return (await (await fetch(`${server.url}/healthz`)).json()) as Json;
}

/** Polls until `check` returns a value (not undefined); fails after `ms`. Returns the value and the time it took. */
async function within<T>(ms: number, check: () => Promise<T | undefined>): Promise<{ value: T; elapsed: number }> {
  const start = Date.now();
  for (;;) {
    const value = await check();
    const elapsed = Date.now() - start;
    if (value !== undefined) return { value, elapsed };
    if (elapsed > ms) throw new Error(`not within ${ms} ms`);
    // From every 150 ms, slower as the wait grows: a tighter poll of /api/chat trips the per-address rate
    // limit before a slow build is done.
    await new Promise((r) => setTimeout(r, Math.min(1000, 150 + elapsed / 4)));
  }
}

function editYaml(file: string, edit: (doc: YAML.Document) => void): void {
  const doc = YAML.parseDocument(readFileSync(file, 'utf8'));
  edit(doc);
  writeFileSync(file, doc.toString());
}

describe('chat over HTTP', () => {
  it('serves /healthz with the knowledge base', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    const json = (await res.json()) as Json;
    expect(json.ok).toBe(true);
    expect(json.kb.entries).toBeGreaterThan(0);
    expect(json.kb.version).toEqual(expect.any(String));
    expect(json.kb).not.toHaveProperty('error');
  });

  it('starts and continues a conversation; another conversation’s token gets 404; history catches up after an id', async () => {
    const first = await chat({ text: target.question });
    expect(first.status).toBe(200);
    expect(first.json.reply).toMatchObject({ kind: 'answer', entryId: target.entry.id });
    const { conversationId, token } = first.json;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const second = await chat({ text: target.entry.questions.en[0]!, conversationId, lang: 'en' }, token);
    expect(second.status).toBe(200);
    expect(second.json.token).toBeUndefined();
    expect(second.json.reply.text).toBe(target.entry.answer.en);

    const other = await chat({ text: 'hello' });
    const stolen = await chat({ text: 'hi', conversationId }, other.json.token);
    expect(stolen.status).toBe(404);
    expect(stolen.json.error.code).toBe('not_found');

    const url = `${server.url}/api/conversations/${conversationId}/messages`;
    const all = (await (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).json()) as Json;
    expect(all.status).toBe('bot');
    expect(all.messages.map((m: Json) => m.author)).toEqual(['visitor', 'bot', 'visitor', 'bot']);
    expect(all.messages[0].text).toBe(target.question);
    const lastSeen = all.messages[1].id;
    const rest = (await (await fetch(`${url}?after=${lastSeen}`, { headers: { authorization: `Bearer ${token}` } })).json()) as Json;
    expect(rest.messages).toEqual(all.messages.slice(2));
    const foreign = await fetch(url, { headers: { authorization: `Bearer ${other.json.token}` } });
    expect(foreign.status).toBe(404);

    // No token ever reaches the log.
    expect(rawLogs.join('\n')).not.toContain(token);
    expect(rawLogs.join('\n')).not.toContain(other.json.token);
  });

  it('refuses oversized bodies with 413, by Content-Length and when chunked', async () => {
    const big = JSON.stringify({ text: 'a'.repeat(20_000) });
    const byLength = await fetch(`${server.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    expect(byLength.status).toBe(413);

    // A raw chunked request (no Content-Length) that keeps streaming past the limit.
    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${server.url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.write('{"text":"');
      for (let i = 0; i < 10; i++) req.write('x'.repeat(4096));
      req.end('"}');
    });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body).error.code).toBe('payload_too_large');

    // The service is still fine afterwards.
    expect((await chat({ text: target.question })).status).toBe(200);
  });
});

describe('rate limits on a real socket', () => {
  it('count per client address', async () => {
    // Same store and knowledge base, tiny limits, so that the third request from one address is refused.
    const app = createApp({
      config,
      store: server.store,
      runtime: server.runtime,
      logger: createLogger({ level: 'silent' }),
      rateLimits: { ip: { capacity: 2, refillPerSecond: 0.01 } },
    });
    const limited = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
      s.once('listening', () => resolve(s));
    });
    const port = (limited.address() as AddressInfo).port;
    // All of 127.0.0.0/8 is loopback on Linux: a second local address stands for a second client.
    const get = (localAddress: string) =>
      new Promise<number>((resolve, reject) => {
        httpRequest({ host: '127.0.0.1', port, path: '/api/nothing', localAddress, agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        }).on('error', reject).end();
      });
    try {
      expect([await get('127.0.0.1'), await get('127.0.0.1'), await get('127.0.0.1')]).toEqual([404, 404, 429]);
      expect(await get('127.0.0.2')).toBe(404);
    } finally {
      limited.closeAllConnections();
      await new Promise((r) => limited.close(r));
    }
  });
});

/**
 * How long a test waits for a reload to go live. Not a speed check: how fast edits go live is measured by
 * `npm run bench -- --only reload`; a busy CI machine building the engine (about 1.2 s idle) takes longer.
 */
const RELOAD_WAIT_MS = 8_000;

describe('hot reload', { timeout: 30_000 }, () => {
  it('serves an edited answer without a restart', async () => {
    const marker = `HOTRELOAD-${Date.now()}: ${target.entry.answer.zh}`;
    editYaml(target.file, (doc) => {
      const entries = doc.get('entries') as YAML.YAMLSeq<YAML.YAMLMap>;
      const item = entries.items.find((e) => e.get('id') === target.entry.id)!;
      item.setIn(['answer', 'zh'], marker);
    });
    await within(RELOAD_WAIT_MS, async () => {
      const { json } = await chat({ text: target.question, lang: 'zh' });
      return json.reply.text === marker ? true : undefined;
    });
    expect(logs.some((l) => l.event === 'kb.reloaded')).toBe(true);
  });

  it('serves an added file without a restart, and forgets it once deleted', async () => {
    const added = path.join(kbDir, 'faq', 'zz-hotreload.yaml');
    const question = 'zorblax quantum moonbeam plan';
    writeFileSync(
      added,
      YAML.stringify({
        topic: 'zzhotreload',
        label: { zh: '测试', en: 'Test' },
        entries: [
          {
            id: 'zzhotreload.moonbeam',
            questions: {
              zh: ['佐布拉克斯月光套餐怎么办', '佐布拉克斯月光套餐', '月光量子套餐办理', '佐布拉克斯套餐多少钱', '月光套餐是什么'],
              en: [question, 'what is the zorblax moonbeam plan', 'zorblax moonbeam plan price'],
            },
            keywords: ['zorblax', 'moonbeam'],
            answer: { zh: '佐布拉克斯月光套餐是一个测试条目。', en: 'The zorblax moonbeam plan is a test entry.' },
          },
        ],
      }),
    );
    await within(RELOAD_WAIT_MS, async () => {
      const { json } = await chat({ text: question, lang: 'en' });
      return json.reply.entryId === 'zzhotreload.moonbeam' ? json : undefined;
    });
    const entriesWith = (await health()).kb.entries;

    unlinkSync(added);
    await within(RELOAD_WAIT_MS, async () => {
      const { json } = await chat({ text: question, lang: 'en' });
      return json.reply.entryId !== 'zzhotreload.moonbeam' ? json : undefined;
    });
    expect((await health()).kb.entries).toBe(entriesWith - 1);
  });

  it('keeps the last good knowledge base on a broken file, shows the error in /healthz until fixed', async () => {
    const before = await health();
    const original = readFileSync(target.file, 'utf8');
    const answerBefore = (await chat({ text: target.question, lang: 'zh' })).json.reply;
    expect(answerBefore.kind).toBe('answer');

    // An unclosed flow sequence: a YAML syntax error a few lines into the file.
    const lines = original.split('\n');
    lines.splice(3, 0, 'broken: [unclosed, "sequence');
    writeFileSync(target.file, lines.join('\n'));

    const failed = await within(RELOAD_WAIT_MS, async () => {
      const json = await health();
      return json.kb.error ? json : undefined;
    });
    const relative = path.relative(kbDir, target.file);
    expect(failed.value.kb.error).toMatchObject({ file: expect.stringContaining(relative), line: expect.any(Number), message: expect.any(String) });
    expect(failed.value.kb.error.line).toBeGreaterThanOrEqual(4);
    expect(failed.value.kb.version).toBe(before.kb.version);
    expect(failed.value.kb.entries).toBe(before.kb.entries);
    const logged = logs.find((l) => l.event === 'kb.reload_failed');
    expect(logged).toMatchObject({ file: expect.stringContaining(relative), line: expect.any(Number) });

    // The old knowledge base still answers.
    const during = (await chat({ text: target.question, lang: 'zh' })).json.reply;
    expect(during).toMatchObject({ kind: 'answer', entryId: target.entry.id, text: answerBefore.text });

    writeFileSync(target.file, original);
    const fixed = await within(RELOAD_WAIT_MS, async () => {
      const json = await health();
      return json.kb.error ? undefined : json;
    });
    expect(fixed.value.kb).not.toHaveProperty('error');
    expect(fixed.value.kb.version).toBe(before.kb.version);
  });
});
