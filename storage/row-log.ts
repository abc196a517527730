/**
 * The row log: normalized events as JSON lines in `<data>/rowlog/`, synced to disk before HEC
 * replies, then moved into the hot table in large batches by DuckDB's own JSON reader. Inserting
 * through the appender cost one native call per value on the main thread and one DuckDB
 * transaction per group commit. A synced append costs one write and one sync per group, and
 * the load runs in DuckDB's threads.
 *
 * Segments are numbered files, and appends go to the open one. The loader closes it, starts the
 * next one and loads the closed one in a transaction that also records its name. So a crash
 * between that commit and the file's deletion cannot load the segment twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { COLUMNS, type ColumnType } from '../query-lang/catalog.js';
import { fsyncDir, Mutex, sqlString } from './cold-tier.js';
import type { ColumnBatch } from './types.js';

/** Folder of the row log inside the data folder. */
export const ROW_LOG_DIR = 'rowlog';

/** Table in hot.duckdb with the segments whose rows are committed to the hot table. */
export const LOADED_SEGMENTS_TABLE = 'row_log_loaded';

const SEGMENT = /^segment-(\d{12})\.ndjson$/;

/** Size at which a segment is closed and a new one started. */
const MAX_SEGMENT_BYTES = 32 * 1024 * 1024;

const writev = promisify(fs.writev);
const fdatasync = promisify(fs.fdatasync);

const INT32_MAX = 2 ** 31 - 1;

/**
 * JSON text of one non-null value, converted as the appender converts it for the column's type,
 * or undefined for a value the appender stores as NULL.
 */
function jsonValue(value: unknown, type: ColumnType): string | undefined {
  switch (type) {
    case 'VARCHAR':
      return JSON.stringify(wellFormed(typeof value === 'string' ? value : JSON.stringify(value)));
    case 'INTEGER':
      return Number.isInteger(value) && Math.abs(value as number) <= INT32_MAX
        ? String(value)
        : undefined;
    case 'DOUBLE':
      return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
    case 'BIGINT':
    case 'TIMESTAMP':
      // Timestamps are epoch milliseconds, as in a column batch.
      return typeof value === 'number' && Number.isFinite(value)
        ? String(Math.trunc(value))
        : undefined;
  }
}

