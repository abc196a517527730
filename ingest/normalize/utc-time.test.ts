import { describe, expect, it } from 'vitest';
import { parseIsoMillis } from './ocsf.js';
import { isoUtcMillis } from './utc-time.js';

describe('isoUtcMillis', () => {
  it('gives what Date.parse gives for Windows SystemTime and its edge cases', () => {
    const texts = [
      '2016-07-08T18:12:51.681640800Z',
      '2016-07-08T18:12:51Z',
      '2016-07-08T18:12:51.6Z',
      '2016-07-08T18:12:51.68Z',
      '2016-07-08T18:12:51.9999999Z',
      '2016-07-08T18:12:51.1234567891Z',
      '2016-02-29T23:59:59.999Z',
      '2016-02-30T00:00:00Z',
      '2016-07-08T24:00:00Z',
      '2016-07-08T18:60:00Z',
      '2016-07-08T18:12:51.Z',
      '2016-07-08T18:12:51.1x3Z',
      '0000-01-01T00:00:00Z',
      '1969-12-31T23:59:59.999Z',
      '2016-07-08T18:12:51+01:00',
      'not a time',
    ];
    for (const text of texts) expect(isoUtcMillis(text), text).toBe(parseIsoMillis(text));
  });

  it('agrees with Date.parse across many dates', () => {
    for (let day = 0; day < 800_000; day += 997) {
      const millis = Date.UTC(1900, 0, 1) + day * 86_400_000 + (day % 86_400) * 1000 + (day % 1000);
      const text = `${new Date(millis).toISOString().slice(0, 23)}${String(day % 7)}00Z`;
      expect(isoUtcMillis(text), text).toBe(Date.parse(text));
    }
    expect(isoUtcMillis(undefined)).toBeUndefined();
  });
});
