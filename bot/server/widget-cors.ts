// Cross-origin access to the visitor API for the sites that embed the widget (WIDGET_ALLOWED_ORIGINS): a
// `www.` page whose chat service runs on another host. The agent API and console stay same-origin.
import type { Context, MiddlewareHandler } from 'hono';
import { normalizeOrigin } from '../../handoff/index.ts';

/** The visitor API: the chat, its history and stream, the handoff button, presence and invitations. */
export function isVisitorApiPath(path: string): boolean {
  return path === '/api/chat' || path.startsWith('/api/conversations/') || path.startsWith('/api/visitor/');
}

// What the widget sends: JSON bodies, the conversation or presence token, and a stream's resume point.
const ALLOW_HEADERS = 'content-type, authorization, last-event-id';
const ALLOW_METHODS = 'GET, POST';
// What the widget reads besides the body: when to retry after a 429 or a restart.
const EXPOSE_HEADERS = 'retry-after';
/** How long a browser may reuse a preflight's answer: every chat message would otherwise cost two requests. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * A listed origin gets CORS headers on the visitor API (no credentials: visitors authenticate with Bearer
 * tokens, never cookies), and its preflights are answered. A preflight from any other foreign origin is
 * refused with 403; its other requests get no CORS headers, so the browser keeps the response from the page.
 * Requests from the service's own origin, or without an Origin header, pass untouched.
 */
export function widgetCors(allowed: readonly string[]): MiddlewareHandler {
  const listed = new Set(allowed);
  return async (c, next) => {
    if (!isVisitorApiPath(c.req.path)) return next();
    const header = c.req.header('origin');
    if (header === undefined) return next();
    const origin = normalizeOrigin(header);
    if (origin !== undefined && origin === new URL(c.req.url).origin) return next();
    const allowedOrigin = origin !== undefined && listed.has(origin) ? origin : undefined;

    if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method') !== undefined) {
      c.header('Vary', 'Origin');
      if (!allowedOrigin) return c.json({ error: { code: 'origin_not_allowed', message: 'this site may not use the chat API' } }, 403);
      c.header('Access-Control-Allow-Origin', allowedOrigin);
      c.header('Access-Control-Allow-Methods', ALLOW_METHODS);
      c.header('Access-Control-Allow-Headers', ALLOW_HEADERS);
      c.header('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS));
      return c.body(null, 204);
    }
    if (allowedOrigin) corsHeaders(c, allowedOrigin);
    await next();
    // Also on responses made after an error (the error handler builds a new one).
    if (allowedOrigin && !c.res.headers.has('Access-Control-Allow-Origin')) {
      try {
        corsHeaders(c, allowedOrigin);
      } catch {
        // A response whose headers are already sent (a stream): it was given them before `next`.
      }
    }
  };
}

function corsHeaders(c: Context, origin: string): void {
  c.header('Access-Control-Allow-Origin', origin);
  c.header('Access-Control-Expose-Headers', EXPOSE_HEADERS);
  c.header('Vary', 'Origin', { append: true });
}
