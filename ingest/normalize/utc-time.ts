/**
 * Hand-written readers of the UTC timestamps that Windows writes, with the
 * results `Date.parse` gives. Parsing text with `Date.parse` showed in the
 * profiles of the Windows bench cases.
 */
import { parseIsoMillis } from './ocsf.js';

/** Returns the value of the `count` decimal digits at `start`, or -1 when one is not a digit. */
export function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** Counts the days from 1970-01-01 to a date of the proleptic Gregorian calendar, in 400-year eras. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const shifted = month <= 2 ? year - 1 : year;
  const era = Math.floor(shifted / 400);
  const yearOfEra = shifted - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The largest count of fraction digits read by hand. Windows writes 7 or 9 (`.681640800`). */
const MAX_FRACTION = 9;

/**
 * Converts an ISO 8601 UTC time to epoch milliseconds as `parseIsoMillis` does.
 * `YYYY-MM-DDTHH:MM:SS[.f]Z` with 1 to 9 fraction digits is read by hand, and
 * the fraction is cut to milliseconds as `Date.parse` cuts it. Days past the
 * 28th and any other text go to `parseIsoMillis`, because it rolls them over.
 */
export function isoUtcMillis(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const length = text.length;
  if (
    length < 20 ||
    length > 21 + MAX_FRACTION ||
    text.charCodeAt(length - 1) !== 90 /* Z */ ||
    text.charCodeAt(4) !== 45 /* - */ ||
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 /* T */ ||
    text.charCodeAt(13) !== 58 /* : */ ||
    text.charCodeAt(16) !== 58
  ) {
    return parseIsoMillis(text);
  }

  let millis = 0;
  if (length > 20) {
    // A fraction: `.` and at least one digit before the `Z`.
    if (length === 21 || text.charCodeAt(19) !== 46 /* . */) return parseIsoMillis(text);
    const count = length - 21;
    if (digitsAt(text, 20, count) < 0) return parseIsoMillis(text);
    millis =
      count >= 3 ? digitsAt(text, 20, 3) : digitsAt(text, 20, count) * (count === 1 ? 100 : 10);
  }

  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hours = digitsAt(text, 11, 2);
  const minutes = digitsAt(text, 14, 2);
  const seconds = digitsAt(text, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 28) return parseIsoMillis(text);
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59 || seconds < 0 || seconds > 59) {
    return parseIsoMillis(text);
  }

  return (
    daysFromCivil(year, month, day) * 86_400_000 +
    ((hours * 60 + minutes) * 60 + seconds) * 1000 +
    millis
  );
}
