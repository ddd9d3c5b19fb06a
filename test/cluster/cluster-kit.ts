// Several nodes of the service as real child processes on one PostgreSQL database and one Redis prefix, behind a
// round-robin proxy: started, restarted, stopped (SIGTERM) and killed (SIGKILL) by PID, every process and folder
// removed at the end even when a test fails.
import { SERVER_ENTRY } from '../../bot/cli/build-server.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createTestDatabase, testRedisPrefix, testRedisUrl, type TestDatabase } from '../../handoff/testing/services.ts';
import { freePort } from '../services/local-services.ts';
import { startRoundRobinProxy, type RoundRobinProxy } from './round-robin-proxy.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const SHIPPED_KNOWLEDGE = path.join(ROOT, 'knowledge');

/**
 * What every node runs, after `process.execPath`: `npm start`'s compiled entry without npm in between, so the PID
 * is the server's own (vitest's global setup builds it when a source is newer).
 */
export const SERVER_ARGS: readonly string[] = [SERVER_ENTRY];

/** The first admin of every cluster (ADMIN_USERNAME / ADMIN_PASSWORD). */
export const ADMIN = { username: 'lead', password: 'lead-secret-pass' };

/** How long one node may take to start: migrations, the search index on two busy cores. */
const START_TIMEOUT_MS = 90_000;
/** How long SIGTERM may take before the node is killed: its shutdown grace is 5 s. */
const STOP_TIMEOUT_MS = 15_000;
/** Log lines kept per node, for the report of a failed test. */
const KEPT_LINES = 400;

export interface NodeExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A server process: its address, its log, and the ways to end it. */
export interface ServerNode {
  name: string;
  pid: number;
  port: number;
  /** `http://127.0.0.1:port`. */
  url: string;
  env: Readonly<Record<string, string>>;
  readonly running: boolean;
  /** The JSON log lines seen so far (the last KEPT_LINES). */
  logs(): Array<Record<string, any>>;
  /** The last lines of stdout and stderr, for a failure report. */
  tail(lines?: number): string;
  exited: Promise<NodeExit>;
  /** SIGTERM (the node leaves the cluster cleanly), then waits for the exit; SIGKILL after STOP_TIMEOUT_MS. */
  stop(): Promise<NodeExit>;
  /** `kill -9`: no shutdown code runs, as when a machine dies. */
  kill(): Promise<NodeExit>;
}

/** Every child started by this file, killed on the way out whatever happens (a crashed test worker included). */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/**
 * Starts one node with `env` (PORT is set here when absent: a free port, kept across restarts), waits for its
 * `server.started` line and a 200 from /healthz. Rejects with the node's output when it exits or times out.
 */
