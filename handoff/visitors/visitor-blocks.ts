// Visitor blocks: stored in SQLite (migration 008), checked in memory on every visitor request (a Map lookup),
// refused requests counted in memory and flushed in one transaction at most once a second and on stop.
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../platform/clock.ts';
import type { Db } from '../sqlite/db.ts';
import { NotFoundError, VisitorBlockedError } from '../platform/errors.ts';

export type BlockKind = 'ip' | 'visitor';
export const BLOCK_KINDS: readonly BlockKind[] = ['ip', 'visitor'];

export interface VisitorBlock {
  id: string;
  kind: BlockKind;
  /** The client address or the widget's visitor id. */
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
}

export const defaultVisitorBlocksOptions: VisitorBlocksOptions = {
  clock: systemClock,
  flushIntervalMs: 1000,
  timeZone: 'Asia/Shanghai',
  historyDays: 30,
};

export interface VisitorBlocks {
  /**
   * Stores a block, or extends the one in force for the same kind and value (same id and hits; the later
   * expiry wins, until lifted beats any, so a short block never shortens a longer one). `alongside` runs in
   * the same transaction (the audit row): if it throws, nothing is stored. The in-memory gate changes only
   * after the commit, so do not call this inside a transaction of your own.
   */
  block(input: NewBlock, alongside?: (block: VisitorBlock) => void): VisitorBlock;
  /** Lifts a block (NotFoundError for an unknown id); lifting an ended block again changes nothing. `alongside` as for block(). */
  lift(id: string, by: string, alongside?: (block: VisitorBlock) => void): VisitorBlock;
  get(id: string): VisitorBlock | undefined;
  /** Blocks in force (newest first), then those ended within historyDays. */
  list(): VisitorBlock[];
  summary(): BlockSummary;
  /** VisitorBlockedError (and one hit counted) when the address or the visitor id is blocked now. */
  check(who: VisitorIdentity): void;
  /** Writes the counted hits now (one transaction). */
  flush(): void;
  /** Stops the flush timer and writes what is pending. */
  stop(): void;
}

interface BlockRow {
  id: string;
  kind: BlockKind;
  value: string;
  reason: string | null;
  conversation_id: string | null;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  lifted_at: string | null;
  lifted_by: string | null;
  hits: number;
  last_hit_at: string | null;
  hits_day: string | null;
  hits_on_day: number;
}

interface GateEntry {
  id: string;
  /** Epoch ms; Infinity until lifted. */
  expiresAt: number;
}

