import crypto from 'node:crypto';
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
  LOCATION_FILE_COLUMN,
  LOCATION_ROW_COLUMN,
} from '../query-lang/catalog.js';
import { PUBLIC_INDEX_CONDITION } from '../query-lang/internal-indexes.js';
import type { Needle } from '../query-lang/needles.js';
import {
  COLD_DIR,
  COLD_FILES_TABLE,
  type ColdFile,
  createColdFilesTableSql,
  EXPORT_STAGING_PREFIX,
  EXPORTS_DIR,
  fileList,
  fsyncDir,
  listColdFiles,
  Mutex,
  newFileId,
  parquetOptions,
  partitionDir,
  publishFile,
  removeEmptyDirs,
  sqlString,
} from './cold-tier.js';
import { createDeadLetterTableSql, DEAD_LETTER_COLUMNS, DEAD_LETTER_TABLE } from './dead-letter.js';
import { LOADED_SEGMENTS_TABLE, RowLog, segmentSelect, trimTornLine } from './row-log.js';
import { ROWS_SUFFIX, readStoredRows, rowStoreIntact, writeRowStore } from './row-store.js';
import {
  candidateRows,
  hotIndexedMatches,
  hotWordMatches,
  type IndexedMatches,
  indexedMatches,
  joinMatches,
  OLD_TERMS_SUFFIX,
  TERMS_SUFFIX,
  termFileIntact,
  writeTermIndex,
} from './term-index.js';
import { TOKENS_SUFFIX, tokenFileIntact, tokenMatches, writeTokenIndex } from './token-index.js';
import type { ColumnBatch, DeadLetterEntry, RowText } from './types.js';

/** Hot rows one semi-join of `fetch` reads; see `dynamic_or_filter_threshold` in `open`. */
const HOT_FETCH_CHUNK = 1000;

/**
 * Files that lie beside each cold file `part-X.parquet` as `part-X.parquet<suffix>`, written from
 * it and removed with it: the term index and the row store. A cold file without them is still
 * read correctly, only more slowly.
 */
const SIDECARS: ReadonlyArray<{
  suffix: string;
  write: (connection: DuckDBConnection, dataFile: string, target: string) => Promise<void>;
  /** Whether the file at this path is whole; a damaged one is written again. */
  intact: (path: string) => boolean;
}> = [
  { suffix: TERMS_SUFFIX, write: writeTermIndex, intact: termFileIntact },
  { suffix: ROWS_SUFFIX, write: writeRowStore, intact: rowStoreIntact },
  { suffix: TOKENS_SUFFIX, write: writeTokenIndex, intact: tokenFileIntact },
];

/** Returns the cold file that `file` lies beside, or undefined when it is not a sidecar. */
function sidecarOwner(file: string): string | undefined {
  const sidecar = SIDECARS.find(({ suffix }) => file.endsWith(suffix));
  return sidecar === undefined ? undefined : file.slice(0, -sidecar.suffix.length);
}

/** Checks that cold file `absolute` has every sidecar, each one whole. */
function hasSidecars(absolute: string): boolean {
  return SIDECARS.every(({ suffix, intact }) => intact(`${absolute}${suffix}`));
}

/**
 * Writes the sidecars that cold file `absolute` lacks or has damaged, each through a synced
 * temporary file, and returns how many it wrote.
 */
export async function writeSidecars(
  connection: DuckDBConnection,
  absolute: string,
): Promise<number> {
  let written = 0;
  for (const { suffix, write, intact } of SIDECARS) {
    const target = `${absolute}${suffix}`;
    if (intact(target)) continue;
    const temp = path.join(path.dirname(absolute), `.${path.basename(target)}.tmp`);
    try {
      await write(connection, absolute, temp);
      publishFile(temp, target);
      written++;
    } catch (error) {
      fs.rmSync(temp, { force: true });
      throw error;
    }
  }
  return written;
}

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

/** The promoted columns, quoted, in catalog order: the column list of every Parquet file. */
const COLUMN_LIST = COLUMNS.map((column) => `"${column.name}"`).join(', ');

/** Partition day of a row: its event time, else its ingest time. */
const DAY_SQL = `coalesce(strftime(coalesce("time", "ingest_time"), '%Y-%m-%d'), '0000-00-00')`;

/** JSON-safe query result row: numbers, strings, booleans, null, arrays and objects. */
export type ResultRow = Record<string, unknown>;

export interface QueryResult {
  columns: string[];
  rows: ResultRow[];
}

/** Log sink of the store; a pino logger fits. */
export interface StoreLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface EventStoreOptions {
  /** Reader connections for plain queries; 2 when absent. */
  readers?: number;
  /**
   * DuckDB's memory limit in MiB; 512 when absent. Larger sorts and joins
   * spill to `<data>/tmp` instead of growing the process.
   */
  memoryLimitMiB?: number;
  logger?: StoreLogger;
  /**
   * Fault injection for tests: while this file exists, every commit fails
   * as a failed disk write would.
   */
  faultFile?: string;
}

/** Events a snapshot must cover. Cold files outside the range are left out. */
export interface SnapshotFilter {
  earliestMs?: number;
  latestMs?: number;
  classUids?: readonly number[];
  indexes?: readonly string[];
  /**
   * Includes the events of internal indexes such as `_audit` (`isInternalIndex`). Absent, they
   * are left out, as Splunk leaves them out of searches that do not name them.
   */
  internalIndexes?: boolean;
}

/**
 * A consistent read view over both tiers: the hot rows and the cold files
 * as of one moment, so that each event appears exactly once.
 */
export interface Snapshot {
  /** SQL FROM-item with every event of the view. */
  source: string;
  /** `source` plus the location columns of the catalog, which `fetch` takes back. */
  keyedSource: string;
  /** Cold files of the view, relative to the data folder. */
  files: string[];
  /** The data folder, under which `source` names the cold files by absolute path. */
  dataDir?: string;
  /** Runs a statement inside the snapshot. */
  query(sql: string, params?: readonly unknown[]): Promise<QueryResult>;
  /**
   * Reads the events at these locations (from `keyedSource`) without their OCSF document, in the
   * order of the hot table's columns. Reading a few rows this way decodes only the row groups
   * that contain them.
   */
  fetch(locations: readonly EventLocation[]): Promise<QueryResult>;
  /**
   * The view's FROM-items narrowed to the rows that can meet every needle: cold files read only
   * at the rows their term index names, files without a match left out. The hot table is
   * always read whole, and the query's filter must still run over the result.
   */
  narrow(needles: readonly Needle[]): Promise<NarrowedView>;
  /**
   * Count and newest matches of needles that decide a match on their own (`exactNeedlesOf`),
   * hot and cold: cold ones from the term index alone, hot ones from a scan of the compared
   * columns. Undefined when a cold file of the view has no term file.
   */
  indexedMatches(
    needles: readonly Needle[],
    range: { earliestMs?: number; latestMs?: number },
    limit: number,
  ): Promise<IndexedMatches | undefined>;
  /**
   * Count and newest matches of a free-text search for words that all must occur
   * (`isIndexableWord`, lowercase), hot and cold: cold ones from the token index alone, hot ones
   * from a scan of the text. Undefined when a cold file of the view has no token file.
   */
  wordMatches(
    words: readonly string[],
    range: { earliestMs?: number; latestMs?: number },
    limit: number,
  ): Promise<IndexedMatches | undefined>;
  /** Cancels the statement running in the snapshot; it then fails with an interrupt error. */
  interrupt(): void;
  /** Ends the snapshot; its cold files may then be deleted. */
  release(): Promise<void>;
}

/** FROM-items of a view narrowed by needles, and the cold files they read (whole or in part). */
export interface NarrowedView {
  source: string;
  keyedSource: string;
  files: string[];
}

