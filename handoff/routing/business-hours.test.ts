import { describe, expect, it } from 'vitest';
import { businessHoursSchema, defaultBusinessHours, formatOpening, isOpenAt, nextOpening, type BusinessHours } from './business-hours.ts';

/** A Beijing wall-clock time (UTC+8, no DST) as an instant. 2025-03-03 is a Monday. */
const beijing = (date: string, time: string) => new Date(`${date}T${time}:00+08:00`);
const hours = (partial: Partial<BusinessHours>): BusinessHours => ({ ...defaultBusinessHours, ...partial });

describe('isOpenAt', () => {
  it('default 08:30-21:30 Beijing time: 21:29 open, 21:30 and 21:31 closed, 08:29 closed, 08:30 open', () => {
    expect(isOpenAt(defaultBusinessHours, beijing('2025-03-03', '21:29'))).toBe(true);
    expect(isOpenAt(defaultBusinessHours, beijing('2025-03-03', '21:30'))).toBe(false);
    expect(isOpenAt(defaultBusinessHours, beijing('2025-03-03', '21:31'))).toBe(false);
    expect(isOpenAt(defaultBusinessHours, beijing('2025-03-03', '08:29'))).toBe(false);
    expect(isOpenAt(defaultBusinessHours, beijing('2025-03-03', '08:30'))).toBe(true);
  });

  it('reads the wall clock of Beijing whatever the instant’s UTC date (01:00 UTC is 09:00 Beijing)', () => {
    expect(isOpenAt(defaultBusinessHours, new Date('2025-03-03T01:00:00Z'))).toBe(true);
    // 14:00 UTC is 22:00 in Beijing: closed, though mid-afternoon in UTC.
    expect(isOpenAt(defaultBusinessHours, new Date('2025-03-03T14:00:00Z'))).toBe(false);
  });

  it('a Xinjiang-style group 09:00-22:00 (still Beijing time) is open at 21:31 and 08:45 is not yet', () => {
    const xinjiang = hours({ open: '09:00', close: '22:00' });
    expect(isOpenAt(xinjiang, beijing('2025-03-03', '21:31'))).toBe(true);
    expect(isOpenAt(xinjiang, beijing('2025-03-03', '21:59'))).toBe(true);
    expect(isOpenAt(xinjiang, beijing('2025-03-03', '22:00'))).toBe(false);
    expect(isOpenAt(xinjiang, beijing('2025-03-03', '08:45'))).toBe(false);
  });

  it('weekdays only: closed all Saturday', () => {
    const weekdays = hours({ days: [1, 2, 3, 4, 5] });
    expect(isOpenAt(weekdays, beijing('2025-03-07', '10:00'))).toBe(true); // Friday
    expect(isOpenAt(weekdays, beijing('2025-03-08', '10:00'))).toBe(false); // Saturday
  });

  it('a shift past midnight belongs to the day it starts on', () => {
    const night = hours({ open: '22:00', close: '02:00', days: [1] }); // Monday night only
    expect(isOpenAt(night, beijing('2025-03-03', '23:00'))).toBe(true); // Monday 23:00
    expect(isOpenAt(night, beijing('2025-03-04', '01:59'))).toBe(true); // Tuesday 01:59, Monday's shift
    expect(isOpenAt(night, beijing('2025-03-04', '02:00'))).toBe(false);
    expect(isOpenAt(night, beijing('2025-03-04', '23:00'))).toBe(false); // Tuesday night: no shift
    expect(isOpenAt(night, beijing('2025-03-03', '01:00'))).toBe(false); // Sunday's shift does not exist
  });

  it('00:00-24:00 is round the clock', () => {
    const always = hours({ open: '00:00', close: '24:00' });
    for (const t of ['00:00', '12:00', '23:59']) expect(isOpenAt(always, beijing('2025-03-03', t))).toBe(true);
  });
});

