import { describe, expect, test } from 'vitest';
import { assist } from './assist.js';

const labels = (text: string, cursor = text.length, kind?: string) =>
  assist(text, cursor)
    .suggestions.filter((suggestion) => kind === undefined || suggestion.kind === kind)
    .map((suggestion) => suggestion.label);

describe('content assist', () => {
  test('commands after a pipe', () => {
    const result = labels('user:admin | ', undefined, 'command');
    expect(result).toEqual(
      expect.arrayContaining(['stats', 'where', 'rex', 'lookup', 'transaction']),
    );
  });

  test('a command prefix is completed and replaced', () => {
    const result = assist('user:admin | st', 15);
    expect(result.replaceFrom).toBe(13);
    expect(result.replaceTo).toBe(15);
    expect(result.suggestions.map((suggestion) => suggestion.label)).toEqual(
      expect.arrayContaining(['stats', 'streamstats']),
    );
    expect(result.suggestions.every((suggestion) => suggestion.label.startsWith('st'))).toBe(true);
  });

  test('field names in the search part, with details', () => {
    const result = assist('src', 3);
    expect(result.replaceFrom).toBe(0);
    const field = result.suggestions.find((suggestion) => suggestion.label === 'src_ip');
    expect(field).toMatchObject({ kind: 'field' });
    expect(field?.detail).toBeTruthy();
  });

  test('aggregate functions after stats, fields after by', () => {
    expect(labels('| stats ', undefined, 'function')).toEqual(
      expect.arrayContaining(['count', 'dc', 'values', 'median', 'perc95']),
    );
    expect(labels('| stats count by ho')).toContain('host');
    expect(labels('| stats count ')).toContain('by');
  });

  test('expression functions and fields in where and eval', () => {
    const where = labels('| where ');
    expect(where).toEqual(expect.arrayContaining(['if', 'cidrmatch', 'user', 'src_ip']));
    expect(labels('| eval x = lo')).toContain('lower');
  });

  test('keywords after a term', () => {
    expect(labels('user:admin ', undefined, 'keyword')).toEqual(
      expect.arrayContaining(['AND', 'OR', 'NOT', '|']),
    );
  });

  test('odd input never throws', () => {
    expect(assist('user="open', 10).suggestions).toEqual([]);
    expect(assist('', 99).replaceFrom).toBe(0);
    expect(() => assist('| stats count by ((( ', -5)).not.toThrow();
  });
});
