/** Test rows for the event store. */
import { COLUMNS } from '../../query-lang/catalog.js';
import type { ColumnBatch } from '../../storage/types.js';

/** Builds a column batch from rows keyed by column name; absent columns are null. */
export function batchOf(rows: Record<string, unknown>[]): ColumnBatch {
  const columns: Record<string, unknown[]> = {};
  for (const column of COLUMNS) columns[column.name] = rows.map((row) => row[column.name] ?? null);
  return { rowCount: rows.length, columns };
}
