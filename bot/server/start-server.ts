// Starts the whole service in this process (store, knowledge base, watcher, HTTP) and stops it cleanly.
import type { Server } from 'node:http';
import { handoffKbPort } from '../chat/handoff-group.ts';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { openHandoffBackend, type ConversationStore, createHandoffServices, createKbPublications } from '../../handoff/index.ts';
import { loadKnowledge, watchKnowledge, type FileCache } from '../../knowledge/index.ts';
import { createApp } from './app.ts';
import type { Config } from './config.ts';
import { createEngineAsync } from '../engine/engine.ts';
import { createKnowledgeRuntime, type KnowledgeRuntime } from './knowledge-runtime.ts';
import { newestPublicationDir, startKbPublicationSync } from './kb-publication-sync.ts';
import { LogEvent, type Logger } from './logger.ts';

export interface RunningServer {
  /** `http://host:port`, with the port actually bound (PORT=0 picks one). */
  url: string;
  port: number;
  store: ConversationStore;
  runtime: KnowledgeRuntime;
  /** Stops accepting, lets requests in flight finish (up to `graceMs`), then closes the watcher and the database. */
  close(): Promise<void>;
}

/** How long in-flight requests get to finish on shutdown before their connections are cut. Range 0-30000 ms; default 5000. */
const DEFAULT_GRACE_MS = 5000;

/** How often idle keep-alive connections are closed while shutting down. */
const IDLE_SWEEP_MS = 50;

/** A broken knowledge base at start rejects with KnowledgeError (file:line:col); nothing is left open. */
export async function startServer(config: Config, logger: Logger, graceMs = DEFAULT_GRACE_MS): Promise<RunningServer> {
  // SQLite under DATA_DIR by default; PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set (several nodes).
  const backend = await openHandoffBackend({ ...config, presenceGraceSeconds: config.agents.presenceGraceSeconds }, logger);
  const closers: Array<() => Promise<void> | void> = [() => backend.close()];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close();
  };
  try {
    const store = backend.storage.conversations;
    // Unchanged files are not parsed again on a reload (see LoadOptions.cache).
    const parsed: FileCache = new Map();
    // Several nodes: the newest knowledge base published with `kb publish`, if any, rather than KNOWLEDGE_DIR.
    const publications = backend.postgres ? createKbPublications(backend.postgres, backend.redis) : undefined;
    const publishedDir = publications ? await newestPublicationDir(publications, config.dataDir) : undefined;
    const runtime = await createKnowledgeRuntime({
      dir: publishedDir ?? config.knowledgeDir,
      load: (dir) => loadKnowledge(dir, { cache: parsed }),
      build: (kb) => createEngineAsync(kb, config.engine),
      logger,
    });
    const watcher = watchKnowledge(config.knowledgeDir, {
      debounceMs: config.reloadDebounceMs,
      onChange: (files) => {
        logger.debug({ event: LogEvent.kbChanged, files }, 'knowledge files changed');
        // While a publication exists the node serves the newest one (kb-publication-sync.ts), never its own folder.
        if (runtime.dir !== config.knowledgeDir) {
          logger.info({ event: LogEvent.kbChangeIgnored, files, serving: runtime.dir }, 'knowledge files changed but not served: this node serves the published knowledge base (npm run kb -- publish)');
          return;
        }
        // reload() never rejects: failures are kept in runtime.error and logged as kb.reload_failed.
        void runtime.reload(files);
      },
      onError: (err) => logger.warn({ event: LogEvent.kbWatchError, err }, 'knowledge watcher error'),
    });
    closers.push(() => watcher.close());
    await watcher.ready;
    if (publications) {
      const sync = await startKbPublicationSync({ publications, runtime, dataDir: config.dataDir, logger });
      closers.push(() => sync.stop());
    }

    const handoff = createHandoffServices({ storage: backend.storage, coordination: backend.coordination, config, store, kb: handoffKbPort(runtime), logger });
    await handoff.start();
    closers.push(() => handoff.stop());
    const app = createApp({ config, store, runtime, logger, handoff });
    const server = await listen(app.fetch, config);
    closers.push(() => stopServer(server, graceMs));
    // Runs first on close: live streams end at once (clients reconnect and resume) instead of
    // holding the server's close for the whole grace period.
    closers.push(() => handoff.connections.closeAll());
    const { port } = server.address() as AddressInfo;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    return { url: `http://${host}:${port}`, port, store, runtime, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/**
 * Node's requestTimeout covers receiving a request (headers and body), never the response, so a live stream
 * outlives it; a client that sends its body slowly or stalls is answered 408 and cut. Node looks for such
 * requests every connectionsCheckingInterval (default 30 s, as long as the timeout itself): a few times per
 * timeout instead, at most once a second. headersTimeout follows: min(60 s, requestTimeout).
 */
export function requestTimeouts(requestTimeoutSeconds: number): { requestTimeout: number; connectionsCheckingInterval: number } {
  const requestTimeout = requestTimeoutSeconds * 1000;
  return { requestTimeout, connectionsCheckingInterval: Math.min(1000, Math.max(100, Math.round(requestTimeout / 4))) };
}

function listen(fetch: Parameters<typeof serve>[0]['fetch'], config: Config): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port: config.port, hostname: config.host, serverOptions: requestTimeouts(config.requestTimeoutSeconds) }) as Server;
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function stopServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    force.unref();
    // Keep-alive connections with no request in flight would otherwise hold the server open; one whose
    // request finishes during the grace period (a request in flight, a live stream just ended) becomes
    // idle later, so look again until the server has closed.
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    sweep.unref();
    server.close(() => {
      clearTimeout(force);
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}
