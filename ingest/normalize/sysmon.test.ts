import { describe, expect, test } from 'vitest';
import { sysmonTime } from './sysmon.js';

/** Reads UtcTime with Date.parse, as sysmonTime did before its hand-written parser. */
function viaDateParse(value: string): number | undefined {
  const millis = Date.parse(`${value.slice(0, 10)}T${value.slice(11)}Z`);
  return Number.isFinite(millis) ? millis : undefined;
}

describe('sysmonTime', () => {
  test('reads UtcTime as UTC', () => {
    expect(sysmonTime('2020-10-19 02:56:14.642')).toBe(Date.UTC(2020, 9, 19, 2, 56, 14, 642));
  });

  test('agrees with Date.parse on edge cases', () => {
    const cases = [
      '1970-01-01 00:00:00.000',
      '1969-12-31 23:59:59.999',
      '2000-02-29 12:00:00.001',
      '2100-02-29 00:00:00.000',
      '2016-04-31 00:00:00.000',
      '0000-01-01 00:00:00.000',
      '0099-03-01 00:00:00.000',
      '9999-12-31 23:59:59.999',
      '2016-13-01 00:00:00.000',
      '2016-00-10 00:00:00.000',
      '2016-01-32 00:00:00.000',
      '2016-01-01 24:00:00.000',
      '2016-01-01 23:60:00.000',
      '2016-01-01 23:00:60.000',
      '2016-01-01 23:00:00.1a3',
      '2016-01-01 23:00:00.12',
      '2016-01-01 23:00:00.1234',
      '2016-01-01T23:00:00.123',
      '2016-01-01 23:00:00',
    ];
    for (const value of cases) expect(sysmonTime(value), value).toBe(viaDateParse(value));
  });

  test('rejects short text', () => {
    expect(sysmonTime('2016-01-01')).toBeUndefined();
    expect(sysmonTime(undefined)).toBeUndefined();
  });
});
