import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TIME_RANGE,
  describeTimeRange,
  findPreset,
  normalizeTimeBound,
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

  it('accepts ISO times and epoch milliseconds', () => {
    for (const text of [
      '2026-12-04T10:00:00+02:00',
      '2026-12-04 10:00:00',
      '2026-12-04',
      '1764842401000',
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
