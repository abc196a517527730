import { describe, expect, it } from 'vitest';
import { formatTable, type QueryResult } from './api-client.js';

function result(columns: string[], rows: Record<string, unknown>[]): QueryResult {
  return { columns, rows, total: rows.length, elapsed_ms: 1, kind: 'aggregate' };
}

describe('formatTable', () => {
  it('draws a narrow result as a table', () => {
    const text = formatTable(result(['host', 'count'], [{ host: 'web01', count: 3 }]));
    expect(text).toContain('web01');
    expect(text.split('\n').some((line) => line.includes('host') && line.includes('count'))).toBe(
      true,
    );
  });

  it('prints a wide result one column per line', () => {
    const columns = ['_time', ...Array.from({ length: 1000 }, (_, index) => `series${index}`)];
    const rows = Array.from({ length: 48 }, (_, index) =>
      Object.fromEntries(
        columns.map((column) => [column, column === '_time' ? `t${index}` : index]),
      ),
    );
    const text = formatTable(result(columns, rows));
    const lines = text.split('\n');
    expect(lines).toHaveLength(48 * 1002);
    expect(lines[0]).toBe('-- row 1 --');
    expect(lines[2]).toMatch(/^series0 +: 0$/);
    // Names from log text are escaped here too.
    const hostile = formatTable(
      result([...columns.slice(0, 41), 'a\u001b[31mb'], [{ 'a\u001b[31mb': 'x\u0007' }]),
    );
    expect(hostile).not.toContain('\u0007');
    expect(hostile).not.toContain('\u001b');
  });
});
