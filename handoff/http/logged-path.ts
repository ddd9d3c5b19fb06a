// A request path as logs may carry it: a visitor id (the privacy routes take `visitor:<id>`) masked.

/**
 * `visitor:<id>` in any path segment, also with the colon percent-encoded (hono keeps `%3A` in `c.req.path`).
 * The visitor id is personal data (it ties every conversation of one browser together), and the access
 * log is kept and read far more widely than the audit log, which names the conversations instead.
 */
const VISITOR_KEY = /(visitor(?::|%3a))[^/]*/gi;

/** Shown instead of the id: the log still says a visitor's data was asked for, not whose. */
export const MASKED_VISITOR_ID = '***';

export function loggedPath(path: string): string {
  return path.replace(VISITOR_KEY, `$1${MASKED_VISITOR_ID}`);
}
