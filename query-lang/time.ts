/**
 * Relative and absolute time specifiers in the style of Splunk's `earliest`/`latest`: `now`,
 * `-15m`, `-1h@h`, `-7d@d+8h`, `@w`, ISO 8601 strings and epoch seconds or milliseconds. Every calendar
 * step (snap to day, week, month, year) is taken in UTC.
 */

const UNIT_MILLIS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const UNIT_NAMES: Readonly<Record<string, string>> = {
  ms: 'ms',
  s: 's',
  sec: 's',
  secs: 's',
  second: 's',
  seconds: 's',
  m: 'm',
  min: 'm',
  mins: 'm',
  minute: 'm',
  minutes: 'm',
  h: 'h',
  hr: 'h',
  hrs: 'h',
  hour: 'h',
  hours: 'h',
  d: 'd',
  day: 'd',
  days: 'd',
  w: 'w',
  week: 'w',
  weeks: 'w',
  mon: 'mon',
  month: 'mon',
  months: 'mon',
  y: 'y',
  yr: 'y',
  yrs: 'y',
  year: 'y',
  years: 'y',
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+)?(Z|[+-]\d{2}:?\d{2})?$/;
/** Text of one step of a relative time: an offset such as `-15m`, or a snap such as `@d` or `@w1`. */
const TIME_STEP = /^(?:([+-])(\d*)([a-z]+)|@([a-z]+\d?))/;

/** Normalizes a unit name (`min`, `hours`, `mon`) to its short form, or undefined. */
export function normalizeTimeUnit(unit: string): string | undefined {
  return UNIT_NAMES[unit.toLowerCase()];
}

/**
 * Converts a span such as `1h`, `15m`, `1d` or `0.5h` to whole milliseconds; months, quarters
 * and years are rejected (`parseCalendarSpanMonths`).
 */
export function parseSpanMillis(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([a-z]+)$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = normalizeTimeUnit(match[2] ?? '');
  const size = UNIT_MILLIS[unit ?? ''];
  if (size === undefined) return undefined;
  const ms = Math.round(Number(match[1]) * size);
  return ms > 0 && ms <= MAX_SPAN_MS ? ms : undefined;
}

/** Maximum span: 1,000 years, so that a span in microseconds stays a 64-bit integer. */
const MAX_SPAN_MS = 1000 * 366 * 86_400_000;

/** Maximum calendar span in months, 1,000 years. */
const MAX_SPAN_MONTHS = 12_000;

/** Times from 0001-01-01 to the end of 9999, the range of times a query may name. */
const MIN_TIME_MS = -62_135_596_800_000;
const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const QUARTER_NAMES: ReadonlySet<string> = new Set(['q', 'qtr', 'qtrs', 'quarter', 'quarters']);

/** Converts a calendar span such as `1mon`, `1q` or `1y` to months, or returns undefined. */
export function parseCalendarSpanMonths(text: string): number | undefined {
  const match = /^(\d+)([a-z]+)$/i.exec(text.trim());
  if (!match) return undefined;
  const count = Number(match[1]);
  const name = (match[2] ?? '').toLowerCase();
  const unit = normalizeTimeUnit(name);
  let months = 0;
  if (QUARTER_NAMES.has(name)) months = 3;
  else if (unit === 'mon') months = 1;
  else if (unit === 'y') months = 12;
  return months > 0 && count > 0 && count * months <= MAX_SPAN_MONTHS ? count * months : undefined;
}

function addCalendar(ms: number, unit: 'mon' | 'y', amount: number): number {
  const date = new Date(ms);
  if (unit === 'mon') date.setUTCMonth(date.getUTCMonth() + amount);
  else date.setUTCFullYear(date.getUTCFullYear() + amount);
  return date.getTime();
}

/**
 * One step of a relative time: an offset in a unit (`-15m`, `+1mon`), a snap to the start of a
 * unit (`@d`), or a snap back to a weekday (`@w1`, Sunday being 0).
 */
export type TimeStep =
  | { kind: 'offset'; unit: string; amount: number }
  | { kind: 'snap'; unit: 's' | 'm' | 'h' | 'd' | 'mon' | 'y' }
  | { kind: 'weekday'; day: number };

const SNAP_UNITS: ReadonlySet<string> = new Set(['s', 'm', 'h', 'd', 'mon', 'y']);

