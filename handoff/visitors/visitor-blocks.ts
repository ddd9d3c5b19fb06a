// Visitor blocks: stored in the database, checked in memory on every visitor request (Map lookups,
// block-gate.ts), refused requests counted in memory and flushed in one transaction at most once a second and on
// stop. On several nodes each node's gate follows the others' changes through BlockNotices (block-notices.ts).
import { parseAddressRange } from '../http/address-key.ts';
import { systemClock, type Clock } from '../platform/clock.ts';
import { NotFoundError, ValidationError, VisitorBlockedError } from '../platform/errors.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { createBlockGate, type GateEntry } from './block-gate.ts';
import { localBlockNotices, type BlockNotices } from './block-notices.ts';

export type BlockKind = 'ip' | 'visitor';
export const BLOCK_KINDS: readonly BlockKind[] = ['ip', 'visitor'];

export interface VisitorBlock {
  id: string;
  kind: BlockKind;
  /** The client address or address range (canonical, `203.0.113.7`, `2001:db8:9:9::/64`) or the widget's visitor id. */
  value: string;
  reason: string | null;
  conversationId: string | null;
  /** Agent id of who blocked. */
  createdBy: string;
  createdAt: string;
  /** null: until lifted. */
  expiresAt: string | null;
  liftedAt: string | null;
  /** null when it ended by expiry (or is still on). */
  liftedBy: string | null;
  active: boolean;
  /** Refused requests, the ones still in memory included. */
  hits: number;
  lastHitAt: string | null;
}

export interface NewBlock {
  kind: BlockKind;
  /** For `ip`, an address or a CIDR range in any form ipaddr.js reads: stored canonical (ValidationError otherwise). */
  value: string;
  createdBy: string;
  reason?: string;
  conversationId?: string;
  /** Absent: until lifted. */
  durationHours?: number;
}

export interface BlockSummary {
  /** Blocks in force now. */
  active: number;
  /** Refused requests counted on the blocks in force. */
  hits: number;
  /** Refused requests since 00:00 today in `timeZone` (on any block). */
  hitsToday: number;
}

/** Who is asking: the client address and, when known, the widget's visitor id. */
export interface VisitorIdentity {
  ip?: string | undefined;
  visitorId?: string | undefined;
}

export interface VisitorBlocksOptions {
  clock: Clock;
  /** Refused requests are written at most this often. Range 100-60000 ms; default 1000. */
  flushIntervalMs: number;
  /** Whose midnight starts "today" for hitsToday. Default Asia/Shanghai. */
  timeZone: string;
  /** How long ended blocks stay in the admin list. Range 1-365 days; default 30. */
  historyDays: number;
  /** The other nodes, told of every change this node commits and telling it theirs. Default none (one process). */
  notices: BlockNotices;
  /**
   * With shared notices, the gate is also reloaded from the database this often, whatever the notices say: the
   * last resort when a change was committed but could not be announced. Range 1000-600000 ms; default 30000.
   */
  reloadIntervalMs: number;
  /** A reload or a write of refused requests that failed (both are retried). Default: ignored. */
  onError: (err: unknown) => void;
}

export const defaultVisitorBlocksOptions: VisitorBlocksOptions = {
  clock: systemClock,
  flushIntervalMs: 1000,
  timeZone: 'Asia/Shanghai',
  historyDays: 30,
  notices: localBlockNotices,
  reloadIntervalMs: 30_000,
  onError: () => {},
};

export interface VisitorBlocks {
  /**
   * Reads the blocks in force into the gate; check() refuses nothing before. With shared notices it then keeps
   * following the other nodes' changes until stop(). The composition runs it at start.
   */
  load(): Promise<void>;
  /**
   * Stores a block, or extends the one in force for the same kind and value (same id and hits; the later
   * expiry wins, until lifted beats any, so a short block never shortens a longer one). An `ip` block holds
   * an address or a whole range (CIDR); ranges are not merged (a /64 inside a blocked /48 is a block of its own). Inside a unit of work
   * (with its audit row) the in-memory gate changes only once the unit has committed.
   */
  block(input: NewBlock): Promise<VisitorBlock>;
  /** Lifts a block (NotFoundError for an unknown id); lifting an ended block again changes nothing. Gate as for block(). */
  lift(id: string, by: string): Promise<VisitorBlock>;
  get(id: string): Promise<VisitorBlock | undefined>;
  /** Blocks in force (newest first), then those ended within historyDays. */
  list(): Promise<VisitorBlock[]>;
  summary(): Promise<BlockSummary>;
  /**
   * VisitorBlockedError (and one hit counted) when the address (itself, or inside a blocked range) or the visitor
   * id is blocked now. In memory: synchronous.
   */
  check(who: VisitorIdentity): void;
  /** Writes the counted hits now (one transaction). */
  flush(): Promise<void>;
  /** Reads the blocks in force again (what a notice from another node triggers). */
  reload(): Promise<void>;
  /** Stops following the other nodes and the flush timer, and writes what is pending. */
  stop(): Promise<void>;
}

