import { DEFAULT_TIME_RANGE, normalizeTimeBound, type TimeRange } from './time-range.js';

/** The part of the search page that lives in the URL, so that a search can be shared. */
export interface SearchState {
  query: string;
  range: TimeRange;
}

/**
 * Reads the search state from a query string (`?q=...&earliest=...&latest=...`). A missing or
 * invalid time bound falls back to the default range.
 */
export function readSearchState(search: string): SearchState {
  const params = new URLSearchParams(search);
  const earliest = normalizeTimeBound(params.get('earliest') ?? '');
  const latest = normalizeTimeBound(params.get('latest') ?? '');
  return {
    query: params.get('q') ?? '',
    range: {
      earliest: earliest ?? DEFAULT_TIME_RANGE.earliest,
      latest: latest ?? DEFAULT_TIME_RANGE.latest,
    },
  };
}

/** Writes the search state as a query string with a leading `?`. */
export function writeSearchState(state: SearchState): string {
  const params = new URLSearchParams();
  params.set('q', state.query);
  params.set('earliest', state.range.earliest);
  params.set('latest', state.range.latest);
  return `?${params.toString()}`;
}
