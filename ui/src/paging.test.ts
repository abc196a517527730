import { describe, expect, it } from 'vitest';
import { MAX_RESULT_ROWS } from '../../engine/query-service.js';
import { MAX_QUERY_LIMIT, type QueryRequest, type QueryResult, SEARCH_LIMIT } from './api.js';
import {
  atMaximumLimit,
  countText,
  LIMIT_GROWTH,
  MORE_EVENTS_ROWS,
  mergePage,
  nextPage,
} from './paging.js';

const REQUEST: QueryRequest = {
  query: 'fail*',
  earliest: '-24h',
  latest: 'now',
  limit: SEARCH_LIMIT,
};

function resultOf(count: number, total: number, nextCursor?: string): QueryResult {
  const rows = Array.from({ length: count }, (_, index) => ({ id: `e${index}` }));
  const result: QueryResult = { rows, total, elapsed_ms: 5, columns: ['id'] };
  if (nextCursor !== undefined) result.next_cursor = nextCursor;
  return result;
}

describe('nextPage', () => {
  it('continues events from the cursor', () => {
    expect(nextPage(REQUEST, resultOf(100, 25_000, 'c1'))).toEqual({
      request: { ...REQUEST, cursor: 'c1', limit: MORE_EVENTS_ROWS },
      append: true,
      rows: MORE_EVENTS_ROWS,
    });
  });

  it('counts the last cursor page', () => {
    const page = nextPage(
      { ...REQUEST, cursor: 'c9', limit: 1000 },
      resultOf(10_100, 10_250, 'c10'),
    );
    expect(page?.request.cursor).toBe('c10');
    expect(page?.rows).toBe(150);
  });

  it('stops when every row is shown', () => {
    expect(nextPage(REQUEST, resultOf(100, 100, 'c1'))).toBeUndefined();
    expect(nextPage(REQUEST, resultOf(40, 40))).toBeUndefined();
  });

  it('runs an aggregate again with a larger limit', () => {
    expect(nextPage(REQUEST, resultOf(100, 5000))).toEqual({
      request: { ...REQUEST, limit: SEARCH_LIMIT * LIMIT_GROWTH },
      append: false,
      rows: 900,
    });
  });

  it('raises the limit up to the maximum', () => {
    const request = { ...REQUEST, limit: 1000 };
    expect(nextPage(request, resultOf(1000, 50_000))?.request.limit).toBe(MAX_QUERY_LIMIT);
    expect(nextPage(request, resultOf(1000, 50_000))?.rows).toBe(9000);
    expect(nextPage(request, resultOf(1000, 1500))?.rows).toBe(500);
  });

  it('stops at the maximum limit', () => {
    const request = { ...REQUEST, limit: MAX_QUERY_LIMIT };
    expect(nextPage(request, resultOf(MAX_QUERY_LIMIT, 50_000))).toBeUndefined();
  });

  it('drops the cursor of an earlier page', () => {
    const request = { ...REQUEST, cursor: 'old', limit: 1000 };
    expect(nextPage(request, resultOf(1000, 5000))?.request.cursor).toBeUndefined();
  });
});

describe('atMaximumLimit', () => {
  it('is true for a capped result', () => {
    const request = { ...REQUEST, limit: MAX_QUERY_LIMIT };
    expect(atMaximumLimit(request, resultOf(MAX_QUERY_LIMIT, 50_000))).toBe(true);
  });

  it('is false while more can load', () => {
    expect(atMaximumLimit(REQUEST, resultOf(100, 50_000))).toBe(false);
    const request = { ...REQUEST, limit: MAX_QUERY_LIMIT };
    expect(atMaximumLimit(request, resultOf(MAX_QUERY_LIMIT, 50_000, 'c1'))).toBe(false);
    expect(atMaximumLimit(request, resultOf(9000, 9000))).toBe(false);
  });

  it('matches the engine maximum', () => {
    expect(MAX_QUERY_LIMIT).toBe(MAX_RESULT_ROWS);
  });
});

describe('mergePage', () => {
  it('appends cursor pages', () => {
    const merged = mergePage(
      resultOf(2, 10, 'c1'),
      { ...resultOf(3, 12, 'c2'), elapsed_ms: 9 },
      true,
    );
    expect(merged.rows).toHaveLength(5);
    expect(merged.total).toBe(12);
    expect(merged.elapsed_ms).toBe(9);
    expect(merged.next_cursor).toBe('c2');
  });

  it('drops the cursor after the last page', () => {
    const merged = mergePage(resultOf(2, 5, 'c1'), resultOf(3, 5), true);
    expect(merged.next_cursor).toBeUndefined();
    expect(merged.rows.map((row) => row['id'])).toEqual(['e0', 'e1', 'e0', 'e1', 'e2']);
  });

  it('replaces rows of a run with a larger limit', () => {
    const page = resultOf(1000, 5000);
    expect(mergePage(resultOf(100, 5000), page, false)).toBe(page);
  });
});

describe('countText', () => {
  it('uses the singular for one', () => {
    expect(countText(1, 'event')).toBe('1 event');
    expect(countText(0, 'result')).toBe('0 results');
    expect(countText(12_345, 'event')).toBe('12,345 events');
  });
});
