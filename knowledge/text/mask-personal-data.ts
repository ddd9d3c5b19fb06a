// Masks personal data in text bound for a log line: mobile and landline numbers, resident ID numbers and
// what follows a password keyword. Transcripts keep the real numbers (agents need them); logs never do.
//
// The choice: a mobile number keeps its first 3 and last 4 digits (138****8000, the form Chinese operators
// print on bills, enough to tell two numbers apart in a log); a landline keeps its area code (010-********);
// an ID number is masked whole (its first digits name a place and a birth date); a password is masked whole.
import { maskPasswordPhrases } from './redact.ts';

// Not inside a longer number or a decimal: no digit (or "digit.") before, no digit (or ".digit") after.
const BEFORE = String.raw`(?<![\d.])`;
const AFTER = String.raw`(?!\d|\.\d)`;

/** 18 digits (or 17 + X) with a plausible birth date, or the old 15-digit form (2-digit year). */
const ID_CARD = new RegExp(
  `${BEFORE}[1-9]\\d{5}(?:(?:18|19|20)\\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])\\d{3}[\\dXx]|\\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])\\d{3})(?![\\dA-Za-z]|\\.\\d)`,
  'g',
);

/** 1[3-9]x xxxx xxxx, also with spaces or dashes between the groups and a +86 / 0086 / 86 prefix. */
const MOBILE = new RegExp(`${BEFORE}(?:(?:\\+|00)?86[\\s-]?)?(1[3-9]\\d)[\\s-]?(\\d{4})[\\s-]?(\\d{4})${AFTER}`, 'g');

/** Area code 0xx or 0xxx (optionally in brackets), then 7 or 8 digits. */
const LANDLINE = new RegExp(`${BEFORE}(\\(0\\d{2,3}\\)|（0\\d{2,3}）|0\\d{2,3})([\\s-]?)(\\d{7,8})${AFTER}`, 'g');

export function maskPersonalData(text: string): string {
  if (!/\d/.test(text)) return text; // nearly every log message: nothing to do
  return maskPasswordPhrases(
    text
      .replace(ID_CARD, (m) => '*'.repeat(m.length))
      .replace(MOBILE, (_m, head: string, _mid: string, tail: string) => `${head}****${tail}`)
      .replace(LANDLINE, (_m, area: string, sep: string, num: string) => `${area}${sep}${'*'.repeat(num.length)}`),
  );
}
