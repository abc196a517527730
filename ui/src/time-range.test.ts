import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TIME_RANGE,
  describeSearchRange,
  describeTimeRange,
  findPreset,
  normalizeTimeBound,
  searchTimeRange,
  TIME_PRESETS,
} from './time-range.js';

describe('normalizeTimeBound', () => {
  it('accepts relative times', () => {
    for (const text of ['-15m', '-2h', '-7d', '-30s', '-1w', '-1d@d', '@w1']) {
      expect(normalizeTimeBound(text)).toBe(text);
    }
  });

  it('accepts now and zero', () => {
    expect(normalizeTimeBound(' now ')).toBe('now');
    expect(normalizeTimeBound('0')).toBe('0');
  });

  it('accepts ISO times and epoch numbers', () => {
    for (const text of [
      '2026-12-04T10:00:00+02:00',
      '2026-12-04 10:00:00',
      '2026-12-04',
      '1764842401000',
      '1764842401',
    ]) {
      expect(normalizeTimeBound(` ${text}`)).toBe(text);
    }
  });

  it('rejects other text', () => {
    for (const text of [
      '',
      'yesterday',
      '-2x',
      '2h',
      '2026-13-45T99:00:00Z',
      'now()',
      'javascript:alert(1)',
    ]) {
      expect(normalizeTimeBound(text)).toBeUndefined();
    }
  });
});

describe('presets', () => {
  it('cover the picker choices', () => {
    expect(TIME_PRESETS.map((preset) => preset.earliest)).toEqual([
      '-15m',
      '-1h',
      '-24h',
      '-7d',
      '-30d',
      '0',
    ]);
  });

  it('match the default range', () => {
    expect(findPreset(DEFAULT_TIME_RANGE)?.label).toBe('Last 24 hours');
  });

  it('do not match a custom latest', () => {
    expect(findPreset({ earliest: '-1h', latest: '-5m' })).toBeUndefined();
    expect(describeTimeRange({ earliest: '-1h', latest: '-5m' })).toBe('-1h → -5m');
  });
});

describe('search time range', () => {
  it('is the picker range without inline bounds', () => {
    expect(searchTimeRange('index=xss user:alice', DEFAULT_TIME_RANGE)).toEqual({
      range: DEFAULT_TIME_RANGE,
      fromQuery: false,
    });
    expect(describeSearchRange('index=xss', DEFAULT_TIME_RANGE)).toBe('Last 24 hours');
  });

  it('takes the range from tstats where', () => {
    expect(
      searchTimeRange('| tstats count where earliest=-1h index=main', DEFAULT_TIME_RANGE),
    ).toEqual({
      range: { earliest: '-1h', latest: 'now' },
      fromQuery: true,
    });
  });

  it('takes earliest=0 from the query', () => {
    expect(searchTimeRange('index=xss earliest=0', DEFAULT_TIME_RANGE)).toEqual({
      range: { earliest: '0', latest: 'now' },
      fromQuery: true,
    });
    expect(describeSearchRange('index=xss earliest=0', DEFAULT_TIME_RANGE)).toBe(
      'All time (set in the query)',
    );
  });

  it('takes both bounds from the query', () => {
    const query = 'earliest=-7d latest=-1d user:alice | stats count()';
    expect(searchTimeRange(query, DEFAULT_TIME_RANGE).range).toEqual({
      earliest: '-7d',
      latest: '-1d',
    });
    expect(describeSearchRange(query, DEFAULT_TIME_RANGE)).toBe('-7d → -1d (set in the query)');
  });

  it('keeps the picker bound the query leaves out', () => {
    const picker = { earliest: '-1h', latest: '-5m' };
    expect(searchTimeRange('latest=now', picker).range).toEqual({ earliest: '-1h', latest: 'now' });
    expect(searchTimeRange('earliest=-7d', picker).range).toEqual({
      earliest: '-7d',
      latest: '-5m',
    });
    expect(describeSearchRange('earliest=-7d latest=now', picker)).toBe(
      'Last 7 days (set in the query)',
    );
  });

  it('ignores earliest as a field in a later stage', () => {
    const query = 'user:alice | where earliest="x"';
    expect(searchTimeRange(query, DEFAULT_TIME_RANGE).fromQuery).toBe(false);
  });

  it('keeps the picker range for a query that does not parse', () => {
    expect(searchTimeRange('earliest=0 | stats count by', DEFAULT_TIME_RANGE)).toEqual({
      range: DEFAULT_TIME_RANGE,
      fromQuery: false,
    });
  });
});
