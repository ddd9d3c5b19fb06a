// Composition root: wires configuration, store, knowledge runtime and logger into one Hono app. No globals.
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { ConversationStore } from '../handoff/index.ts';
import type { AppEnv } from './app-env.ts';
import { chatRoutes, type ChatRoutesDeps } from './chat-routes.ts';
import type { Config } from './config.ts';
import { createErrorHandler, notFoundHandler } from './error-handler.ts';
import { healthRoutes } from './health-routes.ts';
import type { KnowledgeRuntime } from './knowledge-runtime.ts';
import type { Logger } from './logger.ts';
import { requestLog } from './request-log.ts';

export interface AppDeps {
  config: Config;
  store: ConversationStore;
  runtime: KnowledgeRuntime;
  logger: Logger;
  /** Rate-limit overrides for tests; production uses the defaults of rate-limit.ts. */
  rateLimits?: ChatRoutesDeps['rateLimits'];
}

export function createApp({ config, store, runtime, logger, rateLimits }: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.use(requestLog(logger));
  app.use(secureHeaders());
  app.route('/', healthRoutes(runtime));
  app.route('/', chatRoutes({ config, store, runtime, ...(rateLimits ? { rateLimits } : {}) }));
  app.onError(createErrorHandler(logger));
  app.notFound(notFoundHandler);
  return app;
}
