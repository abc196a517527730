/**
 * Helpers of the cold tier: the manifest table, the Hive layout of Parquet
 * files under `<data>/cold/`, and durable file writes.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection, DuckDBResult } from '@duckdb/node-api';

/** Manifest of cold files, in hot.duckdb so that it commits with the hot rows it replaces. */
export const COLD_FILES_TABLE = 'cold_files';

/** Folder of the cold tier inside the data folder. */
export const COLD_DIR = 'cold';

/** Folder of exports inside the data folder. */
export const EXPORTS_DIR = 'exports';

/** Start of the name of the folder in `EXPORTS_DIR` that an export writes before it moves it. */
export const EXPORT_STAGING_PREFIX = '.staging-';

/** Rows of a file from which `parquetOptions` raises DuckDB's dictionary limit: a row group. */
const LARGE_FILE_ROWS = 122_880;

/**
 * Returns the options of `COPY ... TO` for a cold file or export of `rows` rows. DuckDB writes a
 * dictionary for a column of a row group only up to a number of distinct values, by default a
 * small one, so users and addresses were stored plain. Files of a row group or more allow up to
 * half a row group (61,440 values): `top src_ip` then read the cold files of the query benchmark
 * in 310 instead of 516 ms, and they grew 4%. Ids, times and raw text, distinct in nearly every
 * row, stay plain. Smaller files keep the default, because there the higher limit gave every
 * column a dictionary, and the corpus's cold files of about 40 rows grew 16%.
 */
export function parquetOptions(rows: number): string {
  const options = 'FORMAT parquet, COMPRESSION zstd';
  return rows >= LARGE_FILE_ROWS ? `${options}, DICTIONARY_SIZE_LIMIT 61440` : options;
}

export function createColdFilesTableSql(): string {
  return `CREATE TABLE IF NOT EXISTS "${COLD_FILES_TABLE}" (
  "file" VARCHAR NOT NULL,
  "rows" BIGINT NOT NULL,
  "bytes" BIGINT NOT NULL,
  "min_time" TIMESTAMP,
  "max_time" TIMESTAMP,
  "day" VARCHAR NOT NULL,
  "class_uid" INTEGER NOT NULL,
  "index" VARCHAR,
  "created" TIMESTAMP NOT NULL
)`;
}

/** One cold file as the manifest records it. Paths are relative to the data folder, with `/`. */
export interface ColdFile {
  file: string;
  rows: number;
  bytes: number;
  /** Epoch milliseconds; null when no row of the file has an event time. */
  minTimeMs: number | null;
  maxTimeMs: number | null;
  day: string;
  classUid: number;
  index: string | null;
  createdMs: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The partition folder of a day and class, relative to the data folder. */
export function partitionDir(day: string, classUid: number): string {
  const safeDay = DAY.test(day) ? day : '0000-00-00';
  const safeClass = Number.isInteger(classUid) ? classUid : 0;
  return `${COLD_DIR}/date=${safeDay}/class_uid=${safeClass}`;
}

/** A fresh, time-ordered file id. */
export function newFileId(): string {
  return `${Date.now().toString(36).padStart(9, '0')}-${crypto.randomBytes(5).toString('hex')}`;
}

/** Quotes text as a SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A DuckDB list literal of absolute file paths, for `read_parquet([...])`. */
export function fileList(dataDir: string, files: readonly string[]): string {
  return `[${files.map((file) => sqlString(path.join(dataDir, file))).join(', ')}]`;
}

/** Makes a written file and its folder entry durable. */
export function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function fsyncDir(dir: string): void {
  try {
    fsyncFile(dir);
  } catch {
    // Some file systems cannot sync a folder; the rename is then as durable as they allow.
  }
}

/** Renames a finished temporary file into place durably. */
export function publishFile(tempFile: string, finalFile: string): number {
  fsyncFile(tempFile);
  fs.renameSync(tempFile, finalFile);
  fsyncDir(path.dirname(finalFile));
  return fs.statSync(finalFile).size;
}

/**
 * Reads the first `head` and the last `tail` bytes of the file at `file`, with its size. Returns
 * undefined when the file is missing, unreadable or shorter than both parts together.
 */
export function readFileEnds(
  file: string,
  head: number,
  tail: number,
): { head: Buffer; tail: Buffer; size: number } | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const { size } = fs.fstatSync(fd);
    if (size < head + tail) return undefined;
    const start = Buffer.alloc(head);
    const end = Buffer.alloc(tail);
    fs.readSync(fd, start, 0, head, 0);
    fs.readSync(fd, end, 0, tail, size - tail);
    return { head: start, tail: end, size };
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** Every file below `<dataDir>/cold`, relative to the data folder with `/` separators. */
export function listColdFiles(dataDir: string): string[] {
  const out: string[] = [];
  const walk = (relative: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(dataDir, relative), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const child = `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else out.push(child);
    }
  };
  walk(COLD_DIR);
  return out;
}

/** Removes empty partition folders below `<dataDir>/cold`. */
export function removeEmptyDirs(dataDir: string): void {
  const prune = (dir: string): boolean => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return false;
    }
    let empty = true;
    for (const entry of entries) {
      if (!entry.isDirectory() || !prune(path.join(dir, entry.name))) empty = false;
    }
    if (empty && dir !== path.join(dataDir, COLD_DIR)) {
      fs.rmdirSync(dir);
      return true;
    }
    return false;
  };
  prune(path.join(dataDir, COLD_DIR));
}

/** A mutual-exclusion lock for async work. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

/** Parquet file size above which `readFileRows` streams the rows instead of reading them at once. */
const STREAM_MIN_BYTES = 4 * 1024 * 1024;

/**
 * Runs `select` over the Parquet file `dataFile` for a sidecar writer, which reads the result
 * chunk by chunk. Large files are streamed, so that their rows are not all in memory. A streamed
 * result costs about 6 ms more than a materialized one, which small files notice.
 */
export function readFileRows(
  connection: DuckDBConnection,
  dataFile: string,
  select: string,
): Promise<DuckDBResult> {
  return fs.statSync(dataFile).size > STREAM_MIN_BYTES
    ? connection.stream(select)
    : connection.run(select);
}
