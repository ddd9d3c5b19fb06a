// The live bench's child processes: the probed service, the bare relay, the client process; their
// memory and CPU as the kernel and their probes report them, and stopping them whatever happened.
import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { freePort, processCpuMs, processRssKiB } from '../server-process.ts';
import type { ClientReply, ClientRequest, ProbeLoop, ProbeMemory, ProbeReply, ProbeRequest } from './live-protocol.ts';

const HERE = import.meta.dirname;
/** Lines of a child's stderr/stdout kept for the error message when it fails. */
const TAIL_LINES = 30;

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** The last lines the child wrote (stdout and stderr). */
  tail(): string;
  /** Ends the child (SIGTERM, then SIGKILL after `graceMs`); resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

function spawnTs(file: string, options: { cwd: string; env?: NodeJS.ProcessEnv; exposeGc?: boolean; extraArgs?: string[]; logFile?: string }): Child {
  const proc = fork(path.join(HERE, file), [], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    execArgv: ['--import', 'tsx', ...(options.exposeGc ? ['--expose-gc'] : []), ...(options.extraArgs ?? [])],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(line.slice(0, 400));
    if (lines.length > TAIL_LINES) lines.splice(0, lines.length - TAIL_LINES);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  if (options.logFile) {
    const log = createWriteStream(options.logFile, { flags: 'a' });
    proc.stdout?.pipe(log);
    proc.stderr?.pipe(log);
  }
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  if (proc.pid === undefined) throw new Error(`live bench: could not start ${file}`);
  return {
    proc,
    pid: proc.pid,
    tail: () => lines.join('\n'),
    async stop(graceMs = 5000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Rejects when the child exits first. */
function untilExit(child: Child, what: string): Promise<never> {
  return new Promise((_, reject) =>
    child.proc.once('exit', (code, signal) => reject(new Error(`live bench: ${what} exited (${signal ?? code}) before it was ready:\n${child.tail()}`))),
  );
}

export interface ProbedServer extends Child {
  base: string;
  /** Heap and RSS from inside, after forced collections. */
  memory(): Promise<ProbeMemory>;
  /** Starts watching the event loop and the garbage collector. */
  loopStart(): Promise<void>;
  /** What they did since loopStart. */
  loopRead(): Promise<ProbeLoop>;
}

function withProbe(child: Child, base: string): ProbedServer {
  let seq = 0;
  const ask = <T extends ProbeReply['type']>(type: ProbeRequest['type'] & T): Promise<Extract<ProbeReply, { type: T }>> => {
    const mine = ++seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`live bench: no ${type} answer from the probe within 10 s`)), 10_000);
      const onMessage = (raw: unknown) => {
        const reply = raw as ProbeReply;
        if (reply.type !== type || !('seq' in reply) || reply.seq !== mine) return;
        clearTimeout(timer);
        child.proc.off('message', onMessage);
        resolve(reply as Extract<ProbeReply, { type: T }>);
      };
      child.proc.on('message', onMessage);
      child.proc.send({ type, seq: mine } satisfies ProbeRequest);
    });
  };
  return {
    ...child,
    base,
    memory: async () => (await ask('memory')).memory,
    loopStart: async () => {
      await ask('loop-start');
    },
    loopRead: async () => (await ask('loop-read')).loop,
  };
}

/** `tsx bot/server/main.ts` as `npm start` runs it (through probed-server.ts), configured by `env`; resolves once /healthz answers. */
export async function startService(root: string, env: Record<string, string>, timeoutMs = 60_000): Promise<ProbedServer> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // Looking into the server under load: LIVE_BENCH_SERVER_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' (written
  // when it stops) or '--trace-gc', and LIVE_BENCH_SERVER_LOG=<file> to keep everything it prints.
  const extraArgs = process.env.LIVE_BENCH_SERVER_ARGS?.split(' ').filter(Boolean) ?? [];
  const logFile = process.env.LIVE_BENCH_SERVER_LOG;
  const child = spawnTs('probed-server.ts', {
    cwd: root,
    env: { ...process.env, ...env, HOST: '127.0.0.1', PORT: String(port) },
    exposeGc: true,
    extraArgs,
    ...(logFile ? { logFile } : {}),
  });
  const ready = (async () => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      try {
        const res = await fetch(`${base}/healthz`);
        if (res.ok) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > until) throw new Error(`live bench: the service did not answer /healthz within ${timeoutMs} ms:\n${child.tail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    await Promise.race([ready, untilExit(child, 'the service')]);
  } catch (err) {
    await child.stop();
    throw err;
  }
  return withProbe(child, base);
}

/** The bare node:http SSE relay (bare-relay.ts) on a port of its own choosing. */
export async function startBareRelay(root: string): Promise<ProbedServer> {
  const child = spawnTs('bare-relay.ts', { cwd: root, exposeGc: true });
  try {
    const port = await Promise.race([
      new Promise<number>((resolve) => {
        const onMessage = (raw: unknown) => {
          const reply = raw as ProbeReply;
          if (reply.type !== 'listening') return;
          child.proc.off('message', onMessage);
          resolve(reply.port);
        };
        child.proc.on('message', onMessage);
      }),
      untilExit(child, 'the bare relay'),
    ]);
    return withProbe(child, `http://127.0.0.1:${port}`);
  } catch (err) {
    await child.stop();
    throw err;
  }
}

export interface ClientProcess extends Child {
  call<T = unknown>(command: ClientRequest, timeoutMs?: number): Promise<T>;
}

export function startClients(root: string): ClientProcess {
  const child = spawnTs('live-clients.ts', { cwd: root });
  let seq = 0;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  child.proc.on('message', (raw: unknown) => {
    const reply = raw as ClientReply;
    const w = waiting.get(reply.seq);
    if (!w) return;
    waiting.delete(reply.seq);
    if (reply.ok) w.resolve(reply.result);
    else w.reject(new Error(reply.error));
  });
  child.proc.once('exit', (code, signal) => {
    for (const w of waiting.values()) w.reject(new Error(`live bench: the client process exited (${signal ?? code}):\n${child.tail()}`));
    waiting.clear();
  });
  return {
    ...child,
    call<T>(command: ClientRequest, timeoutMs = 300_000) {
      const mine = ++seq;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(mine);
          reject(new Error(`live bench: client command ${command.cmd} took over ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(mine, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        child.proc.send({ ...command, seq: mine });
      });
    },
  };
}

/** VmRSS of a process in bytes; undefined off Linux. */
export async function vmRss(pid: number): Promise<number | undefined> {
  const kib = await processRssKiB(pid);
  return kib === undefined ? undefined : kib * 1024;
}

/** CPU seconds (user + system) a process has used; undefined off Linux. */
export async function cpuSeconds(pid: number): Promise<number | undefined> {
  const ms = await processCpuMs(pid);
  return ms === undefined ? undefined : ms / 1000;
}
