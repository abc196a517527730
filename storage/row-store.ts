/**
 * Row store of the cold tier. Beside each cold file `part-X.parquet` lies `part-X.parquet.rows`,
 * with the file's rows without the OCSF JSON: one JSON array of values per row, in blocks of 32
 * rows that are compressed one by one with raw deflate. Files of 4,096 rows or more use a preset
 * dictionary taken from their first rows.
 *
 * Parquet decodes a whole row group of every column to return one row. Here a row costs a few
 * small reads and the inflation of one block, so searches read the rows they show from here.
 *
 * Layout: the magic, the blocks, the dictionary, the column names (a deflated JSON array), the
 * offset of each block and of the end of the last (unsigned 64-bit little-endian), then a
 * fixed-size footer. Values are written as the query service returns them (`toJsonSafe`):
 * times as ISO text in milliseconds, integers beyond 2^53 as text, and numbers that JSON cannot
 * hold as null.
 */
import fs from 'node:fs';
import { setImmediate } from 'node:timers/promises';
import zlib from 'node:zlib';
import type { DuckDBConnection } from '@duckdb/node-api';
import { readFileEnds, readFileRows, sqlString } from './cold-tier.js';

export const ROWS_SUFFIX = '.rows';

const MAGIC = Buffer.from('THROWS1\n');
const FOOTER_MAGIC = 0x53524854; // "THRS"
const FOOTER_BYTES = 48;
const VERSION = 1;

/** Rows per block. A read inflates this many rows to return one. */
const BLOCK_ROWS = 32;

/** Size of zlib's window, so a longer dictionary is cut to its end. */
const DICTIONARY_BYTES = 32 * 1024;

/**
 * Row count below which a file gets no dictionary, because the dictionary would cost more than it
 * saves. Over the test corpus, whose cold files have about 40 rows each, it took 260 bytes a row
 * instead of 84.
 */
const DICTIONARY_MIN_ROWS = 4096;

/** Columns that search results leave out. The event view reads the OCSF JSON from Parquet. */
const OMITTED = new Set(['ocsf', 'file_row_number']);

/** Number of blocks a read inflates before it lets other work run (an estimate of 10 ms). */
const YIELD_BLOCKS = 64;

export function rowsFileOf(file: string): string {
  return `${file}${ROWS_SUFFIX}`;
}

/**
 * Returns the SQL expression that turns column `name` of DuckDB type `type` into the JSON value
 * that `toJsonSafe` makes of it, or undefined for a type the row store does not support.
 */
function jsonValue(name: string, type: string): string | undefined {
  const column = `"${name.replaceAll('"', '""')}"`;
  switch (type) {
    case 'VARCHAR':
    case 'BOOLEAN':
    case 'TINYINT':
    case 'SMALLINT':
    case 'INTEGER':
    case 'UTINYINT':
    case 'USMALLINT':
    case 'UINTEGER':
      // `json_array` turns these into JSON itself.
      return column;
    case 'BIGINT':
    case 'UBIGINT':
    case 'HUGEINT':
      // Beyond 2^53 a JSON number loses digits, so the value goes as text.
      return `CASE WHEN ${column} BETWEEN -9007199254740991 AND 9007199254740991 THEN to_json(${column}) ELSE to_json(${column}::VARCHAR) END`;
    case 'FLOAT':
    case 'DOUBLE':
      return `to_json(CASE WHEN isfinite(${column}) THEN ${column} END)`;
    case 'TIMESTAMP':
    case 'TIMESTAMP_NS':
    case 'TIMESTAMP WITH TIME ZONE':
    case 'DATE':
      // Milliseconds cut toward zero, as a JavaScript Date made from the microseconds.
      return `to_json(strftime(epoch_ms(epoch_us(${column}::TIMESTAMP) // 1000), '%Y-%m-%dT%H:%M:%S.%gZ'))`;
    default:
      return undefined;
  }
}

/**
 * Writes the row store of the Parquet file `dataFile` (absolute path) to `target`. Row `i` of the
 * store is the row with `file_row_number` i. Throws for a column of an unsupported type, and
 * searches then read that file's rows from Parquet.
 */
