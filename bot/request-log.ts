// Logs one `http.request` line per request: method, path, status, duration. Never headers, bodies or query.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.ts';
import { LogEvent, type Logger } from './logger.ts';

export function requestLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const status = c.res.status;
    const line = {
      event: LogEvent.httpRequest,
      requestId: c.get('requestId'),
      method: c.req.method,
      // The path only: query strings and headers can carry tokens.
      path: c.req.path,
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    };
    if (status >= 500) logger.error(line, 'request failed');
    else logger.info(line, 'request');
  };
}
