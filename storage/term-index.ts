/**
 * Term index of the cold tier. Beside each cold file `part-X.parquet` lies
 * `part-X.parquet.terms`, a small Parquet file with one row per value of the
 * needle columns (users, addresses, host names): the key `column=value`,
 * lowercased, and the number of the row that contains it, sorted by key. A search
 * for a needle then reads a few row groups of each term file, found by their
 * min/max statistics, instead of the needle columns of every row, and reads
 * from each cold file only the rows the index names.
 *
 * The index only narrows, because the query's own filter still runs over the
 * rows it names. A value is looked up lowercased both as DuckDB and as
 * JavaScript lowercase it, so every row the filter matches is among them. A
 * cold file without a term file (written before the index existed) is read
 * whole.
 */
import fs from 'node:fs';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { INDEXED_COLUMNS } from '../query-lang/catalog.js';
import type { Needle } from '../query-lang/needles.js';
import { sqlString } from './cold-tier.js';

/** Suffix of the term file of a cold file. */
export const TERMS_SUFFIX = '.terms';

/**
 * Above this many candidate rows, a cold file is read whole: reading rows by number pays off
 * only while they sit in a few row groups.
 */
const MAX_CANDIDATE_ROWS = 4096;

/** Rows per row group of a term file; small, so that a lookup decodes little. */
const TERM_ROW_GROUP = 16_384;

export function termsFileOf(file: string): string {
  return `${file}${TERMS_SUFFIX}`;
}

export function isTermsFile(file: string): boolean {
  return file.endsWith(TERMS_SUFFIX);
}

/**
 * Writes the term index of the Parquet file `dataFile` (absolute path) to `target`. Row numbers
 * are the file's own (`file_row_number`), so they stay valid for as long as the file does.
 */
export async function writeTermIndex(
  connection: DuckDBConnection,
  dataFile: string,
  target: string,
): Promise<void> {
  const present = await connection.runAndReadAll(
    `SELECT name FROM parquet_schema(${sqlString(dataFile)})`,
  );
  const names = new Set(present.getRows().map((row) => String(row[0])));
  const columns = INDEXED_COLUMNS.filter((column) => names.has(column));
  const parts = columns.map(
    (column) =>
      `SELECT ${sqlString(`${column}=`)} || lower("${column}") AS k, file_row_number AS r FROM src WHERE "${column}" IS NOT NULL`,
  );
  if (parts.length === 0) parts.push('SELECT NULL::VARCHAR AS k, NULL::BIGINT AS r WHERE FALSE');
  const read =
    columns.length === 0
      ? 'SELECT 1'
      : `SELECT ${columns.map((column) => `"${column}"`).join(', ')}, file_row_number FROM read_parquet(${sqlString(dataFile)}, hive_partitioning = false, file_row_number = true)`;
  await connection.run(
    // Each (column, row) pair occurs once, so the keys need no DISTINCT.
    `COPY (WITH src AS (${read}) SELECT k, r FROM (${parts.join(' UNION ALL ')}) ORDER BY k, r)
     TO ${sqlString(target)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${TERM_ROW_GROUP})`,
  );
}

/** Candidate rows of each cold file, from the term files; see `candidateRows`. */
export interface Candidates {
  /** Files to read whole: no term file, or too many candidates to read by row number. */
  whole: string[];
  /** Files to read only at these row numbers (ascending); files with no candidate are absent. */
  rows: Map<string, number[]>;
}

/**
 * Looks the needles up in the term files of `files` (absolute paths). A row is a candidate when
 * every needle names it. Each key is looked up on its own, since DuckDB skips row groups by their
 * statistics for an equality but not for an IN list.
 */
export async function candidateRows(
  connection: DuckDBConnection,
  files: readonly string[],
  needles: readonly Needle[],
): Promise<Candidates> {
  const indexed = files.filter((file) => fs.existsSync(termsFileOf(file)));
  const indexedSet = new Set(indexed);
  const whole = files.filter((file) => !indexedSet.has(file));
  const rows = new Map<string, number[]>();
  if (indexed.length === 0 || needles.length === 0) return { whole: [...files], rows };

  const termFiles = `[${indexed.map((file) => sqlString(termsFileOf(file))).join(', ')}]`;
  const params: DuckDBValue[] = [];
  const lookups = needles.map((needle) => {
    const keys: string[] = [];
    for (const column of needle.columns) {
      for (const value of needle.values) {
        keys.push(`concat(?, '=', lower(?))`);
        params.push(column, value);
        // The filter lowercases in JavaScript and the index in DuckDB. Outside ASCII the two can
        // differ, so such a value is looked up both ways.
        if (Buffer.byteLength(value) !== value.length) {
          keys.push('?');
          params.push(`${column}=${value.toLowerCase()}`);
        }
      }
    }
    return keys
      .map(
        (key) =>
          `SELECT filename AS f, r FROM read_parquet(${termFiles}, filename = true) WHERE k = ${key}`,
      )
      .join(' UNION ');
  });
  const hits = lookups.map((lookup) => `(${lookup})`).join(' INTERSECT ');
  const reader = await connection.runAndReadAll(
    `SELECT f, count(*) AS n, CASE WHEN count(*) <= ${MAX_CANDIDATE_ROWS} THEN list(r ORDER BY r) END AS rows
     FROM (${hits}) GROUP BY f`,
    params,
  );
  const found = new Map<string, { n: number; rows: number[] | null }>();
  for (const row of reader.getRowObjectsJS()) {
    const list = row.rows as bigint[] | null;
    found.set(String(row.f), {
      n: Number(row.n),
      rows: list === null ? null : list.map((value) => Number(value)),
    });
  }
  for (const file of indexed) {
    // DuckDB reports the term file's name as it was given.
    const hit = found.get(termsFileOf(file));
    if (hit === undefined) continue;
    if (hit.rows === null) whole.push(file);
    else rows.set(file, hit.rows);
  }
  return { whole, rows };
}
