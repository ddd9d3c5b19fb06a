// Whether a client address is likely shared by many visitors (loopback, private, link-local, a trusted
// proxy): blocking it would shut out everyone behind it, so only an admin may.
import ipaddr from 'ipaddr.js';

/** ipaddr.js range names of addresses that stand for a network, a host or a proxy rather than one visitor. */
const SHARED_RANGES = new Set(['loopback', 'private', 'uniqueLocal', 'linkLocal', 'carrierGradeNat', 'unspecified']);

/**
 * True for loopback, RFC 1918, unique-local (fc00::/7), link-local, carrier-grade NAT (100.64.0.0/10) and
 * unspecified addresses (IPv4-mapped IPv6 judged as IPv4), for any address `isTrustedProxy` accepts, and for
 * text that is no address at all (refusing is the safe side).
 */
export function isSharedAddress(ip: string, isTrustedProxy: (ip: string) => boolean = () => false): boolean {
  if (!ipaddr.isValid(ip)) return true;
  if (isTrustedProxy(ip)) return true;
  return SHARED_RANGES.has(ipaddr.process(ip).range());
}
