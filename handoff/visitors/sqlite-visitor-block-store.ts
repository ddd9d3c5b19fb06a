// Visitor blocks in SQLite (migration 008): each block or lift one transaction with whatever must go with it
// (the audit row), and the refused requests counted per block and per day.
import { randomUUID } from 'node:crypto';
import type { Db } from '../sqlite/db.ts';
import { gated } from '../sqlite/unit-of-work.ts';
import { planBlock, toBlockSummary, toStoredBlock, type BlockRow, type BlockSummaryRow } from './visitor-block-rows.ts';
import type { BlockSummary, NewBlock, StoredBlock, VisitorBlockStore } from './visitor-blocks.ts';

export function createSqliteVisitorBlockStore(db: Db): VisitorBlockStore {
  const selectUnlifted = db.prepare<[], BlockRow>('SELECT * FROM visitor_blocks WHERE lifted_at IS NULL');
  const selectById = db.prepare<[string], BlockRow>('SELECT * FROM visitor_blocks WHERE id = ?');
  const selectOpen = db.prepare<[string, string], BlockRow>('SELECT * FROM visitor_blocks WHERE kind = ? AND value = ? AND lifted_at IS NULL');
  const insert = db.prepare(`
    INSERT INTO visitor_blocks (id, kind, value, reason, conversation_id, created_by, created_at, expires_at)
    VALUES (@id, @kind, @value, @reason, @conversationId, @createdBy, @now, @expiresAt)`);
  const extend = db.prepare('UPDATE visitor_blocks SET expires_at = @expiresAt, reason = coalesce(@reason, reason) WHERE id = @id');
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
  const selectSummary = db.prepare<[{ now: string; day: string }], BlockSummaryRow>(`
    SELECT
      count(*) FILTER (WHERE lifted_at IS NULL AND (expires_at IS NULL OR expires_at > @now)) AS active,
      sum(hits) FILTER (WHERE lifted_at IS NULL AND (expires_at IS NULL OR expires_at > @now)) AS hits,
      sum(CASE WHEN hits_day = @day THEN hits_on_day ELSE 0 END) AS today
    FROM visitor_blocks`);

  const blockTx = db.transaction((input: NewBlock, now: Date): StoredBlock => {
    const plan = planBlock(selectOpen.get(input.kind, input.value), input, now);
    if (plan.kind === 'extend') {
      extend.run({ id: plan.id, expiresAt: plan.expiresAt, reason: input.reason ?? null });
      return toStoredBlock(selectById.get(plan.id)!);
    }
    if (plan.endExpired !== undefined) endExpired.run(plan.endExpired);
    const id = randomUUID();
    insert.run({
      id,
      kind: input.kind,
      value: input.value,
      reason: input.reason ?? null,
      conversationId: input.conversationId ?? null,
      createdBy: input.createdBy,
      now: now.toISOString(),
      expiresAt: plan.expiresAt,
    });
    return toStoredBlock(selectById.get(id)!);
  });

  const liftTx = db.transaction((block: StoredBlock, by: string, now: Date): StoredBlock => {
    if (block.liftedAt === null) lift.run({ id: block.id, by, now: now.toISOString() });
    return toStoredBlock(selectById.get(block.id)!);
  });

  const addHitsTx = db.transaction((hits: ReadonlyArray<{ id: string; count: number; last: Date }>, day: string) => {
    for (const h of hits) addHits.run({ id: h.id, count: h.count, last: h.last.toISOString(), day });
  });

  return gated(db, {
    async unlifted() {
      return selectUnlifted.all().map(toStoredBlock);
    },
    async get(id) {
      const row = selectById.get(id);
      return row ? toStoredBlock(row) : undefined;
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
      return selectList.all({ since }).map(toStoredBlock);
    },
    async summary(now, day): Promise<BlockSummary> {
      const row = selectSummary.get({ now: now.toISOString(), day })!;
      return toBlockSummary(row);
    },
  });
}
