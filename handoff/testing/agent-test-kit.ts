// Test fixture for the agent-side modules: a real SQLite file in a temp dir, a clock the test moves,
// a hub that records events, and a Hono app mounting the sign-in, admin and canned-reply routes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { createErrorHandler, notFoundHandler } from '../http/error-handler.ts';
import { silentLog } from './silent-log.ts';
import { adminAgentRoutes } from '../agents/admin-agent-routes.ts';
import { createAgentAccounts, type AgentAccounts } from '../agents/agent-accounts.ts';
import { agentAuthRoutes } from '../auth/agent-auth-routes.ts';
import type { AgentEnv, RequireAgent } from '../agents/agent-env.ts';
import type { AgentLog } from '../agents/agent-log.ts';
import type { AgentStore } from '../agents/agent-store.ts';
import { cannedReplyRoutes } from '../content/canned-reply-routes.ts';
import type { CannedReplyStore } from '../content/canned-reply-store.ts';
import type { Clock } from '../platform/clock.ts';
import { openDatabase, type Db } from '../sqlite/db.ts';
import { createLoginLimiter, type LoginLimiter, type LoginLimiterOptions } from '../auth/login-limiter.ts';
import { createPasswordHasher, type PasswordHasher, type PasswordOptions } from '../auth/password.ts';
import { createRequireAgent } from '../auth/require-agent.ts';
import type { SecureCookies } from '../auth/session-cookie.ts';
import type { SessionStore, SessionStoreOptions } from '../auth/session-store.ts';
import { createSqliteAgentStore } from '../agents/sqlite-agent-store.ts';
import { createSqliteCannedReplyStore } from '../content/sqlite-canned-reply-store.ts';
import { createSqliteSessionStore } from '../auth/sqlite-session-store.ts';
import { recordingHub, type RecordingHub } from './routing-test-kit.ts';

/** Cheap argon2id parameters: the tests check behaviour, not hashing strength. */
export const FAST_PASSWORDS: Partial<PasswordOptions> = { memoryCostKiB: 1024, timeCost: 1 };

export const T0 = new Date('2025-03-03T01:00:00.000Z');

export interface TestClock {
  clock: Clock;
  advance(ms: number): void;
}

export function testClock(start: Date = T0): TestClock {
  let now = start.getTime();
  return { clock: () => new Date(now), advance: (ms) => void (now += ms) };
}

// One recording hub for every test kit: it lives in routing-test-kit.ts.
export { recordingHub, type RecordingHub };

export interface RecordingLog extends AgentLog {
  lines: Array<Record<string, unknown>>;
}

export function recordingLog(): RecordingLog {
  const lines: Array<Record<string, unknown>> = [];
  const push = (level: string) => (obj: object, msg?: string) => void lines.push({ level, ...obj, msg });
  return { lines, info: push('info'), warn: push('warn'), error: push('error') };
}

export interface Kit {
  dir: string;
  db: Db;
  clock: TestClock;
  hub: RecordingHub;
  log: RecordingLog;
  agents: AgentStore;
  sessions: SessionStore;
  passwords: PasswordHasher;
  accounts: AgentAccounts;
  replies: CannedReplyStore;
  requireAgent: RequireAgent;
  app: Hono<AgentEnv>;
  close(): void;
}

export interface KitOptions {
  sessions?: Partial<Omit<SessionStoreOptions, 'clock'>>;
  limiter?: Partial<Omit<LoginLimiterOptions, 'clock'>>;
  /** The sign-in limiter itself (a Redis one, shared with another kit acting as another node); `limiter` is then unused. */
  loginLimiter?: LoginLimiter;
  allowedOrigins?: string[];
  secureCookies?: SecureCookies;
  knownGroups?: string[];
  passwords?: PasswordHasher;
}

