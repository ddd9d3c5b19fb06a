// isSharedAddress: the ranges one agent may not block by address, the trusted proxies, and public addresses.
import { describe, expect, it } from 'vitest';
import proxyAddr from 'proxy-addr';
import { isSharedAddress } from './shared-address.ts';

describe('isSharedAddress', () => {
  it('loopback, private, unique-local, link-local and carrier-grade NAT are shared (IPv4-mapped too)', () => {
    for (const ip of ['127.0.0.1', '127.0.0.3', '::1', '10.1.2.3', '172.16.0.9', '192.168.1.20', 'fc00::1', 'fd12:3456::7',
      '169.254.0.5', 'fe80::1', '100.64.1.1', '::ffff:127.0.0.1', '::ffff:192.168.0.1', '0.0.0.0', 'not an address']) {
      expect(isSharedAddress(ip), ip).toBe(true);
    }
  });

  it('public addresses are not, unless trusted as a proxy', () => {
    for (const ip of ['198.51.100.7', '203.0.113.9', '2001:db8::5', '::ffff:198.51.100.7', '8.8.8.8']) expect(isSharedAddress(ip), ip).toBe(false);
    const trust = proxyAddr.compile(['203.0.113.0/24']);
    expect(isSharedAddress('203.0.113.9', (ip) => trust(ip, 0))).toBe(true);
    expect(isSharedAddress('198.51.100.7', (ip) => trust(ip, 0))).toBe(false);
  });
});