/** Splits a relative time such as `-1d@d+8h` into its steps, or returns undefined when invalid. */
export function parseTimeSteps(spec: string): TimeStep[] | undefined {
  const steps: TimeStep[] = [];
  let rest = spec.toLowerCase();
  while (rest.length > 0) {
    const match = TIME_STEP.exec(rest);
    if (!match) return undefined;
    rest = rest.slice(match[0].length);
    if (match[4] !== undefined) {
      const weekday = /^w([0-6])?$/.exec(match[4]);
      if (weekday) {
        steps.push({ kind: 'weekday', day: Number(weekday[1] ?? 0) });
        continue;
      }
      const unit = normalizeTimeUnit(match[4]);
      if (unit === 'w') {
        steps.push({ kind: 'weekday', day: 0 });
        continue;
      }
      if (unit === undefined || !SNAP_UNITS.has(unit)) return undefined;
      steps.push({ kind: 'snap', unit: unit as 's' | 'm' | 'h' | 'd' | 'mon' | 'y' });
      continue;
    }
    const unit = normalizeTimeUnit(match[3] ?? '');
    if (unit === undefined) return undefined;
    const amount = (match[2] === '' ? 1 : Number(match[2])) * (match[1] === '-' ? -1 : 1);
    steps.push({ kind: 'offset', unit, amount });
  }
  return steps;
}

function snap(ms: number, step: Exclude<TimeStep, { kind: 'offset' }>): number {
  const date = new Date(ms);
  if (step.kind === 'weekday') {
    // Splunk's @w and @w0 snap back to Sunday; @w1 to Monday and so on.
    const dayStart = Math.floor(ms / UNIT_MILLIS.d!) * UNIT_MILLIS.d!;
    const back = (date.getUTCDay() - step.day + 7) % 7;
    return dayStart - back * UNIT_MILLIS.d!;
  }
  switch (step.unit) {
    case 'mon':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    case 'y':
      return Date.UTC(date.getUTCFullYear(), 0, 1);
    default: {
      const size = UNIT_MILLIS[step.unit] ?? 1;
      return Math.floor(ms / size) * size;
    }
  }
}

/** Builds the message for a time specifier that `parseRelativeTime` rejects. */
export function invalidTimeMessage(text: string): string {
  return `Invalid time '${text}': use now, a relative time such as -24h or -1d@d, an ISO 8601 time, Splunk's 03/01/2026:00:00:00 or epoch seconds`;
}

/** Splunk's default time format of `earliest` and `latest`, `%m/%d/%Y:%H:%M:%S`, in UTC here. */
const SPLUNK_TIME = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?::(\d{1,2}):(\d{2}):(\d{2}))?$/;

/** Converts the parts of a `SPLUNK_TIME` match to epoch milliseconds, or undefined when invalid. */
function splunkTime(parts: number[]): number | undefined {
  const [month = 0, day = 0, year = 0, hour = 0, minute = 0, second = 0] = parts.map((part) =>
    Number.isNaN(part) ? 0 : part,
  );
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(ms);
  // Date.UTC rolls 02/30 over into March; such a date is invalid.
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return ms;
}

/**
 * Smallest epoch number read as milliseconds; smaller ones are seconds. As seconds it would be
 * the year 5138, and as milliseconds it is 1973-03-03.
 */
const FIRST_EPOCH_MILLIS = 1e11;

/**
 * Converts an epoch number to milliseconds: seconds (with a fraction), as Splunk takes them, or
 * milliseconds when it is `FIRST_EPOCH_MILLIS` or more. Returns undefined past the safe range.
 */
export function epochMillis(value: number): number | undefined {
  const ms = value >= FIRST_EPOCH_MILLIS ? value : Math.round(value * 1000);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/**
 * Resolves a time specifier to epoch milliseconds, relative to `nowMs`. Returns undefined when
 * the text is not a valid specifier.
 */
export function parseRelativeTime(text: string, nowMs: number): number | undefined {
  const ms = parseTime(text, nowMs);
  return ms !== undefined && ms >= MIN_TIME_MS && ms <= MAX_TIME_MS ? ms : undefined;
}

function parseTime(text: string, nowMs: number): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (trimmed.toLowerCase() === 'now') return nowMs;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return epochMillis(Number(trimmed));
  const splunk = SPLUNK_TIME.exec(trimmed);
  if (splunk) return splunkTime(splunk.slice(1).map(Number));
  if (ISO_DATE.test(trimmed)) {
    const parsed = Date.parse(
      /[T ]/.test(trimmed) && !/(Z|[+-]\d{2}:?\d{2})$/.test(trimmed) ? `${trimmed}Z` : trimmed,
    );
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return applySteps(trimmed.toLowerCase(), nowMs);
}

function applySteps(spec: string, nowMs: number): number | undefined {
  const steps = parseTimeSteps(spec);
  if (steps === undefined) return undefined;
  let ms = nowMs;
  for (const step of steps) {
    if (step.kind !== 'offset') ms = snap(ms, step);
    else if (step.unit === 'mon' || step.unit === 'y') ms = addCalendar(ms, step.unit, step.amount);
    else ms += step.amount * (UNIT_MILLIS[step.unit] ?? 0);
  }
  return Number.isFinite(ms) ? ms : undefined;
}
