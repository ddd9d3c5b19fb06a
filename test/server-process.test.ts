// `npm start`'s entry as a real process: it serves, logs its URL, stops cleanly on SIGTERM, and
// refuses to start on a bad configuration or a broken knowledge base, saying where.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectSse } from '../handoff/testing/sse-test-client.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const SHIPPED_KB = path.join(ROOT, 'knowledge');

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tmp(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'chat-proc-'));
  dirs.push(dir);
  return dir;
}

interface Proc {
  lines: () => Record<string, any>[];
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  kill: (signal: NodeJS.Signals) => void;
}

function start(env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bot/server/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    lines: () => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)),
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: (signal) => child.kill(signal),
  };
}

async function waitFor<T>(what: string, check: () => T | undefined, ms = 15_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('bot/server/main.ts', () => {
  it('on a fresh install with only the first admin configured, queues a visitor who asks for a person before anyone signs in; the admin takes the chat', async () => {
    const work = tmp();
    // BUSINESS_HOURS=always only so the result does not depend on the hour the test runs at (outside the
    // default 08:30-21:30 a request for a person is answered with leaving a message, by design).
    const proc = start({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: path.join(work, 'data'), BUSINESS_HOURS: 'always', ADMIN_USERNAME: 'boss', ADMIN_PASSWORD: 'a long first-admin secret' });
    try {
      const { url } = await waitFor('server.started', () => proc.lines().find((l) => l.event === 'server.started'));
      const asked = (await (await fetch(`${url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: '转人工' }) })).json()) as {
        conversationId: string;
        reply: { kind: string; queue?: { position: number }; leaveMessage?: { reason: string } };
      };
      expect(asked.reply).toMatchObject({ kind: 'handoff', queue: { position: 1 }, leaveMessage: { reason: 'no_agents' } });

      const login = await fetch(`${url}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: url }, body: JSON.stringify({ username: 'boss', password: 'a long first-admin secret' }) });
      expect(login.status).toBe(200);
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      const queue = (await (await fetch(`${url}/api/agent/queue`, { headers: { cookie } })).json()) as { conversations: { id: string }[] };
      expect(queue.conversations.map((c) => c.id)).toContain(asked.conversationId);
      const take = await fetch(`${url}/api/agent/conversations/${asked.conversationId}/take`, { method: 'POST', headers: { cookie, origin: url } });
      expect(take.status).toBe(200);
      const view = (await (await fetch(`${url}/api/agent/conversations/${asked.conversationId}`, { headers: { cookie } })).json()) as { status: string };
      expect(view.status).toBe('assigned');
    } finally {
      proc.kill('SIGTERM');
      await proc.exited;
    }
  });

  it('serves on the configured host with an ephemeral port and stops cleanly on SIGTERM', async () => {
    const work = tmp();
    const proc = start({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: path.join(work, 'data'), KNOWLEDGE_DIR: SHIPPED_KB });
    const started = await waitFor('server.started', () => proc.lines().find((l) => l.event === 'server.started'));
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(started.msg).toContain(started.url);
    const res = await fetch(`${started.url}/healthz`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).kb.entries).toBeGreaterThan(0);
    proc.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(proc.lines().some((l) => l.event === 'server.stopping')).toBe(true);
    await expect(fetch(`${started.url}/healthz`)).rejects.toThrow();
  });

  it('on SIGTERM finishes a request in flight and tells open live streams to reconnect before ending them', async () => {
    const work = tmp();
    const proc = start({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: path.join(work, 'data'), KNOWLEDGE_DIR: SHIPPED_KB });
    const { url } = await waitFor('server.started', () => proc.lines().find((l) => l.event === 'server.started'));
    const chat = (await (
      await fetch(`${url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: '你好' }) })
    ).json()) as { conversationId: string; token: string };
    const stream = await connectSse(`${url}/api/conversations/${chat.conversationId}/events`, {
      authorization: `Bearer ${chat.token}`,
      origin: url,
    });
    expect(stream.status).toBe(200);
    await stream.waitFor((e) => e.event === 'ready');

    // A chat request whose body is only half sent when the signal comes: it is in flight, not idle.
    const { port } = new URL(url);
    const inFlight = http.request({
      host: '127.0.0.1', port, method: 'POST', path: '/api/chat',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${chat.token}` },
    });
    const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
      inFlight.on('response', (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      inFlight.on('error', reject);
    });
    inFlight.write(`{"conversationId":"${chat.conversationId}",`);
    await new Promise((r) => setTimeout(r, 300));

    const t0 = Date.now();
    proc.kill('SIGTERM');
    const farewell = await stream.waitFor((e) => e.event === 'server_restarting', 5000);
    expect(farewell.json).toEqual({ retryMs: 5000 });
    expect(stream.retry).toBe(5000);
    await stream.ended;
    // Nothing after the farewell: it is the stream's last event.
    expect(stream.events.at(-1)?.event).toBe('server_restarting');

    inFlight.end('"text":"还在吗"}');
    const reply = await answered;
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body).conversationId).toBe(chat.conversationId);
    expect(await proc.exited).toBe(0);
    // Well inside the 5 s grace period: connections that went idle during shutdown do not hold it up.
    expect(Date.now() - t0).toBeLessThan(3000);
  }, 30_000);

  it('refuses a bad configuration, naming the variable', async () => {
    const proc = start({ PORT: 'eighty', KNOWLEDGE_DIR: SHIPPED_KB, DATA_DIR: path.join(tmp(), 'data') });
    expect(await proc.exited).toBe(1);
    expect(proc.stderr()).toContain('config: PORT must be an integer from 0 to 65535');
  });

  it('refuses an AGENT_ALLOWED_ORIGINS entry that is not an origin', async () => {
    const proc = start({ AGENT_ALLOWED_ORIGINS: 'https://cs.example.com/console', PORT: '0', KNOWLEDGE_DIR: SHIPPED_KB, DATA_DIR: path.join(tmp(), 'data') });
    expect(await proc.exited).toBe(1);
    expect(proc.stderr()).toContain('config: AGENT_ALLOWED_ORIGINS must list http(s) origins without a path');
  });

  it('refuses a weak ADMIN_PASSWORD at start, naming the variable and the rule, never the password', async () => {
    const work = tmp();
    const proc = start({ PORT: '0', DATA_DIR: path.join(work, 'data'), KNOWLEDGE_DIR: SHIPPED_KB, ADMIN_USERNAME: 'boss', ADMIN_PASSWORD: 'Password123' });
    try {
      const code = await Promise.race([proc.exited, new Promise((r) => setTimeout(() => r('still running'), 15_000))]);
      expect(code).toBe(1);
      const fatal = proc.lines().find((l) => l.level === 60);
      expect(fatal?.msg).toMatch(/^cannot start: ADMIN_PASSWORD is one of the most common passwords/);
      expect(proc.stdout() + proc.stderr()).not.toContain('Password123');
    } finally {
      // Should it start after all, it must not outlive the test.
      proc.kill('SIGKILL');
    }
  });

  it('refuses a broken knowledge base at start, with file and line', async () => {
    const work = tmp();
    const kb = path.join(work, 'knowledge');
    cpSync(SHIPPED_KB, kb, { recursive: true, filter: (src) => !src.endsWith('.ts') });
    const rules = path.join(kb, 'rules.yaml');
    writeFileSync(rules, readFileSync(rules, 'utf8').replace(/^rules:/m, 'rules:\n  - [unclosed'));
    const proc = start({ PORT: '0', DATA_DIR: path.join(work, 'data'), KNOWLEDGE_DIR: kb });
    expect(await proc.exited).toBe(1);
    const fatal = proc.lines().find((l) => l.level === 60);
    expect(fatal?.msg).toMatch(/rules\.yaml:\d+:\d+/);
    expect(proc.lines().some((l) => l.event === 'kb.load_failed' && l.file === 'rules.yaml')).toBe(true);
  });
});
