// The figures each engine's report statements return, and the Report both engines make of them alike (rates,
// rounding, the hour chart, the agents' order), so the two engines' reports differ only in their SQL.
import { zoneOffset } from '../routing/business-hours.ts';
import type { AgentReport, Report } from './reports.ts';
import { visitorFigures, type VisitorRows } from './visitor-origins.ts';

export interface HeadlineFigures {
  conversations: number;
  contained: number;
  queued: number;
}

export interface CloseFigures {
  handle: number | null;
  rating: number | null;
  ratings: number;
}

/** What one read of the cohort returns, a field per statement. */
export interface ReportFigures {
  headline: HeadlineFigures;
  reasons: Array<{ reason: string; n: number }>;
  replies: { replies: number; fallbacks: number };
  topEntries: Array<{ entryId: string; count: number }>;
  wait: { avg: number | null };
  closes: CloseFigures;
  /** Conversations per hour of the day, in the zone's offset at `from` (hourOffsetMinutes). */
  hours: Array<{ hour: number; n: number }>;
  held: Array<{ id: string; displayName: string | null; n: number }>;
  closedBy: Array<CloseFigures & { id: string }>;
  /** The cohort's distinct user agents and referrers with their counts (parsed here, once per distinct string). */
  visitors: VisitorRows;
}

/** The hour chart's one offset for the whole range: the zone's at `from`, in whole minutes. */
export function hourOffsetMinutes(from: Date, timeZone: string): number {
  return Math.round(zoneOffset(from.getTime(), timeZone) / 60_000);
}

/** The report of the cohort started in [from, to) (UTC ISO instants), from its figures. */
export function reportOf(range: { from: string; to: string }, f: ReportFigures): Report {
  const byHour: number[] = new Array<number>(24).fill(0);
  for (const row of f.hours) byHour[row.hour] = row.n;
  const closers = new Map(f.closedBy.map((row) => [row.id, row]));
  const agents = f.held.map((row): AgentReport => {
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
  const h = f.headline;
  return {
    from: range.from,
    to: range.to,
    conversations: h.conversations,
    containmentRate: share(h.contained, h.conversations),
    handoffRate: share(h.queued, h.conversations),
    handoffReasons: Object.fromEntries(f.reasons.map((row) => [row.reason, row.n])),
    fallbackRate: share(f.replies.fallbacks, f.replies.replies),
    avgWaitSeconds: round(f.wait.avg, 1),
    avgHandleSeconds: round(f.closes.handle, 1),
    csat: { average: round(f.closes.rating, 2), count: f.closes.ratings },
    byHour,
    topEntries: f.topEntries,
    agents,
    visitors: visitorFigures(f.visitors),
  };
}

function share(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

/**
 * Figures are shown to a tenth of a second and ratings to a hundredth; rounding also removes the float dust of
 * date arithmetic (SQLite's julianday differences give 59.99999).
 */
function round(value: number | null, digits: number): number | null {
  if (value === null) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
