// Canonical addresses and limit keys: one client written many ways is one key, an IPv6 client is its /64 (or
// the configured prefix), an IPv4-mapped IPv6 address is the IPv4 one, and ranges come out canonical.
import { describe, expect, it } from 'vitest';
import { addressKey, canonicalAddress, parseAddressRange } from './address-key.ts';

describe('canonicalAddress', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::FFFF:cb00:7107', '203.0.113.7'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:0db8:0000:0001:0000:0000:0000:0001', '2001:db8:0:1::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::1', '::1'],
    // Not addresses: kept as they are (no socket, junk).
    ['unknown', 'unknown'],
    ['127.1', '127.1'],
  ])('%s -> %s', (text, canonical) => {
    expect(canonicalAddress(text)).toBe(canonical);
  });
});

describe('addressKey', () => {
  it('keys an IPv6 client by its /64: every address inside it is one key, the next /64 another', () => {
    const key = addressKey('2001:db8:9:9::1');
    expect(key).toBe('2001:db8:9:9::/64');
    for (const other of ['2001:db8:9:9::2', '2001:DB8:9:9:ffff:ffff:ffff:ffff', '2001:0db8:0009:0009:1234:5678:9abc:def0']) {
      expect(addressKey(other)).toBe(key);
    }
    expect(addressKey('2001:db8:9:a::1')).toBe('2001:db8:9:a::/64');
  });

  it('follows the configured prefix: /48 joins the /64s under it, /128 keys each address alone', () => {
    expect(addressKey('2001:db8:9:9::1', 48)).toBe('2001:db8:9::/48');
    expect(addressKey('2001:db8:9:a::1', 48)).toBe('2001:db8:9::/48');
    expect(addressKey('2001:db8:9:9::1', 56)).toBe('2001:db8:9::/56');
    expect(addressKey('2001:db8:9:9::1', 128)).toBe('2001:db8:9:9::1');
    expect(addressKey('2001:db8:9:9::1', 60)).toBe('2001:db8:9::/60');
    expect(addressKey('2001:db8:9:19::1', 60)).toBe('2001:db8:9:10::/60');
  });

  it('keeps IPv4 addresses whole, an IPv4-mapped IPv6 address counting as its IPv4 address', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('203.0.113.8')).toBe('203.0.113.8');
    expect(addressKey('unknown')).toBe('unknown');
  });
});

describe('parseAddressRange', () => {
  it.each([
    ['198.51.100.0/24', { family: 'ipv4', prefixLength: 24, value: '198.51.100.0/24' }],
    ['198.51.100.77/24', { family: 'ipv4', prefixLength: 24, value: '198.51.100.0/24' }],
    ['198.51.100.7/32', { family: 'ipv4', prefixLength: 32, value: '198.51.100.7' }],
    ['198.51.100.7', { family: 'ipv4', prefixLength: 32, value: '198.51.100.7' }],
    ['2001:db8:9:9::1/64', { family: 'ipv6', prefixLength: 64, value: '2001:db8:9:9::/64' }],
    ['2001:DB8::/32', { family: 'ipv6', prefixLength: 32, value: '2001:db8::/32' }],
    ['2001:db8::1/128', { family: 'ipv6', prefixLength: 128, value: '2001:db8::1' }],
    ['::ffff:198.51.100.0/120', { family: 'ipv4', prefixLength: 24, value: '198.51.100.0/24' }],
    ['0.0.0.0/0', { family: 'ipv4', prefixLength: 0, value: '0.0.0.0/0' }],
  ])('%s', (text, range) => {
    expect(parseAddressRange(text)).toEqual(range);
  });

  it.each(['', 'x', '198.51.100.0/33', '2001:db8::/129', '198.51.100.0/', '198.51.100.0/-1', '198.51.100.0/2a', '10.1/8', '2001:db8::/64/64', '::ffff:1.2.3.4/90', ' 1.2.3.4'])(
    'refuses %j',
    (text) => {
      expect(parseAddressRange(text)).toBeUndefined();
    },
  );
});
