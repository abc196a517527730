import { describe, expect, test } from 'vitest';
import {
  decodeQuoted,
  expandIpv6,
  ipv4CidrBounds,
  ipv6CidrPrefix,
  parsePattern,
  patternLiteral,
} from './values.js';

describe('patterns', () => {
  test('parsePattern splits wildcards', () => {
    expect(parsePattern('a**b\\*c\\\\d\\e')).toEqual([
      { literal: 'a' },
      { wildcard: true },
      { literal: 'b*c\\d\\e' },
    ]);
  });

  test('patternLiteral only without wildcards', () => {
    expect(patternLiteral('a\\*b')).toBe('a*b');
    expect(patternLiteral('a*b')).toBeUndefined();
  });

  test('decodeQuoted keeps star escapes', () => {
    expect(decodeQuoted('"a\\"b\\*c\\\\d\\n"')).toBe('a"b\\*c\\\\d\n');
  });
});

describe('IP ranges', () => {
  test.each([
    ['10.0.0.0/8', { low: 167772160, high: 184549375 }],
    ['10.1.2.3/32', { low: 167838211, high: 167838211 }],
    ['0.0.0.0/0', { low: 0, high: 4294967295 }],
    ['192.168.1.77/24', { low: 3232235776, high: 3232236031 }],
    ['256.0.0.0/8', undefined],
    ['10.0.0.0/33', undefined],
  ])('ipv4CidrBounds %s', (cidr, expected) => {
    expect(ipv4CidrBounds(cidr)).toEqual(expected);
  });

  test.each([
    ['::1', '00000000000000000000000000000001'],
    ['2001:DB8::', '20010db8000000000000000000000000'],
    ['fe80::1:2', 'fe800000000000000000000000010002'],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
    ['1:2:3:4:5:6:7', undefined],
    ['1::2::3', undefined],
    ['12345::', undefined],
    ['::ffff:1.2.3.4', undefined],
  ])('expandIpv6 %s', (address, expected) => {
    expect(expandIpv6(address)).toBe(expected);
  });

  test('ipv6CidrPrefix with partial digit', () => {
    expect(ipv6CidrPrefix('2001:db8::/32')).toEqual({ hexPrefix: '20010db8' });
    expect(ipv6CidrPrefix('2001:db8::/31')).toEqual({
      hexPrefix: '20010db',
      partialNibble: { low: 8, high: 9 },
    });
    expect(ipv6CidrPrefix('2001:db8::/129')).toBeUndefined();
  });
});