describe('nextOpening', () => {
  it('is now when open', () => {
    const at = beijing('2025-03-03', '10:00');
    expect(nextOpening(defaultBusinessHours, at)).toEqual(at);
  });

  it('later the same day before opening, the next day after closing', () => {
    expect(nextOpening(defaultBusinessHours, beijing('2025-03-03', '07:00'))).toEqual(beijing('2025-03-03', '08:30'));
    expect(nextOpening(defaultBusinessHours, beijing('2025-03-03', '21:31'))).toEqual(beijing('2025-03-04', '08:30'));
    // 23:30 Beijing is still "today" there although the UTC date already differs from tomorrow's opening's UTC date.
    expect(nextOpening(defaultBusinessHours, beijing('2025-03-03', '23:30'))).toEqual(beijing('2025-03-04', '08:30'));
  });

  it('skips days without a shift (Friday evening -> Monday morning)', () => {
    const weekdays = hours({ days: [1, 2, 3, 4, 5], open: '09:00', close: '18:00' });
    expect(nextOpening(weekdays, beijing('2025-03-07', '18:30'))).toEqual(beijing('2025-03-10', '09:00'));
  });

  it('honours another IANA zone with daylight saving time', () => {
    const london = hours({ timeZone: 'Europe/London', open: '09:00', close: '17:00' });
    // 2025-03-30 is the day the UK moves to BST (UTC+1): 09:00 local is 08:00 UTC.
    expect(nextOpening(london, new Date('2025-03-29T20:00:00Z'))).toEqual(new Date('2025-03-30T08:00:00Z'));
    expect(nextOpening(london, new Date('2025-03-28T20:00:00Z'))).toEqual(new Date('2025-03-29T09:00:00Z'));
  });
});

describe('formatOpening', () => {
  const now = beijing('2025-03-03', '22:00');
  it('says today / tomorrow / a date, in Beijing time', () => {
    expect(formatOpening(beijing('2025-03-04', '08:30'), now, 'Asia/Shanghai', 'zh')).toBe('北京时间明天 08:30');
    expect(formatOpening(beijing('2025-03-04', '08:30'), now, 'Asia/Shanghai', 'en')).toBe('8:30 tomorrow (Beijing time)');
    expect(formatOpening(beijing('2025-03-03', '23:00'), beijing('2025-03-03', '07:00'), 'Asia/Shanghai', 'en')).toBe('23:00 today (Beijing time)');
    expect(formatOpening(beijing('2025-03-08', '09:00'), now, 'Asia/Shanghai', 'zh')).toBe('北京时间3月8日（周六） 09:00');
    expect(formatOpening(beijing('2025-03-08', '09:00'), now, 'Asia/Shanghai', 'en')).toBe('9:00 on Sat 8 Mar (Beijing time)');
  });
});

describe('businessHoursSchema', () => {
  it('fills time zone and days', () => {
    expect(businessHoursSchema.parse({ open: '09:00', close: '22:00' })).toEqual({
      timeZone: 'Asia/Shanghai',
      open: '09:00',
      close: '22:00',
      days: [1, 2, 3, 4, 5, 6, 7],
    });
    expect(businessHoursSchema.parse({ open: '09:00', close: '22:00', days: [5, 1, 1] }).days).toEqual([1, 5]);
  });

  it.each([
    [{ open: '9:00', close: '22:00' }, 'open'],
    [{ open: '09:00', close: '25:00' }, 'close'],
    [{ open: '24:00', close: '08:00' }, 'open'],
    [{ open: '09:00', close: '09:00' }, 'close'],
    [{ open: '09:00', close: '22:00', days: [0] }, 'days'],
    [{ open: '09:00', close: '22:00', days: [] }, 'days'],
    [{ open: '09:00', close: '22:00', timeZone: 'Mars/Olympus' }, 'timeZone'],
  ])('refuses %j (%s)', (input, field) => {
    const result = businessHoursSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(String(result.error!.issues[0]!.path[0])).toBe(field);
  });
});