export async function writeRowStore(
  connection: DuckDBConnection,
  dataFile: string,
  target: string,
): Promise<void> {
  const source = `read_parquet(${sqlString(dataFile)}, hive_partitioning = false`;
  const schema = await connection.runAndReadAll(
    `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${source}))`,
  );
  const names: string[] = [];
  const values: string[] = [];
  for (const [name, type] of schema.getRows()) {
    if (OMITTED.has(String(name))) continue;
    const value = jsonValue(String(name), String(type));
    if (value === undefined) {
      throw new Error(
        `unsupported type ${String(type)} of column ${String(name)} for a row store of ${dataFile}`,
      );
    }
    names.push(String(name));
    values.push(value);
  }
  const select = `SELECT file_row_number, json_array(${values.join(', ')})::VARCHAR FROM ${source}, file_row_number = true)`;
  const result = await readFileRows(connection, dataFile, select);

  // Small files are common (one per day and class at each rollover), so everything here is
  // synchronous: thread pool round trips cost more than deflating 32 rows.
  const fd = fs.openSync(target, 'w');
  try {
    let position = 0;
    const write = (bytes: Buffer) => {
      fs.writeSync(fd, bytes, 0, bytes.length, position);
      position += bytes.length;
    };
    write(MAGIC);
    const offsets: number[] = [];
    // The first rows wait until there are enough of them for a dictionary, or the file ends.
    let dictionary: Buffer | undefined;
    let pending: string[] = [];
    let rowCount = 0;
    const flush = (lines: readonly string[]) => {
      const blocks: Buffer[] = [];
      let end = position;
      for (let start = 0; start < lines.length; start += BLOCK_ROWS) {
        const block = lines.slice(start, start + BLOCK_ROWS).join('\n');
        const bytes = zlib.deflateRawSync(Buffer.from(block), { dictionary });
        offsets.push(end);
        blocks.push(bytes);
        end += bytes.length;
      }
      write(Buffer.concat(blocks));
    };
    for (;;) {
      const chunk = await result.fetchChunk();
      if (chunk === null || chunk.rowCount === 0) break;
      const numbers = chunk.getColumnValues(0) as bigint[];
      const lines = chunk.getColumnValues(1) as string[];
      for (const number of numbers) {
        if (Number(number) !== rowCount) {
          throw new Error(`rows of ${dataFile} arrived out of order at row ${rowCount}`);
        }
        rowCount++;
      }
      pending.push(...lines);
      if (dictionary === undefined) {
        if (pending.length < DICTIONARY_MIN_ROWS) continue;
        dictionary = dictionaryOf(pending);
      }
      const whole = pending.length - (pending.length % BLOCK_ROWS);
      flush(pending.slice(0, whole));
      pending = pending.slice(whole);
    }
    dictionary ??= Buffer.alloc(0);
    flush(pending);
    const dictionaryOffset = position;
    write(dictionary);
    const columnsOffset = position;
    write(zlib.deflateRawSync(Buffer.from(JSON.stringify(names))));
    const indexOffset = position;
    const index = Buffer.alloc((offsets.length + 1) * 8);
    [...offsets, dictionaryOffset].forEach((offset, at) => {
      index.writeBigUInt64LE(BigInt(offset), at * 8);
    });
    write(index);
    const footer = Buffer.alloc(FOOTER_BYTES);
    footer.writeUInt32LE(VERSION, 0);
    footer.writeUInt32LE(BLOCK_ROWS, 4);
    footer.writeBigUInt64LE(BigInt(rowCount), 8);
    footer.writeBigUInt64LE(BigInt(indexOffset), 16);
    footer.writeBigUInt64LE(BigInt(dictionaryOffset), 24);
    footer.writeBigUInt64LE(BigInt(columnsOffset), 32);
    footer.writeUInt32LE(offsets.length, 40);
    footer.writeUInt32LE(FOOTER_MAGIC, 44);
    write(footer);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Builds a preset dictionary from the first rows: lines spread over them until the window is
 * full, so that it contains the common values of the file's events.
 */
function dictionaryOf(lines: readonly string[]): Buffer {
  const picked: string[] = [];
  let size = 0;
  const step = Math.max(1, Math.floor(lines.length / 64));
  for (let index = 0; index < lines.length && size < DICTIONARY_BYTES; index += step) {
    picked.push(lines[index]!);
    size += Buffer.byteLength(lines[index]!) + 1;
  }
  const joined = Buffer.from(picked.join('\n'));
  return joined.subarray(Math.max(0, joined.length - DICTIONARY_BYTES));
}

/**
 * Checks the frame of the row store at `path`: the magic at both ends, the version, and an index
 * that ends where the footer begins. A file cut short or overwritten fails the check.
 */
export function rowStoreIntact(path: string): boolean {
  const ends = readFileEnds(path, MAGIC.length, FOOTER_BYTES);
  if (ends === undefined) return false;
  const footer = ends.tail;
  const indexOffset = Number(footer.readBigUInt64LE(16));
  const blocks = footer.readUInt32LE(40);
  return (
    ends.head.equals(MAGIC) &&
    footer.readUInt32LE(44) === FOOTER_MAGIC &&
    footer.readUInt32LE(0) === VERSION &&
    indexOffset + (blocks + 1) * 8 + FOOTER_BYTES === ends.size
  );
}

/**
 * Reads rows of the row store of cold file `file` (absolute path) by row number, in the order
 * given, as objects with every column of the file. Returns undefined when the file has no row
 * store, and throws when the store is damaged or lacks a row.
 *
 * Reads and inflates synchronously, because for blocks this small that costs a fraction of the
 * round trips to the thread pool. Other work gets a turn every `YIELD_BLOCKS` blocks.
 */
export async function readStoredRows(
  file: string,
  rows: readonly number[],
): Promise<Array<Record<string, unknown>> | undefined> {
  let fd: number;
  try {
    fd = fs.openSync(rowsFileOf(file), 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const read = (offset: number, length: number) => {
      if (!(offset >= 0 && length >= 0))
        throw new Error(`row store ${rowsFileOf(file)} is corrupt`);
      const bytes = Buffer.alloc(length);
      if (length > 0 && fs.readSync(fd, bytes, 0, length, offset) !== length) {
        throw new Error(`row store ${rowsFileOf(file)} is truncated`);
      }
      return bytes;
    };
    const { size } = fs.fstatSync(fd);
    if (size < MAGIC.length + FOOTER_BYTES)
      throw new Error(`row store ${rowsFileOf(file)} is truncated`);
    const footer = read(size - FOOTER_BYTES, FOOTER_BYTES);
    if (footer.readUInt32LE(44) !== FOOTER_MAGIC || footer.readUInt32LE(0) !== VERSION) {
      throw new Error(`row store ${rowsFileOf(file)} has an unknown format`);
    }
    const blockRows = footer.readUInt32LE(4);
    const rowCount = Number(footer.readBigUInt64LE(8));
    const indexOffset = Number(footer.readBigUInt64LE(16));
    const dictionaryOffset = Number(footer.readBigUInt64LE(24));
    const columnsOffset = Number(footer.readBigUInt64LE(32));
    const dictionary = read(dictionaryOffset, columnsOffset - dictionaryOffset);
    const names = JSON.parse(
      zlib.inflateRawSync(read(columnsOffset, indexOffset - columnsOffset)).toString('utf8'),
    ) as string[];

    const blocks = new Map<number, string[]>();
    const out: Array<Record<string, unknown>> = [];
    for (const row of rows) {
      if (!Number.isInteger(row) || row < 0 || row >= rowCount) {
        throw new Error(`row ${row} not found in row store ${rowsFileOf(file)}`);
      }
      const number = Math.floor(row / blockRows);
      let lines = blocks.get(number);
      if (lines === undefined) {
        if (blocks.size > 0 && blocks.size % YIELD_BLOCKS === 0) await setImmediate();
        const bounds = read(indexOffset + number * 8, 16);
        const start = Number(bounds.readBigUInt64LE(0));
        const end = Number(bounds.readBigUInt64LE(8));
        const block = read(start, end - start);
        lines = zlib.inflateRawSync(block, { dictionary }).toString('utf8').split('\n');
        blocks.set(number, lines);
      }
      const line = lines[row % blockRows];
      if (line === undefined)
        throw new Error(`row ${row} not found in row store ${rowsFileOf(file)}`);
      const values = JSON.parse(line) as unknown[];
      if (values.length !== names.length)
        throw new Error(`row store ${rowsFileOf(file)} is corrupt`);
      out.push(Object.fromEntries(names.map((name, at) => [name, values[at]])));
    }
    return out;
  } finally {
    fs.closeSync(fd);
  }
}
