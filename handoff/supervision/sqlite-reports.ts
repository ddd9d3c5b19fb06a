// The reports' SQL: every figure of GET /api/admin/reports read from the conversations, messages, closures and transfers.
import type { Db } from '../sqlite/db.ts';
import { gated } from '../sqlite/unit-of-work.ts';
import { hourOffsetMinutes, reportOf, type CloseFigures, type ReportFigures } from './report-figures.ts';
import { defaultReportsOptions, type Report, type Reports, type ReportsOptions } from './reports.ts';
import type { VisitorRows } from './visitor-origins.ts';

/** The one bot decision kinds a reply can have (the bot's system-like notes would have other kinds). */
const REPLY_KINDS = "('answer', 'clarify', 'fallback', 'handoff')";
/** The cohort: conversations started in [from, to); uses conversations_by_created (migration 009). */
const IN_RANGE = 'c.created_at >= @from AND c.created_at < @to';

/** Queued at least once, or told by the bot that a person was being fetched (reached or not). */
const HANDED_OFF = `c.queued_at IS NOT NULL OR EXISTS (SELECT 1 FROM messages AS h WHERE h.conversation_id = c.id AND h.author = 'bot' AND h.kind = 'handoff')`;

type Range = { from: string; to: string };

export function createSqliteReports(db: Db, options: Partial<ReportsOptions> = {}): Reports {
  const opts: ReportsOptions = { ...defaultReportsOptions, ...options };

  const headline = db.prepare<[Range], ReportFigures['headline']>(`
    SELECT count(*) AS conversations,
      coalesce(sum(c.status IN ('bot', 'closed') AND NOT (${HANDED_OFF})
        AND NOT EXISTS (SELECT 1 FROM conversation_agents AS a WHERE a.conversation_id = c.id)), 0) AS contained,
      coalesce(sum(${HANDED_OFF}), 0) AS queued
    FROM conversations AS c WHERE ${IN_RANGE}`);
  const reasons = db.prepare<[Range], ReportFigures['reasons'][number]>(`
    SELECT coalesce(c.handoff_reason, CASE WHEN c.queued_at IS NULL THEN 'outside_hours' ELSE 'unknown' END) AS reason, count(*) AS n
    FROM conversations AS c WHERE ${IN_RANGE} AND (${HANDED_OFF})
    GROUP BY reason ORDER BY n DESC, reason`);
  const replies = db.prepare<[Range], ReportFigures['replies']>(`
    SELECT count(*) AS replies, coalesce(sum(m.kind = 'fallback'), 0) AS fallbacks
    FROM conversations AS c JOIN messages AS m ON m.conversation_id = c.id
    WHERE ${IN_RANGE} AND m.author = 'bot' AND m.kind IN ${REPLY_KINDS}`);
  const entries = db.prepare<[Range & { limit: number }], ReportFigures['topEntries'][number]>(`
    SELECT m.entry_id AS entryId, count(*) AS count
    FROM conversations AS c JOIN messages AS m ON m.conversation_id = c.id
    WHERE ${IN_RANGE} AND m.author = 'bot' AND m.kind = 'answer' AND m.entry_id IS NOT NULL
    GROUP BY m.entry_id ORDER BY count DESC, entryId LIMIT @limit`);
  // The first agent_joined note after the latest queue entry: routing writes it at every take or assignment.
  const wait = db.prepare<[Range], ReportFigures['wait']>(`
    SELECT avg(w) AS avg FROM (
      SELECT (julianday((SELECT min(m.created_at) FROM messages AS m
                         WHERE m.conversation_id = c.id AND m.author = 'system' AND m.kind = 'agent_joined'
                           AND m.created_at >= c.queued_at)) - julianday(c.queued_at)) * 86400.0 AS w
      FROM conversations AS c WHERE ${IN_RANGE} AND c.queued_at IS NOT NULL)
    WHERE w IS NOT NULL`);
  const closes = db.prepare<[Range], CloseFigures>(`
    SELECT avg(cl.handling_seconds) AS handle, avg(cl.rating) AS rating, count(cl.rating) AS ratings
    FROM conversations AS c JOIN conversation_closures AS cl ON cl.conversation_id = c.id
    WHERE ${IN_RANGE}`);
  const hours = db.prepare<[Range & { offset: string }], ReportFigures['hours'][number]>(`
    SELECT CAST(strftime('%H', c.created_at, @offset) AS INTEGER) AS hour, count(*) AS n
    FROM conversations AS c WHERE ${IN_RANGE} GROUP BY hour`);
  const held = db.prepare<[Range], ReportFigures['held'][number]>(`
    SELECT a.agent_id AS id, ag.display_name AS displayName, count(*) AS n
    FROM conversations AS c JOIN conversation_agents AS a ON a.conversation_id = c.id
    LEFT JOIN agents AS ag ON ag.id = a.agent_id
    WHERE ${IN_RANGE} GROUP BY a.agent_id`);
  const closedBy = db.prepare<[Range], ReportFigures['closedBy'][number]>(`
    SELECT cl.agent_id AS id, avg(cl.handling_seconds) AS handle, avg(cl.rating) AS rating, count(cl.rating) AS ratings
    FROM conversations AS c JOIN conversation_closures AS cl ON cl.conversation_id = c.id
    WHERE ${IN_RANGE} AND cl.agent_id IS NOT NULL GROUP BY cl.agent_id`);

  // The raw strings, grouped: a long range has few distinct user agents, so each is parsed once, not per row.
  const userAgents = db.prepare<[Range], VisitorRows['userAgents'][number]>(`
    SELECT c.user_agent AS value, count(*) AS n FROM conversations AS c WHERE ${IN_RANGE} GROUP BY c.user_agent`);
  const referrers = db.prepare<[Range], VisitorRows['referrers'][number]>(`
    SELECT c.referrer AS referrer, CASE WHEN c.referrer IS NULL THEN NULL ELSE c.page_url END AS page, count(*) AS n
    FROM conversations AS c WHERE ${IN_RANGE} GROUP BY 1, 2`);

  return gated(db, {
    async report({ from, to }) {
      const range: Range = { from: from.toISOString(), to: to.toISOString() };
      // Read in one transaction: every figure sees the same database state.
      return db.transaction((): Report => {
        const offsetMinutes = hourOffsetMinutes(from, opts.timeZone);
        return reportOf(range, {
          headline: headline.get(range)!,
          reasons: reasons.all(range),
          replies: replies.get(range)!,
          topEntries: entries.all({ ...range, limit: opts.topEntries }),
          wait: wait.get(range)!,
          closes: closes.get(range)!,
          hours: hours.all({ ...range, offset: `${offsetMinutes >= 0 ? '+' : ''}${offsetMinutes} minutes` }),
          held: held.all(range),
          closedBy: closedBy.all(range),
          visitors: { userAgents: userAgents.all(range), referrers: referrers.all(range) },
        });
      })();
    },
  });
}
