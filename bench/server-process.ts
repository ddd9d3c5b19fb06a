// The real service as a child process (`node dist/server/bot/server/main.js`, built first when stale), as `npm start`
// runs it, for benchmarks
// that must not share an event loop with the load they put on it. Its pino lines are parsed as they arrive.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { buildServerIfStale, SERVER_ENTRY } from '../bot/cli/build-server.ts';

export interface ServerProcessOptions {
  /** Repository root: the compiled server is run from here. */
  root: string;
  /** Environment on top of this process's (PORT, HOST and LOG_LEVEL have defaults here). */
  env: Record<string, string>;
  /** How long start-up (knowledge base load and build included) may take. Default 120000 ms. */
  startTimeoutMs?: number;
  /** Called with every JSON log line the server prints on stdout, with the time it was read (performance.now()). */
  onLog?: (line: LogLine, readAt: number) => void;
  /** When set, the server runs under `node --cpu-prof` and writes its profile here on exit. */
  cpuProfDir?: string;
}

/** One pino line: `time` (epoch ms), `level`, `msg`, `event` and whatever the call site added. */
export type LogLine = Record<string, unknown> & { time?: number; level?: number; msg?: string; event?: string };

export interface ServerProcess {
  url: string;
  port: number;
  pid: number;
  child: ChildProcess;
  /** The server's resident set (VmRSS), in KiB; undefined where /proc is not available. */
  rssKiB(): Promise<number | undefined>;
  /** CPU time the server has used so far (user + system), ms; undefined where /proc is not available. */
  cpuMs(): Promise<number | undefined>;
  /** Whatever the server wrote to stderr and non-JSON stdout (the last 50 lines), for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the process has exited. */
  stop(): Promise<void>;
}

/** A port nobody listens on right now (the server binds it a moment later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const { root, startTimeoutMs = 120_000, onLog } = options;
  const port = Number(options.env.PORT ?? (await freePort()));
  const env = { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...options.env, PORT: String(port) };
  // One process (no tsx CLI wrapper in between): the pid we signal is the server's.
  const profile = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [];
  await buildServerIfStale();
  const child = spawn(process.execPath, [...profile, SERVER_ENTRY], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const keep = (line: string) => {
    tail.push(line);
    if (tail.length > 50) tail.shift();
  };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const readAt = performance.now();
    if (!line.startsWith('{')) return keep(line);
    let parsed: LogLine;
    try {
      parsed = JSON.parse(line) as LogLine;
    } catch {
      return keep(line);
    }
    if (typeof parsed.level === 'number' && parsed.level >= 40) keep(line);
    onLog?.(parsed, readAt);
  });
  createInterface({ input: child.stderr! }).on('line', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));

  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (gone) return;
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(force);
  };
  const deadline = performance.now() + startTimeoutMs;
  for (;;) {
    if (gone) throw new Error(`bench: the server exited during start-up:\n${tail.join('\n')}`);
    if (performance.now() > deadline) {
      await stop();
      throw new Error(`bench: the server did not answer /healthz within ${startTimeoutMs} ms:\n${tail.join('\n')}`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) {
        await res.arrayBuffer();
        break;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = child.pid ?? -1;
  return { url, port, pid, child, output: () => tail.join('\n'), rssKiB: () => processRssKiB(pid), cpuMs: () => processCpuMs(pid), stop };
}

/** A process's resident set (VmRSS, /proc/<pid>/status) in KiB; undefined where /proc is not available. */
export async function processRssKiB(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ): 100 on every Linux build that matters. */
const USER_HZ = 100;

/** CPU time (user + system, all threads) a process has used, ms, from /proc/<pid>/stat; undefined off Linux. */
export async function processCpuMs(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 on: utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  } catch {
    return undefined;
  }
}
