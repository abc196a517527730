import fs from 'node:fs';
import path from 'node:path';
import {
  BIGINT,
  DOUBLE,
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  DuckDBTimestampValue,
  type DuckDBType,
  type DuckDBValue,
  INTEGER,
  TIMESTAMP,
  VARCHAR,
} from '@duckdb/node-api';
import {
  COLUMNS,
  type ColumnType,
  createEventsTableSql,
  EVENTS_TABLE,
} from '../query-lang/catalog.js';
import { createDeadLetterTableSql, DEAD_LETTER_COLUMNS, DEAD_LETTER_TABLE } from './dead-letter.js';
import type { ColumnBatch, DeadLetterEntry } from './types.js';

const DUCKDB_TYPES: Record<ColumnType, DuckDBType> = {
  VARCHAR,
  INTEGER,
  BIGINT,
  DOUBLE,
  TIMESTAMP,
};

const INT32_MAX = 2 ** 31 - 1;

/** Rows per DuckDB data chunk; DuckDB's vector size. */
const CHUNK_ROWS = 2048;

/** JSON-safe query result row: numbers, strings, booleans, null, arrays and objects. */
export type ResultRow = Record<string, unknown>;

export interface QueryResult {
  columns: string[];
  rows: ResultRow[];
}

/**
 * The hot tier: one DuckDB database file holding the `events` table and the
 * dead-letter table. It is the only place that opens `hot.duckdb`, because a
 * second DuckDB instance on the same file would not see this one's writes.
 */
export class EventStore {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly readers: DuckDBConnection[],
    readonly dataDir: string,
  ) {}

  private nextReader = 0;
  private closed = false;

  /** Opens (creating when absent) `<dataDir>/hot.duckdb` and its tables. */
  static async open(dataDir: string, options: { readers?: number } = {}): Promise<EventStore> {
    fs.mkdirSync(dataDir, { recursive: true });
    const instance = await DuckDBInstance.create(path.join(dataDir, 'hot.duckdb'));
    const writer = await instance.connect();
    await writer.run(createEventsTableSql());
    await writer.run(createDeadLetterTableSql());

    // Queries run on connections that can read only the data folder, so no
    // query text can reach other files even if the compiler had a hole.
    const allowed = `${path.resolve(dataDir)}${path.sep}`;
    await writer.run(`SET allowed_directories = ['${allowed.replaceAll("'", "''")}']`);
    await writer.run('SET enable_external_access = false');
    await writer.run('SET lock_configuration = true');

    const readers: DuckDBConnection[] = [];
    for (let i = 0; i < (options.readers ?? 2); i++) readers.push(await instance.connect());
    return new EventStore(instance, writer, readers, dataDir);
  }

  /**
   * Writes events and dead-letter entries in one transaction. When the
   * promise resolves, DuckDB has committed them to its write-ahead log.
   */
  async commit(
    batches: readonly ColumnBatch[],
    deadLetters: readonly DeadLetterEntry[],
  ): Promise<void> {
    if (this.closed) throw new Error('event store is closed');
    await this.writer.run('BEGIN TRANSACTION');
    try {
      if (batches.some((batch) => batch.rowCount > 0)) await this.appendEvents(batches);
      if (deadLetters.length > 0) await this.appendDeadLetters(deadLetters);
      await this.writer.run('COMMIT');
    } catch (error) {
      await this.writer.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  private async appendEvents(batches: readonly ColumnBatch[]): Promise<void> {
    const appender = await this.writer.createAppender(EVENTS_TABLE);
    const types = COLUMNS.map((column) => DUCKDB_TYPES[column.type]);
    try {
      for (const batch of batches) {
        for (let start = 0; start < batch.rowCount; start += CHUNK_ROWS) {
          const end = Math.min(start + CHUNK_ROWS, batch.rowCount);
          const chunk = DuckDBDataChunk.create(types, end - start);
          COLUMNS.forEach((column, index) => {
            const values = batch.columns[column.name];
            if (!values) throw new Error(`column batch lacks column ${column.name}`);
            chunk.setColumnValues(index, toDuckDBValues(values, column.type, start, end));
          });
          appender.appendDataChunk(chunk);
        }
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  private async appendDeadLetters(entries: readonly DeadLetterEntry[]): Promise<void> {
    const appender = await this.writer.createAppender(DEAD_LETTER_TABLE);
    const types = DEAD_LETTER_COLUMNS.map((column) => DUCKDB_TYPES[column.type]);
    try {
      const chunk = DuckDBDataChunk.create(types, entries.length);
      DEAD_LETTER_COLUMNS.forEach((column, index) => {
        const values = entries.map((entry) => entry[column.name] ?? null);
        chunk.setColumnValues(index, toDuckDBValues(values, column.type, 0, values.length));
      });
      appender.appendDataChunk(chunk);
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  /** Runs a read-only statement with bound parameters and returns JSON-safe rows. */
  async query(sql: string, params: readonly unknown[] = []): Promise<QueryResult> {
    if (this.closed) throw new Error('event store is closed');
    const reader = this.readers[this.nextReader++ % this.readers.length]!;
    const result = await reader.runAndReadAll(sql, params as DuckDBValue[]);
    const rows = result.getRowObjectsJS().map((row) => toJsonSafe(row) as ResultRow);
    return { columns: result.columnNames(), rows };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const reader of this.readers) reader.closeSync();
    await this.writer.run('CHECKPOINT').catch(() => undefined);
    this.writer.closeSync();
    this.instance.closeSync();
  }
}

function toDuckDBValues(
  values: readonly unknown[],
  type: ColumnType,
  start: number,
  end: number,
): DuckDBValue[] {
  const out: DuckDBValue[] = new Array(end - start);
  for (let i = start; i < end; i++) {
    const value = values[i];
    out[i - start] = value === null || value === undefined ? null : toDuckDBValue(value, type);
  }
  return out;
}

function toDuckDBValue(value: unknown, type: ColumnType): DuckDBValue {
  switch (type) {
    case 'VARCHAR':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'INTEGER':
      return Number.isInteger(value) && Math.abs(value as number) <= INT32_MAX
        ? (value as number)
        : null;
    case 'DOUBLE':
      return typeof value === 'number' && Number.isFinite(value) ? value : null;
    case 'BIGINT':
      return typeof value === 'number' && Number.isFinite(value) ? BigInt(Math.trunc(value)) : null;
    case 'TIMESTAMP':
      return typeof value === 'number' && Number.isFinite(value)
        ? new DuckDBTimestampValue(BigInt(Math.trunc(value)) * 1000n)
        : null;
  }
}

/**
 * Converts DuckDB's JS values for JSON: integers beyond 2^53 stay exact as
 * strings, timestamps become ISO 8601 text in UTC.
 */
export function toJsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.map(toJsonSafe);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = toJsonSafe(item);
    return out;
  }
  return value;
}