/** A block as stored (the hits counted in memory since the last write not included). */
export interface StoredBlock {
  id: string;
  kind: BlockKind;
  value: string;
  reason: string | null;
  conversationId: string | null;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  liftedAt: string | null;
  liftedBy: string | null;
  hits: number;
  lastHitAt: string | null;
}

/** Where blocks are kept (sqlite-visitor-block-store.ts): every write is one transaction (or joins the open unit of work). */
export interface VisitorBlockStore {
  /** Every block not lifted (expired ones included: the gate drops them when met). */
  unlifted(): Promise<StoredBlock[]>;
  get(id: string): Promise<StoredBlock | undefined>;
  /** Stores a block, or extends the one in force for the same kind and value (the later expiry wins). */
  block(input: NewBlock, now: Date): Promise<StoredBlock>;
  /** Lifts it if not lifted yet; the block as it then stands. */
  lift(block: StoredBlock, by: string, now: Date): Promise<StoredBlock>;
  /** Adds refused requests counted meanwhile, on the day `day` (yyyy-mm-dd). */
  addHits(hits: ReadonlyArray<{ id: string; count: number; last: Date }>, day: string): Promise<void>;
  /** In force, or ended at or after `since` (ISO), newest first. */
  list(since: string): Promise<StoredBlock[]>;
  summary(now: Date, day: string): Promise<BlockSummary>;
}

