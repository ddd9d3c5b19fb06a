// Cross-site request forgery guard for cookie-authenticated changes: a foreign Origin is refused.
import type { Context, MiddlewareHandler } from 'hono';
import { ForbiddenError } from '../platform/errors.ts';

/** Methods that change nothing; everything else (POST, PUT, PATCH, DELETE...) is checked. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Origins other than the request's own allowed to send changes, e.g. `https://cs.example.com` when a
 * TLS proxy in front makes the request URL `http://...`. Exact `scheme://host[:port]` strings.
 */
export type AllowedOrigins = readonly string[];

/** Normalizes `https://Example.com:443/` to `https://example.com`; undefined for anything that is not an origin. */
export function normalizeOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

/**
 * Parses a comma-separated list (the AGENT_ALLOWED_ORIGINS variable) into normalized origins; throws
 * a RangeError naming the first entry that is not an http(s) origin (with no path).
 */
export function parseAllowedOrigins(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      let url: URL | undefined;
      try {
        url = new URL(entry);
      } catch {
        url = undefined;
      }
      const bare = url && url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
      if (!url || !bare || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        throw new RangeError(`${JSON.stringify(entry)} is not an origin like https://cs.example.com`);
      }
      return url.origin;
    });
}

/**
 * A change request is refused (403) when its `Origin` header is present and is neither the request's
 * own origin nor an allowed one (`null`, sent by sandboxed frames and some redirects, is foreign too).
 * Without an Origin header, `Sec-Fetch-Site: cross-site` or `same-site` refuses it as well; a request
 * with neither header comes from no browser (curl, the CLI) and carries no ambient cookie risk.
 * Safe methods (GET, HEAD, OPTIONS) pass: routes that must check them too (live streams) call
 * assertOriginAllowed.
 */
export function assertSameOrigin(c: Context, allowed: AllowedOrigins): void {
  if (SAFE_METHODS.has(c.req.method)) return;
  assertOriginAllowed(c, allowed);
}

/**
 * The origin rule of assertSameOrigin for any method: 403 for a present foreign `Origin` (or, without
 * one, `Sec-Fetch-Site: cross-site`/`same-site`); a request with neither header passes. Used as is by the
 * live streams (GET): a browser always sends Origin on a cross-origin EventSource or fetch.
 */
export function assertOriginAllowed(c: Context, allowed: AllowedOrigins): void {
  // `allowed` must be normalized already (normalizeAllowed, parseAllowedOrigins).
  const origin = c.req.header('origin');
  if (origin === undefined) {
    const site = c.req.header('sec-fetch-site');
    if (site === 'cross-site' || site === 'same-site') {
      throw new ForbiddenError('this request comes from another site and was refused');
    }
    return;
  }
  const presented = normalizeOrigin(origin);
  const own = new URL(c.req.url).origin;
  if (presented !== undefined && (presented === own || allowed.includes(presented))) return;
  throw new ForbiddenError('requests from this origin are not allowed');
}

/** `allowed` as given by the caller, normalized once here. */
export function sameOrigin(allowed: AllowedOrigins = []): MiddlewareHandler {
  const origins = normalizeAllowed(allowed);
  return async (c, next) => {
    assertSameOrigin(c, origins);
    await next();
  };
}

/** Each allowed origin in the form requests are compared in; RangeError for one that is not an origin. */
export function normalizeAllowed(allowed: AllowedOrigins): string[] {
  return allowed.map((a) => {
    const origin = normalizeOrigin(a);
    if (origin === undefined) throw new RangeError(`handoff/same-origin: ${JSON.stringify(a)} is not an origin`);
    return origin;
  });
}
