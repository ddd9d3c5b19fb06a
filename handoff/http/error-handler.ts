// The one place typed errors become HTTP responses `{ error: { code, message, field? } }`.
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  AppError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
  VisitorBlockedError,
} from '../platform/errors.ts';
import { loggedPath } from './logged-path.ts';

/** What the handler logs with (the server's pino logger fits). */
export interface ErrorLog {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export const ErrorLogEvent = {
  /** A bug: anything but a typed error, answered 500. */
  chatError: 'chat.error',
  /** SQLite busy or full, PostgreSQL or Redis unreachable or overloaded: 503 with a retry hint. */
  storageUnavailable: 'storage.unavailable',
} as const;

export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

/** Checked in order with instanceof, so a subclass (a future `LoginRequiredError extends UnauthorizedError`) maps too. */
const STATUS: Array<[abstract new (...args: never[]) => AppError, ContentfulStatusCode]> = [
  [ValidationError, 400],
  [UnauthorizedError, 401],
  [ForbiddenError, 403],
  [VisitorBlockedError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [PayloadTooLargeError, 413],
  [UnsupportedMediaTypeError, 415],
  [RateLimitedError, 429],
];

export function errorBody(code: string, message: string, field?: string): ErrorBody {
  return { error: field ? { code, message, field } : { code, message } };
}

export function statusOf(err: AppError): ContentfulStatusCode {
  return STATUS.find(([type]) => err instanceof type)?.[1] ?? 400;
}

/** Typed errors are the client's doing and get their status; anything else is our bug, logged, and a bare 500. */
export function createErrorHandler(logger: ErrorLog): ErrorHandler {
  return (err, c) => {
    if (err instanceof AppError) {
      const status = statusOf(err);
      if (err instanceof UnauthorizedError) c.header('WWW-Authenticate', 'Bearer');
      if (err instanceof RateLimitedError) c.header('Retry-After', String(err.retryAfterSeconds));
      // Refused before the body was read: the rest of it is still on the socket, where it would be parsed as
      // the next request. The server closes the connection; the header tells a keep-alive client so.
      if (err instanceof PayloadTooLargeError) c.header('Connection', 'close');
      // Messages are written for clients (NotFoundError never tells a wrong token from an unknown id).
      return c.json(errorBody(err.code, err.message, err instanceof ValidationError ? err.field : undefined), status);
    }
    const fault = storageFault(err);
    if (fault) {
      // The database, not the request, is at fault, and it recovers by itself (the lock is released,
      // space is freed): 503 with a retry hint, and reads keep working meanwhile.
      logger.warn({ event: ErrorLogEvent.storageUnavailable, fault, method: c.req.method, path: loggedPath(c.req.path), requestId: requestIdOf(c) }, `storage unavailable: ${fault}`);
      c.header('Retry-After', RETRY_AFTER_SECONDS[fault]);
      if (fault === 'busy') return c.json(errorBody('busy', 'the service is busy; please try again in a moment'), 503);
      if (fault === 'full') return c.json(errorBody('storage_full', 'the service cannot store anything right now; please try again later'), 503);
      // Nothing was acknowledged: a write the client sent is either committed before the fault (and its retry,
      // with the same client message id, finds it) or not stored at all.
      return c.json(errorBody('unavailable', 'the service cannot reach its storage right now; please try again in a moment'), 503);
    }
    if (err instanceof HTTPException && err.status < 500) {
      return c.json(errorBody(`http_${err.status}`, err.message || 'bad request'), err.status as ContentfulStatusCode);
    }
    logger.error(
      { event: ErrorLogEvent.chatError, err, method: c.req.method, path: loggedPath(c.req.path), requestId: requestIdOf(c) },
      'unexpected error while handling a request',
    );
    return c.json(errorBody('internal', 'something went wrong on our side; please try again'), 500);
  };
}

export const notFoundHandler: NotFoundHandler = (c) => c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404);

type StorageFault = 'busy' | 'full' | 'unreachable';

const RETRY_AFTER_SECONDS: Record<StorageFault, string> = { busy: '1', full: '30', unreachable: '5' };

/** Socket errors of a lost or refused connection to PostgreSQL or Redis. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * A fault of the storage, not of the request, that passes by itself: SQLite's lock held by another connection
 * or a full disk; PostgreSQL restarting, refusing connections, out of connections, cancelling a statement that ran
 * past its timeout or choosing this transaction as a deadlock victim; Redis unreachable (ioredis gives up on a
 * command after its retries). Anything else is a bug.
 */
function storageFault(err: unknown): StorageFault | undefined {
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null;
  const code = e?.code;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || (typeof code === 'string' && code.startsWith('SQLITE_BUSY_'))) return 'busy';
  if (code === 'SQLITE_FULL') return 'full';
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return 'unreachable';
    // SQLSTATE: 08 connection exception, 57P0x shutdown / cannot connect now, 53300 too many connections.
    if (code.startsWith('08') || /^57P0[1-3]$/.test(code) || code === '53300') return 'unreachable';
    // 40001 serialization failure, 40P01 deadlock, 57014 statement timeout, 55P03 lock not available.
    if (code === '40001' || code === '40P01' || code === '57014' || code === '55P03') return 'busy';
    // 53100 disk full, 53200 out of memory.
    if (code === '53100' || code === '53200') return 'full';
  }
  if (e?.name === 'MaxRetriesPerRequestError') return 'unreachable';
  const message = typeof e?.message === 'string' ? e.message : '';
  // pg's pool and client (no reply within query_timeout included), ioredis with its connection closed or no reply
  // in time (commandTimeout): plain Errors without a code.
  if (/^(timeout exceeded when trying to connect|Connection terminated( unexpectedly)?|Query read timeout|Connection is closed\.|Client has encountered a connection error|Command timed out)/.test(message)) return 'unreachable';
  return undefined;
}

function requestIdOf(c: Context): string | undefined {
  const id: unknown = c.get('requestId' as never);
  return typeof id === 'string' ? id : undefined;
}
