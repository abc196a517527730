/**
 * Splunk's `addtotals`, applied to the rows a query returns: a column with the sum of each row's
 * numeric fields, and with `col=t` a last row with the sum of each column. It runs after the
 * series of a final `timechart` or `chart` are spread into columns, so `| timechart count by
 * host | addtotals` adds up the hosts of each bucket, as in Splunk.
 */

/** The options of `addtotals`, as the compiled query carries them. */
export interface TotalsLayout {
  /** Field names or `*` patterns to add up; every numeric field when empty. */
  fields: string[];
  /** Whether each row gets the sum of its fields. */
  row: boolean;
  /** Whether a last row gets the sum of each column. */
  col: boolean;
  /** Name of the column that contains each row's sum. */
  fieldname: string;
  /** Column of the last row that names it, with `label`. */
  labelfield?: string;
  label: string;
}

/** Returns the columns and rows with the totals of `layout` added. */
export function addTotals(
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
  layout: TotalsLayout,
): { columns: string[]; rows: Record<string, unknown>[] } {
  const patterns = layout.fields.map(globPattern);
  // Splunk leaves out internal fields such as `_time` unless they are named.
  const summed = (column: string) =>
    patterns.length === 0 ? !column.startsWith('_') : patterns.some((re) => re.test(column));
  const names = [...columns];
  let result = rows.map((row) => ({ ...row }));
  if (layout.row) {
    if (!names.includes(layout.fieldname)) names.push(layout.fieldname);
    result = result.map((row) => {
      const values = names
        .filter((column) => column !== layout.fieldname && summed(column))
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

/** Returns a case-sensitive regular expression for a field name with `*` wildcards. */
function globPattern(pattern: string): RegExp {
  const parts = pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`);
}
