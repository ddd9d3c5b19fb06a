// Admin API for the supervisors' reports: the figures of a time range as JSON, or as a CSV download.
import { Hono, type Context } from 'hono';
import type { AgentEnv, RequireAgent } from '../agents/agent-env.ts';
import { type Clock, systemClock } from '../platform/clock.ts';
import { ValidationError } from '../platform/errors.ts';
import { reportCsv } from './report-csv.ts';
import type { ReportRange, Reports } from './reports.ts';
import { startOfZonedDay } from '../platform/zoned-day.ts';

export interface ReportRoutesOptions {
  /** Zone of date-only `from`/`to` values (midnight there). Default Asia/Shanghai. */
  timeZone: string;
  /** Range without `from`: this many days before `to`. Range 1-366; default 7. */
  defaultDays: number;
  /** Longest range one report covers (it reads every conversation in it). Range 1-3660 days; default 366. */
  maxDays: number;
}

export const defaultReportRoutesOptions: ReportRoutesOptions = { timeZone: 'Asia/Shanghai', defaultDays: 7, maxDays: 366 };

export interface ReportRoutesDeps {
  reports: Reports;
  requireAgent: RequireAgent;
  clock?: Clock;
  options?: Partial<ReportRoutesOptions>;
}

const DAY_MS = 86_400_000;

export function reportRoutes({ reports, requireAgent, clock = systemClock, options = {} }: ReportRoutesDeps): Hono<AgentEnv> {
  const opts: ReportRoutesOptions = { ...defaultReportRoutesOptions, ...options };
  const app = new Hono<AgentEnv>();
  const admin = requireAgent('admin');

  /**
   * ?from= &to=: dates (yyyy-mm-dd, midnight in opts.timeZone) or ISO 8601 times with Z or an offset; `to`
   * is exclusive (to=2025-03-08 ends as 03-08 begins). Without `to`: now; without `from`: defaultDays before `to`.
   */
  function rangeOf(c: Context<AgentEnv>): ReportRange {
    const fromText = c.req.query('from');
    const toText = c.req.query('to');
    const to = toText ? parseInstant(toText, 'to', opts.timeZone) : clock();
    const from = fromText ? parseInstant(fromText, 'from', opts.timeZone) : new Date(to.getTime() - opts.defaultDays * DAY_MS);
    if (from.getTime() >= to.getTime()) throw new ValidationError('invalid_range', 'to must be later than from', 'to');
    if (to.getTime() - from.getTime() > opts.maxDays * DAY_MS) {
      throw new ValidationError('range_too_long', `a report covers at most ${opts.maxDays} days`, 'from');
    }
    return { from, to };
  }

  app.get('/api/admin/reports', admin, async (c) => c.json(await reports.report(rangeOf(c))));

  app.get('/api/admin/reports.csv', admin, async (c) => {
    const report = await reports.report(rangeOf(c));
    const name = `report-${report.from.slice(0, 10)}-${report.to.slice(0, 10)}.csv`;
    return c.body(reportCsv(report), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${name}"`,
    });
  });

  return app;
}

/** A day (midnight in `timeZone`) or an instant with its offset; anything else names the field. */
function parseInstant(value: string, field: 'from' | 'to', timeZone: string): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const start = startOfZonedDay(value, timeZone);
    if (start) return start;
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.test(value)) {
    // Date.parse rolls 2025-02-30 over into March; a date that does not exist is a mistake to report.
    const t = startOfZonedDay(value.slice(0, 10), 'UTC') ? Date.parse(value) : NaN;
    if (!Number.isNaN(t)) return new Date(t);
  }
  throw new ValidationError(`invalid_${field}`, `${field} must be a date (yyyy-mm-dd, ${timeZone}) or an ISO 8601 time with Z or an offset`, field);
}
