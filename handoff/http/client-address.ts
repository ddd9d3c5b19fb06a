// The client's network address for rate limits and visitor blocking: the socket address, or behind trusted
// reverse proxies (TRUSTED_PROXIES) the nearest untrusted hop of X-Forwarded-For.
import type { Context, MiddlewareHandler } from 'hono';
import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';
import type { AppEnv } from './app-env.ts';

/** TRUSTED_PROXIES as configured, and proxy-addr's compiled check of it. */
export interface ProxyTrust {
  trustedProxies: readonly string[];
  trustProxy: (address: string, hop: number) => boolean;
}

/** Requests not served by @hono/node-server (app.request() in tests) have no socket: they share this bucket. */
const NO_SOCKET = 'unknown';

function incoming(c: Context): IncomingMessage | undefined {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
}

/**
 * Works out the client address once per request and keeps it on the context (`clientAddress`).
 * With no trusted proxy X-Forwarded-For is never read: anyone can send one.
 */
export function resolveClientAddress({ trustedProxies, trustProxy }: ProxyTrust): MiddlewareHandler<AppEnv> {
  const trustsNobody = trustedProxies.length === 0;
  return async (c, next) => {
    const req = incoming(c);
    const socketAddress = req?.socket?.remoteAddress;
    if (req && socketAddress !== undefined) {
      // proxy-addr walks back from the socket address through X-Forwarded-For while each hop is trusted,
      // so a left-most entry the client wrote itself is only used when every proxy after it is trusted.
      c.set('clientAddress', trustsNobody ? socketAddress : proxyAddr(req, trustProxy));
    }
    await next();
  };
}

/** The address every limit and block is keyed on; the socket address when the middleware did not run. */
export function clientAddress(c: Context): string {
  const resolved = c.get('clientAddress') as string | undefined;
  return resolved ?? incoming(c)?.socket?.remoteAddress ?? NO_SOCKET;
}
