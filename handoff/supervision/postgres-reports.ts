// The reports' SQL on PostgreSQL: sqlite-reports.ts's figures, statement for statement, with SQLite's date
// functions translated (julianday differences become epoch differences, strftime's hour with a fixed offset
// becomes the hour of the UTC time plus that same offset).
import type { PgDb } from '../postgres/pg-db.ts';
import { hourOffsetMinutes, reportOf, type CloseFigures, type ReportFigures } from './report-figures.ts';
import { defaultReportsOptions, type Report, type Reports, type ReportsOptions } from './reports.ts';
import type { VisitorRows } from './visitor-origins.ts';

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
// The raw strings, grouped: each distinct user agent or referrer is parsed once in code (visitor-origins.ts).
const USER_AGENTS = `
  SELECT c.user_agent AS value, count(*) AS n FROM conversations AS c WHERE ${IN_RANGE} GROUP BY c.user_agent`;
const REFERRERS = `
  SELECT c.referrer AS referrer, CASE WHEN c.referrer IS NULL THEN NULL ELSE c.page_url END AS page, count(*) AS n
  FROM conversations AS c WHERE ${IN_RANGE} GROUP BY 1, 2`;

export function createPostgresReports(db: PgDb, options: Partial<ReportsOptions> = {}): Reports {
  const opts: ReportsOptions = { ...defaultReportsOptions, ...options };

  return {
    async report({ from, to }) {
      const range = [from.toISOString(), to.toISOString()];
      const offsetMinutes = hourOffsetMinutes(from, opts.timeZone);
      const inUnit = db.scope.getStore() !== undefined;
      // One REPEATABLE READ transaction: every figure sees the same database state, as SQLite's one read
      // transaction gave (READ COMMITTED would take a new snapshot per statement). Inside a caller's unit, its
      // transaction is used as it is.
      return db.transaction(async (): Promise<Report> => {
        if (!inUnit) await db.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
        return reportOf(
          { from: range[0]!, to: range[1]! },
          {
            headline: (await db.one<ReportFigures['headline']>(HEADLINE, range))!,
            reasons: await db.query<ReportFigures['reasons'][number]>(REASONS, range),
            replies: (await db.one<ReportFigures['replies']>(REPLIES, range))!,
            topEntries: await db.query<ReportFigures['topEntries'][number]>(ENTRIES, [...range, opts.topEntries]),
            wait: (await db.one<ReportFigures['wait']>(WAIT, range))!,
            closes: (await db.one<CloseFigures>(CLOSES, range))!,
            hours: await db.query<ReportFigures['hours'][number]>(HOURS, [...range, offsetMinutes]),
            held: await db.query<ReportFigures['held'][number]>(HELD, range),
            closedBy: await db.query<ReportFigures['closedBy'][number]>(CLOSED_BY, range),
            visitors: {
              userAgents: await db.query<VisitorRows['userAgents'][number]>(USER_AGENTS, range),
              referrers: await db.query<VisitorRows['referrers'][number]>(REFERRERS, range),
            },
          },
        );
      });
    },
  };
}
