// The reports' SQL on PostgreSQL: sqlite-reports.ts's figures, statement for statement, with SQLite's date
// functions translated (julianday differences become epoch differences, strftime's hour with a fixed offset
// becomes the hour of the UTC time plus that same offset).
import { zoneOffset } from '../routing/business-hours.ts';
import type { PgDb } from '../postgres/pg-db.ts';
import { defaultReportsOptions, type AgentReport, type Report, type Reports, type ReportsOptions } from './reports.ts';

/** The one bot decision kinds a reply can have (the bot's system-like notes would have other kinds). */
const REPLY_KINDS = "('answer', 'clarify', 'fallback', 'handoff')";
/** The cohort: conversations started in [from, to) ($1, $2); uses conversations_by_created. */
const IN_RANGE = 'c.created_at >= $1 AND c.created_at < $2';

/** Queued at least once, or told by the bot that a person was being fetched (reached or not). */
const HANDED_OFF = `c.queued_at IS NOT NULL OR EXISTS (SELECT 1 FROM messages AS h WHERE h.conversation_id = c.id AND h.author = 'bot' AND h.kind = 'handoff')`;

// avg() of integers and extract() give NUMERIC, which node-postgres returns as a string: cast to float8.
// COLLATE "C" where SQLite's BINARY order shows (ties in the lists), so a database locale does not reorder them.
const HEADLINE = `
  SELECT count(*) AS conversations,
    count(*) FILTER (WHERE c.status IN ('bot', 'closed') AND NOT (${HANDED_OFF})
      AND NOT EXISTS (SELECT 1 FROM conversation_agents AS a WHERE a.conversation_id = c.id)) AS contained,
    count(*) FILTER (WHERE ${HANDED_OFF}) AS queued
  FROM conversations AS c WHERE ${IN_RANGE}`;
const REASONS = `
  SELECT coalesce(c.handoff_reason, CASE WHEN c.queued_at IS NULL THEN 'outside_hours' ELSE 'unknown' END) COLLATE "C" AS reason,
    count(*) AS n
  FROM conversations AS c WHERE ${IN_RANGE} AND (${HANDED_OFF})
  GROUP BY 1 ORDER BY n DESC, reason`;
const REPLIES = `
  SELECT count(*) AS replies, count(*) FILTER (WHERE m.kind = 'fallback') AS fallbacks
  FROM conversations AS c JOIN messages AS m ON m.conversation_id = c.id
  WHERE ${IN_RANGE} AND m.author = 'bot' AND m.kind IN ${REPLY_KINDS}`;
const ENTRIES = `
  SELECT m.entry_id COLLATE "C" AS "entryId", count(*) AS count
  FROM conversations AS c JOIN messages AS m ON m.conversation_id = c.id
  WHERE ${IN_RANGE} AND m.author = 'bot' AND m.kind = 'answer' AND m.entry_id IS NOT NULL
  GROUP BY m.entry_id ORDER BY count DESC, "entryId" LIMIT $3`;
// The first agent_joined note after the latest queue entry: routing writes it at every take or assignment.
// The ISO texts compare as on SQLite; only the difference is taken as instants.
const WAIT = `
  SELECT avg(w)::float8 AS avg FROM (
    SELECT extract(epoch FROM (
             (SELECT min(m.created_at) FROM messages AS m
              WHERE m.conversation_id = c.id AND m.author = 'system' AND m.kind = 'agent_joined'
                AND m.created_at >= c.queued_at)::timestamptz - c.queued_at::timestamptz)) AS w
    FROM conversations AS c WHERE ${IN_RANGE} AND c.queued_at IS NOT NULL) AS waits
  WHERE w IS NOT NULL`;
const CLOSES = `
  SELECT avg(cl.handling_seconds)::float8 AS handle, avg(cl.rating)::float8 AS rating, count(cl.rating) AS ratings
  FROM conversations AS c JOIN conversation_closures AS cl ON cl.conversation_id = c.id
  WHERE ${IN_RANGE}`;
