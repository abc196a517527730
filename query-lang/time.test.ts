import { describe, expect, test } from 'vitest';
import { parseCalendarSpanMonths, parseRelativeTime, parseSpanMillis } from './time.js';

// Wednesday 2024-05-01T12:34:56.789Z
const NOW = Date.UTC(2024, 4, 1, 12, 34, 56, 789);

describe('parseRelativeTime', () => {
  test.each([
    ['now', NOW],
    ['NOW', NOW],
    ['-15m', NOW - 15 * 60_000],
    ['-1h', NOW - 3_600_000],
    ['-7d', NOW - 7 * 86_400_000],
    ['-2w', NOW - 14 * 86_400_000],
    ['-30s', NOW - 30_000],
    ['-1hours', NOW - 3_600_000],
    ['+1d', NOW + 86_400_000],
    ['-1h@h', Date.UTC(2024, 4, 1, 11)],
    ['@d', Date.UTC(2024, 4, 1)],
    ['-1d@d', Date.UTC(2024, 3, 30)],
    ['-1d@d+8h', Date.UTC(2024, 3, 30, 8)],
    ['@w', Date.UTC(2024, 3, 28)],
    ['@week', Date.UTC(2024, 3, 28)],
    ['@w1', Date.UTC(2024, 3, 29)],
    ['-1mon@mon', Date.UTC(2024, 3, 1)],
    ['@y', Date.UTC(2024, 0, 1)],
    ['-1y', Date.UTC(2023, 4, 1, 12, 34, 56, 789)],
    ['2024-01-02T03:04:05Z', Date.UTC(2024, 0, 2, 3, 4, 5)],
    ['2024-01-02T03:04:05', Date.UTC(2024, 0, 2, 3, 4, 5)],
    ['2024-01-02T03:04:05+02:00', Date.UTC(2024, 0, 2, 1, 4, 5)],
    ['2024-01-02', Date.UTC(2024, 0, 2)],
    ['1714566896789', 1714566896789],
    ['1714566896', 1714566896000],
    ['1714566896.5', 1714566896500],
    ['0', 0],
    ['03/01/2026:13:04:05', Date.UTC(2026, 2, 1, 13, 4, 5)],
    ['3/1/2026', Date.UTC(2026, 2, 1)],
  ])('%s', (text, expected) => {
    expect(parseRelativeTime(text, NOW)).toBe(expected);
  });

  test.each([
    '',
    'yesterday',
    '-1x',
    '-1h@q',
    '1h',
    '2024-13-45T99:00:00Z',
    '99999999999999999999',
    '--1h',
    '02/30/2026:00:00:00',
    '03/01/2026:24:00:00',
  ])('rejects %j', (text) => {
    expect(parseRelativeTime(text, NOW)).toBeUndefined();
  });
});

describe('parseSpanMillis', () => {
  test.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['0h', undefined],
    ['1mon', undefined],
    ['h', undefined],
    ['0.5h', 1_800_000],
    ['1.5s', 1_500],
    ['0.0001ms', undefined],
  ])('%s', (text, expected) => {
    expect(parseSpanMillis(text)).toBe(expected);
  });
});

describe('parseCalendarSpanMonths', () => {
  test.each([
    ['1mon', 1],
    ['6months', 6],
    ['1q', 3],
    ['2quarters', 6],
    ['1y', 12],
    ['0mon', undefined],
    ['1d', undefined],
    ['1.5mon', undefined],
  ])('%s', (text, expected) => {
    expect(parseCalendarSpanMonths(text)).toBe(expected);
  });
});