export function createKit(options: KitOptions = {}): Kit {
  const dir = mkdtempSync(path.join(tmpdir(), 'agent-kit-'));
  const db = openDatabase(dir);
  const clock = testClock();
  const hub = recordingHub();
  const log = recordingLog();
  const agents = createSqliteAgentStore(db, { clock: clock.clock });
  const sessions = createSqliteSessionStore(db, { ...options.sessions, clock: clock.clock });
  const passwords = options.passwords ?? createPasswordHasher(FAST_PASSWORDS);
  const knownGroups = options.knownGroups;
  const accounts = createAgentAccounts({
    agents,
    sessions,
    passwords,
    hub,
    log,
    ...(knownGroups ? { knownGroups: async () => knownGroups } : {}),
  });
  const replies = createSqliteCannedReplyStore(db, { clock: clock.clock });
  const allowedOrigins = options.allowedOrigins ?? [];
  const secureCookies = options.secureCookies ?? 'auto';
  const requireAgent = createRequireAgent({ agents, sessions, hub, allowedOrigins, secureCookies, log });
  const limiter = options.loginLimiter ?? createLoginLimiter({ ...options.limiter, clock: clock.clock });

  const app = new Hono<AgentEnv>();
  app.route(
    '/',
    agentAuthRoutes({
      accounts,
      sessions,
      passwords,
      limiter,
      requireAgent,
      // Tests say which address a request comes from.
      clientAddress: (c) => c.req.header('x-test-ip') ?? '192.0.2.1',
      hub,
      allowedOrigins,
      secureCookies,
      log,
    }),
  );
  app.route('/', adminAgentRoutes({ accounts, requireAgent }));
  app.route('/', cannedReplyRoutes({ replies, requireAgent }));
  app.onError(createErrorHandler(silentLog));
  app.notFound(notFoundHandler);

  return {
    dir,
    db,
    clock,
    hub,
    log,
    agents,
    sessions,
    passwords,
    accounts,
    replies,
    requireAgent,
    app,
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Call {
  body?: unknown;
  /** The agent_session cookie value to send. */
  cookie?: string;
  origin?: string;
  ip?: string;
  headers?: Record<string, string>;
  /** Full URL base; default http://localhost. */
  base?: string;
}

export async function call(kit: Kit, method: string, path: string, opts: Call = {}): Promise<Response> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] ??= 'application/json';
  if (opts.cookie !== undefined) headers.cookie = `agent_session=${opts.cookie}`;
  if (opts.origin !== undefined) headers.origin = opts.origin;
  if (opts.ip !== undefined) headers['x-test-ip'] = opts.ip;
  const init: RequestInit = { method, headers };
  if (opts.body !== undefined) init.body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  return kit.app.request(`${opts.base ?? 'http://localhost'}${path}`, init);
}

/** The agent_session value a response sets ('' when it clears it), or undefined when it does not touch it. */
export function sessionCookieOf(res: Response): { value: string; attributes: string } | undefined {
  for (const line of res.headers.getSetCookie()) {
    const match = /^agent_session=([^;]*)(.*)$/.exec(line);
    if (match) return { value: match[1]!, attributes: match[2]! };
  }
  return undefined;
}

export const PASSWORD = 'correct horse battery';

/** Adds an agent (or admin) with PASSWORD through the accounts service. */
export async function addAgent(
  kit: Kit,
  username: string,
  extra: Partial<{ role: 'agent' | 'admin'; groups: string[]; capacity: number; password: string; displayName: string }> = {},
) {
  return kit.accounts.add({
    username,
    displayName: extra.displayName ?? username,
    role: extra.role ?? 'agent',
    groups: extra.groups ?? ['mobile'],
    capacity: extra.capacity ?? 3,
    password: extra.password ?? PASSWORD,
  });
}

/** Signs in and returns the session cookie value; throws when the login does not succeed. */
export async function login(kit: Kit, username: string, password = PASSWORD, opts: Call = {}): Promise<string> {
  const res = await call(kit, 'POST', '/api/agent/login', { ...opts, body: { username, password } });
  if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status} ${await res.text()}`);
  const cookie = sessionCookieOf(res);
  if (!cookie?.value) throw new Error('login set no cookie');
  return cookie.value;
}