interface WellFormedString {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/**
 * Replaces lone UTF-16 surrogates with U+FFFD, as the appender's UTF-8 conversion does. DuckDB's
 * JSON reader rejects the `\ud800` escapes that `JSON.stringify` writes for them, and one such
 * line would fail the load of its whole segment.
 */
function wellFormed(text: string): string {
  const checked = text as unknown as WellFormedString;
  return checked.isWellFormed() ? text : checked.toWellFormed();
}

const KEYS = COLUMNS.map((column) => `${JSON.stringify(column.name)}:`);
const TYPES = COLUMNS.map((column) => column.type);

/** Maximum line length, in bytes, given to DuckDB's JSON reader as `maximum_object_size`. */
const MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * Returns the rows of a column batch as JSON lines, each ending in a newline. Rows too long for
 * one line of the reader, such as a 5 MB event of mostly escaped characters, are left out and
 * listed in `tooLong`, to be stored another way.
 */
export function rowLogText(batch: ColumnBatch): {
  text: string;
  rowCount: number;
  tooLong: number[];
} {
  const columns = COLUMNS.map((column) => {
    const values = batch.columns[column.name];
    if (!values) throw new Error(`column batch lacks column ${column.name}`);
    return values;
  });
  const lines: string[] = [];
  const tooLong: number[] = [];
  for (let row = 0; row < batch.rowCount; row++) {
    // Most columns of an event are empty; the reader fills a missing key with NULL.
    let line = '';
    for (let index = 0; index < columns.length; index++) {
      const value = columns[index]![row];
      if (value === null || value === undefined) continue;
      const text = jsonValue(value, TYPES[index]!);
      if (text === undefined) continue;
      line += line === '' ? `{${KEYS[index]!}${text}` : `,${KEYS[index]!}${text}`;
    }
    if (line === '') line = '{';
    // A UTF-16 unit is at most 3 bytes of UTF-8, so short lines skip the exact count.
    if (line.length * 3 >= MAX_LINE_BYTES && Buffer.byteLength(line) >= MAX_LINE_BYTES) {
      tooLong.push(row);
      continue;
    }
    lines.push(`${line}}\n`);
  }
  return { text: lines.join(''), rowCount: lines.length, tooLong };
}

/** Builds the `SELECT` that reads a segment file as rows of the hot table, by column name. */
export function segmentSelect(file: string): string {
  const types = COLUMNS.map(
    (column) =>
      `${sqlString(column.name)}: ${sqlString(column.type === 'TIMESTAMP' ? 'BIGINT' : column.type)}`,
  ).join(', ');
  const columns = COLUMNS.map((column) =>
    column.type === 'TIMESTAMP'
      ? `epoch_ms("${column.name}") AS "${column.name}"`
      : `"${column.name}"`,
  ).join(', ');
  return `SELECT ${columns} FROM read_ndjson(${sqlString(file)}, columns = {${types}}, format = 'newline_delimited', maximum_object_size = ${MAX_LINE_BYTES})`;
}

interface Segment {
  number: number;
  file: string;
}

/** A segment handed to the loader: its rows and the sequence number of its last append. */
export interface ClosedSegment {
  segment: Segment;
  rows: number;
  lastSequence: number;
}

/**
 * Appends rows to the open segment and hands closed segments to the loader. Appends and
 * rotations take turns, so a rotation never closes a file that a write is using. The writes and
 * syncs run on libuv's thread pool, leaving the main thread to serve requests meanwhile.
 */
export class RowLog {
  private readonly dir: string;
  private readonly turn = new Mutex();
  private current: (ClosedSegment & { fd: number; bytes: number }) | undefined;
  /** Full segments, oldest first, closed by `write` and not yet handed to the loader. */
  private readonly full: ClosedSegment[] = [];
  private fullRows = 0;
  private nextNumber: number;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, ROW_LOG_DIR);
    fs.mkdirSync(this.dir, { recursive: true });
    const numbers = this.segments().map((segment) => segment.number);
    this.nextNumber = numbers.length === 0 ? 1 : Math.max(...numbers) + 1;
  }

  /** Segment files on disk, oldest first. */
  segments(): Segment[] {
    const found: Segment[] = [];
    for (const name of fs.readdirSync(this.dir)) {
      const match = SEGMENT.exec(name);
      if (match) found.push({ number: Number(match[1]), file: path.join(this.dir, name) });
    }
    return found.sort((a, b) => a.number - b.number);
  }

  /** Rows appended and not yet handed to the loader. */
  get pendingRows(): number {
    return this.fullRows + (this.current?.rows ?? 0);
  }

  /**
   * Appends JSON lines (each ending in a newline) and syncs them to disk. `sequence` numbers the
   * append, and each segment reports the highest number it contains as `lastSequence`.
   */
  append(texts: readonly string[], rows: number, sequence: number): Promise<void> {
    return this.turn.run(() => this.write(texts, rows, sequence));
  }

  private async write(texts: readonly string[], rows: number, sequence: number): Promise<void> {
    if (texts.length === 0) return;
    this.current ??= this.openSegment(sequence);
    const current = this.current;

    const buffers = texts.map((text) => Buffer.from(text, 'utf8'));
    await writeFully(current.fd, buffers);
    await fdatasync(current.fd);
    current.rows += rows;
    current.bytes += buffers.reduce((sum, buffer) => sum + buffer.length, 0);
    current.lastSequence = sequence;

    // A full segment waits for the loader, so that one load never takes more than a segment.
    if (current.bytes >= MAX_SEGMENT_BYTES) {
      fs.closeSync(current.fd);
      this.full.push({
        segment: current.segment,
        rows: current.rows,
        lastSequence: current.lastSequence,
      });
      this.fullRows += current.rows;
      this.current = undefined;
    }
  }

  private openSegment(sequence: number): ClosedSegment & { fd: number; bytes: number } {
    const number = this.nextNumber++;
    const segment = {
      number,
      file: path.join(this.dir, `segment-${String(number).padStart(12, '0')}.ndjson`),
    };
    const fd = fs.openSync(segment.file, 'a');
    // The new file's folder entry must be durable too.
    fsyncDir(this.dir);
    return { segment, fd, rows: 0, bytes: 0, lastSequence: sequence };
  }

  /**
   * Returns the oldest full segment for loading, or else closes the open one and returns it;
   * undefined when nothing is pending.
   */
  rotate(): Promise<ClosedSegment | undefined> {
    return this.turn.run(async () => {
      const oldest = this.full.shift();
      if (oldest !== undefined) {
        this.fullRows -= oldest.rows;
        return oldest;
      }
      const current = this.current;
      if (current === undefined) return undefined;
      this.current = undefined;
      fs.closeSync(current.fd);
      return { segment: current.segment, rows: current.rows, lastSequence: current.lastSequence };
    });
  }

  /** Closes the open segment's file once the append under way has finished. */
  close(): Promise<void> {
    return this.turn.run(async () => {
      if (this.current !== undefined) fs.closeSync(this.current.fd);
      this.current = undefined;
    });
  }
}

/**
 * Cuts a segment left by a crash back to its last complete line. A line without its newline
 * was never synced whole, so no client got a success reply for it.
 */
export function trimTornLine(file: string): void {
  const size = fs.statSync(file).size;
  if (size === 0) return;
  const fd = fs.openSync(file, 'r+');
  try {
    const chunk = Buffer.alloc(Math.min(size, 1 << 20));
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      fs.readSync(fd, chunk, 0, end - start, start);
      const newline = chunk.subarray(0, end - start).lastIndexOf(0x0a);
      if (newline >= 0) {
        end = start + newline + 1;
        break;
      }
      end = start;
    }
    if (end !== size) {
      fs.ftruncateSync(fd, end);
      fs.fsyncSync(fd);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes every buffer to `fd`, calling `writev` again after a short write. */
async function writeFully(fd: number, buffers: Buffer[]): Promise<void> {
  let pending = buffers.filter((buffer) => buffer.length > 0);
  while (pending.length > 0) {
    let { bytesWritten: written } = await writev(fd, pending);
    while (written > 0 && pending.length > 0) {
      const first = pending[0]!;
      if (written >= first.length) {
        written -= first.length;
        pending = pending.slice(1);
      } else {
        pending = [first.subarray(written), ...pending.slice(1)];
        written = 0;
      }
    }
  }
}
