// Logs `http.request` lines: method, path (visitor ids masked), status, duration. Never headers, bodies or query.
// Request lines were about 90% of the log and cost the cheap routes about a third of their throughput
// (bench/http: /healthz), so ordinary successes are sampled (one in `every`); failures (5xx), refusals a
// supervisor or an alert must see (401, 403, 413, 429) and slow requests are always logged.
import type { MiddlewareHandler } from 'hono';
import { loggedPath, type AppEnv } from '../../handoff/index.ts';
import { LogEvent, uncensoredLogger, type Logger } from './logger.ts';

export interface RequestLogOptions {
  /**
   * REQUEST_LOG_EVERY: one ordinary request in this many gets a line (1: every request; 0: none). Failures,
   * refusals and slow requests are logged whatever it is. Range 0-10000; default 20.
   */
  every: number;
  /** A request slower than this is always logged. Default 1000 ms. */
  slowMs: number;
}

export const defaultRequestLogOptions: RequestLogOptions = { every: 20, slowMs: 1000 };

/** Refusals worth a line every time: a guessed password, a forbidden route, an oversize body, a limit reached. */
const ALWAYS_LOGGED = new Set([401, 403, 413, 429]);

export function requestLog(logger: Logger, options: Partial<RequestLogOptions> = {}): MiddlewareHandler<AppEnv> {
  const { every, slowMs } = { ...defaultRequestLogOptions, ...options };
  // Every field below is one of ours or a status or timing: none can hold a credential (see uncensoredLogger).
  const access = uncensoredLogger(logger);
  let seen = 0;
  return async (c, next) => {
    const started = performance.now();
    await next();
    const status = c.res.status;
    const ms = Math.round((performance.now() - started) * 10) / 10;
    const notable = status >= 500 || ALWAYS_LOGGED.has(status) || ms >= slowMs;
    if (!notable) {
      // At LOG_LEVEL=warn and above only failures are logged: no line to build for the rest.
      if (every === 0 || !access.isLevelEnabled('info')) return;
      seen = (seen + 1) % every;
      if (seen !== 0) return;
    }
    const line = {
      event: LogEvent.httpRequest,
      requestId: c.get('requestId'),
      method: c.req.method,
      // The path only: query strings and headers can carry tokens; a visitor id in it is masked.
      path: loggedPath(c.req.path),
      status,
      ms,
      ...(notable ? {} : { sampled: every }),
    };
    if (status >= 500) access.error(line, 'request failed');
    else if (notable && status >= 400) access.warn(line, 'request refused');
    else access.info(line, 'request');
  };
}
