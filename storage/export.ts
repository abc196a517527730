import fs from 'node:fs';
import path from 'node:path';
import { COLUMNS } from '../query-lang/catalog.js';
import {
  EXPORT_STAGING_PREFIX,
  EXPORTS_DIR,
  newFileId,
  parquetOptions,
  partitionDir,
  publishFile,
  sqlString,
} from './cold-tier.js';
import type { EventStore } from './event-store.js';

/** `manifest.json` of an export folder. */
export interface ExportManifest {
  format: 'telhawk-export';
  version: 1;
  created: string;
  earliest: string | null;
  latest: string | null;
  query: string | null;
  rows: number;
  columns: { name: string; type: string }[];
  files: {
    file: string;
    rows: number;
    bytes: number;
    min_time: string | null;
    max_time: string | null;
    class_uid: number;
  }[];
}

export interface ExportOptions {
  earliestMs?: number;
  latestMs?: number;
  /** Query text, recorded in the manifest. */
  query?: string;
  /**
   * Narrows the export to the events whose ids a statement over the
   * snapshot's FROM-item returns; built by the query compiler.
   */
  ids?: (source: string) => { sql: string; params: unknown[] };
  /** Destination folder; created, and must be empty when it exists. */
  outDir: string;
}

const COLUMN_LIST = COLUMNS.map((column) => `"${column.name}"`).join(', ');
const DAY_SQL = `coalesce(strftime(coalesce("time", "ingest_time"), '%Y-%m-%d'), '0000-00-00')`;

/** Temporary table of the exported rows, with their folder's day and class. */
const STAGE_TABLE = '__export';
const DAY_COLUMN = '__day';
const CLASS_COLUMN = '__class';

/**
 * Writes the events of a time range as zstd Parquet files in the cold
 * tier's Hive layout (`date=YYYY-MM-DD/class_uid=N/part-K.parquet`) plus
 * `manifest.json`. DuckDB writes into a staging folder under
 * `<data>/exports/`, since it may write nowhere else; the finished folder
 * is then moved to `outDir`.
 */
export async function exportEvents(
  store: EventStore,
  options: ExportOptions,
): Promise<ExportManifest> {
  const outDir = path.resolve(options.outDir);
  if (fs.existsSync(outDir) && fs.readdirSync(outDir).length > 0) {
    throw new Error(`export folder ${outDir} is not empty`);
  }
  const staging = path.join(store.dataDir, EXPORTS_DIR, `${EXPORT_STAGING_PREFIX}${newFileId()}`);
  fs.mkdirSync(staging, { recursive: true });
  // An export is an admin's copy of everything stored, the audit trail of `_audit` included.
  const snapshot = await store.snapshot({
    earliestMs: options.earliestMs,
    latestMs: options.latestMs,
    internalIndexes: true,
  });
  try {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (options.earliestMs !== undefined) {
      conditions.push('"time" >= epoch_ms(CAST(? AS BIGINT))');
      params.push(Math.trunc(options.earliestMs));
    }
    if (options.latestMs !== undefined) {
      conditions.push('"time" < epoch_ms(CAST(? AS BIGINT))');
      params.push(Math.trunc(options.latestMs));
    }
    if (options.ids) {
      const ids = options.ids(snapshot.source);
      conditions.push(`"id" IN (SELECT "id" FROM (${ids.sql}))`);
      params.push(...ids.params);
    }
    const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
    // The rows are read from the tiers once, into a temporary table in the order of the files,
    // because each file's statement would otherwise read every cold file again: 100 files of
    // 250 events took 11 s that way. DuckDB spills the table to disk when it outgrows memory.
    await snapshot.query(
      `CREATE TEMP TABLE "${STAGE_TABLE}" AS
       SELECT ${DAY_SQL} AS "${DAY_COLUMN}", coalesce("class_uid", 0) AS "${CLASS_COLUMN}", ${COLUMN_LIST}
       FROM ${snapshot.source}${where} ORDER BY 1, 2, "time"`,
      params,
    );
    const groups = await snapshot.query(
      `SELECT "${DAY_COLUMN}" AS day, "${CLASS_COLUMN}" AS class_uid, count(*) AS n,
        min("time") AS min_time, max("time") AS max_time
       FROM "${STAGE_TABLE}" GROUP BY ALL ORDER BY ALL`,
    );
    const files: ExportManifest['files'] = [];
    let part = 0;
    for (const group of groups.rows) {
      const day = String(group.day);
      const classUid = Number(group.class_uid);
      const dir = partitionDir(day, classUid).split('/').slice(1).join('/');
      const file = `${dir}/part-${String(part++).padStart(5, '0')}.parquet`;
      fs.mkdirSync(path.join(staging, dir), { recursive: true });
      const temp = path.join(staging, `${file}.tmp`);
      await snapshot.query(
        `COPY (SELECT ${COLUMN_LIST} FROM "${STAGE_TABLE}" WHERE "${DAY_COLUMN}" = ? AND "${CLASS_COLUMN}" = ? ORDER BY "time")
         TO ${sqlString(temp)} (${parquetOptions(Number(group.n))})`,
        [day, classUid],
      );
      const bytes = publishFile(temp, path.join(staging, file));
      files.push({
        file,
        rows: Number(group.n),
        bytes,
        min_time: group.min_time === null ? null : String(group.min_time),
        max_time: group.max_time === null ? null : String(group.max_time),
        class_uid: classUid,
      });
    }
    const manifest: ExportManifest = {
      format: 'telhawk-export',
      version: 1,
      created: new Date().toISOString(),
      earliest:
        options.earliestMs === undefined ? null : new Date(options.earliestMs).toISOString(),
      latest: options.latestMs === undefined ? null : new Date(options.latestMs).toISOString(),
      query: options.query ?? null,
      rows: files.reduce((sum, file) => sum + file.rows, 0),
      columns: COLUMNS.map((column) => ({ name: column.name, type: column.type })),
      files,
    };
    fs.writeFileSync(path.join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    moveFolder(staging, outDir);
    return manifest;
  } finally {
    await snapshot.query(`DROP TABLE IF EXISTS "${STAGE_TABLE}"`).catch(() => undefined);
    await snapshot.release();
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Moves a folder, copying when it crosses file systems. */
function moveFolder(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  if (fs.existsSync(to)) fs.rmdirSync(to);
  try {
    fs.renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    fs.cpSync(from, to, { recursive: true });
    fs.rmSync(from, { recursive: true, force: true });
  }
}
