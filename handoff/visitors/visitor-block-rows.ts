// What both engines' visitor block stores share around their SQL: the row, the block made of it, what a new block
// of a value does to the one in force, and the summary figures.
import type { BlockKind, BlockSummary, NewBlock, StoredBlock } from './visitor-blocks.ts';

const HOUR_MS = 3_600_000;

export interface BlockRow {
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

/** What the summary statement counts (sums are NULL over no rows). */
export interface BlockSummaryRow {
  active: number;
  hits: number | null;
  today: number | null;
}

/**
 * What blocking `input` at `now` does, given the block of its value not lifted yet (`open`): extend it when it is
 * still in force, else insert a new block, after closing off the expired one (`endExpired`) when there is one.
 */
export type BlockPlan =
  | { kind: 'extend'; id: string; expiresAt: string | null }
  | { kind: 'insert'; expiresAt: string | null; endExpired: string | undefined };

export function planBlock(open: BlockRow | undefined, input: NewBlock, now: Date): BlockPlan {
  const expiresAt = input.durationHours === undefined ? null : new Date(now.getTime() + input.durationHours * HOUR_MS).toISOString();
  if (open && expiryMs(open.expires_at) > now.getTime()) {
    // An agent's hour must not cut short an admin's "until lifted": the later expiry wins.
    return { kind: 'extend', id: open.id, expiresAt: expiryMs(open.expires_at) >= expiryMs(expiresAt) ? open.expires_at : expiresAt };
  }
  // An expired block is closed off (ended at its expiry, by nobody) so the same value can be blocked anew.
  return { kind: 'insert', expiresAt, endExpired: open?.id };
}

export function toStoredBlock(row: BlockRow): StoredBlock {
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

export function toBlockSummary(row: BlockSummaryRow): BlockSummary {
  return { active: row.active, hits: row.hits ?? 0, hitsToday: row.today ?? 0 };
}

const expiryMs = (expiresAt: string | null) => (expiresAt === null ? Infinity : Date.parse(expiresAt));
