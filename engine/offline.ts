/**
 * Offline forensics: runs a query over a folder of Parquet files with no server, such as an
 * appliance's `cold/` tier or an export laid out as `date=YYYY-MM-DD/class_uid=N/part-*.parquet`.
 * Given an appliance's data folder, it reads only the cold tier, because the exports under
 * `exports/` repeat events of the cold tier.
 * The appliance's query service runs it over an empty hot table and the files. So the same
 * compiler writes the SQL, and searches use the term files and row stores beside the files of a
 * cold tier. Files without them are read whole.
 */

import fs from 'node:fs';
import path from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type Options as CsvOptions, stringify } from 'csv-stringify/sync';
import { createEventsTableSql, EVENTS_TABLE } from '../query-lang/catalog.js';
import {
  INTERNAL_INDEX_PREFIX,
  type LookupTable,
  type QueryDiagnostic,
} from '../query-lang/index.js';
import { COLD_DIR, EXPORT_STAGING_PREFIX, EXPORTS_DIR } from '../storage/cold-tier.js';
import { snapshotView, sqlString } from '../storage/index.js';
import { LOOKUP_NAME, lookupTableOf, parseCsv } from './api/lookups.js';
import { escapeForTerminal } from './cli/terminal-text.js';
import { QueryInputError, QueryService } from './query-service.js';

export interface OfflineRequest {
  /** Folder searched recursively for `*.parquet` files. */
  dataDir: string;
  query: string;
  earliest?: string;
  latest?: string;
  limit?: number;
  nowMs?: number;
  /** CSV files for the `lookup` stage, by lookup name. */
  lookups?: Record<string, string>;
}

export interface OfflineResult {
  columns: string[];
  rows: Record<string, unknown>[];
  total: number;
  kind: 'events' | 'aggregate';
  /** Folder whose Parquet files were read: `dataDir`, or its `cold/` in a data folder. */
  searched: string;
  /** Exports in `exports/` of a data folder, which were not read. */
  excluded_exports: string[];
  files: number;
  elapsed_ms: number;
}

/** The Parquet files that `runOffline` reads from `dataDir`, and the folders it leaves out. */
interface OfflineSource {
  searched: string;
  applianceDataDir: boolean;
  excludedExports: string[];
  files: string[];
}

/** A query or folder the user got wrong; the message says what to fix. */
export class OfflineInputError extends Error {
  constructor(
    message: string,
    readonly diagnostics: QueryDiagnostic[] = [],
  ) {
    super(message);
  }
}

/** File that the event store creates in every data folder, beside `cold/`. */
const HOT_DATABASE = 'hot.duckdb';

/**
 * Chooses the files to read. A data folder, marked by `cold/` or `hot.duckdb`, is read only in
 * its cold tier, because an export in `exports/` contains copies of cold and hot events, which
 * would be counted twice. Any other folder, such as an export or a copy of `cold/`, is read whole.
 */
export function offlineSource(dataDir: string): OfflineSource {
  const dir = path.resolve(dataDir);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new OfflineInputError(`${dataDir} is not a folder`);
  }
  const cold = path.join(dir, COLD_DIR);
  const applianceDataDir =
    (fs.existsSync(cold) && fs.statSync(cold).isDirectory()) ||
    fs.existsSync(path.join(dir, HOT_DATABASE));
  if (!applianceDataDir) {
    return { searched: dir, applianceDataDir, excludedExports: [], files: listParquetFiles(dir) };
  }
  const exportsDir = path.join(dir, EXPORTS_DIR);
  const excludedExports = fs.existsSync(exportsDir)
    ? fs
        .readdirSync(exportsDir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && !entry.name.startsWith(EXPORT_STAGING_PREFIX))
        .map((entry) => path.join(exportsDir, entry.name))
        .sort()
    : [];
  const files = fs.existsSync(cold) ? listParquetFiles(cold) : [];
  return { searched: cold, applianceDataDir, excludedExports, files };
}

/** Builds the error for a folder without Parquet files, with what `--data` expects. */
function noParquetMessage(dataDir: string, source: OfflineSource): string {
  if (!source.applianceDataDir) {
    return `no Parquet files (*.parquet) found under ${dataDir}: expected an appliance data folder (with cold/), a copy of its cold/ folder, or an export written by thawk export`;
  }
  const exportHint =
    source.excludedExports.length > 0
      ? `, or pass --data ${path.join(dataDir, EXPORTS_DIR, path.basename(source.excludedExports[0]!))} to search an export`
      : '';
  return `no Parquet files (*.parquet) found in ${path.join(dataDir, COLD_DIR)}, the cold tier of the appliance data folder ${dataDir}: the appliance writes them at rollover, so search newer events through the running appliance (thawk query without --data)${exportHint}`;
}

/** Lists the Parquet files below `dir`, sorted, without following symbolic links. */
export function listParquetFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.parquet')) files.push(full);
    }
  };
  walk(dir);
  return files.sort();
}

