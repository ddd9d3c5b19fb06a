// The client's network address for rate limits and visitor blocking: the socket address, or behind trusted
// reverse proxies (TRUSTED_PROXIES) the nearest untrusted hop of X-Forwarded-For; in canonical form, with the
// key per-address limits count under (an IPv6 client by its /64, see address-key.ts).
import type { Context, MiddlewareHandler } from 'hono';
import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';
import { addressKey, canonicalAddress, DEFAULT_IPV6_PREFIX_LENGTH } from './address-key.ts';
import type { AppEnv } from './app-env.ts';

/** TRUSTED_PROXIES as configured, and proxy-addr's compiled check of it. */
export interface ProxyTrust {
  trustedProxies: readonly string[];
  trustProxy: (address: string, hop: number) => boolean;
}

/** How client addresses are read and keyed (the server's Config fits). */
export interface ClientAddressOptions extends ProxyTrust {
  /** IPV6_PREFIX_LENGTH: the bits of an IPv6 address that name one client for limits. Range 32-128; default 64. */
  ipv6PrefixLength?: number;
}

/** Requests not served by @hono/node-server (app.request() in tests) have no socket: they share this bucket. */
const NO_SOCKET = 'unknown';

function incoming(c: Context): IncomingMessage | undefined {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
}

/**
 * Works out the client address once per request and keeps it on the context (`clientAddress`, canonical:
 * `::ffff:1.2.3.4` is `1.2.3.4`, IPv6 in RFC 5952 form) with its limit key (`clientKey`).
 * With no trusted proxy X-Forwarded-For is never read: anyone can send one.
 */
export function resolveClientAddress({ trustedProxies, trustProxy, ipv6PrefixLength = DEFAULT_IPV6_PREFIX_LENGTH }: ClientAddressOptions): MiddlewareHandler<AppEnv> {
  const trustsNobody = trustedProxies.length === 0;
  return async (c, next) => {
    const req = incoming(c);
    const socketAddress = req?.socket?.remoteAddress;
    if (req && socketAddress !== undefined) {
      // proxy-addr walks back from the socket address through X-Forwarded-For while each hop is trusted,
      // so a left-most entry the client wrote itself is only used when every proxy after it is trusted.
      const address = canonicalAddress(trustsNobody ? socketAddress : proxyAddr(req, trustProxy));
      c.set('clientAddress', address);
      c.set('clientKey', addressKey(address, ipv6PrefixLength));
    }
    await next();
  };
}

/** The client's address (canonical): stored with a new conversation and checked against blocks. */
export function clientAddress(c: Context): string {
  const resolved = c.get('clientAddress') as string | undefined;
  return resolved ?? canonicalAddress(incoming(c)?.socket?.remoteAddress ?? NO_SOCKET);
}

/**
 * The key every per-address limit, presence slot and stream cap counts under: the address for IPv4, its
 * network prefix for IPv6 (clientAddress's /64 by default), so rotating addresses inside one prefix gains nothing.
 */
export function clientKey(c: Context): string {
  const resolved = c.get('clientKey') as string | undefined;
  return resolved ?? addressKey(clientAddress(c));
}