export async function startNode(env: Record<string, string>, name = 'node'): Promise<ServerNode> {
  const port = env.PORT && env.PORT !== '0' ? Number(env.PORT) : await freePort();
  const fullEnv = { ...env, PORT: String(port) };
  const child = spawn(process.execPath, [...SERVER_ARGS], {
    cwd: ROOT,
    // Only what the node is given: the test runner's own variables (VITEST, NODE_ENV...) must not leak in.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...fullEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const lines: string[] = [];
  const json: Array<Record<string, any>> = [];
  const keep = (stream: 'out' | 'err') => {
    let partial = '';
    return (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop()!;
      for (const line of parts) {
        lines.push(stream === 'err' ? `[stderr] ${line}` : line);
        if (lines.length > KEPT_LINES) lines.shift();
        if (line.startsWith('{')) {
          try {
            json.push(JSON.parse(line));
            if (json.length > KEPT_LINES) json.shift();
          } catch {
            // A line cut by the process's death: kept as text only.
          }
        }
      }
    };
  };
  child.stdout!.on('data', keep('out'));
  child.stderr!.on('data', keep('err'));
  const exited = new Promise<NodeExit>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  let running = true;
  void exited.then(() => (running = false));
  const url = `http://127.0.0.1:${port}`;
  const tail = (n = 60) => lines.slice(-n).join('\n');

  const endWith = async (signal: NodeJS.Signals, timeoutMs: number): Promise<NodeExit> => {
    if (running) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    }
    return exited;
  };

  const node: ServerNode = {
    name,
    pid: child.pid!,
    port,
    url,
    env: fullEnv,
    get running() {
      return running;
    },
    logs: () => json.slice(),
    tail,
    exited,
    stop: () => endWith('SIGTERM', STOP_TIMEOUT_MS),
    kill: () => endWith('SIGKILL', STOP_TIMEOUT_MS),
  };

  try {
    await waitForStart(node, () => running);
  } catch (err) {
    await node.kill();
    throw new Error(`node ${name} did not start: ${(err as Error).message}\n--- its output ---\n${tail(40)}`);
  }
  return node;
}

async function waitForStart(node: ServerNode, running: () => boolean): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!node.logs().some((l) => l.event === 'server.started')) {
    if (!running()) throw new Error(`it exited (${JSON.stringify(await node.exited)})`);
    if (Date.now() > deadline) throw new Error(`no server.started line within ${START_TIMEOUT_MS} ms`);
    await sleep(50);
  }
  const started = node.logs().find((l) => l.event === 'server.started')!;
  if (started.url !== node.url) throw new Error(`it listens on ${started.url}, not ${node.url}`);
  for (;;) {
    try {
      const res = await fetch(`${node.url}/healthz`);
      if (res.status === 200) return;
    } catch {
      // Not accepting yet.
    }
    if (Date.now() > deadline) throw new Error(`/healthz did not answer 200 within ${START_TIMEOUT_MS} ms`);
    await sleep(50);
  }
}

/**
 * Copies the shipped knowledge base (the YAML only, without knowledge/tests) into `dest`: each node reads its
 * own folder, as on separate machines, so only a publication can change what all of them serve.
 */
export function copyKnowledge(dest: string): string {
  cpSync(SHIPPED_KNOWLEDGE, dest, {
    recursive: true,
    filter: (src) => {
      const rel = path.relative(SHIPPED_KNOWLEDGE, src);
      if (rel === 'tests' || rel.startsWith(`tests${path.sep}`)) return false;
      return statSync(src).isDirectory() || /\.ya?ml$/.test(src);
    },
  });
  return dest;
}

export interface ClusterOptions {
  /** Node names, in the proxy's order. Default A, B, C. */
  names?: readonly string[];
  /** Added to (or overriding) every node's environment, e.g. PRESENCE_GRACE_SECONDS. */
  env?: Record<string, string>;
  /**
   * A database and a Redis of the caller's own, used as they are (outage tests stop and restart their servers,
   * which must not disturb other test files): not created here, not dropped by close(). Default: a fresh database
   * on the test PostgreSQL and a fresh key prefix on the test Redis.
   */
  services?: { databaseUrl: string; redisUrl: string };
}

export interface Cluster {
  /** The nodes by name, as running now (a restart replaces the entry). */
  readonly nodes: Readonly<Record<string, ServerNode>>;
  node(name: string): ServerNode;
  /** Round robin over the nodes, in `names` order; a node that refuses connections is skipped. */
  proxy: RoundRobinProxy;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  /** Scratch space of this cluster (removed by close()). */
  workDir: string;
  /** The environment every node shares (database, Redis, prefix, admin...), for a CLI run against the cluster. */
  sharedEnv: Readonly<Record<string, string>>;
  /** Starts node `name` again after a stop or kill: same port, data folder and knowledge copy, a new process. */
  start(name: string): Promise<ServerNode>;
  /** SIGTERM then start again. */
  restart(name: string): Promise<ServerNode>;
  /** The last log lines of every node, headed by name. */
  report(lines?: number): string;
  /** Ends every node (SIGTERM, SIGKILL if slow), the proxy, the database, the Redis keys and the folders. */
  close(): Promise<void>;
}

