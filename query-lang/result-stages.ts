/**
 * Stages that run on the rows a query returns, in JavaScript, after the query ran: Splunk's
 * `addtotals`, and after a final `timechart`, `chart` or `xyseries` the stages that read its
 * series as columns (`fillnull`, `rename`, `fields`, `table`, `head`, `sort`, `untable`). SQL cannot name columns
 * after the series values it has yet to read, so `| timechart count by host | rename web01 as
 * web` and `| timechart count by host | addtotals` run here, on the series spread into columns.
 */

import type { Stage } from './ast.js';

/** The stages that can run on the returned rows. */
export type ResultStage =
  | Extract<
      Stage,
      { stage: 'addtotals' | 'fillnull' | 'rename' | 'fields' | 'table' | 'sort' | 'untable' }
    >
  | (Extract<Stage, { stage: 'head' | 'tail' }> & { stage: 'head' });

/** Names of the stages that can run on the returned rows. */
export const RESULT_STAGES: ReadonlySet<string> = new Set([
  'addtotals',
  'fillnull',
  'rename',
  'fields',
  'table',
  'head',
  'sort',
  'untable',
]);

type Rows = { columns: string[]; rows: Record<string, unknown>[] };

/** Runs the stages on the returned columns and rows, in order. */
export function runResultStages(
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
  stages: readonly ResultStage[],
): Rows {
  let result: Rows = { columns: [...columns], rows: [...rows] };
  for (const stage of stages) result = runResultStage(result, stage);
  return result;
}

function runResultStage(result: Rows, stage: ResultStage): Rows {
  switch (stage.stage) {
    case 'addtotals':
      return addTotals(result.columns, result.rows, stage);
    case 'fillnull': {
      const patterns = stage.fields.map((field) => field.name);
      // Without fields every column but `_time` and the like, as `fillnull` leaves times alone.
      const filled = (column: string) =>
        patterns.length === 0 ? !column.startsWith('_') : matchesAny(patterns, column);
      const columns = [...result.columns];
      for (const field of stage.fields) {
        if (!field.name.includes('*') && !columns.includes(field.name)) columns.push(field.name);
      }
      const rows = result.rows.map((row) =>
        Object.fromEntries(
          columns.map((column) => {
            const value = row[column];
            return [column, filled(column) && (value ?? null) === null ? stage.value : value];
          }),
        ),
      );
      return { columns, rows };
    }
    case 'rename': {
      const names = result.columns.map((column) => {
        for (const rename of stage.renames) {
          const renamed = renamedName(column, rename.from, rename.to);
          if (renamed !== undefined) return renamed;
        }
        return column;
      });
      const rows = result.rows.map((row) =>
        Object.fromEntries(result.columns.map((column, index) => [names[index]!, row[column]])),
      );
      return { columns: names, rows };
    }
    case 'fields':
    case 'table': {
      const patterns = stage.fields.map((field) => field.name);
      let columns: string[];
      if (stage.stage === 'fields' && stage.mode === 'exclude') {
        columns = result.columns.filter((column) => !matchesAny(patterns, column));
      } else {
        // In the order the fields are named, as `table` orders its columns.
        columns = [];
        for (const pattern of patterns) {
          for (const column of result.columns) {
            if (matchGlob(pattern, column) !== undefined && !columns.includes(column)) {
              columns.push(column);
            }
          }
        }
      }
      const rows = result.rows.map((row) =>
        Object.fromEntries(columns.map((column) => [column, row[column]])),
      );
      return { columns, rows };
    }
    case 'head':
      return { columns: result.columns, rows: result.rows.slice(0, stage.count) };
    case 'untable':
      return untable(result, stage);
    case 'sort': {
      const rows = [...result.rows].sort((a, b) => {
        for (const key of stage.keys) {
          const [x, y] = [a[key.field] ?? null, b[key.field] ?? null];
          // Missing values come last either way.
          if (x === null || y === null) {
            if (x !== y) return x === null ? 1 : -1;
            continue;
          }
          const order = compareValues(x, y);
          if (order !== 0) return key.descending ? -order : order;
        }
        return 0;
      });
      if (stage.limit === undefined || stage.limit === 0) return { columns: result.columns, rows };
      return { columns: result.columns, rows: rows.slice(0, stage.limit) };
    }
  }
}

/**
 * Returns one row for each value of each row's columns other than `x`, with `x`, the column's
 * name and the value. Empty values give no row, as in the SQL form of `untable`.
 */
