/**
 * Offline forensics: runs a query over a folder of Parquet files with no server, such as an
 * appliance's `cold/` tier or an export laid out as `date=YYYY-MM-DD/class_uid=N/part-*.parquet`.
 * The same compiler as the appliance writes the SQL; the file list is bound as parameters.
 */

import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createEventsTableSql } from '../query-lang/catalog.js';
import {
  compileQuery,
  parseQuery,
  parseRelativeTime,
  type QueryDiagnostic,
  QueryError,
  TOTAL_COLUMN,
} from '../query-lang/index.js';
import { toJsonSafe } from '../storage/event-store.js';

export interface OfflineRequest {
  /** Folder searched recursively for `*.parquet` files. */
  dataDir: string;
  query: string;
  earliest?: string;
  latest?: string;
  limit?: number;
  nowMs?: number;
}

export interface OfflineResult {
  columns: string[];
  rows: Record<string, unknown>[];
  total: number;
  kind: 'events' | 'aggregate';
  files: number;
  elapsed_ms: number;
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

const EMPTY_TABLE = 'offline_empty';

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

function time(text: string | undefined, nowMs: number, name: string): number | undefined {
  if (text === undefined || text === '' || (name === 'earliest' && text === '0')) return undefined;
  const ms = parseRelativeTime(text, nowMs);
  if (ms === undefined) throw new OfflineInputError(`invalid ${name} time ${JSON.stringify(text)}`);
  return ms;
}

export async function runOffline(request: OfflineRequest): Promise<OfflineResult> {
  const started = performance.now();
  const nowMs = request.nowMs ?? Date.now();
  const dir = path.resolve(request.dataDir);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new OfflineInputError(`${request.dataDir} is not a folder`);
  }
  const parsed = parseQuery(request.query);
  if (parsed.ast === undefined) {
    throw new OfflineInputError(parsed.errors[0]?.message ?? 'invalid query', parsed.errors);
  }
  const files = listParquetFiles(dir);
  // Every promoted column exists, with its type, even when no file has it: the scan is a union
  // with an empty event table. File paths are bound as parameters ahead of the query's own.
  const scan =
    files.length === 0
      ? ''
      : ` UNION ALL BY NAME SELECT * FROM read_parquet([${files.map(() => '?').join(', ')}], hive_partitioning = true, union_by_name = true)`;
  const source = `(SELECT * FROM "${EMPTY_TABLE}"${scan})`;
  let compiled: ReturnType<typeof compileQuery>;
  try {
    compiled = compileQuery(parsed.ast, {
      source,
      earliestMs: time(request.earliest, nowMs, 'earliest'),
      latestMs: time(request.latest, nowMs, 'latest'),
      nowMs,
      limit: request.limit ?? 100,
    });
  } catch (error) {
    if (error instanceof QueryError) {
      throw new OfflineInputError(error.message, error.diagnostics);
    }
    throw error;
  }
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(createEventsTableSql(EMPTY_TABLE));
    const reader = await connection.runAndReadAll(compiled.sql, [
      ...files,
      ...compiled.params,
    ] as never);
    const rows = reader.getRowObjectsJS().map((row) => toJsonSafe(row) as Record<string, unknown>);
    // Aggregate results carry the number of rows before the limit in every row.
    let total = reader.columnNames().includes(TOTAL_COLUMN)
      ? Number(rows[0]?.[TOTAL_COLUMN] ?? 0)
      : rows.length;
    for (const row of rows) delete row[TOTAL_COLUMN];
    if (compiled.countSql !== undefined) {
      const count = await connection.runAndReadAll(compiled.countSql, [
        ...files,
        ...(compiled.countParams ?? []),
      ] as never);
      total = Number(count.getRows()[0]?.[0] ?? 0);
    }
    const columns = reader
      .columnNames()
      .filter((column) => column !== 'ocsf' && column !== TOTAL_COLUMN);
    return {
      columns,
      rows,
      total,
      kind: compiled.kind,
      files: files.length,
      elapsed_ms: Math.round((performance.now() - started) * 10) / 10,
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Formats rows as CSV with a header line. */
export function toCsv(columns: string[], rows: Record<string, unknown>[]): string {
  const lines = [columns.map(csvCell).join(',')];
  for (const row of rows) lines.push(columns.map((column) => csvCell(row[column])).join(','));
  return `${lines.join('\n')}\n`;
}

/** Formats rows as JSON lines, one object per row. */
export function toJsonLines(rows: Record<string, unknown>[]): string {
  return rows.map((row) => `${JSON.stringify(row)}\n`).join('');
}
