// Throwaway PostgreSQL and Redis servers for the tests of the multi-node mode: Debian's binaries, started on
// free loopback ports with their data in a temporary folder, stopped by PID. PostgreSQL's initdb refuses root,
// so as root the server runs as the `postgres` user, in a folder that user owns.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
export const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
const REDIS_CLI = path.join(path.dirname(REDIS_SERVER), 'redis-cli');

export interface LocalService {
  url: string;
  /** The server process now (a new one after restart()). */
  pid: number;
  /** The folder of its data, removed by stop() (a caller that outlives this process removes it itself). */
  dir?: string;
  stop(): Promise<void>;
  /**
   * Outage tests: ends the server process but keeps its data (PostgreSQL: a fast shutdown; Redis: SHUTDOWN, which
   * saves first unless `keepData` is false, as a Redis without persistence loses everything). restart() brings it
   * back on the same port with the same data folder; stop() still cleans up either way.
   */
  halt(options?: { keepData?: boolean }): Promise<void>;
  restart(): Promise<void>;
  /**
   * Outage tests: SIGSTOP to the server's processes (PostgreSQL's postmaster and every backend): sockets stay open and
   * connections are still accepted by the kernel, but nothing replies, as with a frozen machine or a silent network.
   * thaw() sends SIGCONT.
   */
  freeze(): void;
  thaw(): void;
}

/** The process and its children (PostgreSQL's backends), for SIGSTOP and SIGCONT. */
function processTree(pid: number): number[] {
  const children = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).map(Number);
  return [pid, ...children];
}

function signalTree(child: ChildProcess, signal: 'SIGSTOP' | 'SIGCONT'): void {
  // The parent first on the way down (no new backend is forked meanwhile), last on the way up.
  const pids = processTree(child.pid!);
  for (const pid of signal === 'SIGSTOP' ? pids : pids.reverse()) {
    try {
      process.kill(pid, signal);
    } catch {
      // Ended meanwhile.
    }
  }
}

export function postgresAvailable(): boolean {
  return existsSync(path.join(PG_BIN, 'initdb')) && existsSync(path.join(PG_BIN, 'postgres'));
}

export function redisAvailable(): boolean {
  return existsSync(REDIS_SERVER);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, 10_000);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill(signal);
  });
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function postgresUid(): { uid: number; gid: number } | undefined {
  if (!asRoot) return undefined;
  const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (id.status !== 0) throw new Error('running as root needs a `postgres` user (Debian\'s postgresql package creates it)');
  return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** A fresh cluster on a free port; its superuser is `postgres`, trusted on loopback. */
export async function startPostgres(): Promise<LocalService> {
  const owner = postgresUid();
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-pg-'));
  const data = path.join(dir, 'data');
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chmodSync(dir, 0o700);
  }
  const as = owner ? { uid: owner.uid, gid: owner.gid } : {};
  const init = spawnSync(path.join(PG_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'], { ...as, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const launch = async (): Promise<ChildProcess> => {
    const child = spawn(path.join(PG_BIN, 'postgres'), [
      '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1',
      // A throwaway server: durability buys nothing, speed does.
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
      '-c', 'max_connections=400', '-c', 'shared_buffers=64MB',
    ], { ...as, stdio: 'ignore' });
    child.unref();
    await waitForPort(port, child, 'postgres');
    // Accepting TCP comes a moment before accepting queries.
    for (let i = 0; i < 100; i++) {
      const ready = spawnSync(path.join(PG_BIN, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], { encoding: 'utf8' });
      if (ready.status === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return child;
  };
  let child = await launch();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    get pid() {
      return child.pid!;
    },
    dir,
    async stop() {
      await stopChild(child, 'SIGINT');
      rmSync(dir, { recursive: true, force: true });
    },
    // SIGINT is PostgreSQL's fast shutdown: open sessions are ended, as a restart or failover ends them.
    halt: () => stopChild(child, 'SIGINT'),
    freeze: () => signalTree(child, 'SIGSTOP'),
    thaw: () => signalTree(child, 'SIGCONT'),
    async restart() {
      if (child.exitCode === null && child.signalCode === null) throw new Error('postgres: restart() after halt()');
      child = await launch();
    },
  };
}

export async function startRedis(): Promise<LocalService> {
  const port = await freePort();
  // Where a SHUTDOWN SAVE writes dump.rdb and a restart reads it back; nothing is saved otherwise.
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-redis-'));
  const launch = async (): Promise<ChildProcess> => {
    const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--dir', dir], { stdio: 'ignore' });
    child.unref();
    await waitForPort(port, child, 'redis-server');
    return child;
  };
  let child = await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child.pid!;
    },
    dir,
    async stop() {
      await stopChild(child, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    freeze: () => signalTree(child, 'SIGSTOP'),
    thaw: () => signalTree(child, 'SIGCONT'),
    async halt({ keepData = true } = {}) {
      if (!keepData) rmSync(path.join(dir, 'dump.rdb'), { force: true });
      const exited = new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once('exit', () => resolve());
      });
      // SHUTDOWN SAVE as a Redis with persistence shuts down; NOSAVE as one without (everything is lost).
      const cli = spawnSync(REDIS_CLI, ['-p', String(port), 'SHUTDOWN', keepData ? 'SAVE' : 'NOSAVE'], { encoding: 'utf8' });
      if (cli.error) await stopChild(child, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null && child.signalCode === null) await stopChild(child, 'SIGKILL');
    },
    async restart() {
      if (child.exitCode === null && child.signalCode === null) throw new Error('redis: restart() after halt()');
      child = await launch();
    },
  };
}