/** Location of an event: a cold file (absolute path) and row number, or the hot table's rowid. */
export interface EventLocation {
  file: string | null;
  row: number | string;
}

export interface RolloverResult {
  files: ColdFile[];
  rows: number;
}

export interface CompactionOptions {
  /** Files below this size are merged, into files of about this size. */
  targetBytes: number;
  /** Small files a partition needs before it is compacted. */
  minFiles: number;
}

export interface CompactionResult {
  merged: { from: string[]; into: ColdFile }[];
}

export interface RetentionOptions {
  /** Maximum event age of any index, in milliseconds. */
  maxAgeMs?: number;
  /** Maximum event age per index, in milliseconds; overrides `maxAgeMs`. */
  indexMaxAgeMs?: Readonly<Record<string, number>>;
  /** Maximum size of the cold tier in bytes; the oldest files go first. */
  diskBudgetBytes?: number;
}

export interface RetentionResult {
  removed: (ColdFile & { why: 'age' | 'disk_budget' })[];
}

export interface TierStats {
  hotRows: number;
  coldFiles: number;
  coldRows: number;
  coldBytes: number;
  deadLetters: number;
}

export interface DeadLetterFilter {
  sourcetype?: string;
  /** Matches reasons that contain this text, case-insensitively. */
  reason?: string;
}

interface SnapshotToken {
  version: number;
}

/**
 * The event store: the hot tier (the `events` table in `<data>/hot.duckdb`,
 * fed by group commits and by the loader of the row log, `row-log.ts`), the cold tier (zstd Parquet files in Hive layout
 * under `<data>/cold/`, listed by the `cold_files` manifest table in the
 * same database) and the dead-letter queue. It is the only place that opens
 * `hot.duckdb`, because a second DuckDB instance on the same file would not
 * see this one's writes.
 *
 * Crash safety of the cold tier rests on one rule. A Parquet file is written
 * under a temporary name, synced and renamed into place, and only then does
 * the transaction commit that lists it in the manifest and deletes the rows
 * or files it replaces. At open, files the manifest does not list are
 * removed, which undoes a rollover or compaction that did not commit.
 */
