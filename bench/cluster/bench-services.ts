// The PostgreSQL and Redis the cluster bench runs on: TEST_DATABASE_URL / TEST_REDIS_URL when set (.ci/run),
// else throwaway servers (test/services/local-services.ts), else none, with the reason; plus a fresh database
// and key prefix per setup, and the CPU time each server has used, read from /proc and Redis's INFO.
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { postgresAvailable, redisAvailable, startPostgres, startRedis, type LocalService } from '../../test/services/local-services.ts';

export interface BenchServices {
  /** A superuser URL that may CREATE DATABASE. */
  postgresUrl: string;
  redisUrl: string;
  /** Where they came from, for the report. */
  source: string;
  /** Stops the servers this file started (none when they came from the environment). */
  stop(): Promise<void>;
}

/** The services, or why there are none (the section is then skipped, not failed). */
export async function benchServices(): Promise<BenchServices | { missing: string }> {
  const started: LocalService[] = [];
  const stop = async () => {
    await Promise.all(started.map((s) => s.stop()));
  };
  let postgresUrl = process.env.TEST_DATABASE_URL ?? '';
  let redisUrl = process.env.TEST_REDIS_URL ?? '';
  const missing: string[] = [];
  if (!postgresUrl && !postgresAvailable()) missing.push('PostgreSQL 15 (TEST_DATABASE_URL, or Debian\'s postgresql package)');
  if (!redisUrl && !redisAvailable()) missing.push('Redis (TEST_REDIS_URL, or Debian\'s redis-server package)');
  if (missing.length) return { missing: missing.join('; ') };
  const fromEnv = [postgresUrl ? 'TEST_DATABASE_URL' : '', redisUrl ? 'TEST_REDIS_URL' : ''].filter(Boolean);
  try {
    if (!postgresUrl) {
      const s = await startPostgres();
      started.push(s);
      postgresUrl = s.url;
    }
    if (!redisUrl) {
      const s = await startRedis();
      started.push(s);
      redisUrl = s.url;
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const source =
    fromEnv.length === 2 ? 'TEST_DATABASE_URL and TEST_REDIS_URL' : fromEnv.length === 1 ? `${fromEnv[0]} and a throwaway server started for the bench` : 'throwaway PostgreSQL and Redis started for the bench (fsync off)';
  return { postgresUrl, redisUrl, source, stop };
}

export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A new, empty database; the first node to start migrates it. */
export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `bench_${randomBytes(6).toString('hex')}`;
  try {
    await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  } catch (err) {
    // The URL is not echoed: it may hold a password.
    throw new Error(`bench cluster: CREATE DATABASE on the bench's PostgreSQL failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => {}) };
}

async function adminQuery(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A key prefix nothing else uses, for the nodes of one setup. */
export const benchRedisPrefix = () => `bench${randomBytes(5).toString('hex')}:`;

/** Deletes every key under `prefix` (a shared Redis keeps nothing of the bench). */
export async function dropRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ): 100 on every Linux build that matters. */
const USER_HZ = 100;

interface ProcStat {
  ppid: number;
  /** utime + stime, ticks. */
  own: number;
  /** cutime + cstime: children that have exited and were reaped, ticks. */
  children: number;
}

async function procStat(pid: number | string): Promise<ProcStat | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 on: ppid is 4, utime 14 ... cstime 17.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]) };
  } catch {
    return undefined;
  }
}

/**
 * The postmaster's PID, when PostgreSQL runs on this machine where /proc shows it: the parent of the backend
 * serving a connection of ours. Undefined otherwise (another host, a container, no /proc).
 */
export async function postgresServerPid(adminUrl: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: adminUrl });
  try {
    await client.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    // Read while the connection (so the backend) is alive; a /proc that is not the server's has no such
    // process, or one whose parent is not a postgres process.
    const backend = await procStat(Number(rows[0]!.pid));
    if (!backend) return undefined;
    const comm = await readFile(`/proc/${backend.ppid}/comm`, 'utf8').catch(() => '');
    return comm.trim().startsWith('postgres') ? backend.ppid : undefined;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * CPU time (user + system, ms) of the whole PostgreSQL server: the postmaster, every live child (backends,
 * checkpointer, WAL writer, autovacuum) and the children that already exited. Every database on that server counts.
 */
export async function postgresCpuMs(postmasterPid: number): Promise<number | undefined> {
  const main = await procStat(postmasterPid);
  if (!main) return undefined;
  let ticks = main.own + main.children;
  const pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d));
  const stats = await Promise.all(pids.map((p) => procStat(p)));
  for (const s of stats) if (s && s.ppid === postmasterPid) ticks += s.own;
  return (ticks * 1000) / USER_HZ;
}

/** Redis's own account of its CPU time (INFO cpu: used_cpu_user + used_cpu_sys, every thread), ms. */
export function redisCpuReader(redisUrl: string): { read(): Promise<number | undefined>; close(): void } {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let connected: Promise<void> | undefined;
  return {
    async read() {
      try {
        connected ??= redis.connect();
        await connected;
        const info = await redis.info('cpu');
        const user = /used_cpu_user:([\d.]+)/.exec(info);
        const sys = /used_cpu_sys:([\d.]+)/.exec(info);
        return user && sys ? (Number(user[1]) + Number(sys[1])) * 1000 : undefined;
      } catch {
        return undefined;
      }
    },
    close: () => redis.disconnect(),
  };
}
