import { describe, expect, it } from 'vitest';
import { escapeForTerminal, escapeJsonForTerminal, terminalCell } from './terminal-text.js';

describe('escapeForTerminal', () => {
  it.each([
    ['\u0000', '\\x00'],
    ['\u0007', '\\x07'],
    ['\b', '\\x08'],
    ['\t', '\\t'],
    ['\n', '\\n'],
    ['\r', '\\r'],
    ['\u001b[31m', '\\x1b[31m'],
    ['\u001f', '\\x1f'],
    ['\u007f', '\\x7f'],
    ['\u0080', '\\x80'],
    ['\u009b', '\\x9b'],
    ['\u009f', '\\x9f'],
    ['\u061c', '\\u061c'],
    ['\u200e', '\\u200e'],
    ['\u200f', '\\u200f'],
    ['\u2028', '\\u2028'],
    ['\u2029', '\\u2029'],
    ['\u202a', '\\u202a'],
    ['\u202e', '\\u202e'],
    ['\u2066', '\\u2066'],
    ['\u2069', '\\u2069'],
  ])('escapes %j as %s', (text, escaped) => {
    expect(escapeForTerminal(text)).toBe(escaped);
  });

  it.each([
    ['plain ASCII', 'Failed password for root from 203.0.113.9'],
    ['a Windows path', 'C:\\Windows\\System32\\cmd.exe'],
    ['letters beyond ASCII', 'Zoë 東京 שלום \u00a0 \u00a9'],
    ['an emoji', 'alert \u{1f6a8}'],
    ['a zero-width joiner', 'a\u200db'],
  ])('keeps %s', (_case, text) => {
    expect(escapeForTerminal(text)).toBe(text);
  });
});

describe('terminalCell', () => {
  it('keeps text that fits', () => {
    expect(terminalCell('a\tb', 4)).toBe('a\\tb');
  });

  it('cuts long text with an ellipsis', () => {
    expect(terminalCell('abcdefghij', 8)).toBe('abcde...');
  });

  it('cuts before an escape, never inside', () => {
    expect(terminalCell('abcd\u001bfghij', 8)).toBe('abcd...');
  });

  it('cuts before a surrogate pair, never inside', () => {
    expect(terminalCell('abcd\u{1f6a8}fghij', 8)).toBe('abcd...');
  });
});

describe('escapeJsonForTerminal', () => {
  it('escapes what JSON.stringify leaves raw', () => {
    const value = { text: 'a\u007f\u009b\u2028\u202eb', list: ['\u2066'] };
    const json = escapeJsonForTerminal(JSON.stringify(value));
    expect(json).toBe('{"text":"a\\u007f\\u009b\\u2028\\u202eb","list":["\\u2066"]}');
    expect(JSON.parse(json)).toEqual(value);
  });

  it('keeps the layout of an indented document', () => {
    const json = JSON.stringify({ text: 'a\tb\u001b' }, null, 2);
    expect(escapeJsonForTerminal(json)).toBe(json);
  });
});
