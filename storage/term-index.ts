/**
 * Term index of the cold tier. Beside each cold file `part-X.parquet` lies
 * `part-X.parquet.terms2`, a small Parquet file with one row per value of the
 * needle columns (users, addresses, host names) and of the aliases that
 * combine them (`user`): the key `column=value`, lowercased, with the number
 * and the time of the row that contains it, sorted by key. A search for a needle
 * then reads a few row groups of each term file, found by their min/max
 * statistics, instead of the needle columns of every row, and reads from each
 * cold file only the rows the index names.
 *
 * Narrowing never changes a result, because the query's own filter still runs
 * over the rows the index names, and both lowercase values with DuckDB's
 * `lower()`. A cold file without a whole term file (written before the index
 * existed, or with the first layout, `.terms`, which had no times) is read
 * whole. A search of needles alone is resolved from the term files alone
 * (`indexedMatches`).
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { FREE_TEXT_COLUMNS, TERM_KEYS } from '../query-lang/catalog.js';
import { hasCase } from '../query-lang/filter-compiler.js';
import type { Needle } from '../query-lang/needles.js';
import { readFileEnds, sqlString } from './cold-tier.js';

/** Suffix of the term file of a cold file. */
export const TERMS_SUFFIX = '.terms2';

/** Suffix of term files of the first layout, without times; recovery removes them. */
export const OLD_TERMS_SUFFIX = '.terms';

/**
 * Above this many candidate rows, a cold file is read whole: reading rows by number pays off
 * only while they sit in a few row groups.
 */
const MAX_CANDIDATE_ROWS = 4096;

/**
 * Maximum number of cold files read by row number in one view. Each is a scan of every column of
 * its own, and DuckDB runs them side by side: 59 of them (a search for 150 addresses) ran out of
 * its 512 MiB. Past this many, the files are read whole, in one scan of the columns the query
 * uses. The limit is an estimate, well below the 59 that failed.
 */
const MAX_FILES_READ_BY_ROW = 16;

/** Rows per row group of a term file; small, so that a lookup decodes little. */
const TERM_ROW_GROUP = 16_384;

export function termsFileOf(file: string): string {
  return `${file}${TERMS_SUFFIX}`;
}

export function isTermsFile(file: string): boolean {
  return file.endsWith(TERMS_SUFFIX);
}

/** Checks that the term file at `path` starts and ends with Parquet's magic `PAR1`. */
export function termFileIntact(path: string): boolean {
  const ends = readFileEnds(path, 4, 4);
  return ends?.head.toString('latin1') === 'PAR1' && ends.tail.toString('latin1') === 'PAR1';
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
  // A family of several columns takes those the file has: the others are null in every row.
  const families = TERM_KEYS.map((key) => ({
    key,
    columns: key.split('|').filter((column) => names.has(column)),
  })).filter((family) => family.columns.length > 0);
  const parts = families.map(({ key, columns }) => {
    const value = familyValue(columns);
    return `SELECT ${sqlString(`${key}=`)} || lower(${value}) AS k, file_row_number AS r, t FROM src WHERE ${value} IS NOT NULL`;
  });
  if (parts.length === 0) {
    parts.push('SELECT NULL::VARCHAR AS k, NULL::BIGINT AS r, NULL::BIGINT AS t WHERE FALSE');
  }
  const columns = [...new Set(families.flatMap((family) => family.columns))];
  const read =
    columns.length === 0
      ? 'SELECT 1'
      : `SELECT ${columns.map((column) => `"${column}"`).join(', ')}, epoch_us("time") AS t, file_row_number FROM read_parquet(${sqlString(dataFile)}, hive_partitioning = false, file_row_number = true)`;
  await connection.run(
    // Each (key, row) pair occurs once, so the keys need no DISTINCT.
    `COPY (WITH src AS (${read}) SELECT k, r, t FROM (${parts.join(' UNION ALL ')}) ORDER BY k, r)
     TO ${sqlString(target)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${TERM_ROW_GROUP})`,
  );
}

/** Returns the SQL value a key family indexes: its column, or the first non-null of its columns. */
function familyValue(columns: readonly string[]): string {
  const quoted = columns.map((column) => `"${column}"`);
  return quoted.length === 1 ? quoted[0]! : `coalesce(${quoted.join(', ')})`;
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
  maxFilesByRow = MAX_FILES_READ_BY_ROW,
): Promise<Candidates> {
  const indexed = files.filter((file) => termFileIntact(termsFileOf(file)));
  const indexedSet = new Set(indexed);
  const whole = files.filter((file) => !indexedSet.has(file));
  const rows = new Map<string, number[]>();
  if (indexed.length === 0 || needles.length === 0) return { whole: [...files], rows };

  const { sql: hits, params } = hitsStatement(indexed, needles);
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
  if (rows.size > maxFilesByRow) {
    whole.push(...rows.keys());
    rows.clear();
  }
  return { whole, rows };
}

