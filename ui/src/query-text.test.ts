import { describe, expect, it } from 'vitest';
import { addFieldFilter, caretLine, quoteValue } from './query-text.js';

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

describe('addFieldFilter', () => {
  it('starts an empty query', () => {
    expect(addFieldFilter('', 'src_endpoint.ip', '10.0.0.1')).toBe('src_endpoint.ip:"10.0.0.1"');
  });

  it('replaces a match-all query', () => {
    expect(addFieldFilter('*', 'host', 'web1')).toBe('host:"web1"');
  });

  it('appends to a search', () => {
    expect(addFieldFilter('user:alice ', 'host', 'web1')).toBe('user:alice host:"web1"');
  });

  it('inserts before the first pipe', () => {
    expect(addFieldFilter('failed | stats count by user', 'host', 'web1')).toBe(
      'failed host:"web1" | stats count by user',
    );
  });

  it('ignores pipes inside quotes', () => {
    expect(addFieldFilter('message:"a | b" | head 5', 'host', 'x')).toBe(
      'message:"a | b" host:"x" | head 5',
    );
  });

  it('ignores pipes inside single quotes', () => {
    expect(addFieldFilter("cmd:'a|b' | head 5", 'host', 'x')).toBe('cmd:\'a|b\' host:"x" | head 5');
  });

  it('handles escaped quotes before a pipe', () => {
    expect(addFieldFilter('message:"say \\"hi\\"" | head 5', 'host', 'x')).toBe(
      'message:"say \\"hi\\"" host:"x" | head 5',
    );
  });

  it('quotes values with quotes', () => {
    expect(addFieldFilter('', 'message', '<script>"x"</script>')).toBe(
      'message:"<script>\\"x\\"</script>"',
    );
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
