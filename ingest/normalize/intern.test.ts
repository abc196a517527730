import { describe, expect, test } from 'vitest';
import { internSlice } from './intern.js';

describe('internSlice', () => {
  test('returns one shared copy', () => {
    const text = 'xx EventData yy EventData';
    const first = internSlice(text, 3, 12);
    expect(first).toBe('EventData');
    expect(internSlice(text, 16, 25)).toBe(first);
    expect(internSlice(text, 3, 8)).toBe('Event');
  });

  test('handles more names than slots', () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `name-${i}`);
    for (const name of names) expect(internSlice(`<${name}>`, 1, name.length + 1)).toBe(name);
    for (const name of names.slice(0, 50)) {
      expect(internSlice(`(${name})`, 1, name.length + 1)).toBe(name);
    }
    expect(internSlice('', 0, 0)).toBe('');
  });
});