/**
 * Maximum number of keys of one needle that are each looked up in a scan of their own, so that
 * DuckDB skips row groups by their statistics. A longer list, such as pasted addresses, is one
 * scan: for 2,000 user names over one day of the query benchmark's cold tier, 0.5 s against 10 s.
 * The limit is an estimate, because from 1 to 32 keys the two ways measured alike.
 */
const MAX_SEPARATE_KEYS = 32;

/**
 * Builds the statement that lists the rows (`f` the term file, `r` the row number, `t` the time
 * in epoch microseconds) that meet every needle, from the term files of `files`.
 */
function hitsStatement(
  files: readonly string[],
  needles: readonly Needle[],
): { sql: string; params: DuckDBValue[] } {
  const termFiles = `[${files.map((file) => sqlString(termsFileOf(file))).join(', ')}]`;
  const params: DuckDBValue[] = [];
  const lookups = needles.map((needle) => {
    if (needle.keys.length * needle.values.length > MAX_SEPARATE_KEYS) {
      // One scan with a hash semi-join: thousands of separate scans cost more to plan than to run.
      const values = JSON.stringify(needle.values.map(String));
      const keys = needle.keys.map((family) => {
        params.push(family, values);
        return `SELECT concat(?, '=', lower(v)) FROM unnest(from_json(?, '["VARCHAR"]')) AS l(v)`;
      });
      return `SELECT filename AS f, r, t FROM read_parquet(${termFiles}, filename = true) WHERE k IN (${keys.join(' UNION ALL ')})`;
    }
    const keys: string[] = [];
    for (const family of needle.keys) {
      for (const value of needle.values) {
        // Lowercased by DuckDB, as the index and the compiled filter lowercase.
        keys.push(`concat(?, '=', lower(?))`);
        params.push(family, value);
      }
    }
    if (keys.length === 0)
      return 'SELECT NULL::VARCHAR AS f, NULL::BIGINT AS r, NULL::BIGINT AS t WHERE FALSE';
    return keys
      .map(
        (key) =>
          `SELECT filename AS f, r, t FROM read_parquet(${termFiles}, filename = true) WHERE k = ${key}`,
      )
      .join(' UNION ');
  });
  return { sql: lookups.map((lookup) => `(${lookup})`).join(' INTERSECT '), params };
}

/** Matches of a search found in the term index; see `indexedMatches`. */
export interface IndexedMatches {
  count: number;
  /**
   * The newest matches, newest first: `limit` of them, and any of the same time as the last.
   * `file` is null for a row of the hot table, whose `row` is then its rowid.
   */
  newest: Array<{ file: string | null; row: number; timeUs: bigint }>;
  /** The cold files that hold the newest matches, named as the view names its files. */
  files: string[];
}

/**
 * Counts the rows of hot table `table` that meet every needle within the time range, and
 * returns the newest of them, as `indexedMatches` does for cold files. The condition is the one
 * the compiler writes for these needles, so that hot and cold rows match alike. Reading only the
 * compared columns and the time, without the ids that order events of one time, keeps the scan
 * cheap. `rowFilter`, trusted SQL, leaves out rows the view does not show.
 */
export async function hotIndexedMatches(
  connection: DuckDBConnection,
  table: string,
  needles: readonly Needle[],
  range: { earliestMs?: number; latestMs?: number },
  limit: number,
  rowFilter?: string,
): Promise<IndexedMatches> {
  const params: DuckDBValue[] = [];
  const conditions = needles.map((needle) => {
    const pairs = needle.keys.flatMap((family) =>
      needle.values.map((value) => {
        params.push(value);
        const column = familyValue(family.split('|'));
        // As the compiler does: a plain comparison lets DuckDB filter inside the scan.
        return hasCase(value) ? `lower(${column}) = lower(?)` : `${column} = ?`;
      }),
    );
    return pairs.length === 0 ? 'FALSE' : `(${pairs.join(' OR ')})`;
  });
  if (rowFilter !== undefined) conditions.push(rowFilter);
  return hotMatches(connection, table, conditions, params, range, limit);
}

/**
 * Counts the rows of hot table `table` whose raw or message text contains every word within the
 * time range, and returns the newest of them, as `tokenMatches` does for cold files. The
 * condition is the one the compiler writes for free text. `rowFilter`, trusted SQL, leaves out
 * rows the view does not show.
 */
export function hotWordMatches(
  connection: DuckDBConnection,
  table: string,
  words: readonly string[],
  range: { earliestMs?: number; latestMs?: number },
  limit: number,
  rowFilter?: string,
): Promise<IndexedMatches> {
  const params: DuckDBValue[] = [];
  const conditions = words.map((word) => {
    const parts = FREE_TEXT_COLUMNS.map((column) => {
      params.push(word);
      return `contains(lower("${column}"), lower(?))`;
    });
    return `(${parts.join(' OR ')})`;
  });
  if (rowFilter !== undefined) conditions.push(rowFilter);
  return hotMatches(connection, table, conditions, params, range, limit);
}