interface PendingHits {
  count: number;
  last: Date;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * `unitOfWork` tells when a change is committed: a block made inside a unit (with its audit row) reaches the
 * gate only then.
 */
export function createVisitorBlocks(store: VisitorBlockStore, unitOfWork: UnitOfWork, options: Partial<VisitorBlocksOptions> = {}): VisitorBlocks {
  const opts: VisitorBlocksOptions = { ...defaultVisitorBlocksOptions, ...options };
  const { clock } = opts;
  const dayOf = dayFormatter(opts.timeZone);

  /** The blocks in force. Blocks are few (agents make them by hand): all of them fit, and a reload replaces them. */
  let gate = createBlockGate();
  const pending = new Map<string, PendingHits>();
  let timer: NodeJS.Timeout | undefined;
  /** The reload running now, and whether what it read may be older than a change made meanwhile. */
  let reloading: Promise<void> | undefined;
  let stale = false;
  const stops: Array<() => void | Promise<void>> = [];

  const gateEntry = (row: StoredBlock): GateEntry => ({ id: row.id, expiresAt: expiryMs(row.expiresAt) });
  const expiryMs = (expiresAt: string | null) => (expiresAt === null ? Infinity : Date.parse(expiresAt));

  /** The stored block with the hits counted since the last write, and whether it is in force at `now`. */
  function toBlock(row: StoredBlock, now: Date): VisitorBlock {
    const extra = pending.get(row.id);
    return {
      ...row,
      active: row.liftedAt === null && expiryMs(row.expiresAt) > now.getTime(),
      hits: row.hits + (extra?.count ?? 0),
      lastHitAt: extra ? extra.last.toISOString() : row.lastHitAt,
    };
  }

  /**
   * Each node writes only the hits it counted itself, as increments (hits = hits + n): nodes never write over
   * each other's counts, and a hit is written by the one node that refused the request.
   */
  async function flush(): Promise<void> {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (pending.size === 0) return;
    const entries = [...pending];
    pending.clear();
    try {
      await store.addHits(entries.map(([id, hits]) => ({ id, count: hits.count, last: hits.last })), dayOf(clock()));
    } catch (err) {
      // Not written (the transaction rolled back): counted again with the next write, which retries at the next
      // interval. At most one entry per block is held, so an outage cannot grow this without bound.
      for (const [id, hits] of entries) add(id, hits.count, hits.last);
      schedule();
      throw err;
    }
  }

  function add(id: string, count: number, last: Date): void {
    const hits = pending.get(id);
    if (hits) {
      hits.count += count;
      if (last > hits.last) hits.last = last;
    } else {
      pending.set(id, { count, last });
    }
  }

  /** One write per interval whatever the flood; unref'd so a pending flush never keeps the process alive. */
  function schedule(): void {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      flush().catch(opts.onError);
    }, opts.flushIntervalMs);
    timer.unref();
  }

  function countHit(id: string, now: Date): void {
    add(id, 1, now);
    schedule();
  }

  /** A change this node committed: into the gate now (a reload under way may have read the rows before it). */
  function applyLocal(change: () => void): void {
    change();
    if (reloading) stale = true;
    void opts.notices.changed();
  }

  /** The gate rebuilt from the database; calls meanwhile share this run, which reads again if it may be stale. */
  function reload(): Promise<void> {
    if (reloading) {
      stale = true;
      return reloading;
    }
    reloading = (async () => {
      try {
        do {
          stale = false;
          const rows = await store.unlifted();
          if (stale) continue;
          const next = createBlockGate();
          for (const row of rows) next.set(row.kind, row.value, gateEntry(row));
          gate = next;
        } while (stale);
      } finally {
        reloading = undefined;
      }
    })();
    return reloading;
  }

  function blockedEntry(kind: BlockKind, value: string | undefined, nowMs: number): GateEntry | undefined {
    if (value === undefined || value === '') return undefined;
    return gate.match(kind, value, nowMs);
  }

  return {
    async load() {
      if (opts.notices.shared) {
        const follow = () => void reload().catch(opts.onError);
        stops.push(await opts.notices.watch(follow));
        const every = setInterval(follow, opts.reloadIntervalMs);
        every.unref();
        stops.push(() => clearInterval(every));
      }
      await reload();
    },

    reload,

    async block(input) {
      const now = clock();
      const row = await store.block(input.kind === 'ip' ? { ...input, value: canonicalIpValue(input.value) } : input, now);
      // The gate follows the database: it changes once the unit (with the audit row) has committed.
      unitOfWork.afterCommit(() => applyLocal(() => gate.set(row.kind, row.value, gateEntry(row))));
      return toBlock(row, now);
    },

    async lift(id, by) {
      const row = await store.get(id);
      if (!row) throw new NotFoundError(`visitor-blocks: no block ${JSON.stringify(id)}`);
      const now = clock();
      const lifted = await store.lift(row, by, now);
      unitOfWork.afterCommit(() => {
        if (row.liftedAt === null) applyLocal(() => gate.delete(row.kind, row.value, id));
      });
      return toBlock(lifted, now);
    },

    async get(id) {
      const row = await store.get(id);
      return row ? toBlock(row, clock()) : undefined;
    },

    async list() {
      const now = clock();
      const since = new Date(now.getTime() - opts.historyDays * DAY_MS).toISOString();
      const blocks = (await store.list(since)).map((row) => toBlock(row, now));
      // Active first; each part newest first (the query's order, kept by a stable sort).
      return [...blocks.filter((b) => b.active), ...blocks.filter((b) => !b.active)];
    },

    async summary() {
      await flush();
      const now = clock();
      return store.summary(now, dayOf(now));
    },

    check(who) {
      // Nothing blocked (the usual case): no clock read, no lookup.
      if (gate.size === 0) return;
      const now = clock();
      const nowMs = now.getTime();
      const entry = blockedEntry('ip', who.ip, nowMs) ?? blockedEntry('visitor', who.visitorId, nowMs);
      if (!entry) return;
      countHit(entry.id, now);
      throw new VisitorBlockedError();
    },

    flush,

    async stop() {
      for (const stop of stops.splice(0).reverse()) await stop();
      await flush();
    },
  };
}

/**
 * An address or range as stored: canonical, so that one address written two ways is one block and the gate's
 * lookups find it. Callers validate first (the routes answer 400 naming the field); this is the last guard.
 */
function canonicalIpValue(value: string): string {
  const range = parseAddressRange(value);
  if (!range) throw new ValidationError('invalid_value', `visitor-blocks: ${JSON.stringify(value)} is neither an IP address nor a CIDR range`, 'value');
  return range.value;
}

/** `yyyy-mm-dd` of an instant in `timeZone` (en-CA formats dates that way). */
function dayFormatter(timeZone: string): (at: Date) => string {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return (at) => format.format(at);
}
