// The instant a calendar day starts in a time zone (search date ranges are days in Asia/Shanghai by default).
import { zoneOffset } from '../routing/business-hours.ts';

/** Midnight at the start of `yyyy-mm-dd` in `timeZone`, or undefined when the date does not exist (2025-02-30). */
export function startOfZonedDay(date: string, timeZone: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const utcMidnight = Date.UTC(y, m - 1, d);
  const check = new Date(utcMidnight);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return undefined;
  // The zone's offset at that moment; asked twice because a DST change may lie between the guess and the answer.
  let instant = utcMidnight - zoneOffset(utcMidnight, timeZone);
  instant = utcMidnight - zoneOffset(instant, timeZone);
  return new Date(instant);
}

/** The day after `yyyy-mm-dd` (a valid date), as `yyyy-mm-dd`. */
export function nextDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

