// The reports' SQL: every figure of GET /api/admin/reports read from the conversations, messages, closures and transfers.
import { zoneOffset } from '../routing/business-hours.ts';
import type { Db } from '../sqlite/db.ts';
import { gated } from '../sqlite/unit-of-work.ts';
import { defaultReportsOptions, type AgentReport, type Report, type Reports, type ReportsOptions } from './reports.ts';

/** The one bot decision kinds a reply can have (the bot's system-like notes would have other kinds). */
const REPLY_KINDS = "('answer', 'clarify', 'fallback', 'handoff')";
/** The cohort: conversations started in [from, to); uses conversations_by_created (migration 009). */
const IN_RANGE = 'c.created_at >= @from AND c.created_at < @to';

/** Queued at least once, or told by the bot that a person was being fetched (reached or not). */
const HANDED_OFF = `c.queued_at IS NOT NULL OR EXISTS (SELECT 1 FROM messages AS h WHERE h.conversation_id = c.id AND h.author = 'bot' AND h.kind = 'handoff')`;

type Range = { from: string; to: string };

export function createSqliteReports(db: Db, options: Partial<ReportsOptions> = {}): Reports {
  const opts: ReportsOptions = { ...defaultReportsOptions, ...options };

  const headline = db.prepare<[Range], { conversations: number; contained: number; queued: number }>(`
    SELECT count(*) AS conversations,
      coalesce(sum(c.status IN ('bot', 'closed') AND NOT (${HANDED_OFF})
        AND NOT EXISTS (SELECT 1 FROM conversation_agents AS a WHERE a.conversation_id = c.id)), 0) AS contained,
      coalesce(sum(${HANDED_OFF}), 0) AS queued
    FROM conversations AS c WHERE ${IN_RANGE}`);
  const reasons = db.prepare<[Range], { reason: string; n: number }>(`
    SELECT coalesce(c.handoff_reason, CASE WHEN c.queued_at IS NULL THEN 'outside_hours' ELSE 'unknown' END) AS reason, count(*) AS n
    FROM conversations AS c WHERE ${IN_RANGE} AND (${HANDED_OFF})
    GROUP BY reason ORDER BY n DESC, reason`);
  const replies = db.prepare<[Range], { replies: number; fallbacks: number }>(`
    SELECT count(*) AS replies, coalesce(sum(m.kind = 'fallback'), 0) AS fallbacks
    FROM conversations AS c JOIN messages AS m ON m.conversation_id = c.id
    WHERE ${IN_RANGE} AND m.author = 'bot' AND m.kind IN ${REPLY_KINDS}`);
  const entries = db.prepare<[Range & { limit: number }], { entryId: string; count: number }>(`
    SELECT m.entry_id AS entryId, count(*) AS count
    FROM conversations AS c JOIN messages AS m ON m.conversation_id = c.id
    WHERE ${IN_RANGE} AND m.author = 'bot' AND m.kind = 'answer' AND m.entry_id IS NOT NULL
    GROUP BY m.entry_id ORDER BY count DESC, entryId LIMIT @limit`);
  // The first agent_joined note after the latest queue entry: routing writes it at every take or assignment.
  const wait = db.prepare<[Range], { avg: number | null }>(`
    SELECT avg(w) AS avg FROM (
      SELECT (julianday((SELECT min(m.created_at) FROM messages AS m
                         WHERE m.conversation_id = c.id AND m.author = 'system' AND m.kind = 'agent_joined'
                           AND m.created_at >= c.queued_at)) - julianday(c.queued_at)) * 86400.0 AS w
      FROM conversations AS c WHERE ${IN_RANGE} AND c.queued_at IS NOT NULL)
    WHERE w IS NOT NULL`);
  const closes = db.prepare<[Range], { handle: number | null; rating: number | null; ratings: number }>(`
    SELECT avg(cl.handling_seconds) AS handle, avg(cl.rating) AS rating, count(cl.rating) AS ratings
    FROM conversations AS c JOIN conversation_closures AS cl ON cl.conversation_id = c.id
    WHERE ${IN_RANGE}`);
  const hours = db.prepare<[Range & { offset: string }], { hour: number; n: number }>(`
    SELECT CAST(strftime('%H', c.created_at, @offset) AS INTEGER) AS hour, count(*) AS n
    FROM conversations AS c WHERE ${IN_RANGE} GROUP BY hour`);
  const held = db.prepare<[Range], { id: string; displayName: string | null; n: number }>(`
    SELECT a.agent_id AS id, ag.display_name AS displayName, count(*) AS n
    FROM conversations AS c JOIN conversation_agents AS a ON a.conversation_id = c.id
    LEFT JOIN agents AS ag ON ag.id = a.agent_id
    WHERE ${IN_RANGE} GROUP BY a.agent_id`);
  const closedBy = db.prepare<[Range], { id: string; handle: number | null; rating: number | null; ratings: number }>(`
    SELECT cl.agent_id AS id, avg(cl.handling_seconds) AS handle, avg(cl.rating) AS rating, count(cl.rating) AS ratings
    FROM conversations AS c JOIN conversation_closures AS cl ON cl.conversation_id = c.id
    WHERE ${IN_RANGE} AND cl.agent_id IS NOT NULL GROUP BY cl.agent_id`);

  return gated(db, {
    async report({ from, to }) {
      const range: Range = { from: from.toISOString(), to: to.toISOString() };
      // Read in one transaction: every figure sees the same database state.
      return db.transaction((): Report => {
        const h = headline.get(range)!;
        const r = replies.get(range)!;
        const cl = closes.get(range)!;
        const byHour: number[] = new Array<number>(24).fill(0);
        const offsetMinutes = Math.round(zoneOffset(from.getTime(), opts.timeZone) / 60_000);
        for (const row of hours.all({ ...range, offset: `${offsetMinutes >= 0 ? '+' : ''}${offsetMinutes} minutes` })) {
          byHour[row.hour] = row.n;
        }
        const closers = new Map(closedBy.all(range).map((row) => [row.id, row]));
        const agents = held.all(range).map((row): AgentReport => {
          const mine = closers.get(row.id);
          return {
            id: row.id,
            displayName: row.displayName ?? row.id,
            conversations: row.n,
            avgHandleSeconds: round(mine?.handle ?? null, 1),
            csat: { average: round(mine?.rating ?? null, 2), count: mine?.ratings ?? 0 },
          };
        });
        agents.sort((a, b) => b.conversations - a.conversations || a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id));
        return {
          from: range.from,
          to: range.to,
          conversations: h.conversations,
          containmentRate: share(h.contained, h.conversations),
          handoffRate: share(h.queued, h.conversations),
          handoffReasons: Object.fromEntries(reasons.all(range).map((row) => [row.reason, row.n])),
          fallbackRate: share(r.fallbacks, r.replies),
          avgWaitSeconds: round(wait.get(range)!.avg, 1),
          avgHandleSeconds: round(cl.handle, 1),
          csat: { average: round(cl.rating, 2), count: cl.ratings },
          byHour,
          topEntries: entries.all({ ...range, limit: opts.topEntries }),
          agents,
        };
      })();
    },
  });
}

function share(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

/** Julian-day arithmetic leaves float dust (59.99999); figures are shown to a tenth of a second anyway. */
function round(value: number | null, digits: number): number | null {
  if (value === null) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
