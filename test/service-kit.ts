// The real service for cross-module tests: a config over a fresh data folder, createHandoffServices + createApp in process, served on 127.0.0.1, or startServer whole.
import { mkdtempSync, rmSync } from 'node:fs';
import { handoffKbPort } from '../bot/chat/handoff-group.ts';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { afterAll, beforeAll } from 'vitest';
import { createApp } from '../bot/server/app.ts';
import type { AppEnv } from '../handoff/http/app-env.ts';
import { loadConfig, type Config } from '../bot/server/config.ts';
import { createEngine, createEngineAsync } from '../bot/engine/engine.ts';
import { createHandoffServices, type HandoffServices } from '../handoff/compose.ts';
import { createKnowledgeRuntime, type KnowledgeRuntime } from '../bot/server/knowledge-runtime.ts';
import { createLogger, type Logger } from '../bot/server/logger.ts';
import { startServer, type RunningServer } from '../bot/server/start-server.ts';
import { createSqliteConversationStore } from '../handoff/conversations/sqlite-conversation-store.ts';
import { openDatabase, type Db } from '../handoff/sqlite/db.ts';
import { startDbMaintenance } from '../handoff/sqlite/db-maintenance.ts';
import type { ConversationStore } from '../handoff/conversations/conversation-store.ts';
import { loadKnowledge } from '../knowledge/index.ts';

export const KNOWLEDGE_DIR = path.resolve(import.meta.dirname, '../knowledge');
/** The admin every test service is seeded with (ADMIN_USERNAME / ADMIN_PASSWORD). */
export const ADMIN = { username: 'lead', password: 'lead-secret-pass' };

export interface TestConfig {
  config: Config;
  dataDir: string;
  /** Removes the data folder. */
  remove(): void;
}

/**
 * A config over a fresh data folder named after `prefix`: the shipped knowledge, always open, rate limits off,
 * the ADMIN account; `env` adds or overrides (`RATE_LIMITS: undefined` for the default, on).
 */
export function testConfig(prefix: string, env: Record<string, string | undefined> = {}): TestConfig {
  const dataDir = mkdtempSync(path.join(tmpdir(), prefix));
  const config = loadConfig({
    KNOWLEDGE_DIR,
    DATA_DIR: dataDir,
    RATE_LIMITS: 'off',
    BUSINESS_HOURS: 'always',
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    ...env,
  });
  return { config, dataDir, remove: () => rmSync(dataDir, { recursive: true, force: true }) };
}

export interface WiredService {
  db: Db;
  store: ConversationStore;
  runtime: KnowledgeRuntime;
  handoff: HandoffServices;
  app: Hono<AppEnv>;
  logger: Logger;
  /** Stops the handoff services (flushing what they count in memory) and closes the database. */
  stop(): Promise<void>;
}

/**
 * The service as startServer wires it (createHandoffServices + createApp), started, for app.request() or
 * serveApp(); `clock` is injected so tests move time instead of waiting; `asyncEngine` builds the index in
 * the worker pool as production does.
 */
export async function wireService(config: Config, opts: { clock?: () => Date; asyncEngine?: boolean } = {}): Promise<WiredService> {
  const logger = createLogger({ level: 'silent' });
  const db = openDatabase(config.dataDir);
  startDbMaintenance(db);
  const store = createSqliteConversationStore(db);
  const runtime = await createKnowledgeRuntime({
    dir: config.knowledgeDir,
    load: (dir) => loadKnowledge(dir),
    build: (kb) => (opts.asyncEngine ? createEngineAsync(kb, config.engine) : createEngine(kb, config.engine)),
    logger,
  });
  const handoff = createHandoffServices({ db, config, store, kb: handoffKbPort(runtime), logger, ...(opts.clock ? { clock: opts.clock } : {}) });
  await handoff.start();
  const app = createApp({ config, store, runtime, logger, handoff });
  return {
    db,
    store,
    runtime,
    handoff,
    app,
    logger,
    async stop() {
      await handoff.stop();
      db.close();
    },
  };
}

export interface Served {
  server: Server;
  port: number;
  /** `http://127.0.0.1:port`. */
  url: string;
  /** Stops listening and cuts the connections still open (live streams would hold close() forever). */
  close(): Promise<void>;
}

/** `app` on 127.0.0.1, a free port. */
export async function serveApp(app: { fetch: (req: Request) => Response | Promise<Response> }): Promise<Served> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }) as Server;
    s.once('error', reject);
    s.once('listening', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The whole service through startServer (what `npm start` runs) over a testConfig; close() also removes the data folder. */
export async function startTestServer(prefix: string, env: Record<string, string | undefined> = {}): Promise<RunningServer & { config: Config; dataDir: string }> {
  const t = testConfig(prefix, { PORT: '0', ...env });
  const server = await startServer(t.config, createLogger({ level: 'silent' }), 200);
  return {
    ...server,
    config: t.config,
    dataDir: t.dataDir,
    async close() {
      await server.close();
      t.remove();
    },
  };
}

/** How long starting the service (building the search index) may take in a beforeAll. */
const START_TIMEOUT_MS = 60_000;

/**
 * For a whole test file: wireService over a testConfig before it (read `.service` / `.config` in the file's
 * own beforeAll, which runs after this one), stopped and its folder removed after it.
 */
export function useWiredService(prefix: string, env: Record<string, string | undefined> = {}): { readonly service: WiredService; readonly config: Config } {
  const live = {} as { service: WiredService; config: Config; data: TestConfig };
  beforeAll(async () => {
    live.data = testConfig(prefix, env);
    live.config = live.data.config;
    live.service = await wireService(live.config);
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await live.service?.stop();
    live.data?.remove();
  });
  return live;
}

/**
 * For a whole test file: startTestServer before it (`started` sees it first, e.g. to keep its URL), and after it
 * `streams` closed, then the server.
 */
export function useTestServer(
  prefix: string,
  opts: { env?: Record<string, string | undefined>; streams?: { closeAll(): void }; started?: (server: RunningServer & { config: Config }) => void } = {},
): { readonly server: RunningServer & { config: Config } } {
  const live = {} as { server: RunningServer & { config: Config } };
  beforeAll(async () => {
    live.server = await startTestServer(prefix, opts.env);
    opts.started?.(live.server);
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    opts.streams?.closeAll();
    await live.server?.close();
  });
  return live;
}