// SQLite: strftime('%H', created_at, '+N minutes'), one offset for the whole range (the zone's at `from`).
const HOURS = `
  SELECT extract(hour FROM (c.created_at::timestamptz AT TIME ZONE 'UTC') + make_interval(mins => $3::integer))::integer AS hour,
    count(*) AS n
  FROM conversations AS c WHERE ${IN_RANGE} GROUP BY 1`;
const HELD = `
  SELECT a.agent_id AS id, ag.display_name AS "displayName", count(*) AS n
  FROM conversations AS c JOIN conversation_agents AS a ON a.conversation_id = c.id
  LEFT JOIN agents AS ag ON ag.id = a.agent_id
  WHERE ${IN_RANGE} GROUP BY a.agent_id, ag.display_name`;
const CLOSED_BY = `
  SELECT cl.agent_id AS id, avg(cl.handling_seconds)::float8 AS handle, avg(cl.rating)::float8 AS rating, count(cl.rating) AS ratings
  FROM conversations AS c JOIN conversation_closures AS cl ON cl.conversation_id = c.id
  WHERE ${IN_RANGE} AND cl.agent_id IS NOT NULL GROUP BY cl.agent_id`;

export function createPostgresReports(db: PgDb, options: Partial<ReportsOptions> = {}): Reports {
  const opts: ReportsOptions = { ...defaultReportsOptions, ...options };

  return {
    async report({ from, to }) {
      const range = [from.toISOString(), to.toISOString()];
      const offsetMinutes = Math.round(zoneOffset(from.getTime(), opts.timeZone) / 60_000);
      const inUnit = db.scope.getStore() !== undefined;
      // One REPEATABLE READ transaction: every figure sees the same database state, as SQLite's one read
      // transaction gave (READ COMMITTED would take a new snapshot per statement). Inside a caller's unit, its
      // transaction is used as it is.
      return db.transaction(async (): Promise<Report> => {
        if (!inUnit) await db.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
        const h = (await db.one<{ conversations: number; contained: number; queued: number }>(HEADLINE, range))!;
        const reasons = await db.query<{ reason: string; n: number }>(REASONS, range);
        const r = (await db.one<{ replies: number; fallbacks: number }>(REPLIES, range))!;
        const entries = await db.query<{ entryId: string; count: number }>(ENTRIES, [...range, opts.topEntries]);
        const wait = (await db.one<{ avg: number | null }>(WAIT, range))!;
        const cl = (await db.one<{ handle: number | null; rating: number | null; ratings: number }>(CLOSES, range))!;
        const hours = await db.query<{ hour: number; n: number }>(HOURS, [...range, offsetMinutes]);
        const held = await db.query<{ id: string; displayName: string | null; n: number }>(HELD, range);
        const closedBy = await db.query<{ id: string; handle: number | null; rating: number | null; ratings: number }>(CLOSED_BY, range);

        const byHour: number[] = new Array<number>(24).fill(0);
        for (const row of hours) byHour[row.hour] = row.n;
        const closers = new Map(closedBy.map((row) => [row.id, row]));
        const agents = held.map((row): AgentReport => {
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
          from: range[0]!,
          to: range[1]!,
          conversations: h.conversations,
          containmentRate: share(h.contained, h.conversations),
          handoffRate: share(h.queued, h.conversations),
          handoffReasons: Object.fromEntries(reasons.map((row) => [row.reason, row.n])),
          fallbackRate: share(r.fallbacks, r.replies),
          avgWaitSeconds: round(wait.avg, 1),
          avgHandleSeconds: round(cl.handle, 1),
          csat: { average: round(cl.rating, 2), count: cl.ratings },
          byHour,
          topEntries: entries,
          agents,
        };
      });
    },
  };
}

function share(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

/** Figures are shown to a tenth of a second and ratings to a hundredth, as SQLite's reports round them. */
function round(value: number | null, digits: number): number | null {
  if (value === null) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