export class EventStore {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly readers: DuckDBConnection[],
    readonly dataDir: string,
    private readonly options: EventStoreOptions,
  ) {
    this.rowLog = new RowLog(dataDir);
  }

  private nextReader = 0;
  private closed = false;
  /** Serializes every transaction on the writer connection. */
  private readonly writeLock = new Mutex();
  /** Serializes rollover, compaction and retention. */
  private readonly maintenanceLock = new Mutex();
  /** Bumped after each commit that changes the manifest. */
  private manifestVersion = 0;
  private readonly activeSnapshots = new Set<SnapshotToken>();
  /** Files dropped from the manifest, deleted once no older snapshot is open. */
  private retired: { file: string; version: number }[] = [];
  private deadLetterTotal = 0;
  private readonly rowLog: RowLog;
  /** The running load of row-log segments into the hot table, if any. */
  private loading: Promise<void> | undefined;
  /**
   * Appends to the row log: numbers handed out, the highest completed (appends complete in order)
   * and the highest whose rows the hot table holds.
   */
  private appendSequence = 0;
  private appendCount = 0;
  private loadedCount = 0;
  private loadingRows = 0;
  private readonly loadWaiters: { target: number; resolve(): void }[] = [];
  private closing = false;

  /** Opens (creating when absent) `<dataDir>/hot.duckdb`, its tables and the cold tier. */
  static async open(dataDir: string, options: EventStoreOptions = {}): Promise<EventStore> {
    const root = path.resolve(dataDir);
    fs.mkdirSync(path.join(root, COLD_DIR), { recursive: true });
    const instance = await DuckDBInstance.create(path.join(root, 'hot.duckdb'));
    const writer = await instance.connect();
    await writer.run(createEventsTableSql());
    await writer.run(createDeadLetterTableSql());
    await writer.run(createColdFilesTableSql());

    // Queries run on connections that can read and write only the data
    // folder, so no query text can reach other files even if the compiler
    // had a hole. Cold files, COPY TO and exports all stay inside it.
    const allowed = `${root}${path.sep}`;
    const spillDir = path.join(root, 'tmp');
    fs.mkdirSync(spillDir, { recursive: true });
    await writer.run(`SET memory_limit = '${Math.trunc(options.memoryLimitMiB ?? 512)}MiB'`);
    // DuckDB checkpoints once the write-ahead log passes this size. Its 16 MiB
    // default meant a checkpoint every few group commits of these wide rows,
    // which stalled ingest. With 256 MiB, bench:ingest ran 40% faster and its
    // p99 dropped from 2.2 s to 0.4 s (2 cores, Node 20).
    await writer.run("SET checkpoint_threshold = '256MiB'");
    // Keeps the footers of the cold and term files in memory between queries. A needle search
    // opens a term file per cold file, and reading their footers again cost it about 30 of
    // 80 ms over 30 files. A file replaced under the same name is read anew (DuckDB 1.5).
    await writer.run('SET parquet_metadata_cache = true');
    // Up to this many rows, a semi-join on rowid (how `fetch` reads hot rows) becomes a filter
    // of the scan that reads just those rows. That took 85 ms for 100 of 2 million rows, and the
    // whole scan that DuckDB's default of 50 gives took 500 ms. Other joins with up to 1,000
    // rows on their build side get such filters too. Lookups measured within 10% either way.
    await writer.run(`SET GLOBAL dynamic_or_filter_threshold = ${HOT_FETCH_CHUNK}`);
    await writer.run(`SET temp_directory = ${sqlString(spillDir)}`);
    await writer.run(`SET allowed_directories = [${sqlString(allowed)}]`);
    await writer.run('SET enable_external_access = false');
    await writer.run('SET lock_configuration = true');

    const readers: DuckDBConnection[] = [];
    for (let i = 0; i < (options.readers ?? 2); i++) readers.push(await instance.connect());
    await writer.run(
      `CREATE TABLE IF NOT EXISTS "${LOADED_SEGMENTS_TABLE}" ("segment" VARCHAR NOT NULL)`,
    );
    const store = new EventStore(instance, writer, readers, root, options);
    await store.recover();
    await store.recoverRowLog();
    const count = await writer.runAndReadAll(`SELECT count(*) FROM "${DEAD_LETTER_TABLE}"`);
    store.deadLetterTotal = Number(count.getRows()[0]?.[0] ?? 0);
    return store;
  }

  /** Entries in the dead-letter queue. */
  get deadLetterCount(): number {
    return this.deadLetterTotal;
  }

  /**
   * Writes events and dead-letter entries in one transaction. When the
   * promise resolves, DuckDB has committed them to its write-ahead log.
   */
  commit(batches: readonly ColumnBatch[], deadLetters: readonly DeadLetterEntry[]): Promise<void> {
    return this.writeLock.run(async () => {
      if (this.closed) throw new Error('event store is closed');
      this.checkFault();
      await this.transaction(async () => {
        if (batches.some((batch) => batch.rowCount > 0)) await this.appendEvents(batches);
        if (deadLetters.length > 0) await this.appendDeadLetters(deadLetters);
      });
      this.deadLetterTotal += deadLetters.length;
    });
  }

  /**
   * Appends normalized rows to the row log and syncs them: when it returns, they are durable.
   * They become queryable once the loader has moved them into the hot table (`whenLoaded`).
   */
  async appendRows(rows: readonly RowText[]): Promise<void> {
    if (this.closed || this.closing) throw new Error('event store is closed');
    this.checkFault();
    const count = rows.reduce((sum, part) => sum + part.rowCount, 0);
    if (count === 0) return;
    const sequence = ++this.appendSequence;
    await this.rowLog.append(
      rows.map((part) => part.text),
      count,
      sequence,
    );
    this.appendCount = Math.max(this.appendCount, sequence);
    this.scheduleLoad();
  }

  /** Rows in the row log that the hot table does not hold yet. */
  get unloadedRows(): number {
    return this.rowLog.pendingRows + this.loadingRows;
  }

  /** Resolves once every row appended before the call is in the hot table. */
  whenLoaded(): Promise<void> {
    const target = this.appendCount;
    if (this.loadedCount >= target) return Promise.resolve();
    return new Promise((resolve) => this.loadWaiters.push({ target, resolve }));
  }

  private scheduleLoad(): void {
    if (this.loading !== undefined) return;
    this.loading = this.loadPending().finally(() => {
      this.loading = undefined;
      if (this.closing) {
        // Rows left in the log now are loaded at the next start, so no caller waits for them.
        this.releaseWaiters(Number.POSITIVE_INFINITY);
      } else if (this.rowLog.pendingRows > 0) {
        // Rows appended after the last rotation but before this callback ran.
        this.scheduleLoad();
      }
    });
  }

  /**
   * Moves closed row-log segments into the hot table until the log is empty. While one load
   * runs, appends gather in the next segment, so loads grow with the ingest rate. A failed load
   * is retried with growing pauses; its rows stay durable in the segment meanwhile.
   */
  private async loadPending(): Promise<void> {
    for (;;) {
      const closed = await this.rowLog.rotate();
      if (closed === undefined) return;
      this.loadingRows = closed.rows;
      for (let failures = 0; ; failures++) {
        try {
          await this.writeLock.run(() => this.loadSegment(closed.segment.file, failures > 0));
          break;
        } catch (error) {
          this.options.logger?.error(
            { err: error, segment: closed.segment.file, failures: failures + 1 },
            'loading the row log into the hot table failed; retrying',
          );
          if (this.closing) return;
          await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 100 * 2 ** failures)));
        }
      }
      this.loadingRows = 0;
      this.loadedCount = closed.lastSequence;
      this.releaseWaiters(closed.lastSequence);
    }
  }

  private releaseWaiters(loaded: number): void {
    for (let i = this.loadWaiters.length - 1; i >= 0; i--) {
      const waiter = this.loadWaiters[i]!;
      if (waiter.target <= loaded) {
        this.loadWaiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  /**
   * Inserts a segment's rows into the hot table and records the segment as loaded in the same
   * transaction, then deletes the file. The caller holds the write lock. `byLine` reads the
   * lines in JavaScript instead of with DuckDB's JSON reader, after that reader failed: rows go
   * through the appender, and a line that is not JSON goes to the dead-letter queue.
   */
  private async loadSegment(file: string, byLine = false): Promise<void> {
    this.checkFault();
    const name = path.basename(file);
    let deadLetters = 0;
    await this.transaction(async () => {
      if (byLine) {
        const { batch, dead } = await readSegmentLines(file);
        if (batch.rowCount > 0) await this.appendEvents([batch]);
        if (dead.length > 0) await this.appendDeadLetters(dead);
        deadLetters = dead.length;
      } else {
        await this.writer.run(`INSERT INTO "${EVENTS_TABLE}" BY NAME ${segmentSelect(file)}`);
      }
      await this.writer.run(`INSERT INTO "${LOADED_SEGMENTS_TABLE}" VALUES (?)`, [name]);
    });
    this.deadLetterTotal += deadLetters;
    // Deleting a file of tens of megabytes takes milliseconds; off the main thread it is.
    await fs.promises.rm(file, { force: true });
    await this.writer.run(`DELETE FROM "${LOADED_SEGMENTS_TABLE}" WHERE "segment" = ?`, [name]);
  }

  /**
   * Loads the segments a stopped or crashed process left in the row log. A segment recorded as
   * loaded is only deleted. One that DuckDB cannot read is moved to `rowlog/failed/` with an
   * error in the log, so that the appliance still starts.
   */
  private async recoverRowLog(): Promise<void> {
    const listed = await runQuery(this.writer, `SELECT "segment" FROM "${LOADED_SEGMENTS_TABLE}"`);
    const loaded = new Set(listed.rows.map((row) => String(row.segment)));
    for (const segment of this.rowLog.segments()) {
      if (loaded.has(path.basename(segment.file))) {
        fs.rmSync(segment.file, { force: true });
        continue;
      }
      trimTornLine(segment.file);
      try {
        await this.writeLock.run(() =>
          this.loadSegment(segment.file).catch(() => this.loadSegment(segment.file, true)),
        );
        this.options.logger?.info({ segment: segment.file }, 'recovery loaded a row-log segment');
      } catch (error) {
        const failed = path.join(path.dirname(segment.file), 'failed');
        fs.mkdirSync(failed, { recursive: true });
        fs.renameSync(segment.file, path.join(failed, path.basename(segment.file)));
        this.options.logger?.error(
          { err: error, segment: segment.file, movedTo: failed },
          'a row-log segment could not be loaded; it was moved aside and its events are not searchable',
        );
      }
    }
    await this.writer.run(`DELETE FROM "${LOADED_SEGMENTS_TABLE}"`);
  }

  private checkFault(): void {
    const file = this.options.faultFile;
    if (file && fs.existsSync(file)) {
      throw new Error(`injected storage fault: commits fail while ${file} exists`);
    }
  }

  /** Runs `work` in a transaction on the writer connection; the caller holds the write lock. */
  private async transaction<T>(work: () => Promise<T>): Promise<T> {
    await this.writer.run('BEGIN TRANSACTION');
    try {
      const result = await work();
      await this.writer.run('COMMIT');
      return result;
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
      for (let start = 0; start < entries.length; start += CHUNK_ROWS) {
        const slice = entries.slice(start, start + CHUNK_ROWS);
        const chunk = DuckDBDataChunk.create(types, slice.length);
        DEAD_LETTER_COLUMNS.forEach((column, index) => {
          const values = slice.map((entry) => entry[column.name] ?? null);
          chunk.setColumnValues(index, toDuckDBValues(values, column.type, 0, values.length));
        });
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  /** Runs a read-only statement with bound parameters and returns JSON-safe rows. */
  async query(sql: string, params: readonly unknown[] = []): Promise<QueryResult> {
    if (this.closed) throw new Error('event store is closed');
    const reader = this.readers[this.nextReader++ % this.readers.length]!;
    return runQuery(reader, sql, params);
  }

  /**
   * Opens a consistent view of both tiers. The manifest and the hot rows are
   * read in one DuckDB transaction, so a rollover or compaction that commits
   * meanwhile is either wholly seen or not at all. The view's cold files are
   * not deleted before `release`.
   */
  async snapshot(filter: SnapshotFilter = {}): Promise<Snapshot> {
    if (this.closed) throw new Error('event store is closed');
    // Every event acknowledged before the query is in the view. While loads are failing, the
    // view contains what was loaded when the wait ends.
    if (this.loadedCount < this.appendCount) {
      await waitAtMost(this.whenLoaded(), SNAPSHOT_LOAD_WAIT_MS);
    }
    // Registered before the transaction starts: files retired by any later
    // manifest commit stay on disk until this view is released.
    const token: SnapshotToken = { version: this.manifestVersion };
    this.activeSnapshots.add(token);
    let connection: DuckDBConnection | undefined;
    try {
      connection = await this.instance.connect();
      await connection.run('BEGIN TRANSACTION');
      const conditions: string[] = [];
      const params: unknown[] = [];
      if (filter.earliestMs !== undefined) {
        conditions.push('"max_time" >= epoch_ms(CAST(? AS BIGINT))');
        params.push(Math.trunc(filter.earliestMs));
      }
      if (filter.latestMs !== undefined) {
        conditions.push('"min_time" < epoch_ms(CAST(? AS BIGINT))');
        params.push(Math.trunc(filter.latestMs));
      }
      if (filter.classUids) {
        conditions.push(`"class_uid" IN (${placeholders(filter.classUids.length)})`);
        params.push(...filter.classUids);
      }
      if (filter.indexes) {
        conditions.push(`"index" IN (${placeholders(filter.indexes.length)})`);
        params.push(...filter.indexes);
      }
      // Rollover writes the events of each index to files of their own.
      if (!filter.internalIndexes) conditions.push(PUBLIC_INDEX_CONDITION.text);
      const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
      const listed = await runQuery(
        connection,
        `SELECT "file" FROM "${COLD_FILES_TABLE}"${where} ORDER BY "file"`,
        params,
      );
      const files = listed.rows.map((row) => String(row.file));
      let released = false;
      const view = snapshotView(
        connection,
        files.map((file) => path.join(this.dataDir, file)),
        {
          isReleased: () => released,
          logger: this.options.logger,
          hideInternalHotRows: !filter.internalIndexes,
        },
      );
      const open = connection;
      // Index results name cold files by absolute path; the snapshot names them relatively.
      const relative = (found: IndexedMatches | undefined) => {
        if (found === undefined) return undefined;
        const read = new Set(found.files);
        return {
          ...found,
          files: files.filter((file) => read.has(path.join(this.dataDir, file))),
        };
      };
      return {
        ...view,
        files,
        dataDir: this.dataDir,
        narrow: async (needles) => {
          const narrowed = await view.narrow(needles);
          const read = new Set(narrowed.files);
          return {
            ...narrowed,
            files: files.filter((file) => read.has(path.join(this.dataDir, file))),
          };
        },
        indexedMatches: async (needles, range, limit) =>
          relative(await view.indexedMatches(needles, range, limit)),
        wordMatches: async (words, range, limit) =>
          relative(await view.wordMatches(words, range, limit)),
        interrupt: () => {
          if (!released) open.interrupt();
        },
        release: async () => {
          if (released) return;
          released = true;
          await open.run('ROLLBACK').catch(() => undefined);
          open.closeSync();
          this.activeSnapshots.delete(token);
          this.deleteRetiredFiles();
        },
      };
    } catch (error) {
      connection?.closeSync();
      this.activeSnapshots.delete(token);
      this.deleteRetiredFiles();
      throw error;
    }
  }

  /** Marks files dropped from the manifest by the commit just made. */
  private retire(files: readonly string[]): void {
    this.manifestVersion++;
    for (const file of files) this.retired.push({ file, version: this.manifestVersion });
    this.deleteRetiredFiles();
  }

  private deleteRetiredFiles(): void {
    let oldest = Number.POSITIVE_INFINITY;
    for (const token of this.activeSnapshots) oldest = Math.min(oldest, token.version);
    const keep: { file: string; version: number }[] = [];
    for (const entry of this.retired) {
      if (entry.version > oldest) {
        keep.push(entry);
        continue;
      }
      this.removeColdFile(entry.file);
    }
    this.retired = keep;
  }

  /** Lists the cold files of the manifest, by day. */
  async coldFiles(): Promise<ColdFile[]> {
    const result = await runQuery(
      this.nextReaderConnection(),
      `SELECT "file", "rows", "bytes", epoch_ms("min_time") AS min_ms, epoch_ms("max_time") AS max_ms,
        "day", "class_uid", "index", epoch_ms("created") AS created_ms
       FROM "${COLD_FILES_TABLE}" ORDER BY "day", "file"`,
    );
    return result.rows.map((row) => ({
      file: String(row.file),
      rows: Number(row.rows),
      bytes: Number(row.bytes),
      minTimeMs: row.min_ms === null ? null : Number(row.min_ms),
      maxTimeMs: row.max_ms === null ? null : Number(row.max_ms),
      day: String(row.day),
      classUid: Number(row.class_uid),
      index: row.index === null ? null : String(row.index),
      createdMs: Number(row.created_ms),
    }));
  }

  private nextReaderConnection(): DuckDBConnection {
    return this.readers[this.nextReader++ % this.readers.length]!;
  }

  /** Row, file and byte counts of both tiers. */
  async stats(): Promise<TierStats> {
    const result = await this.query(
      `SELECT (SELECT count(*) FROM "${EVENTS_TABLE}") AS hot_rows,
        (SELECT count(*) FROM "${COLD_FILES_TABLE}") AS cold_files,
        (SELECT coalesce(sum("rows"), 0) FROM "${COLD_FILES_TABLE}") AS cold_rows,
        (SELECT coalesce(sum("bytes"), 0) FROM "${COLD_FILES_TABLE}") AS cold_bytes`,
    );
    const row = result.rows[0] ?? {};
    return {
      hotRows: Number(row.hot_rows ?? 0),
      coldFiles: Number(row.cold_files ?? 0),
      coldRows: Number(row.cold_rows ?? 0),
      coldBytes: Number(row.cold_bytes ?? 0),
      deadLetters: this.deadLetterTotal,
    };
  }

  /**
   * Moves hot rows ingested before `nowMs - ageMs` into Parquet files, one
   * per day, class and index, then lists the files and deletes the rows in
   * one transaction. Commits wait meanwhile, so the moved set cannot grow.
   */
  rollover(ageMs: number, nowMs = Date.now()): Promise<RolloverResult> {
    return this.maintenanceLock.run(() =>
      this.writeLock.run(async () => {
        if (this.closed) throw new Error('event store is closed');
        const cutoff = Math.trunc(nowMs - ageMs);
        const moved = `coalesce("ingest_time", "time", TIMESTAMP '1970-01-01') < epoch_ms(CAST(${cutoff} AS BIGINT))`;
        const written = await this.writeColdFiles(
          `SELECT ${COLUMN_LIST} FROM "${EVENTS_TABLE}" WHERE ${moved}`,
        );
        if (written.length === 0) return { files: [], rows: 0 };
        const total = written.reduce((sum, file) => sum + file.rows, 0);
        try {
          await this.transaction(async () => {
            await this.insertManifest(written);
            const deleted = await this.writer.run(`DELETE FROM "${EVENTS_TABLE}" WHERE ${moved}`);
            if (deleted.rowsChanged !== total) {
              throw new Error(
                `rollover wrote ${total} rows but would delete ${deleted.rowsChanged}`,
              );
            }
          });
        } catch (error) {
          for (const file of written) {
            this.removeColdFile(file.file);
          }
          throw error;
        }
        this.retire([]);
        return { files: written, rows: total };
      }),
    );
  }

  /**
   * Adds Parquet files with the event columns (a copy of a cold tier or an
   * export) to the cold tier, re-partitioned by day, class and index.
   * `files` must lie inside the data folder; they are left in place.
   */
  importParquet(files: readonly string[]): Promise<RolloverResult> {
    return this.maintenanceLock.run(() =>
      this.writeLock.run(async () => {
        if (this.closed) throw new Error('event store is closed');
        if (files.length === 0) return { files: [], rows: 0 };
        const absolute = files.map((file) => path.resolve(this.dataDir, file));
        const written = await this.writeColdFiles(
          `SELECT ${COLUMN_LIST} FROM read_parquet([${absolute.map(sqlString).join(', ')}], hive_partitioning = false, union_by_name = true)`,
        );
        try {
          await this.transaction(() => this.insertManifest(written));
        } catch (error) {
          for (const file of written) {
            this.removeColdFile(file.file);
          }
          throw error;
        }
        this.retire([]);
        return { files: written, rows: written.reduce((sum, file) => sum + file.rows, 0) };
      }),
    );
  }

  /**
   * Writes the rows of `select` as cold files, one per day, class and index,
   * and returns them, not yet in the manifest. The caller holds the write
   * lock. The rows are numbered by group and sorted in a temporary table
   * first, so that each group's COPY reads only its own row groups.
   */
  private async writeColdFiles(select: string): Promise<ColdFile[]> {
    const written: ColdFile[] = [];
    try {
      await this.writer.run(
        `CREATE OR REPLACE TEMP TABLE "__stage" AS
         SELECT *, dense_rank() OVER (ORDER BY "__day", coalesce("class_uid", 0), "index") AS "__grp"
         FROM (SELECT *, ${DAY_SQL} AS "__day" FROM (${select}))
         ORDER BY "__grp", "time"`,
      );
      const groups = await runQuery(
        this.writer,
        `SELECT "__grp" AS grp, "__day" AS day, coalesce("class_uid", 0) AS class_uid,
          "index" AS idx, count(*) AS n, epoch_ms(min("time")) AS min_ms,
          epoch_ms(max("time")) AS max_ms
         FROM "__stage" GROUP BY ALL ORDER BY grp`,
      );
      const createdMs = Date.now();
      for (const group of groups.rows) {
        const classUid = Number(group.class_uid);
        const dir = partitionDir(String(group.day), classUid);
        const file = await this.writeParquet(
          dir,
          `SELECT ${COLUMN_LIST} FROM "__stage" WHERE "__grp" = ${Number(group.grp)}`,
          Number(group.n),
        );
        written.push({
          file,
          rows: Number(group.n),
          bytes: fs.statSync(path.join(this.dataDir, file)).size,
          minTimeMs: group.min_ms === null ? null : Number(group.min_ms),
          maxTimeMs: group.max_ms === null ? null : Number(group.max_ms),
          day: dir.split('/')[1]!.slice('date='.length),
          classUid,
          index: group.idx === null ? null : String(group.idx),
          createdMs,
        });
      }
      return written;
    } catch (error) {
      for (const file of written) this.removeColdFile(file.file);
      throw error;
    } finally {
      await this.writer.run('DROP TABLE IF EXISTS "__stage"').catch(() => undefined);
    }
  }

  /**
   * Writes the rows of `select` to a new Parquet file in `dir` (relative to
   * the data folder) through a synced temporary file, and returns its path.
   */
  private async writeParquet(
    dir: string,
    select: string,
    rows: number,
    connection: DuckDBConnection = this.writer,
  ): Promise<string> {
    const id = newFileId();
    const file = `${dir}/part-${id}.parquet`;
    const absoluteDir = path.join(this.dataDir, dir);
    fs.mkdirSync(absoluteDir, { recursive: true });
    const temp = path.join(absoluteDir, `.part-${id}.parquet.tmp`);
    const absolute = path.join(this.dataDir, file);
    try {
      await connection.run(`COPY (${select}) TO ${sqlString(temp)} (${parquetOptions(rows)})`);
      publishFile(temp, absolute);
      await writeSidecars(connection, absolute);
    } catch (error) {
      fs.rmSync(temp, { force: true });
      this.removeColdFile(file);
      throw error;
    }
    return file;
  }

  /** Bytes on disk of a cold file and its sidecars. */
  private diskBytes(file: ColdFile): number {
    const absolute = path.join(this.dataDir, file.file);
    let bytes = file.bytes;
    for (const { suffix } of SIDECARS) {
      bytes += fs.statSync(`${absolute}${suffix}`, { throwIfNoEntry: false })?.size ?? 0;
    }
    return bytes;
  }

  /** Deletes a cold file (relative to the data folder) and its sidecars. */
  private removeColdFile(file: string): void {
    const absolute = path.join(this.dataDir, file);
    fs.rmSync(absolute, { force: true });
    for (const { suffix } of SIDECARS) fs.rmSync(`${absolute}${suffix}`, { force: true });
  }

  private async insertManifest(files: readonly ColdFile[]): Promise<void> {
    for (const file of files) {
      await this.writer.run(
        `INSERT INTO "${COLD_FILES_TABLE}" VALUES (?, ?, ?, epoch_ms(CAST(? AS BIGINT)),
          epoch_ms(CAST(? AS BIGINT)), ?, ?, ?, epoch_ms(CAST(? AS BIGINT)))`,
        [
          file.file,
          BigInt(file.rows),
          BigInt(file.bytes),
          file.minTimeMs === null ? null : BigInt(file.minTimeMs),
          file.maxTimeMs === null ? null : BigInt(file.maxTimeMs),
          file.day,
          file.classUid,
          file.index,
          BigInt(file.createdMs),
        ],
      );
    }
  }

  private async deleteManifest(files: readonly string[]): Promise<number> {
    let deleted = 0;
    for (let start = 0; start < files.length; start += 500) {
      const slice = files.slice(start, start + 500);
      const result = await this.writer.run(
        `DELETE FROM "${COLD_FILES_TABLE}" WHERE "file" IN (${placeholders(slice.length)})`,
        slice,
      );
      deleted += result.rowsChanged;
    }
    return deleted;
  }

  /**
   * Merges small cold files of the same day, class and index into larger
   * ones. The new file replaces the old ones in the manifest in one
   * transaction; the old files are deleted once no snapshot uses them.
   */
  compact(options: CompactionOptions): Promise<CompactionResult> {
    return this.maintenanceLock.run(async () => {
      const merged: CompactionResult['merged'] = [];
      const partitions = new Map<string, ColdFile[]>();
      for (const file of await this.coldFiles()) {
        if (file.bytes >= options.targetBytes) continue;
        const key = JSON.stringify([file.day, file.classUid, file.index]);
        const list = partitions.get(key) ?? [];
        list.push(file);
        partitions.set(key, list);
      }
      for (const files of partitions.values()) {
        if (files.length < Math.max(2, options.minFiles)) continue;
        let group: ColdFile[] = [];
        let bytes = 0;
        const groups: ColdFile[][] = [];
        for (const file of files) {
          group.push(file);
          bytes += file.bytes;
          if (bytes >= options.targetBytes) {
            groups.push(group);
            group = [];
            bytes = 0;
          }
        }
        if (group.length >= Math.max(2, options.minFiles)) groups.push(group);
        for (const sources of groups) {
          if (sources.length < 2 || this.closed) continue;
          merged.push({ from: sources.map((file) => file.file), into: await this.merge(sources) });
        }
      }
      return { merged };
    });
  }

  private async merge(sources: readonly ColdFile[]): Promise<ColdFile> {
    const first = sources[0]!;
    const names = sources.map((file) => file.file);
    const connection = await this.instance.connect();
    let file: string;
    try {
      file = await this.writeParquet(
        partitionDir(first.day, first.classUid),
        `SELECT ${COLUMN_LIST} FROM read_parquet(${fileList(this.dataDir, names)}, hive_partitioning = false, union_by_name = true) ORDER BY "time"`,
        sources.reduce((sum, source) => sum + source.rows, 0),
        connection,
      );
    } finally {
      connection.closeSync();
    }
    const times = (pick: (file: ColdFile) => number | null) =>
      sources.map(pick).filter((value): value is number => value !== null);
    const mins = times((source) => source.minTimeMs);
    const maxes = times((source) => source.maxTimeMs);
    const into: ColdFile = {
      file,
      rows: sources.reduce((sum, source) => sum + source.rows, 0),
      bytes: fs.statSync(path.join(this.dataDir, file)).size,
      minTimeMs: mins.length > 0 ? Math.min(...mins) : null,
      maxTimeMs: maxes.length > 0 ? Math.max(...maxes) : null,
      day: first.day,
      classUid: first.classUid,
      index: first.index,
      createdMs: Date.now(),
    };
    try {
      await this.writeLock.run(() =>
        this.transaction(async () => {
          const deleted = await this.deleteManifest(names);
          if (deleted !== names.length) throw new Error('cold files changed during compaction');
          await this.insertManifest([into]);
        }),
      );
    } catch (error) {
      this.removeColdFile(file);
      throw error;
    }
    this.retire(names);
    return into;
  }

  /**
   * Writes the missing or damaged sidecars (term index, row store) of up to `limit` cold files,
   * oldest first, and returns for how many files it wrote any. Cold files written before a
   * sidecar existed, or whose sidecar was lost, are read more slowly until then.
   */
  indexColdFiles(limit: number): Promise<number> {
    return this.maintenanceLock.run(async () => {
      let written = 0;
      for (const file of await this.coldFiles()) {
        if (written >= limit || this.closed) break;
        const absolute = path.join(this.dataDir, file.file);
        if (hasSidecars(absolute)) continue;
        const connection = await this.instance.connect();
        try {
          if ((await writeSidecars(connection, absolute)) > 0) written++;
        } finally {
          connection.closeSync();
        }
      }
      return written;
    });
  }

  /**
   * Deletes whole cold files past their index's maximum age, then the
   * oldest files while the cold tier is over its disk budget. Hot rows are
   * never touched.
   */
  applyRetention(options: RetentionOptions, nowMs = Date.now()): Promise<RetentionResult> {
    return this.maintenanceLock.run(async () => {
      const files = await this.coldFiles();
      const removed: RetentionResult['removed'] = [];
      const kept: ColdFile[] = [];
      for (const file of files) {
        const limit =
          (file.index !== null ? options.indexMaxAgeMs?.[file.index] : undefined) ??
          options.maxAgeMs;
        const newest = file.maxTimeMs ?? file.createdMs;
        if (limit !== undefined && limit > 0 && newest < nowMs - limit) {
          removed.push({ ...file, why: 'age' });
        } else {
          kept.push(file);
        }
      }
      if (options.diskBudgetBytes !== undefined && options.diskBudgetBytes > 0) {
        // The budget covers the sidecars too, which the manifest's sizes leave out.
        const onDisk = new Map(kept.map((file) => [file, this.diskBytes(file)]));
        let total = [...onDisk.values()].reduce((sum, bytes) => sum + bytes, 0);
        kept.sort((a, b) => (a.maxTimeMs ?? a.createdMs) - (b.maxTimeMs ?? b.createdMs));
        for (const file of kept) {
          if (total <= options.diskBudgetBytes) break;
          removed.push({ ...file, why: 'disk_budget' });
          total -= onDisk.get(file) ?? 0;
        }
      }
      if (removed.length === 0) return { removed };
      const names = removed.map((file) => file.file);
      await this.writeLock.run(() => this.transaction(() => this.deleteManifest(names)));
      this.retire(names);
      removeEmptyDirs(this.dataDir);
      for (const file of removed) {
        this.options.logger?.info(
          { file: file.file, rows: file.rows, bytes: file.bytes, index: file.index, why: file.why },
          'retention removed a cold file',
        );
      }
      return { removed };
    });
  }

  /**
   * Brings the cold tier in line with the manifest after a crash. It removes
   * temporary files and files the manifest does not list (with their term
   * files), which come from a
   * rollover or compaction that did not commit or are replaced files not yet
   * deleted. It drops manifest entries whose file is gone.
   */
  private async recover(): Promise<void> {
    const listed = new Set(
      (await this.coldFilesFrom(this.writer)).map((file) => file.replaceAll('\\', '/')),
    );
    const present = new Set<string>();
    for (const file of listColdFiles(this.dataDir)) {
      if (listed.has(file)) {
        present.add(file);
        continue;
      }
      // A sidecar stays with its cold file.
      const owner = sidecarOwner(file);
      if (owner !== undefined && listed.has(owner)) continue;
      fs.rmSync(path.join(this.dataDir, file), { force: true });
      // Term files of the first layout are replaced by maintenance; their removal is routine.
      if (file.endsWith(OLD_TERMS_SUFFIX)) continue;
      this.options.logger?.info(
        { file },
        'recovery removed a cold file the manifest does not list',
      );
    }
    const missing = [...listed].filter((file) => !present.has(file));
    if (missing.length > 0) {
      this.options.logger?.error(
        { files: missing },
        'cold files listed in the manifest are missing; dropping them from the manifest',
      );
      await this.writeLock.run(() => this.transaction(() => this.deleteManifest(missing)));
    }
    removeEmptyDirs(this.dataDir);
    fsyncDir(path.join(this.dataDir, COLD_DIR));
    this.removeExportStaging();
  }

  /** Removes the staging folders of exports that a stop interrupted; none runs at start. */
  private removeExportStaging(): void {
    const exports = path.join(this.dataDir, EXPORTS_DIR);
    if (!fs.existsSync(exports)) return;
    for (const entry of fs.readdirSync(exports, { withFileTypes: true })) {
      if (!entry.isDirectory() || !entry.name.startsWith(EXPORT_STAGING_PREFIX)) continue;
      fs.rmSync(path.join(exports, entry.name), { recursive: true, force: true });
      this.options.logger?.info(
        { folder: entry.name },
        'removed the staging folder of an interrupted export',
      );
    }
  }

  /**
   * Compares the manifest with the files on disk, between maintenance
   * steps: `missing` are listed but absent, `unlisted` are present but
   * neither listed nor waiting for deletion. Both are empty when the tiers
   * are consistent.
   */
  verifyColdTier(): Promise<{ missing: string[]; unlisted: string[] }> {
    return this.maintenanceLock.run(async () => {
      const listed = new Set(await this.coldFilesFrom(this.nextReaderConnection()));
      const waiting = new Set(this.retired.map((entry) => entry.file));
      const present = listColdFiles(this.dataDir);
      const known = (file: string) => listed.has(file) || waiting.has(file);
      return {
        missing: [...listed].filter((file) => !present.includes(file)),
        unlisted: present.filter((file) => !known(sidecarOwner(file) ?? file)),
      };
    });
  }

  private async coldFilesFrom(connection: DuckDBConnection): Promise<string[]> {
    const result = await runQuery(connection, `SELECT "file" FROM "${COLD_FILES_TABLE}"`);
    return result.rows.map((row) => String(row.file));
  }

  /** Lists dead-letter entries, newest first, with the number matching the filter. */
  async listDeadLetters(
    filter: DeadLetterFilter & { limit?: number; offset?: number },
  ): Promise<{ total: number; entries: ResultRow[] }> {
    const { where, params } = deadLetterWhere(filter);
    const total = await this.query(
      `SELECT count(*) AS n FROM "${DEAD_LETTER_TABLE}"${where}`,
      params,
    );
    const entries = await this.query(
      `SELECT * FROM "${DEAD_LETTER_TABLE}"${where} ORDER BY "received_at" DESC, "id" DESC LIMIT ? OFFSET ?`,
      [...params, filter.limit ?? 100, filter.offset ?? 0],
    );
    return { total: Number(total.rows[0]?.n ?? 0), entries: entries.rows };
  }

  /** Deletes the dead-letter entries matching the filter and returns how many went. */
  purgeDeadLetters(filter: DeadLetterFilter): Promise<number> {
    const { where, params } = deadLetterWhere(filter);
    return this.writeLock.run(async () => {
      const result = await this.writer.run(
        `DELETE FROM "${DEAD_LETTER_TABLE}"${where}`,
        params as DuckDBValue[],
      );
      await this.recountDeadLetters();
      return result.rowsChanged;
    });
  }

  /**
   * Replays dead-letter entries. `normalize` turns a page of entries into
   * events and names the ids that normalized. Those events are stored and
   * those entries deleted in one transaction, and the rest stay queued.
   */
  async replayDeadLetters(
    filter: DeadLetterFilter,
    normalize: (entries: DeadLetterEntry[]) => Promise<{ batch: ColumnBatch; replayed: string[] }>,
  ): Promise<{ replayed: number; remaining: number }> {
    const { where, params } = deadLetterWhere(filter);
    const result = await this.query(
      `SELECT *, epoch_ms("received_at") AS received_ms, epoch_ms("event_time") AS event_ms
       FROM "${DEAD_LETTER_TABLE}"${where} ORDER BY "id"`,
      params,
    );
    let replayed = 0;
    const pageSize = 1000;
    for (let start = 0; start < result.rows.length; start += pageSize) {
      const page = result.rows.slice(start, start + pageSize).map(toDeadLetterEntry);
      const normalized = await normalize(page);
      if (normalized.replayed.length === 0) continue;
      await this.writeLock.run(async () => {
        this.checkFault();
        await this.transaction(async () => {
          let deleted = 0;
          for (let i = 0; i < normalized.replayed.length; i += 500) {
            const ids = normalized.replayed.slice(i, i + 500);
            const removed = await this.writer.run(
              `DELETE FROM "${DEAD_LETTER_TABLE}" WHERE "id" IN (${placeholders(ids.length)})`,
              ids,
            );
            deleted += removed.rowsChanged;
          }
          if (deleted !== normalized.replayed.length) {
            throw new Error('dead-letter entries changed during replay; run it again');
          }
          if (normalized.batch.rowCount > 0) await this.appendEvents([normalized.batch]);
        });
        await this.recountDeadLetters();
      });
      replayed += normalized.replayed.length;
    }
    return { replayed, remaining: result.rows.length - replayed };
  }

  private async recountDeadLetters(): Promise<void> {
    const count = await this.writer.runAndReadAll(`SELECT count(*) FROM "${DEAD_LETTER_TABLE}"`);
    this.deadLetterTotal = Number(count.getRows()[0]?.[0] ?? 0);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Loads what the row log contains; a load that fails now is retried at the next start.
    this.closing = true;
    this.scheduleLoad();
    while (this.loading !== undefined) await this.loading;
    await this.rowLog.close();
    await this.maintenanceLock.run(async () => {
      await this.writeLock.run(async () => {
        this.closed = true;
      });
    });
    for (const reader of this.readers) reader.closeSync();
    await this.writer.run('CHECKPOINT').catch(() => undefined);
    this.writer.closeSync();
    this.instance.closeSync();
  }
}

/**
 * Reads a row-log segment line by line: rows as a column batch (timestamps are epoch
 * milliseconds in both), and each line that is not a JSON object as a dead-letter entry.
 */
async function readSegmentLines(
  file: string,
): Promise<{ batch: ColumnBatch; dead: DeadLetterEntry[] }> {
  const text = await fs.promises.readFile(file, 'utf8');
  const columns: Record<string, unknown[]> = {};
  for (const column of COLUMNS) columns[column.name] = [];
  const dead: DeadLetterEntry[] = [];
  let rowCount = 0;
  const receivedAt = Date.now();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (error) {
      dead.push(rowLogDeadLetter(line, `row-log line is not JSON: ${String(error)}`, receivedAt));
      continue;
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      dead.push(rowLogDeadLetter(line, 'row-log line is not a JSON object', receivedAt));
      continue;
    }
    const values = row as Record<string, unknown>;
    for (const column of COLUMNS) columns[column.name]!.push(values[column.name] ?? null);
    rowCount++;
  }
  return { batch: { rowCount, columns }, dead };
}

function rowLogDeadLetter(line: string, reason: string, receivedAt: number): DeadLetterEntry {
  return {
    id: `rowlog-${receivedAt.toString(16)}-${crypto.randomBytes(6).toString('hex')}`,
    received_at: receivedAt,
    reason,
    normalizer: 'row-log',
    raw: line,
    host: null,
    source: null,
    sourcetype: null,
    index: null,
    token_id: null,
    channel: null,
    event_time: null,
  };
}

/** Maximum wait of a snapshot for acknowledged rows to reach the hot table. */
const SNAPSHOT_LOAD_WAIT_MS = 10_000;

async function waitAtMost(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

async function runQuery(
  connection: DuckDBConnection,
  sql: string,
  params: readonly unknown[] = [],
): Promise<QueryResult> {
  const result = await connection.runAndReadAll(sql, params as DuckDBValue[]);
  const rows = result.getRowObjectsJS().map((row) => toJsonSafe(row) as ResultRow);
  return { columns: result.columnNames(), rows };
}

/** Options of `snapshotView`. */
export interface ViewOptions {
  /** Makes every read fail once the view has ended. */
  isReleased?: () => boolean;
  /** Receives a warning for each damaged row store read. */
  logger?: StoreLogger;
  /** Leaves the hot rows of internal indexes (`isInternalIndex`) out of the view. */
  hideInternalHotRows?: boolean;
}

/**
 * Builds the FROM-items and readers of a view over the hot table and the given cold files
 * (absolute paths), read through `connection`.
 */
export function snapshotView(
  connection: DuckDBConnection,
  files: readonly string[],
  options: ViewOptions = {},
): Pick<
  Snapshot,
  'source' | 'keyedSource' | 'narrow' | 'indexedMatches' | 'wordMatches' | 'query' | 'fetch'
> {
  const { isReleased = () => false, logger } = options;
  const hotFilter = options.hideInternalHotRows ? PUBLIC_INDEX_CONDITION.text : undefined;
  const sources = (whole: readonly string[], rows: ReadonlyMap<string, readonly number[]>) =>
    viewSources(whole, rows, hotFilter);
  const allowed = new Set(files);
  const released = () => Promise.reject(new Error('snapshot is released'));
  return {
    ...sources(files, new Map()),
    indexedMatches: async (needles, range, limit) => {
      if (isReleased()) return released();
      const cold = await indexedMatches(connection, files, needles, range, limit);
      if (cold === undefined) return undefined;
      const hot = await hotIndexedMatches(
        connection,
        EVENTS_TABLE,
        needles,
        range,
        limit,
        hotFilter,
      );
      return joinMatches(hot, cold, limit);
    },
    wordMatches: async (words, range, limit) => {
      if (isReleased()) return released();
      const cold = await tokenMatches(files, words, range, limit);
      if (cold === undefined) return undefined;
      const hot = await hotWordMatches(connection, EVENTS_TABLE, words, range, limit, hotFilter);
      return joinMatches(hot, cold, limit);
    },
    narrow: async (needles) => {
      if (isReleased()) return released();
      if (needles.length === 0 || files.length === 0) {
        return { ...sources(files, new Map()), files: [...files] };
      }
      const candidates = await candidateRows(connection, files, needles);
      const read = new Set([...candidates.whole, ...candidates.rows.keys()]);
      return {
        ...sources(candidates.whole, candidates.rows),
        files: files.filter((file) => read.has(file)),
      };
    },
    query: (sql, params = []) => (isReleased() ? released() : runQuery(connection, sql, params)),
    fetch: (locations) =>
      isReleased() ? released() : fetchLocations(connection, locations, allowed, logger),
  };
}

/**
 * Builds the FROM-items of a view: the hot table, the cold files of `whole` read entirely, and
 * the files of `rows` read only at those row numbers. The numbers come from a term file, not
 * from a query, and are written into the SQL as integers.
 */
function viewSources(
  whole: readonly string[],
  rows: ReadonlyMap<string, readonly number[]>,
  hotFilter: string | undefined,
): Pick<Snapshot, 'source' | 'keyedSource'> {
  const hotWhere = hotFilter === undefined ? '' : ` WHERE ${hotFilter}`;
  const sources = [`SELECT * FROM "${EVENTS_TABLE}"${hotWhere}`];
  const keyed = [
    `SELECT *, NULL::VARCHAR AS "${LOCATION_FILE_COLUMN}", rowid AS "${LOCATION_ROW_COLUMN}" FROM "${EVENTS_TABLE}"${hotWhere}`,
  ];
  if (whole.length > 0) {
    const parquet = `read_parquet([${whole.map(sqlString).join(', ')}], hive_partitioning = false, union_by_name = true`;
    sources.push(`SELECT * FROM ${parquet})`);
    keyed.push(
      `SELECT * RENAME ("file_row_number" AS "${LOCATION_ROW_COLUMN}") FROM ${parquet}, filename = '${LOCATION_FILE_COLUMN}', file_row_number = true)`,
    );
  }
  for (const [file, numbers] of rows) {
    const parquet = `read_parquet(${sqlString(file)}, hive_partitioning = false`;
    const where = `WHERE "file_row_number" IN (${numbers.map((row) => String(Math.trunc(row))).join(', ')})`;
    sources.push(
      `SELECT * EXCLUDE ("file_row_number") FROM ${parquet}, file_row_number = true) ${where}`,
    );
    keyed.push(
      `SELECT * RENAME ("file_row_number" AS "${LOCATION_ROW_COLUMN}") FROM ${parquet}, filename = '${LOCATION_FILE_COLUMN}', file_row_number = true) ${where}`,
    );
  }
  return {
    source:
      sources.length === 1 && hotFilter === undefined
        ? `"${EVENTS_TABLE}"`
        : `(${sources.join(' UNION ALL BY NAME ')})`,
    keyedSource: `(${keyed.join(' UNION ALL BY NAME ')})`,
  };
}

/**
 * Reads events by location, newest first, without the OCSF JSON. Cold rows come from the row
 * stores, and from Parquet for files without one (or with a damaged one, whose rows Parquet
 * still holds). Hot rows come from the hot table by rowid, and that statement always runs, so
 * the columns come in the hot table's order.
 */
async function fetchLocations(
  connection: DuckDBConnection,
  locations: readonly EventLocation[],
  allowed: ReadonlySet<string>,
  logger: StoreLogger | undefined,
): Promise<QueryResult> {
  const hot: Array<number | string> = [];
  const cold = new Map<string, number[]>();
  for (const location of locations) {
    if (location.file === null) {
      hot.push(location.row);
      continue;
    }
    if (!allowed.has(location.file)) {
      throw new Error(`cannot fetch from ${location.file}: not a file of this snapshot`);
    }
    const rows = cold.get(location.file) ?? [];
    rows.push(Number(location.row));
    cold.set(location.file, rows);
  }
  // The hot rows are read while the row stores are, DuckDB working on its own threads.
  const hotRead = fetchHot(connection, hot);
  hotRead.catch(() => undefined);
  const fromParquet = new Map<string, number[]>();
  const storedRows: ResultRow[] = [];
  for (const [file, rows] of cold) {
    // A damaged store is passed over, because Parquet still has its rows. Maintenance writes it
    // again.
    const found = await readStoredRows(file, rows).catch((error: unknown) => {
      logger?.warn({ file, err: error }, 'row store unreadable; reading the rows from Parquet');
      return undefined;
    });
    if (found === undefined) fromParquet.set(file, rows);
    else storedRows.push(...(found as ResultRow[]));
  }
  const results = [await hotRead];
  if (fromParquet.size > 0) {
    const statement = fetchStatement([], fromParquet);
    results.push(await runQuery(connection, statement.sql, statement.params));
  }
  if (results.length === 1 && storedRows.length === 0) return results[0]!;

  // Every row gets every column, null where its file lacks one, as UNION ALL BY NAME does.
  const columns = [
    ...new Set([
      ...results.flatMap((result) => result.columns),
      ...storedRows.flatMap(Object.keys),
    ]),
  ];
  const rows = [...results.flatMap((result) => result.rows), ...storedRows].map((row) =>
    Object.fromEntries(columns.map((column) => [column, row[column] ?? null])),
  );
  rows.sort(newestEventFirst);
  return { columns, rows };
}

/** Reads hot rows by rowid, `HOT_FETCH_CHUNK` rows to a semi-join so that each becomes a filter. */
function fetchHot(
  connection: DuckDBConnection,
  rows: ReadonlyArray<number | string>,
): Promise<QueryResult> {
  const statement = fetchStatement(rows, new Map());
  return runQuery(connection, statement.sql, statement.params);
}

/** Compares result rows as DuckDB's `ORDER BY "time" DESC, "id" DESC` (nulls last) orders them. */
function newestEventFirst(a: ResultRow, b: ResultRow): number {
  return descending(a.time, b.time) || descending(a.id, b.id);
}

function descending(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  return String(a) < String(b) ? 1 : -1;
}

/**
 * Builds the statement that reads events by location: hot rows by rowid, cold rows by each
 * file's row number, so DuckDB reads only the row groups that contain them.
 */
function fetchStatement(
  hot: ReadonlyArray<number | string>,
  cold: ReadonlyMap<string, readonly number[]>,
): { sql: string; params: unknown[] } {
  // A rowid semi-join lets DuckDB fetch the hot rows directly, while a plain IN list scans the
  // whole table. The first part is there even without hot rows, for the hot table's columns.
  const params: unknown[] = [];
  const parts: string[] = [];
  for (let start = 0; start === 0 || start < hot.length; start += HOT_FETCH_CHUNK) {
    const chunk = hot.slice(start, start + HOT_FETCH_CHUNK);
    params.push(`[${chunk.map((row) => BigInt(row).toString()).join(',')}]`);
    parts.push(
      `SELECT * EXCLUDE ("ocsf") FROM "${EVENTS_TABLE}" WHERE rowid IN (SELECT unnest(CAST(? AS BIGINT[])))`,
    );
  }
  for (const [file, rows] of cold) {
    parts.push(
      `SELECT * EXCLUDE ("ocsf", "file_row_number") FROM read_parquet(${sqlString(file)}, hive_partitioning = false, file_row_number = true) WHERE "file_row_number" IN (${placeholders(rows.length)})`,
    );
    params.push(...rows.map((row) => BigInt(row)));
  }
  const sql = `SELECT * FROM (${parts.join(' UNION ALL BY NAME ')}) ORDER BY "time" DESC, "id" DESC`;
  return { sql, params };
}

function placeholders(count: number): string {
  return count === 0 ? 'NULL' : Array.from({ length: count }, () => '?').join(', ');
}

function deadLetterWhere(filter: DeadLetterFilter): { where: string; params: unknown[] } {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (filter.sourcetype !== undefined) {
    conditions.push('"sourcetype" = ?');
    params.push(filter.sourcetype);
  }
  if (filter.reason !== undefined) {
    conditions.push('contains(lower("reason"), lower(?))');
    params.push(filter.reason);
  }
  return { where: conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '', params };
}

function toDeadLetterEntry(row: ResultRow): DeadLetterEntry {
  const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
  return {
    id: String(row.id),
    received_at: Number(row.received_ms),
    reason: String(row.reason ?? ''),
    normalizer: String(row.normalizer ?? ''),
    raw: String(row.raw ?? ''),
    host: text(row.host),
    source: text(row.source),
    sourcetype: text(row.sourcetype),
    index: text(row.index),
    token_id: text(row.token_id),
    channel: text(row.channel),
    event_time: row.event_ms === null || row.event_ms === undefined ? null : Number(row.event_ms),
  };
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
      // Beyond DuckDB's range the appender throws, which would fail the whole commit.
      return typeof value === 'number' && Math.abs(value) <= MAX_TIMESTAMP_MS
        ? new DuckDBTimestampValue(BigInt(Math.trunc(value)) * 1000n)
        : null;
  }
}

/**
 * Largest timestamp, in epoch milliseconds either way, that DuckDB stores: its microseconds fit
 * a signed 64-bit integer with room to spare (about the year 287,000).
 */
const MAX_TIMESTAMP_MS = 9_000_000_000_000_000;

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