export async function runOffline(request: OfflineRequest): Promise<OfflineResult> {
  const started = performance.now();
  const source = offlineSource(request.dataDir);
  const files = source.files;
  if (files.length === 0) throw new OfflineInputError(noParquetMessage(request.dataDir, source));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    // The event store's settings: file footers are read once, and the rowid lookups of the
    // shared fetch statements become scan filters.
    await connection.run('SET parquet_metadata_cache = true');
    await connection.run('SET dynamic_or_filter_threshold = 1000');
    // Every promoted column exists, with its type, even when no file has it.
    await connection.run(createEventsTableSql(EVENTS_TABLE));
    const internal = await internalFiles(connection, files);
    const publicFiles = files.filter((file) => !internal.has(file));
    // Files that mix indexes, such as an export's, are read whole; the compiler's condition
    // then leaves out their internal events.
    const service = new QueryService(
      {
        snapshot: async (filter) => {
          const chosen = filter?.internalIndexes ? files : publicFiles;
          return {
            ...snapshotView(connection, chosen),
            files: chosen,
            interrupt: () => connection.interrupt(),
            release: async () => {},
          };
        },
      },
      { hideInternalIndexes: true },
    );
    const lookups = await loadLookups(connection, request.lookups ?? {});
    service.useLookups((name) => lookups.get(name.toLowerCase()));
    const response = await service
      .run(
        {
          query: request.query,
          earliest: request.earliest === '' ? undefined : request.earliest,
          latest: request.latest === '' ? undefined : request.latest,
          limit: request.limit ?? 100,
        },
        request.nowMs,
      )
      .catch((error: unknown) => {
        if (error instanceof QueryInputError) {
          const diagnostics = error.diagnostics.map((diagnostic) =>
            diagnostic.code === 'lookup.unknown' ? offlineLookupDiagnostic(diagnostic) : diagnostic,
          );
          throw new OfflineInputError(diagnostics[0]?.message ?? error.message, diagnostics);
        }
        throw error;
      });
    return {
      columns: response.columns.filter((column) => column !== 'ocsf'),
      rows: response.rows,
      total: response.total,
      kind: response.kind,
      searched: source.searched,
      excluded_exports: source.excludedExports,
      files: files.length,
      elapsed_ms: Math.round((performance.now() - started) * 10) / 10,
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * Returns the files whose every event belongs to an internal index (`isInternalIndex`), such as
 * the appliance's cold files of `_audit`, from the statistics in the file footers.
 */
async function internalFiles(
  connection: DuckDBConnection,
  files: readonly string[],
): Promise<Set<string>> {
  if (files.length === 0) return new Set();
  const reader = await connection.runAndReadAll(
    `SELECT "file_name" FROM parquet_metadata([${files.map(sqlString).join(', ')}])
     WHERE "path_in_schema" = 'index'
     GROUP BY "file_name"
     HAVING bool_and(coalesce("stats_null_count", 1) = 0
       AND "stats_min_value" = "stats_max_value"
       AND starts_with("stats_min_value", ?))`,
    [INTERNAL_INDEX_PREFIX],
  );
  return new Set(reader.getRowObjectsJS().map((row) => String(row.file_name)));
}

/**
 * Loads each lookup CSV into a table of text columns of the in-memory database, checked as the
 * appliance checks an upload.
 */
async function loadLookups(
  connection: DuckDBConnection,
  files: Record<string, string>,
): Promise<Map<string, LookupTable>> {
  const tables = new Map<string, LookupTable>();
  for (const [name, file] of Object.entries(files)) {
    if (!LOOKUP_NAME.test(name)) {
      throw new OfflineInputError(
        `Invalid lookup name '${name}': use a letter, then letters, digits or _`,
      );
    }
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw new OfflineInputError(
        `Lookup '${name}': failed to read ${file}: ${(error as Error).message}`,
      );
    }
    let table: ReturnType<typeof lookupTableOf>;
    try {
      table = lookupTableOf(parseCsv(text));
    } catch (error) {
      table = `invalid CSV: ${(error as Error).message}`;
    }
    if (typeof table === 'string')
      throw new OfflineInputError(`Lookup '${name}' (${file}): ${table}`);
    const relation = `lookup_${tables.size}`;
    const columns = table.columns.map((column) => `"${column}" VARCHAR`).join(', ');
    await connection.run(`CREATE TABLE "${relation}" (${columns})`);
    const appender = await connection.createAppender(relation);
    for (const row of table.data) {
      for (const cell of row) appender.appendVarchar(cell);
      appender.endRow();
    }
    appender.closeSync();
    tables.set(name.toLowerCase(), { relation: `"${relation}"`, columns: table.columns });
  }
  return tables;
}

/** Rewords the unknown-lookup error for the command line, where there is nothing to upload. */
function offlineLookupDiagnostic(diagnostic: QueryDiagnostic): QueryDiagnostic {
  const name = /'([^']*)'/.exec(diagnostic.message)?.[1] ?? 'NAME';
  return {
    ...diagnostic,
    message: `Unknown lookup table '${name}': pass --lookup ${name}=FILE.csv`,
  };
}

/**
 * Formats rows as CSV (RFC 4180 quoting) with a header line. Log text is attacker-controlled.
 * So a text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return (or with the
 * full-width `=`, `+`, `-`, `@`) gets a leading `'`, which makes a spreadsheet show it as text.
 * Numbers stay as they are, negative ones too. Objects and arrays become JSON. With `forTerminal`,
 * control characters in text show as escapes such as `\x1b` (see `escapeForTerminal`), so the
 * cells no longer hold the data as it is.
 * NOTE: integers beyond 2^53 arrive as text (`toJsonSafe`), so a negative one gets the `'` too.
 */
export function toCsv(
  columns: string[],
  rows: Record<string, unknown>[],
  options: { forTerminal?: boolean } = {},
): string {
  // Rows go in as arrays, because csv-stringify's `columns` option reads a dotted name such as
  // `a.b` as a path into nested objects when a row has no key of that name.
  const records = rows.map((row) => columns.map((column) => row[column]));
  const cast: NonNullable<CsvOptions['cast']> = { boolean: (value) => String(value) };
  if (options.forTerminal) {
    cast.string = escapeForTerminal;
    cast.object = (value) => escapeForTerminal(JSON.stringify(value));
  }
  return stringify([columns, ...records], { escape_formulas: true, cast });
}

/** Formats rows as JSON lines, one object per row. */
export function toJsonLines(rows: Record<string, unknown>[]): string {
  return rows.map((row) => `${JSON.stringify(row)}\n`).join('');
}
