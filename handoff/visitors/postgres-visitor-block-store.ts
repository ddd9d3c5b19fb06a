// Visitor blocks on PostgreSQL: each block or lift one transaction (or part of the caller's unit, with its audit
// row), and the refused requests counted per block and per day.
import { randomUUID } from 'node:crypto';
import type { PgDb } from '../postgres/pg-db.ts';
import { planBlock, toBlockSummary, toStoredBlock, type BlockRow, type BlockSummaryRow } from './visitor-block-rows.ts';
import type { BlockSummary, NewBlock, VisitorBlockStore } from './visitor-blocks.ts';

/**
 * Held per kind and value from reading what is in force to writing: two nodes blocking one address at once
 * extend one block instead of the second failing on visitor_blocks_active (SQLite's write lock ordered them).
 */
const VALUE_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('handoff/visitor-blocks:' || $1::text || ':' || $2::text, 0))";

export function createPostgresVisitorBlockStore(db: PgDb): VisitorBlockStore {
  const selectById = (id: string) => db.one<BlockRow>('SELECT * FROM visitor_blocks WHERE id = $1', [id]);

  return {
    async unlifted() {
      return (await db.query<BlockRow>('SELECT * FROM visitor_blocks WHERE lifted_at IS NULL')).map(toStoredBlock);
    },

    async get(id) {
      const row = await selectById(id);
      return row ? toStoredBlock(row) : undefined;
    },

    async block(input: NewBlock, now: Date) {
      return db.transaction(async () => {
        await db.query(VALUE_LOCK, [input.kind, input.value]);
        const open = await db.one<BlockRow>('SELECT * FROM visitor_blocks WHERE kind = $1 AND value = $2 AND lifted_at IS NULL', [input.kind, input.value]);
        const plan = planBlock(open, input, now);
        if (plan.kind === 'extend') {
          const row = await db.one<BlockRow>(
            'UPDATE visitor_blocks SET expires_at = $2, reason = coalesce($3, reason) WHERE id = $1 RETURNING *',
            [plan.id, plan.expiresAt, input.reason ?? null],
          );
          return toStoredBlock(row!);
        }
        if (plan.endExpired !== undefined) await db.run('UPDATE visitor_blocks SET lifted_at = expires_at WHERE id = $1', [plan.endExpired]);
        const row = await db.one<BlockRow>(
          `INSERT INTO visitor_blocks (id, kind, value, reason, conversation_id, created_by, created_at, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
          [randomUUID(), input.kind, input.value, input.reason ?? null, input.conversationId ?? null, input.createdBy, now.toISOString(), plan.expiresAt],
        );
        return toStoredBlock(row!);
      });
    },

    async lift(block, by, now) {
      return db.transaction(async () => {
        if (block.liftedAt === null) {
          await db.run('UPDATE visitor_blocks SET lifted_at = $2, lifted_by = $3 WHERE id = $1 AND lifted_at IS NULL', [block.id, now.toISOString(), by]);
        }
        return toStoredBlock((await selectById(block.id))!);
      });
    },

    async addHits(hits, day) {
      await db.transaction(async () => {
        for (const h of hits) {
          await db.run(
            `UPDATE visitor_blocks SET
               hits        = hits + $2,
               last_hit_at = $3,
               hits_on_day = CASE WHEN hits_day = $4 THEN hits_on_day + $2 ELSE $2 END,
               hits_day    = $4
             WHERE id = $1`,
            [h.id, h.count, h.last.toISOString(), day],
          );
        }
      });
    },

    async list(since) {
      // COLLATE "C" on the id tie-break: SQLite's byte order.
      const rows = await db.query<BlockRow>(
        `SELECT * FROM visitor_blocks
         WHERE (lifted_at IS NULL AND (expires_at IS NULL OR expires_at >= $1)) OR lifted_at >= $1
         ORDER BY created_at DESC, id COLLATE "C"`,
        [since],
      );
      return rows.map(toStoredBlock);
    },

    async summary(now, day): Promise<BlockSummary> {
      const row = (await db.one<BlockSummaryRow>(
        `SELECT
           count(*) FILTER (WHERE lifted_at IS NULL AND (expires_at IS NULL OR expires_at > $1)) AS active,
           sum(hits) FILTER (WHERE lifted_at IS NULL AND (expires_at IS NULL OR expires_at > $1)) AS hits,
           sum(CASE WHEN hits_day = $2 THEN hits_on_day ELSE 0 END) AS today
         FROM visitor_blocks`,
        [now.toISOString(), day],
      ))!;
      return toBlockSummary(row);
    },
  };
}
