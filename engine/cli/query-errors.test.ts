import { describe, expect, it } from 'vitest';
import type { QueryDiagnostic } from '../../query-lang/index.js';
import { caretMarker, formatQueryError, formatQueryErrors } from './query-errors.js';

function diagnostic(fields: Partial<QueryDiagnostic>): QueryDiagnostic {
  return {
    code: 'field.unknown',
    message: 'x',
    offset: 0,
    line: 1,
    column: 1,
    length: 0,
    ...fields,
  };
}

describe('formatQueryError', () => {
  it('marks an unknown field without repeating the suggestion', () => {
    const query = 'index=evt | stats count by scr_ip';
    const text = formatQueryError(
      query,
      diagnostic({
        message: "Unknown field 'scr_ip'; did you mean 'src_ip'?",
        offset: 27,
        line: 1,
        column: 28,
        length: 6,
        suggestion: 'src_ip',
      }),
    );
    expect(text).toBe(
      [
        "Unknown field 'scr_ip'; did you mean 'src_ip'? (line 1, column 28)",
        '  index=evt | stats count by scr_ip',
        '                             ^~~~~~',
      ].join('\n'),
    );
  });

  it('adds a suggestion the message lacks', () => {
    const query = 'eval x=lenn(a)';
    const text = formatQueryError(
      query,
      diagnostic({
        message: "Unknown function 'lenn'",
        offset: 7,
        column: 8,
        length: 4,
        suggestion: 'len',
      }),
    );
    expect(text.split('\n')[0]).toBe(
      "Unknown function 'lenn'; did you mean 'len'? (line 1, column 8)",
    );
  });

  it('shows the line of a multi-line query', () => {
    const query = 'index=evt\r\n| stats count by scr_ip\n| sort count';
    const text = formatQueryError(
      query,
      diagnostic({ message: 'bad', offset: 27, line: 2, column: 18, length: 6 }),
    );
    expect(text.split('\n')).toEqual([
      'bad (line 2, column 18)',
      '  | stats count by scr_ip',
      '                   ^~~~~~',
    ]);
  });

  it('marks the end of the query', () => {
    const text = formatQueryError(
      'index=evt |',
      diagnostic({ message: 'end', offset: 11, column: 12, length: 0 }),
    );
    expect(text.split('\n')[2]).toBe('             ^');
  });

  it('gives a whole-request error no position', () => {
    const text = formatQueryError(
      'index=evt',
      diagnostic({ code: 'invalid_time', message: 'invalid earliest time' }),
    );
    expect(text).toBe('invalid earliest time');
  });

  it('keeps the heading when the line is out of range', () => {
    const text = formatQueryError('a', diagnostic({ message: 'm', offset: 5, line: 3, column: 2 }));
    expect(text).toBe('m (line 3, column 2)');
  });

  it('lists every diagnostic', () => {
    const text = formatQueryErrors('ab cd', [
      diagnostic({ message: 'first', offset: 0, column: 1, length: 2 }),
      diagnostic({ message: 'second', offset: 3, column: 4, length: 2 }),
    ]);
    expect(text.split('\n')).toEqual([
      'first (line 1, column 1)',
      '  ab cd',
      '  ^~',
      'second (line 1, column 4)',
      '  ab cd',
      '     ^~',
    ]);
  });
});

describe('caretMarker', () => {
  it('keeps tabs before the column', () => {
    expect(caretMarker('\tab\tcd', 5, 2)).toBe('\t  \t^~');
  });

  it('cuts the span at the end of the line', () => {
    expect(caretMarker('abc', 2, 10)).toBe(' ^~');
  });

  it('clamps a column past the end', () => {
    expect(caretMarker('abc', 9, 1)).toBe('   ^');
  });
});
