// Logs one `http.request` line per request: method, path (visitor ids masked), status, duration. Never headers, bodies or query.
import type { MiddlewareHandler } from 'hono';
import { loggedPath, type AppEnv } from '../../handoff/index.ts';
import { LogEvent, uncensoredLogger, type Logger } from './logger.ts';

export function requestLog(logger: Logger): MiddlewareHandler<AppEnv> {
  // Every field below is one of ours or a status or timing: none can hold a credential (see uncensoredLogger).
  const access = uncensoredLogger(logger);
  return async (c, next) => {
    const started = performance.now();
    await next();
    const status = c.res.status;
    // At LOG_LEVEL=warn and above only failures are logged: no line to build for the rest.
    if (status < 500 && !access.isLevelEnabled('info')) return;
    const line = {
      event: LogEvent.httpRequest,
      requestId: c.get('requestId'),
      method: c.req.method,
      // The path only: query strings and headers can carry tokens; a visitor id in it is masked.
      path: loggedPath(c.req.path),
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    };
    if (status >= 500) access.error(line, 'request failed');
    else access.info(line, 'request');
  };
}
