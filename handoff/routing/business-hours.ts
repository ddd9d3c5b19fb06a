// Business hours of a group as wall-clock times in a time zone (Asia/Shanghai): open now? opens when?
import { z } from 'zod';
import type { Lang } from '../../knowledge/types.ts';

export interface BusinessHours {
  /** IANA time zone the times are read in. Default Asia/Shanghai (all of China keeps Beijing time, no DST). */
  timeZone: string;
  /** Opening time, `HH:MM` (24 h). */
  open: string;
  /**
   * Closing time, `HH:MM`, exclusive; `24:00` is midnight at the end of the day. Earlier than `open`
   * means the shift runs past midnight (22:00-02:00 belongs to the day it starts on).
   */
  close: string;
  /** ISO weekdays the shift starts on: 1 = Monday ... 7 = Sunday. Default every day. */
  days: number[];
}

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** The Unicom hall's human service: 8:30-21:30 Beijing time, every day. */
export const defaultBusinessHours: BusinessHours = {
  timeZone: DEFAULT_TIME_ZONE,
  open: '08:30',
  close: '21:30',
  days: [1, 2, 3, 4, 5, 6, 7],
};

const DAYS_ERROR = 'days must be ISO weekdays 1 (Monday) to 7 (Sunday)';
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Validates hours from an admin request or the database; missing timeZone and days take the defaults. */
export const businessHoursSchema = z
  .object({
    timeZone: z
      .string()
      .max(64)
      .refine(isTimeZone, { error: 'timeZone must be an IANA time zone such as Asia/Shanghai' })
      .default(DEFAULT_TIME_ZONE),
    open: z.string().regex(HH_MM, { error: 'open must be a time HH:MM (00:00-23:59)' }),
    close: z.string().regex(HH_MM, { error: 'close must be a time HH:MM (00:00-24:00)' }),
    days: z
      .array(z.number({ error: DAYS_ERROR }).int({ error: DAYS_ERROR }).min(1, { error: DAYS_ERROR }).max(7, { error: DAYS_ERROR }), {
        error: DAYS_ERROR,
      })
      .min(1, { error: 'days must name at least one weekday' })
      .max(7)
      .default([1, 2, 3, 4, 5, 6, 7])
      .transform((days) => [...new Set(days)].sort((a, b) => a - b)),
  })
  .refine((h) => h.open !== '24:00', { error: 'open must be a time HH:MM (00:00-23:59)', path: ['open'] })
  .refine((h) => minutesOf(h.open) !== minutesOf(h.close), {
    error: 'open and close must differ (00:00-24:00 is round the clock)',
    path: ['close'],
  });

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/** A calendar date and time of day as read on the wall clock of a time zone. */
interface WallClock {
  year: number;
  month: number;
  day: number;
  /** ISO weekday, 1 = Monday. */
  weekday: number;
  /** Minutes since local midnight. */
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function wallClock(at: Date, timeZone: string): WallClock & { seconds: number } {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(at)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const { year, month, day, hour, minute, second } = parts as Record<string, number>;
  const weekday = new Date(Date.UTC(year!, month! - 1, day!)).getUTCDay() || 7;
  return { year: year!, month: month!, day: day!, weekday, minutes: hour! * 60 + minute!, seconds: second! };
}

/** Milliseconds the zone's wall clock is ahead of UTC at `at` (+8 h for Beijing). */
export function zoneOffset(at: number, timeZone: string): number {
  const w = wallClock(new Date(at), timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, 0, w.minutes, w.seconds);
  return asUtc - Math.floor(at / 1000) * 1000;
}

/** The instant the zone's wall clock shows this date and minute of day (the later one across a DST jump back). */
function instantOf(year: number, month: number, day: number, minutes: number, timeZone: string): Date {
  const guess = Date.UTC(year, month - 1, day, 0, minutes);
  let at = guess - zoneOffset(guess, timeZone);
  // A second pass settles the rare case where the offset differs between the guess and the answer (DST).
  at = guess - zoneOffset(at, timeZone);
  return new Date(at);
}

/** The calendar date `days` after the given one. */
function addDays(year: number, month: number, day: number, days: number): { year: number; month: number; day: number; weekday: number } {
  const d = new Date(Date.UTC(year, month - 1, day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), weekday: d.getUTCDay() || 7 };
}

export function isOpenAt(hours: BusinessHours, at: Date): boolean {
  const now = wallClock(at, hours.timeZone);
  const open = minutesOf(hours.open);
  const close = minutesOf(hours.close);
  if (open < close) return hours.days.includes(now.weekday) && now.minutes >= open && now.minutes < close;
  // Past midnight: the evening part belongs to today's shift, the early morning to yesterday's.
  const yesterday = now.weekday === 1 ? 7 : now.weekday - 1;
  return (hours.days.includes(now.weekday) && now.minutes >= open) || (hours.days.includes(yesterday) && now.minutes < close);
}

/** The next opening at or after `at`; `at` itself when open now. */
export function nextOpening(hours: BusinessHours, at: Date): Date {
  if (isOpenAt(hours, at)) return at;
  const now = wallClock(at, hours.timeZone);
  const open = minutesOf(hours.open);
  // Within a week some listed weekday comes round; 8 covers a shift starting later today.
  for (let k = 0; k <= 7; k++) {
    const date = addDays(now.year, now.month, now.day, k);
    if (!hours.days.includes(date.weekday)) continue;
    const opening = instantOf(date.year, date.month, date.day, open, hours.timeZone);
    if (opening.getTime() > at.getTime()) return opening;
  }
  // Unreachable with at least one weekday listed (the schema requires one).
  throw new Error(`handoff/business-hours: no opening within a week for ${JSON.stringify(hours)}`);
}

const ZONE_LABELS: Record<string, Record<Lang, string>> = {
  'Asia/Shanghai': { zh: '北京时间', en: 'Beijing time' },
};

const WEEKDAYS: Record<Lang, string[]> = {
  zh: ['周一', '周二', '周三', '周四', '周五', '周六', '周日'],
  en: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
};
const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * When people are back, for a visitor: `今天 08:30` / `明天 08:30` / `1月4日（周六）08:30` (北京时间 when
 * the zone is Beijing's) or `8:30 tomorrow (Beijing time)`, read on the group's wall clock.
 */
export function formatOpening(opensAt: Date, now: Date, timeZone: string, lang: Lang): string {
  const then = wallClock(opensAt, timeZone);
  const today = wallClock(now, timeZone);
  const dayDiff = Math.round(
    (Date.UTC(then.year, then.month - 1, then.day) - Date.UTC(today.year, today.month - 1, today.day)) / 86_400_000,
  );
  const hh = Math.floor(then.minutes / 60);
  const mm = String(then.minutes % 60).padStart(2, '0');
  const zone = ZONE_LABELS[timeZone]?.[lang] ?? timeZone;
  if (lang === 'zh') {
    const day = dayDiff <= 0 ? '今天' : dayDiff === 1 ? '明天' : `${then.month}月${then.day}日（${WEEKDAYS.zh[then.weekday - 1]}）`;
    return `${zone}${day} ${String(hh).padStart(2, '0')}:${mm}`;
  }
  const day =
    dayDiff <= 0 ? 'today' : dayDiff === 1 ? 'tomorrow' : `on ${WEEKDAYS.en[then.weekday - 1]} ${then.day} ${MONTHS_EN[then.month - 1]}`;
  return `${hh}:${mm} ${day} (${zone})`;
}

/**
 * A shift for a visitor: `每天 09:00–22:00` / `周一至周五 08:30–17:30` / `every day 09:00–22:00`, with the
 * zone named when it is not Beijing's (the hall's visitors read times as Beijing time).
 */
export function describeHours(hours: BusinessHours, lang: Lang): string {
  const days = hours.days;
  const run = days.length > 1 && days.every((d, i) => i === 0 || d === days[i - 1]! + 1);
  const names = WEEKDAYS[lang];
  const dayText =
    days.length === 7
      ? lang === 'zh' ? '每天' : 'every day'
      : run
        ? lang === 'zh' ? `${names[days[0]! - 1]}至${names[days.at(-1)! - 1]}` : `${names[days[0]! - 1]}–${names[days.at(-1)! - 1]}`
        : days.map((d) => names[d - 1]).join(lang === 'zh' ? '、' : ', ');
  const zone = hours.timeZone === DEFAULT_TIME_ZONE ? '' : ` (${hours.timeZone})`;
  return `${dayText} ${hours.open}–${hours.close}${zone}`;
}
