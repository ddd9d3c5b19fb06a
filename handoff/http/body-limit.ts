// The one request-body size limit every JSON route uses: 413 over `maxBytes`, by Content-Length or, for a
// chunked body, counted as it streams in.
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { PayloadTooLargeError } from '../platform/errors.ts';

/**
 * hono's bodyLimit, without its cost on the common request: it first asks for `c.req.raw.body`, which on
 * @hono/node-server turns the lightweight request into a full Request with a web-stream body, and the JSON
 * is then read through that stream. A body with Content-Length (and no Transfer-Encoding) is judged by the
 * header alone, as bodyLimit judges it (Node's parser never reads past Content-Length), and read on the
 * server's direct path; any other body (chunked) goes through bodyLimit, which counts it as it streams in.
 * `what` names the body in the 413 message.
 */
export function limitBody(maxBytes: number, what = 'the request body'): MiddlewareHandler {
  const tooLarge = (): never => {
    throw new PayloadTooLargeError(`${what} must be at most ${maxBytes} bytes`);
  };
  const streamed = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return (c, next) => {
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (parseInt(length || '0', 10) > maxBytes) tooLarge();
      return next();
    }
    return streamed(c, next);
  };
}
