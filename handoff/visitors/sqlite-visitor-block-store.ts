// Visitor blocks in SQLite (migration 008): each block or lift one transaction with whatever must go with it
// (the audit row), and the refused requests counted per block and per day.
import { randomUUID } from 'node:crypto';
import type { Db } from '../sqlite/db.ts';
import { gated } from '../sqlite/unit-of-work.ts';
import type { BlockKind, BlockSummary, NewBlock, StoredBlock, VisitorBlockStore } from './visitor-blocks.ts';

const HOUR_MS = 3_600_000;

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

const expiryMs = (expiresAt: string | null) => (expiresAt === null ? Infinity : Date.parse(expiresAt));

function toStored(row: BlockRow): StoredBlock {
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
    hits: row.hits,
    lastHitAt: row.last_hit_at,
  };
}

export function createSqliteVisitorBlockStore(db: Db): VisitorBlockStore {
  const selectUnlifted = db.prepare<[], BlockRow>('SELECT * FROM visitor_blocks WHERE lifted_at IS NULL');
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

  const blockTx = db.transaction((input: NewBlock, now: Date): StoredBlock => {
    const expiresAt = input.durationHours === undefined ? null : new Date(now.getTime() + input.durationHours * HOUR_MS).toISOString();
    const open = selectOpen.get(input.kind, input.value);
    if (open && expiryMs(open.expires_at) > now.getTime()) {
      // An agent's hour must not cut short an admin's "until lifted": the later expiry wins.
      const later = expiryMs(open.expires_at) >= expiryMs(expiresAt) ? open.expires_at : expiresAt;
      extend.run({ id: open.id, expiresAt: later, reason: input.reason ?? null });
      return toStored(selectById.get(open.id)!);
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
    return toStored(selectById.get(id)!);
  });

  const liftTx = db.transaction((block: StoredBlock, by: string, now: Date): StoredBlock => {
    if (block.liftedAt === null) lift.run({ id: block.id, by, now: now.toISOString() });
    return toStored(selectById.get(block.id)!);
  });

  const addHitsTx = db.transaction((hits: ReadonlyArray<{ id: string; count: number; last: Date }>, day: string) => {
    for (const h of hits) addHits.run({ id: h.id, count: h.count, last: h.last.toISOString(), day });
  });

  return gated(db, {
    async unlifted() {
      return selectUnlifted.all().map(toStored);
    },
    async get(id) {
      const row = selectById.get(id);
      return row ? toStored(row) : undefined;
    },
    // IMMEDIATE: the write lock before reading what is open, so two blocks of one value cannot both insert.
    // Inside a unit of work the transaction is a savepoint of the unit's, which already holds the lock.
    async block(input, now) {
      return blockTx.immediate(input, now);
    },
    async lift(block, by, now) {
      return liftTx.immediate(block, by, now);
    },
    async addHits(hits, day) {
      addHitsTx.immediate(hits, day);
    },
    async list(since) {
      return selectList.all({ since }).map(toStored);
    },
    async summary(now, day): Promise<BlockSummary> {
      const row = selectSummary.get({ now: now.toISOString(), day })!;
      return { active: row.active, hits: row.hits ?? 0, hitsToday: row.today ?? 0 };
    },
  });
}
