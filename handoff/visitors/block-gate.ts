// The blocks in force, in memory, as every visitor request meets them: one Map from `kind:value` to the block.
// An address range is found the same way: the request's address is cut to each prefix length a range in force
// uses and looked up, a handful of Map lookups whatever the number of blocks, and none while nothing is blocked.
import { parseAddress, parseAddressRange, rangeOf, type AddressRange } from '../http/address-key.ts';

/** What a block is by (visitor-blocks.ts's BlockKind, repeated so the two files do not import each other). */
type BlockKind = 'ip' | 'visitor';

export interface GateEntry {
  id: string;
  /** Epoch ms; Infinity until lifted. */
  expiresAt: number;
}

export interface BlockGate {
  /** Blocks held (expired ones are dropped as they are met). */
  readonly size: number;
  set(kind: BlockKind, value: string, entry: GateEntry): void;
  /** Drops the block of `kind` and `value` if it is the one with `id`. */
  delete(kind: BlockKind, value: string, id: string): void;
  /** The block in force for an address (itself or a range holding it) or a visitor id; expired ones are dropped. */
  match(kind: BlockKind, value: string, nowMs: number): GateEntry | undefined;
}

/** The family and prefix lengths of the address ranges held (not full-length single addresses), with their counts. */
type PrefixCounts = Record<AddressRange['family'], Map<number, number>>;

/**
 * An `ip` value is held under its canonical form (address-key.ts), so `2001:DB8::0001` and `::ffff:1.2.3.4`
 * find the blocks of `2001:db8::1` and `1.2.3.4`; text that is no address is held as it is.
 */
export function createBlockGate(): BlockGate {
  const entries = new Map<string, GateEntry>();
  const prefixes: PrefixCounts = { ipv4: new Map(), ipv6: new Map() };

  /** The Map key, and for an address range the family and length to count. */
  function place(kind: BlockKind, value: string): { key: string; range?: AddressRange } {
    if (kind !== 'ip') return { key: `visitor:${value}` };
    const range = parseAddressRange(value);
    if (!range) return { key: `ip:${value}` };
    const full = range.prefixLength === (range.family === 'ipv4' ? 32 : 128);
    return full ? { key: `ip:${range.value}` } : { key: `ip:${range.value}`, range };
  }

  function count(range: AddressRange, by: 1 | -1): void {
    const lengths = prefixes[range.family];
    const n = (lengths.get(range.prefixLength) ?? 0) + by;
    if (n > 0) lengths.set(range.prefixLength, n);
    else lengths.delete(range.prefixLength);
  }

  function remove(key: string, range: AddressRange | undefined): void {
    if (entries.delete(key) && range) count(range, -1);
  }

  /** The entry under `key` if still in force; an expired one is dropped. */
  function live(key: string, range: AddressRange | undefined, nowMs: number): GateEntry | undefined {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= nowMs) {
      remove(key, range);
      return undefined;
    }
    return entry;
  }

  return {
    get size() {
      return entries.size;
    },

    set(kind, value, entry) {
      const { key, range } = place(kind, value);
      if (range && !entries.has(key)) count(range, 1);
      entries.set(key, entry);
    },

    delete(kind, value, id) {
      const { key, range } = place(kind, value);
      if (entries.get(key)?.id === id) remove(key, range);
    },

    match(kind, value, nowMs) {
      if (kind === 'visitor') return live(`visitor:${value}`, undefined, nowMs);
      const address = parseAddress(value);
      if (!address) return live(`ip:${value}`, undefined, nowMs);
      const exact = live(`ip:${rangeOf(address, 128).value}`, undefined, nowMs);
      if (exact) return exact;
      // Longest prefix first: the most specific range answers when several hold the address.
      const lengths = [...prefixes[address.kind()].keys()].sort((a, b) => b - a);
      for (const length of lengths) {
        const range = rangeOf(address, length);
        const entry = live(`ip:${range.value}`, range, nowMs);
        if (entry) return entry;
      }
      return undefined;
    },
  };
}
