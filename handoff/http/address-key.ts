// Client addresses in one canonical text form, and the key every per-address limit is counted under: an IPv4
// address is itself, an IPv6 client is its network prefix (/64 by default), since one subscriber is given a
// whole /64 and may pick any address in it at will (RFC 4941 privacy addresses, or an attacker rotating).
import ipaddr from 'ipaddr.js';

/** IPV6_PREFIX_LENGTH: the leading bits of an IPv6 address that name one client. Range 32-128; default 64. */
export const DEFAULT_IPV6_PREFIX_LENGTH = 64;
export const MIN_IPV6_PREFIX_LENGTH = 32;
export const MAX_IPV6_PREFIX_LENGTH = 128;

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** A single address or a CIDR range, canonical: `203.0.113.7`, `198.51.100.0/24`, `2001:db8:9:9::/64`. */
export interface AddressRange {
  family: 'ipv4' | 'ipv6';
  /** Leading bits that must match; 32 (IPv4) or 128 (IPv6) for a single address. */
  prefixLength: number;
  /** The canonical text: the address alone for a single address, else `network/prefixLength`. */
  value: string;
}

/**
 * An address as ipaddr.js parses it, with an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`, what a dual-stack
 * socket reports for an IPv4 client) turned into the IPv4 address and a zone id (`%eth0`) dropped. IPv4 only in
 * the usual four decimal parts: `127.1` or `0x7f.0.0.1` are no address here. undefined for anything else.
 */
export function parseAddress(text: string): Address | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (!ipaddr.IPv6.isValid(text)) return undefined;
  const v6 = ipaddr.IPv6.parse(text);
  if (isIpv4Mapped(v6.parts)) return v6.toIPv4Address();
  return new ipaddr.IPv6(v6.parts);
}

/** RFC 5952 for IPv6 (lower case, longest zero run as `::`), dotted decimal for IPv4. */
export function formatAddress(address: Address): string {
  // toRFC5952String is in ipaddr.js 1.9 but missing from its type declarations.
  return address.kind() === 'ipv6' ? (address as ipaddr.IPv6 & { toRFC5952String(): string }).toRFC5952String() : address.toString();
}

/** The canonical form of an address; text that is no address (`unknown`: no socket) is returned unchanged. */
export function canonicalAddress(text: string): string {
  const address = parseAddress(text);
  return address ? formatAddress(address) : text;
}

/**
 * The key a client's per-address limits, presence slots and stream caps count under: an IPv4 address as
 * itself, an IPv6 address as its first `ipv6PrefixLength` bits (`2001:db8:9:9::/64`; the address itself at 128).
 * Text that is no address is its own key.
 */
export function addressKey(text: string, ipv6PrefixLength: number = DEFAULT_IPV6_PREFIX_LENGTH): string {
  const address = parseAddress(text);
  if (!address) return text;
  return address.kind() === 'ipv4' ? formatAddress(address) : rangeOf(address, ipv6PrefixLength).value;
}

/**
 * A single address or a CIDR range (`198.51.100.0/24`, `2001:db8::/48`) in canonical form, host bits cleared
 * (`2001:db8:9:9::1/64` is `2001:db8:9:9::/64`); a full-length range is the address alone, an IPv4-mapped
 * range (`::ffff:198.51.100.0/120`) the IPv4 one. undefined when the text is neither.
 */
export function parseAddressRange(text: string): AddressRange | undefined {
  const slash = text.indexOf('/');
  const address = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (!address) return undefined;
  const full = address.kind() === 'ipv4' ? 32 : 128;
  let bits = full;
  if (slash >= 0) {
    const suffix = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(suffix)) return undefined;
    bits = Number(suffix);
    // A mapped IPv4 address was turned into IPv4 above: its prefix counts from bit 96 of the IPv6 form.
    if (address.kind() === 'ipv4' && text.slice(0, slash).includes(':')) bits -= 96;
    if (bits < 0 || bits > full) return undefined;
  }
  return rangeOf(address, bits);
}

/** The range of the first `prefixLength` bits of `address` (the address alone at full length). */
export function rangeOf(address: Address, prefixLength: number): AddressRange {
  const family = address.kind();
  const bits = Math.min(prefixLength, family === 'ipv4' ? 32 : 128);
  const full = bits === (family === 'ipv4' ? 32 : 128);
  return { family, prefixLength: bits, value: full ? formatAddress(address) : `${formatAddress(networkOf(address, bits))}/${bits}` };
}

/** `address` with every bit after the first `prefixLength` cleared. */
function networkOf(address: Address, prefixLength: number): Address {
  const bytes = address.toByteArray();
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, prefixLength - i * 8));
    bytes[i] = bytes[i]! & ((0xff00 >> keep) & 0xff);
  }
  return ipaddr.fromByteArray(bytes);
}

/** ::ffff:0:0/96: the first 80 bits zero, the next 16 ones. */
function isIpv4Mapped(parts: number[]): boolean {
  return parts[0] === 0 && parts[1] === 0 && parts[2] === 0 && parts[3] === 0 && parts[4] === 0 && parts[5] === 0xffff;
}
