// Composition root: wires configuration, store, knowledge runtime and logger into one Hono app. No globals.
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { type ConversationStore, type AppEnv, resolveClientAddress, createErrorHandler, notFoundHandler, type HandoffServices } from '../../handoff/index.ts';
import { chatRoutes, type ChatRoutesDeps } from '../chat/chat-routes.ts';
import type { Config } from './config.ts';
import { healthRoutes } from './health-routes.ts';
import type { KnowledgeRuntime } from './knowledge-runtime.ts';
import type { Logger } from './logger.ts';
import { requestLog } from './request-log.ts';
import { staticRoutes } from './static-routes.ts';
import { widgetCors } from './widget-cors.ts';

export interface AppDeps {
  config: Config;
  store: ConversationStore;
  runtime: KnowledgeRuntime;
  logger: Logger;
  /** Rate-limit overrides for tests; production uses the defaults of rate-limit.ts. */
  rateLimits?: ChatRoutesDeps['rateLimits'];
  /** The human side (agents, queue, live delivery); without it a handoff only queues (unit tests of the chat API). */
  handoff?: HandoffServices;
}

export function createApp({ config, store, runtime, logger, rateLimits, handoff }: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requestId());
  // Once per request, before anything keys a limit or a block on the address.
  app.use(resolveClientAddress(config));
  app.use(requestLog(logger, { every: config.requestLogEvery }));
  // Cross-Origin-Resource-Policy same-origin everywhere but where a route chose otherwise (widget.js, which
  // any embedding site loads): secureHeaders would overwrite the route's choice on the way out.
  app.use(secureHeaders({ crossOriginResourcePolicy: false }));
  app.use(async (c, next) => {
    await next();
    if (!c.res.headers.has('Cross-Origin-Resource-Policy')) c.res.headers.set('Cross-Origin-Resource-Policy', 'same-origin');
  });
  // Before the chat routes' limits: a preflight is answered (or refused) without counting as a request.
  app.use(widgetCors(config.widgetOrigins));
  app.route('/', healthRoutes(runtime));
  // The chat routes first: their per-IP limit and no-store header then cover every /api route after them.
  app.route('/', chatRoutes({
    config, store, runtime,
    ...(rateLimits ? { rateLimits } : {}),
    ...(handoff ? { routing: handoff.routing, hub: handoff.hub, clock: handoff.clock, unanswered: handoff.unanswered, visitorGate: handoff.visitorBlocks,
      invitations: handoff.invitations, rateLimiters: handoff.rateLimiters, agentNames: handoff.agentNames } : {}),
  }));
  handoff?.mount(app);
  app.route('/', staticRoutes());
  app.onError(createErrorHandler(logger));
  app.notFound(notFoundHandler);
  return app;
}