/** Counts and finds the newest rows of hot table `table` that meet every condition. */
async function hotMatches(
  connection: DuckDBConnection,
  table: string,
  conditions: string[],
  params: DuckDBValue[],
  range: { earliestMs?: number; latestMs?: number },
  limit: number,
): Promise<IndexedMatches> {
  if (range.earliestMs !== undefined) {
    conditions.push('"time" >= epoch_ms(CAST(? AS BIGINT))');
    params.push(BigInt(Math.trunc(range.earliestMs)));
  }
  if (range.latestMs !== undefined) {
    conditions.push('"time" < epoch_ms(CAST(? AS BIGINT))');
    params.push(BigInt(Math.trunc(range.latestMs)));
  }
  params.push(limit);
  const where = conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
  const reader = await connection.runAndReadAll(
    `WITH m AS (SELECT epoch_us("time") AS t, rowid AS r FROM "${table}"${where})
     SELECT (SELECT count(*) FROM m) AS n,
       (SELECT list({'r': r, 't': t} ORDER BY t DESC)
        FROM (SELECT * FROM m QUALIFY rank() OVER (ORDER BY t DESC) <= ?)) AS newest`,
    params,
  );
  const row = reader.getRowObjectsJS()[0] ?? {};
  const newest = ((row.newest as Array<{ r: bigint; t: bigint }> | null) ?? []).map((hit) => ({
    file: null,
    row: Number(hit.r),
    timeUs: BigInt(hit.t),
  }));
  return { count: Number(row.n ?? 0), newest, files: [] };
}

/**
 * Merges the matches of the hot table and of the cold files: the counts added, the newest of
 * both cut to `limit`, and the ties of the last.
 */
export function joinMatches(
  hot: IndexedMatches,
  cold: IndexedMatches,
  limit: number,
): IndexedMatches {
  const all = [...hot.newest, ...cold.newest].sort((a, b) => {
    if (a.timeUs === b.timeUs) return 0;
    return a.timeUs > b.timeUs ? -1 : 1;
  });
  const last = all[Math.min(limit, all.length) - 1]?.timeUs;
  const newest = last === undefined ? [] : all.filter((match) => match.timeUs >= last);
  const read = new Set(newest.map((match) => match.file));
  return {
    count: hot.count + cold.count,
    newest,
    files: cold.files.filter((file) => read.has(file)),
  };
}

/**
 * Counts the rows of `files` (absolute paths) that meet every needle within the time range, and
 * returns the newest of them, from the term files alone. Valid only for needles that decide a
 * match on their own (`exactNeedlesOf`); undefined when a file has no term file.
 */
export async function indexedMatches(
  connection: DuckDBConnection,
  files: readonly string[],
  needles: readonly Needle[],
  range: { earliestMs?: number; latestMs?: number },
  limit: number,
): Promise<IndexedMatches | undefined> {
  if (files.length === 0) return { count: 0, newest: [], files: [] };
  if (!files.every((file) => termFileIntact(termsFileOf(file)))) return undefined;
  const { sql: hits, params } = hitsStatement(files, needles);

  const bounds: string[] = [];
  // The same bounds as the compiled filter: earliest inclusive, latest exclusive.
  if (range.earliestMs !== undefined) {
    bounds.push('t >= ?');
    params.push(BigInt(range.earliestMs) * 1000n);
  }
  if (range.latestMs !== undefined) {
    bounds.push('t < ?');
    params.push(BigInt(range.latestMs) * 1000n);
  }
  params.push(limit);

  const where = bounds.length === 0 ? '' : ` WHERE ${bounds.join(' AND ')}`;
  const reader = await connection.runAndReadAll(
    `WITH m AS (SELECT * FROM (${hits})${where})
     SELECT (SELECT count(*) FROM m) AS n,
       (SELECT list({'f': f, 'r': r, 't': t} ORDER BY t DESC)
        FROM (SELECT * FROM m QUALIFY rank() OVER (ORDER BY t DESC) <= ?)) AS newest`,
    params,
  );

  const row = reader.getRowObjectsJS()[0] ?? {};
  const byTermFile = new Map(files.map((file) => [termsFileOf(file), file]));
  const newest = ((row.newest as Array<{ f: string; r: bigint; t: bigint }> | null) ?? []).map(
    (hit) => {
      // DuckDB reports the term file's name as it was given.
      const file = byTermFile.get(hit.f);
      if (file === undefined) throw new Error(`term index named an unknown file: ${hit.f}`);
      return { file, row: Number(hit.r), timeUs: BigInt(hit.t) };
    },
  );
  const read = new Set(newest.map((match) => match.file));
  return { count: Number(row.n ?? 0), newest, files: files.filter((file) => read.has(file)) };
}
