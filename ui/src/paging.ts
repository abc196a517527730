/**
 * "Load more" under the result table. Event searches in the default order continue from the
 * `next_cursor` of the last page, for as many events as match. Other results (aggregates such as
 * `stats`, and events that `sort` ordered) have no cursor, so they run again with a larger
 * limit, up to the API's maximum.
 */
import { MAX_QUERY_LIMIT, type QueryRequest, type QueryResult } from './api.js';

/** Events that each "Load more" requests with the cursor. */
export const MORE_EVENTS_ROWS = 1000;

/** Factor by which "Load more" raises the limit of a result that runs again. */
export const LIMIT_GROWTH = 10;

/** Request for more rows of a shown result. */
export interface NextPage {
  request: QueryRequest;
  /** True when the rows follow the shown ones (cursor), false when they replace them. */
  append: boolean;
  /** Rows that the response adds to those shown, at most. */
  rows: number;
}

/**
 * Returns the request for more rows of `result`, which `request` returned, or undefined when no
 * more can come: every row is shown, or a result without a cursor is at the maximum limit.
 */
export function nextPage(request: QueryRequest, result: QueryResult): NextPage | undefined {
  const loaded = result.rows.length;
  const remaining = result.total - loaded;
  if (remaining <= 0) return undefined;
  if (result.next_cursor !== undefined) {
    return {
      request: { ...request, cursor: result.next_cursor, limit: MORE_EVENTS_ROWS },
      append: true,
      rows: Math.min(MORE_EVENTS_ROWS, remaining),
    };
  }
  if (request.limit >= MAX_QUERY_LIMIT) return undefined;
  const limit = Math.min(MAX_QUERY_LIMIT, request.limit * LIMIT_GROWTH);
  const { cursor: _, ...first } = request;
  return {
    request: { ...first, limit },
    append: false,
    rows: Math.min(limit, result.total) - loaded,
  };
}

/**
 * Returns whether a result shows fewer rows than it has and no more can load, because it has no
 * cursor and its request used the maximum limit.
 */
export function atMaximumLimit(request: QueryRequest, result: QueryResult): boolean {
  return (
    result.next_cursor === undefined &&
    result.total > result.rows.length &&
    request.limit >= MAX_QUERY_LIMIT
  );
}

/**
 * Combines the current result with the response to `nextPage`: appended rows follow the current ones,
 * and the count and time are those of the latest response.
 */
export function mergePage(current: QueryResult, page: QueryResult, append: boolean): QueryResult {
  if (!append) return page;
  return {
    ...page,
    rows: [...current.rows, ...page.rows],
    columns: page.columns ?? current.columns,
  };
}

/** Formats a count with its noun, such as `1 event` or `12,345 results`. */
export function countText(count: number, noun: 'event' | 'result' | 'row'): string {
  return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}