interface PendingHits {
  count: number;
  last: Date;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export function createVisitorBlocks(db: Db, options: Partial<VisitorBlocksOptions> = {}): VisitorBlocks {
  const opts: VisitorBlocksOptions = { ...defaultVisitorBlocksOptions, ...options };
  const { clock } = opts;
  const dayOf = dayFormatter(opts.timeZone);

  const selectActiveRows = db.prepare<[], BlockRow>('SELECT * FROM visitor_blocks WHERE lifted_at IS NULL');
  const selectById = db.prepare<[string], BlockRow>('SELECT * FROM visitor_blocks WHERE id = ?');
  const selectOpen = db.prepare<[string, string], BlockRow>('SELECT * FROM visitor_blocks WHERE kind = ? AND value = ? AND lifted_at IS NULL');
  const insert = db.prepare(`
    INSERT INTO visitor_blocks (id, kind, value, reason, conversation_id, created_by, created_at, expires_at)
    VALUES (@id, @kind, @value, @reason, @conversationId, @createdBy, @now, @expiresAt)`);
  const extend = db.prepare('UPDATE visitor_blocks SET expires_at = @expiresAt, reason = coalesce(@reason, reason) WHERE id = @id');
  // An expired block is closed off (ended at its expiry, by nobody) so the same value can be blocked anew.
  const endExpired = db.prepare('UPDATE visitor_blocks SET lifted_at = expires_at WHERE id = ?');
  const lift = db.prepare('UPDATE visitor_blocks SET lifted_at = @now, lifted_by = @by WHERE id = @id AND lifted_at IS NULL');
  const addHits = db.prepare(`
    UPDATE visitor_blocks SET
      hits        = hits + @count,
      last_hit_at = @last,
      hits_on_day = CASE WHEN hits_day = @day THEN hits_on_day + @count ELSE @count END,
      hits_day    = @day
    WHERE id = @id`);
  const selectList = db.prepare<[{ since: string }], BlockRow>(`
    SELECT * FROM visitor_blocks
    WHERE (lifted_at IS NULL AND (expires_at IS NULL OR expires_at >= @since)) OR lifted_at >= @since
    ORDER BY created_at DESC, id`);
  const selectSummary = db.prepare<[{ now: string; day: string }], { active: number; hits: number | null; today: number | null }>(`
    SELECT
      count(*) FILTER (WHERE lifted_at IS NULL AND (expires_at IS NULL OR expires_at > @now)) AS active,
      sum(hits) FILTER (WHERE lifted_at IS NULL AND (expires_at IS NULL OR expires_at > @now)) AS hits,
      sum(CASE WHEN hits_day = @day THEN hits_on_day ELSE 0 END) AS today
    FROM visitor_blocks`);

  /** `kind:value` -> the block in force. Blocks are few (agents make them by hand): all of them fit. */
  const gate = new Map<string, GateEntry>();
  const pending = new Map<string, PendingHits>();
  let timer: NodeJS.Timeout | undefined;

  const key = (kind: BlockKind, value: string) => `${kind}:${value}`;
  const expiryMs = (expiresAt: string | null) => (expiresAt === null ? Infinity : Date.parse(expiresAt));
  for (const row of selectActiveRows.all()) gate.set(key(row.kind, row.value), { id: row.id, expiresAt: expiryMs(row.expires_at) });

  function toBlock(row: BlockRow, now: Date): VisitorBlock {
    const extra = pending.get(row.id);
    return {
      id: row.id,
      kind: row.kind,
      value: row.value,
      reason: row.reason,
      conversationId: row.conversation_id,
      createdBy: row.created_by,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      liftedAt: row.lifted_at,
      liftedBy: row.lifted_by,
      active: row.lifted_at === null && expiryMs(row.expires_at) > now.getTime(),
      hits: row.hits + (extra?.count ?? 0),
      lastHitAt: extra ? extra.last.toISOString() : row.last_hit_at,
    };
  }

  const blockTx = db.transaction((input: NewBlock, now: Date, alongside?: (block: VisitorBlock) => void): BlockRow => {
    const expiresAt = input.durationHours === undefined ? null : new Date(now.getTime() + input.durationHours * HOUR_MS).toISOString();
    const open = selectOpen.get(input.kind, input.value);
    if (open && expiryMs(open.expires_at) > now.getTime()) {
      // An agent's hour must not cut short an admin's "until lifted": the later expiry wins.
      const later = expiryMs(open.expires_at) >= expiryMs(expiresAt) ? open.expires_at : expiresAt;
      extend.run({ id: open.id, expiresAt: later, reason: input.reason ?? null });
      const row = selectById.get(open.id)!;
      alongside?.(toBlock(row, now));
      return row;
    }
    if (open) endExpired.run(open.id);
    const id = randomUUID();
    insert.run({
      id,
      kind: input.kind,
      value: input.value,
      reason: input.reason ?? null,
      conversationId: input.conversationId ?? null,
      createdBy: input.createdBy,
      now: now.toISOString(),
      expiresAt,
    });
    const row = selectById.get(id)!;
    alongside?.(toBlock(row, now));
    return row;
  });

  const liftTx = db.transaction((row: BlockRow, by: string, now: Date, alongside?: (block: VisitorBlock) => void): BlockRow => {
    if (row.lifted_at === null) lift.run({ id: row.id, by, now: now.toISOString() });
    const lifted = selectById.get(row.id)!;
    alongside?.(toBlock(lifted, now));
    return lifted;
  });

  const flushTx = db.transaction((entries: Array<[string, PendingHits]>, day: string) => {
    for (const [id, hits] of entries) addHits.run({ id, count: hits.count, last: hits.last.toISOString(), day });
  });

  function flush(): void {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (pending.size === 0) return;
    const entries = [...pending];
    pending.clear();
    flushTx.immediate(entries, dayOf(clock()));
  }

  function countHit(id: string, now: Date): void {
    const hits = pending.get(id);
    if (hits) {
      hits.count++;
      hits.last = now;
    } else {
      pending.set(id, { count: 1, last: now });
    }
    // One write per interval whatever the flood; unref'd so a pending flush never keeps the process alive.
    if (!timer) {
      timer = setTimeout(() => {
        timer = undefined;
        try {
          flush();
        } catch {
          // The database is busy or full: the hits stay lost rather than retried forever; blocking still works.
        }
      }, opts.flushIntervalMs);
      timer.unref();
    }
  }

  function blockedEntry(kind: BlockKind, value: string | undefined, nowMs: number): GateEntry | undefined {
    if (value === undefined || value === '') return undefined;
    const entry = gate.get(key(kind, value));
    if (!entry) return undefined;
    if (entry.expiresAt <= nowMs) {
      gate.delete(key(kind, value));
      return undefined;
    }
    return entry;
  }

  return {
    block(input, alongside) {
      const now = clock();
      // The gate follows the database: it changes once the transaction (with the audit row) has committed.
      const row = blockTx.immediate(input, now, alongside);
      gate.set(key(row.kind, row.value), { id: row.id, expiresAt: expiryMs(row.expires_at) });
      return toBlock(row, now);
    },

    lift(id, by, alongside) {
      const row = selectById.get(id);
      if (!row) throw new NotFoundError(`visitor-blocks: no block ${JSON.stringify(id)}`);
      const now = clock();
      const lifted = liftTx.immediate(row, by, now, alongside);
      const k = key(row.kind, row.value);
      if (row.lifted_at === null && gate.get(k)?.id === id) gate.delete(k);
      return toBlock(lifted, now);
    },

    get(id) {
      const row = selectById.get(id);
      return row ? toBlock(row, clock()) : undefined;
    },

    list() {
      const now = clock();
      const since = new Date(now.getTime() - opts.historyDays * DAY_MS).toISOString();
      const blocks = selectList.all({ since }).map((row) => toBlock(row, now));
      // Active first; each part newest first (the query's order, kept by a stable sort).
      return [...blocks.filter((b) => b.active), ...blocks.filter((b) => !b.active)];
    },

    summary() {
      flush();
      const now = clock();
      const row = selectSummary.get({ now: now.toISOString(), day: dayOf(now) })!;
      return { active: row.active, hits: row.hits ?? 0, hitsToday: row.today ?? 0 };
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

    stop() {
      flush();
    },
  };
}

/** `yyyy-mm-dd` of an instant in `timeZone` (en-CA formats dates that way). */
function dayFormatter(timeZone: string): (at: Date) => string {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return (at) => format.format(at);
}
