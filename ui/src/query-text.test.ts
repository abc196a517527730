import { describe, expect, it } from 'vitest';
import {
  addFilter,
  caretLine,
  filterForValue,
  indexedFieldName,
  ocsfFieldName,
  quoteValue,
} from './query-text.js';

describe('quoteValue', () => {
  it('escapes quotes and backslashes', () => {
    expect(quoteValue('a"b\\c')).toBe('"a\\"b\\\\c"');
  });

  it('escapes the wildcard', () => {
    expect(quoteValue('C:\\*.exe')).toBe('"C:\\\\\\*.exe"');
  });

  it('quotes plain text', () => {
    expect(quoteValue('10.0.0.1')).toBe('"10.0.0.1"');
  });
});

describe('addFilter', () => {
  it('starts an empty query', () => {
    expect(addFilter('', 'src_endpoint.ip:"10.0.0.1"')).toBe('src_endpoint.ip:"10.0.0.1"');
  });

  it('replaces a match-all query', () => {
    expect(addFilter('*', 'host:"web1"')).toBe('host:"web1"');
  });

  it('appends to a search', () => {
    expect(addFilter('user:alice ', 'host:"web1"')).toBe('user:alice host:"web1"');
  });

  it('inserts before the first pipe', () => {
    expect(addFilter('failed | stats count by user', 'host:"web1"')).toBe(
      'failed host:"web1" | stats count by user',
    );
  });

  it('ignores pipes inside quotes', () => {
    expect(addFilter('message:"a | b" | head 5', 'host:"x"')).toBe(
      'message:"a | b" host:"x" | head 5',
    );
  });

  it('ignores pipes inside single quotes', () => {
    expect(addFilter("cmd:'a|b' | head 5", 'host:"x"')).toBe('cmd:\'a|b\' host:"x" | head 5');
  });

  it('handles escaped quotes before a pipe', () => {
    expect(addFilter('message:"say \\"hi\\"" | head 5', 'host:"x"')).toBe(
      'message:"say \\"hi\\"" host:"x" | head 5',
    );
  });
});

describe('ocsfFieldName', () => {
  it('joins nested keys', () => {
    expect(ocsfFieldName(['src_endpoint', 'ip'])).toBe('src_endpoint.ip');
  });

  it('reads any array element', () => {
    expect(ocsfFieldName(['observables', 0, 'value'])).toBe('observables{}.value');
    expect(ocsfFieldName(['metadata', 'profiles', 3])).toBe('metadata.profiles{}');
    expect(ocsfFieldName(['attacks', 1, 'technique', 'sub', 0, 'uid'])).toBe(
      'attacks{}.technique.sub{}.uid',
    );
  });

  it('dots a top-level name that means something else', () => {
    expect(ocsfFieldName(['severity'])).toBe('.severity');
    expect(ocsfFieldName(['status'])).toBe('.status');
    expect(ocsfFieldName(['observables', 0])).toBe('.observables{}');
  });

  it('keeps a top-level name that reads the attribute', () => {
    expect(ocsfFieldName(['severity_id'])).toBe('severity_id');
    expect(ocsfFieldName(['message'])).toBe('message');
    expect(ocsfFieldName(['activity_name'])).toBe('activity_name');
  });

  it('names no key with other characters', () => {
    expect(ocsfFieldName(['unmapped', 'id.orig_h_name', 'src'])).toBeUndefined();
    expect(ocsfFieldName(['unmapped', 'k<b>ey'])).toBeUndefined();
    expect(ocsfFieldName(['unmapped', ''])).toBeUndefined();
  });

  it('names no path outside OCSF', () => {
    expect(ocsfFieldName(['alert', 'signature'])).toBeUndefined();
    expect(ocsfFieldName([0, 'a'])).toBeUndefined();
    expect(ocsfFieldName([])).toBeUndefined();
  });
});

describe('indexedFieldName', () => {
  it('names plain and multivalue fields', () => {
    expect(indexedFieldName('env', false)).toBe('fields.env');
    expect(indexedFieldName('tags', true)).toBe('fields.tags{}');
    expect(indexedFieldName('dot.ted-name', false)).toBe('fields.dot.ted-name');
  });

  it('names no field the search part cannot contain', () => {
    expect(indexedFieldName('metric_name:cpu.idle', false)).toBeUndefined();
    expect(indexedFieldName('a b', false)).toBeUndefined();
    expect(indexedFieldName('', false)).toBeUndefined();
  });
});

describe('filterForValue', () => {
  it('quotes the value', () => {
    expect(filterForValue('message', '<script>"x"</script>')).toBe(
      'message:"<script>\\"x\\"</script>"',
    );
  });

  it('writes numbers and booleans as text', () => {
    expect(filterForValue('severity_id', 1)).toBe('severity_id:"1"');
    expect(filterForValue('message', '')).toBeUndefined();
    expect(filterForValue('unmapped.local_orig', true)).toBe('unmapped.local_orig:"true"');
  });

  it('gives none without a name or value', () => {
    expect(filterForValue(undefined, 'x')).toBeUndefined();
    expect(filterForValue('unmapped.a', null)).toBeUndefined();
  });

  it('gives none for a rejected term', () => {
    expect(filterForValue('severity', 'Informational')).toBeUndefined();
    expect(filterForValue('src_endpoint.port', 'any')).toBeUndefined();
  });
});

describe('caretLine', () => {
  it('places the caret under a column', () => {
    expect(caretLine('user:alice AND', { line: 1, column: 12 })).toEqual({
      text: 'user:alice AND',
      marker: '           ^',
    });
  });

  it('underlines the span', () => {
    expect(caretLine('| stats cnt by x', { line: 1, column: 9, length: 3 }).marker).toBe(
      '        ^~~',
    );
  });

  it('picks the error line', () => {
    expect(caretLine('user:alice\n| stats cnt by x', { line: 2, column: 3 })).toEqual({
      text: '| stats cnt by x',
      marker: '  ^',
    });
  });

  it('clamps out-of-range positions', () => {
    expect(caretLine('abc', { line: 5, column: 99, length: 10 })).toEqual({
      text: 'abc',
      marker: '   ^',
    });
    expect(caretLine('abc', { line: 0, column: 0 })).toEqual({ text: 'abc', marker: '^' });
  });
});
