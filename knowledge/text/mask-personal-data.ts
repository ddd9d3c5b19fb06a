// Masks personal data in text bound for a log line: mobile and landline numbers, resident ID numbers and
// what follows a password keyword. Transcripts keep the real numbers (agents need them); logs never do.
//
// The choice: a mobile number keeps its first 3 and last 4 digits (138****8000, the form Chinese operators
// print on bills, enough to tell two numbers apart in a log); a landline keeps its area code (010-********);
// an ID number is masked whole (its first digits name a place and a birth date); a password is masked whole.
// Matching is on the NFKC form (full-width digits from Chinese input methods), replacing the original characters.
import { replaceNormalized } from './normalized-match.ts';
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

/** Digits as NFKC reads them: ASCII, full-width (０-９) and the other Unicode decimal digits. */
const ANY_DIGIT = /\p{Nd}/u;

/** On the text as NFKC reads it (full-width digits are the same number), one function for logs and drafts. */
export function maskPersonalData(text: string): string {
  let masked = text;
  if (ANY_DIGIT.test(text)) {
    masked = replaceNormalized(masked, ID_CARD, (m) => '*'.repeat(m[0].length));
    masked = replaceNormalized(masked, MOBILE, (m) => `${m[1]}****${m[3]}`);
    masked = replaceNormalized(masked, LANDLINE, (m) => `${m[1]}${m[2]}${'*'.repeat(m[3]!.length)}`);
  }
  // Letters alone can be a password too ("我的密码是 qwertyui").
  return maskPasswordPhrases(masked);
}