/** A fresh database and Redis prefix, `names` nodes started at once (as a deployment's rollout may), a proxy in front. */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const names = options.names ?? ['A', 'B', 'C'];
  const workDir = mkdtempSync(path.join(tmpdir(), 'tc-cluster-'));
  const nodes: Record<string, ServerNode> = {};
  const ports: Record<string, number> = {};
  let db: TestDatabase | undefined;
  let proxy: RoundRobinProxy | undefined;
  const redisUrl = options.services?.redisUrl ?? testRedisUrl();
  const redisPrefix = testRedisPrefix();

  const close = async () => {
    await Promise.allSettled(Object.values(nodes).map((n) => n.stop()));
    await proxy?.close();
    await db?.drop().catch(() => {});
    await deleteKeys(redisUrl, redisPrefix).catch(() => {});
    rmSync(workDir, { recursive: true, force: true });
  };

  try {
    db = options.services ? { url: options.services.databaseUrl, drop: async () => {} } : await createTestDatabase();
    for (const name of names) ports[name] = await distinctFreePort(Object.values(ports));
    const sharedEnv: Record<string, string> = {
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: redisPrefix,
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      // Results must not depend on the hour the tests run at.
      BUSINESS_HOURS: 'always',
      // The proxy (and the tests, acting as many clients) are on loopback.
      TRUSTED_PROXIES: 'loopback',
      LOG_LEVEL: 'info',
      ...options.env,
    };
    const envOf = (name: string): Record<string, string> => {
      const dir = path.join(workDir, name);
      return { ...sharedEnv, PORT: String(ports[name]), DATA_DIR: path.join(dir, 'data'), KNOWLEDGE_DIR: path.join(dir, 'knowledge') };
    };
    for (const name of names) {
      mkdirSync(path.join(workDir, name, 'data'), { recursive: true });
      copyKnowledge(path.join(workDir, name, 'knowledge'));
    }
    const startOne = async (name: string) => {
      const node = await startNode(envOf(name), name);
      nodes[name] = node;
      return node;
    };
    const firstStart = async (name: string) => {
      try {
        return await startOne(name);
      } catch (err) {
        // Another process took the free port between its choice and the node's listen: once more on another.
        if (!String((err as Error).message).includes('EADDRINUSE')) throw err;
        ports[name] = await distinctFreePort(Object.values(ports));
        return startOne(name);
      }
    };
    const results = await Promise.allSettled(names.map(firstStart));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    proxy = await startRoundRobinProxy(() => names.map((name) => ({ name, port: ports[name]! })));

    const cluster: Cluster = {
      nodes,
      node(name) {
        const node = nodes[name];
        if (!node) throw new Error(`cluster: no node ${name}`);
        return node;
      },
      proxy,
      databaseUrl: db.url,
      redisUrl,
      redisPrefix,
      workDir,
      sharedEnv,
      async start(name) {
        if (nodes[name]?.running) throw new Error(`cluster: node ${name} is still running`);
        return startOne(name);
      },
      async restart(name) {
        await cluster.node(name).stop();
        return startOne(name);
      },
      report(lines = 40) {
        return names.map((name) => `--- node ${name} (pid ${nodes[name]?.pid}, ${nodes[name]?.running ? 'running' : 'ended'}) ---\n${nodes[name]?.tail(lines) ?? ''}`).join('\n');
      },
      close,
    };
    return cluster;
  } catch (err) {
    await close();
    throw err;
  }
}

/** A free port none of `taken` (a port just released may be handed out again at once). */
async function distinctFreePort(taken: readonly number[]): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (!taken.includes(port)) return port;
  }
}

/** Removes this cluster's keys from the shared test Redis (other clusters use other prefixes). */
async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: false });
  redis.on('error', () => {});
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * One cluster for a test file: started in beforeAll, closed in afterAll; after a failed test the nodes' last
 * log lines are printed, so a failure says what the servers did.
 */
export function useCluster(options: ClusterOptions = {}): { readonly cluster: Cluster } {
  let cluster: Cluster | undefined;
  beforeAll(async () => {
    cluster = await startCluster(options);
  }, START_TIMEOUT_MS * 2);
  afterEach(({ task }) => {
    if (task.result?.state === 'fail' && cluster) console.error(`${task.name}: the nodes' last log lines\n${cluster.report()}`);
  });
  afterAll(async () => {
    await cluster?.close();
  }, 60_000);
  return {
    get cluster() {
      if (!cluster) throw new Error('cluster: not started (see the beforeAll error above)');
      return cluster;
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
