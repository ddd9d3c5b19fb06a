// `npm start`'s entry as a real process: it serves, logs its URL, stops cleanly on SIGTERM, and
// refuses to start on a bad configuration or a broken knowledge base, saying where.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

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
  const child = spawn(process.execPath, ['--import', 'tsx', 'bot/server.ts'], {
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

describe('bot/server.ts', () => {
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

  it('refuses a bad configuration, naming the variable', async () => {
    const proc = start({ PORT: 'eighty', KNOWLEDGE_DIR: SHIPPED_KB, DATA_DIR: path.join(tmp(), 'data') });
    expect(await proc.exited).toBe(1);
    expect(proc.stderr()).toContain('config: PORT must be an integer from 0 to 65535');
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
