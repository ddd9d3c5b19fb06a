// Supervisors' report figures for a time range: plain SQL aggregates over the conversations started in it.
import { zoneOffset } from '../routing/business-hours.ts';
import type { Db } from '../sqlite/db.ts';

/**
 * Every figure is about one cohort: the conversations whose `created_at` lies in [from, to) (to exclusive),
 * and what happened in them whenever it happened (a chat started on the last evening and closed the next
 * morning counts with its start). A figure with nothing to average is `null`, never NaN or 0.
 *
 * - `conversations`: how many conversations started in the range.
 * - A conversation was handed off when it entered a queue at least once (queued_at set) or the bot gave a
 *   handoff reply in it (a bot message of kind `handoff`: also a request outside hours that nobody could
 *   take, answered with "leave a message"). Every request for a person counts, reached or not.
 * - `containmentRate`: contained / conversations, where contained = the conversation was never handed off,
 *   is not with the people now (status `bot` or `closed`) and no agent ever held it (no row in
 *   conversation_agents). So containmentRate + handoffRate <= 1. Null when conversations = 0.
 * - `handoffRate`: conversations handed off / conversations. Null when 0.
 * - `handoffReasons`: those same conversations counted by their latest handoff reason (requested,
 *   complaint, low_confidence, ...; `outside_hours` for a request that never entered a queue); the counts
 *   add up to the conversations handed off.
 * - `fallbackRate`: bot replies of kind `fallback` / all bot replies (author `bot`, kind answer | clarify |
 *   fallback | handoff) in those conversations. Null when the bot replied nothing.
 * - `avgWaitSeconds`: mean, over the conversations that entered a queue and were then joined by an agent,
 *   of the seconds from their latest entry into the queue (queued_at: a handoff, or a requeue when an agent
 *   went offline or transferred to a group) to the first `agent_joined` note after it (a take or an
 *   auto-assignment). Rounded to 0.1 s. Null when no one was joined.
 * - `avgHandleSeconds`: mean `handling_seconds` of the closes of those conversations that an agent held:
 *   from the (last) assignment to the close, as routing records it (after a transfer to another agent,
 *   the last holder's part). Rounded to 0.1 s. Null when no agent closed one.
 * - `csat`: `average` (to 0.01) and `count` of the visitors' ratings (1-5) of the closes of those
 *   conversations; average null when count = 0.
 * - `byHour`: 24 counts, conversations started in each hour of the day in `timeZone` (index 0 = 00:00-00:59).
 * - `topEntries`: the `topEntries` knowledge entries most often given as a bot answer (kind `answer`) in those
 *   conversations, most first (ties by entry id).
 * - `agents`: every agent who held at least one of those conversations: `conversations` they held (a
 *   transferred chat counts for each holder), `avgHandleSeconds` and `csat` over the closes they made as
 *   the holder (null / count 0 when none). Most conversations first, ties by display name.
 */
export interface Report {
  /** The range as UTC ISO instants; `to` exclusive. */
  from: string;
  to: string;
  conversations: number;
  containmentRate: number | null;
  handoffRate: number | null;
  handoffReasons: Record<string, number>;
  fallbackRate: number | null;
  avgWaitSeconds: number | null;
  avgHandleSeconds: number | null;
  csat: Csat;
  byHour: number[];
  topEntries: Array<{ entryId: string; count: number }>;
  agents: AgentReport[];
}

export interface Csat {
  average: number | null;
  count: number;
}

export interface AgentReport {
  id: string;
  displayName: string;
  conversations: number;
  avgHandleSeconds: number | null;
  csat: Csat;
}

export interface ReportRange {
  from: Date;
  to: Date;
}

/** Where report figures come from (SQLite today; a PostgreSQL adapter answers the same later). */
export interface Reports {
  report(range: ReportRange): Promise<Report>;
}

export interface ReportsOptions {
  /** Zone of the hour-of-day chart. Default Asia/Shanghai (fixed +08:00, no DST). */
  timeZone: string;
  /** Length of the top entries list. Range 1-100; default 10. */
  topEntries: number;
}

export const defaultReportsOptions: ReportsOptions = { timeZone: 'Asia/Shanghai', topEntries: 10 };

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

  return {
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
  };
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