function untable(result: Rows, stage: Extract<Stage, { stage: 'untable' }>): Rows {
  const [x, name, value] = [stage.x.name, stage.name.name, stage.value.name];
  const rows: Record<string, unknown>[] = [];
  for (const row of result.rows) {
    for (const column of result.columns) {
      const cell = row[column] ?? null;
      if (column === x || cell === null) continue;
      rows.push(
        Object.fromEntries([
          [x, row[x] ?? null],
          [name, column],
          [value, cell],
        ]),
      );
    }
  }
  return { columns: [x, name, value], rows };
}

/**
 * Returns the new name of `column` for `rename from as to`, where a `*` in `from` matches any
 * text that the `*` of `to` then stands for, or undefined when `from` does not match.
 */
function renamedName(column: string, from: string, to: string): string | undefined {
  const captured = matchGlob(from, column);
  if (captured === undefined) return undefined;
  let index = 0;
  return to.replace(/\*/g, () => captured[index++] ?? '');
}

/** Returns the columns and rows with the totals of an `addtotals` stage added. */
function addTotals(
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
  layout: Extract<Stage, { stage: 'addtotals' }>,
): Rows {
  const patterns = layout.fields.map((field) => field.name);
  // Splunk leaves out internal fields such as `_time` unless they are named.
  const summed = (column: string) =>
    patterns.length === 0 ? !column.startsWith('_') : matchesAny(patterns, column);
  const names = [...columns];
  let result = rows.map((row) => ({ ...row }));
  if (layout.row) {
    // A field that the total replaces counts toward it, as one of the row's fields.
    const added = columns.filter((column) => summed(column));
    if (!names.includes(layout.fieldname)) names.push(layout.fieldname);
    result = result.map((row) => {
      const values = added
        .map((column) => numberOf(row[column]))
        .filter((value) => value !== undefined);
      const total = values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0);
      return Object.fromEntries([...Object.entries(row), [layout.fieldname, total]]);
    });
  }
  if (layout.col) {
    const entries: [string, unknown][] = names.map((column) => {
      if (column !== layout.fieldname && !summed(column)) return [column, null];
      const values = result.map((row) => numberOf(row[column])).filter((v) => v !== undefined);
      return [column, values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0)];
    });
    const labelled = layout.labelfield;
    if (labelled !== undefined) {
      if (!names.includes(labelled)) names.push(labelled);
      const at = entries.findIndex(([column]) => column === labelled);
      if (at >= 0) entries[at] = [labelled, layout.label];
      else entries.push([labelled, layout.label]);
    }
    // fromEntries defines each name as an own property, `__proto__` included.
    result.push(Object.fromEntries(entries));
  }
  return { columns: names, rows: result };
}

/** Returns a value as a number when it is one or text that reads as one, else undefined. */
function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/**
 * Orders two values as `sort` does: numbers, and text that reads as one, by value before other
 * text in lexical order.
 */
function compareValues(a: unknown, b: unknown): number {
  const [x, y] = [numberOf(a), numberOf(b)];
  if (x !== undefined && y !== undefined) return x - y;
  if (x !== undefined || y !== undefined) return x !== undefined ? -1 : 1;
  const [s, t] = [String(a), String(b)];
  if (s === t) return 0;
  return s < t ? -1 : 1;
}

function matchesAny(patterns: readonly string[], column: string): boolean {
  return patterns.some((pattern) => matchGlob(pattern, column) !== undefined);
}

/**
 * Matches a column name against a field name with `*` wildcards, case-sensitively, and returns
 * the text each `*` matched, or undefined. It finds each piece between stars left to right, in
 * time linear in the name for each piece, because column names may be long log text.
 */
function matchGlob(pattern: string, name: string): string[] | undefined {
  const pieces = pattern.split('*');
  if (pieces.length === 1) return pattern === name ? [] : undefined;
  const first = pieces[0]!;
  const last = pieces.at(-1)!;
  const end = name.length - last.length;
  if (end < first.length || !name.startsWith(first) || !name.endsWith(last)) return undefined;
  const captured: string[] = [];
  let position = first.length;
  for (const piece of pieces.slice(1, -1)) {
    const found = name.indexOf(piece, position);
    if (found < 0 || found + piece.length > end) return undefined;
    captured.push(name.slice(position, found));
    position = found + piece.length;
  }
  captured.push(name.slice(position, end));
  return captured;
}
