import { parseQuerySyntax, parseRelativeTime } from '../../query-lang/index.js';

/** A search time range as the query API takes it. */
export interface TimeRange {
  /** `-15m`-style relative time, an ISO 8601 time, or `0` for the beginning of time. */
  earliest: string;
  /** `now`, a relative time or an ISO 8601 time. */
  latest: string;
}

export interface TimeRangePreset {
  id: string;
  label: string;
  earliest: string;
}

/** Presets of the time range picker. All end at `now`. */
export const TIME_PRESETS: readonly TimeRangePreset[] = [
  { id: '15m', label: 'Last 15 minutes', earliest: '-15m' },
  { id: '1h', label: 'Last 1 hour', earliest: '-1h' },
  { id: '24h', label: 'Last 24 hours', earliest: '-24h' },
  { id: '7d', label: 'Last 7 days', earliest: '-7d' },
  { id: '30d', label: 'Last 30 days', earliest: '-30d' },
  { id: 'all', label: 'All time', earliest: '0' },
];

export const DEFAULT_TIME_RANGE: TimeRange = { earliest: '-24h', latest: 'now' };

/** Returns the preset that matches a range exactly, or undefined for a custom range. */
export function findPreset(range: TimeRange): TimeRangePreset | undefined {
  if (range.latest !== 'now') return undefined;
  return TIME_PRESETS.find((preset) => preset.earliest === range.earliest);
}

/**
 * Normalizes one bound of a custom time range typed by the user: returns the trimmed text when
 * the query engine accepts it as a time, else undefined. Accepted forms are those of the engine's
 * own parser: `now`, relative times such as `-2h` or `-1d@d`, ISO 8601 times (a time without a
 * zone is UTC) and epoch seconds or milliseconds, where `0` is the beginning of time.
 */
export function normalizeTimeBound(text: string): string | undefined {
  const value = text.trim();
  return parseRelativeTime(value, Date.now()) === undefined ? undefined : value;
}

/** Short text for a range, for the status line: the preset label or `earliest → latest`. */
export function describeTimeRange(range: TimeRange): string {
  return findPreset(range)?.label ?? `${range.earliest} → ${range.latest}`;
}

/**
 * Returns the range a search covers: the query's own `earliest=` and `latest=` terms replace the
 * matching bound of the picker's range, as the query engine applies them. `fromQuery` is true
 * when the query sets either bound. A query that does not parse leaves the picker's range.
 */
export function searchTimeRange(
  query: string,
  picker: TimeRange,
): { range: TimeRange; fromQuery: boolean } {
  const ast = parseQuerySyntax(query).ast;
  // `| tstats ... where earliest=-1h ...` sets the range in its own search.
  const first = ast?.stages[0];
  const inline = ast?.timeRange ?? (first?.stage === 'tstats' ? first.timeRange : undefined);
  if (inline?.earliest === undefined && inline?.latest === undefined) {
    return { range: picker, fromQuery: false };
  }
  const range = {
    earliest: inline.earliest ?? picker.earliest,
    latest: inline.latest ?? picker.latest,
  };
  return { range, fromQuery: true };
}

/** Short text for the range a search covers, noting when the query text set it. */
export function describeSearchRange(query: string, picker: TimeRange): string {
  const { range, fromQuery } = searchTimeRange(query, picker);
  const text = describeTimeRange(range);
  return fromQuery ? `${text} (set in the query)` : text;
}
