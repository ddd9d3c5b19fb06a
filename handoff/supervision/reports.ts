// Supervisors' report figures for a time range: plain SQL aggregates over the conversations started in it.
import type { VisitorFigures } from './visitor-origins.ts';

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
 * - `visitors`: those conversations by browser, operating system and source (search engine, referring site,
 *   direct), from the user agent and referrer each conversation stored (visitor-origins.ts).
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
  visitors: VisitorFigures;
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
