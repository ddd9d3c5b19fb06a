// The client's network address for rate limiting, from the Node socket (forwarding headers are not trusted).
import type { Context } from 'hono';
import type { IncomingMessage } from 'node:http';

/** `unknown` when not served by @hono/node-server (app.request() in tests): all such requests share a bucket. */
export function clientAddress(c: Context): string {
  const env = c.env as { incoming?: IncomingMessage } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}
