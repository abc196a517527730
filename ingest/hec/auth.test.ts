import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { authenticate, secretFromAuthorization } from './auth.js';
import { HecError } from './codes.js';
import { compileOriginPolicy } from './cors.js';
import { MemoryTokenStore } from './memory.js';
import type { HecToken } from './types.js';
import { loadUws } from './uws.js';

const base: HecToken = {
  id: 'a',
  name: 'a',
  disabled: false,
  defaultIndex: 'main',
  indexes: [],
  useAck: false,
  allowQueryStringAuth: false,
};
const store = new MemoryTokenStore([
  ['good', base],
  ['off', { ...base, id: 'off', disabled: true }],
  ['qs', { ...base, id: 'qs', allowQueryStringAuth: true }],
]);

function codeOf(queryToken: string | undefined, header: string): number {
  try {
    authenticate(store, queryToken, header);
  } catch (err) {
    expect(err).toBeInstanceOf(HecError);
    return (err as HecError).code;
  }
  return 0;
}

describe('secretFromAuthorization', () => {
  it.each([
    ['Splunk abc', 'abc'],
    ['splunk   abc  ', 'abc'],
    [`Basic ${btoa('user:abc')}`, 'abc'],
    [`basic ${btoa(':a:b')}`, 'a:b'],
  ])('reads %j', (header, secret) => {
    expect(secretFromAuthorization(header)).toBe(secret);
  });

  it.each(['abc', 'Bearer abc', 'Splunk', `Basic ${btoa('nocolon')}`, `Basic ${btoa('user:')}`])(
    'rejects %j',
    (header) => {
      expect(secretFromAuthorization(header)).toBeUndefined();
    },
  );
});

describe('authenticate', () => {
  it.each([
    [undefined, 'Splunk good', 0],
    [undefined, '', 2],
    [undefined, 'good', 3],
    [undefined, 'Splunk nope', 4],
    [undefined, 'Splunk off', 1],
    ['qs', '', 0],
    ['good', 'Splunk good', 16],
    ['nope', 'Splunk good', 4],
    ['off', 'Splunk good', 1],
  ])('query %j with header %j gives code %i', (queryToken, header, code) => {
    expect(codeOf(queryToken, header)).toBe(code);
  });
});

describe('compileOriginPolicy', () => {
  it('applies the first matching pattern', () => {
    const allows = compileOriginPolicy(['!https://bad.example.com', 'https://*.example.com']);
    expect(allows('https://app.example.com')).toBe(true);
    expect(allows('https://bad.example.com')).toBe(false);
    expect(allows('https://example.org')).toBe(false);
    expect(allows('')).toBe(false);
  });
});

describe('loadUws', () => {
  it('loads the native binary without a warning', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });
    const uws = loadUws(logger);
    expect(typeof uws.App).toBe('function');
    expect(lines).toEqual([]);
  });
});
