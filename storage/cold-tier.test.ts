import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COLUMNS } from '../query-lang/catalog.js';
import { batchOf } from '../test/support/rows.js';
import { listColdFiles } from './cold-tier.js';
import { EventStore } from './event-store.js';
import { exportEvents } from './export.js';
import type { ColumnBatch } from './types.js';

const DAY_MS = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

/** `count` events numbered from `first`, spread over two days and two classes, ingested at `ingestMs`. */
function events(first: number, count: number, ingestMs: number, index = 'main'): ColumnBatch {
  return batchOf(
    Array.from({ length: count }, (_, i) => {
      const n = first + i;
      return {
        id: `e${String(n).padStart(8, '0')}`,
        time: T0 + (n % 2) * DAY_MS + n,
        class_uid: n % 3 === 0 ? 3002 : 4001,
        index,
        user_name: `user${n % 7}`,
        ingest_time: ingestMs,
        raw: `event number ${n}`,
        ocsf: '{}',
      };
    }),
  );
}

describe('cold tier', () => {
  let dataDir: string;
  let store: EventStore;

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'telhawk-cold-'));
    store = await EventStore.open(dataDir);
  });

  afterEach(async () => {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function countAll(): Promise<{ n: number; distinct: number }> {
    const snapshot = await store.snapshot();
    try {
      const result = await snapshot.query(
        `SELECT count(*) AS n, count(DISTINCT "id") AS distinct FROM ${snapshot.source}`,
      );
      return { n: Number(result.rows[0]?.n), distinct: Number(result.rows[0]?.distinct) };
    } finally {
      await snapshot.release();
    }
  }

  it('writes dictionaries in large files only', async () => {
    const now = Date.now();
    const rows = Array.from({ length: 122_880 + 100 }, (_, n) => ({
      id: `e${n}`,
      time: T0 + n,
      class_uid: n < 100 ? 4001 : 3002,
      user_name: `user${n % 10_000}`,
      ingest_time: now - 2 * 3_600_000,
      raw: `event number ${n}`,
      ocsf: '{}',
    }));
    await store.commit([batchOf(rows)], []);
    const result = await store.rollover(3_600_000, now);
    expect(result.files).toHaveLength(2);
    const dictionaries = async (classUid: number) => {
      const file = result.files.find((cold) => cold.classUid === classUid)!;
      const columns = await store.query(
        `SELECT path_in_schema AS name, bool_and(dictionary_page_offset IS NOT NULL) AS dictionary
         FROM parquet_metadata(?) WHERE path_in_schema IN ('user_name', 'raw') GROUP BY 1 ORDER BY 1`,
        [path.join(dataDir, file.file)],
      );
      return columns.rows;
    };
    // In a file of a row group, 10,000 users get a dictionary, but the raw text of each row does not.
    expect(await dictionaries(3002)).toEqual([
      { name: 'raw', dictionary: false },
      { name: 'user_name', dictionary: true },
    ]);
    // A small file keeps DuckDB's default, which leaves the raw text plain.
    expect((await dictionaries(4001)).find((column) => column.name === 'raw')).toEqual({
      name: 'raw',
      dictionary: false,
    });
  });

  it('rolls old rows over into Hive-partitioned zstd Parquet with the catalog types', async () => {
    const now = Date.now();
    await store.commit([events(0, 3000, now - 2 * 3_600_000)], []);
    await store.commit([events(3000, 500, now)], []);
    const result = await store.rollover(3_600_000, now);
    expect(result.rows).toBe(3000);
    expect(result.files).toHaveLength(4);
    for (const file of result.files) {
      expect(file.file).toMatch(
        /^cold\/date=2024-01-0[12]\/class_uid=(3002|4001)\/part-[\w-]+\.parquet$/,
      );
      expect(fs.existsSync(path.join(dataDir, file.file))).toBe(true);
    }
    const stats = await store.stats();
    expect(stats).toMatchObject({ hotRows: 500, coldFiles: 4, coldRows: 3000 });
    expect(await countAll()).toEqual({ n: 3500, distinct: 3500 });

    const schema = await store.query(
      `SELECT name, type FROM parquet_schema(?) WHERE name IN ('time', 'class_uid', 'type_uid', 'ingest_time')`,
      [path.join(dataDir, result.files[0]!.file)],
    );
    const described = await store.query(
      'DESCRIBE SELECT * FROM read_parquet(?, hive_partitioning = false)',
      [path.join(dataDir, result.files[0]!.file)],
    );
    expect(described.rows.map((row) => `${row.column_name} ${row.column_type}`)).toEqual(
      COLUMNS.map((column) => `${column.name} ${column.type}`),
    );
    expect(schema.rows.length).toBe(4);
    const codec = await store.query('SELECT DISTINCT compression FROM parquet_metadata(?)', [
      path.join(dataDir, result.files[0]!.file),
    ]);
    expect(codec.rows.map((row) => row.compression)).toEqual(['ZSTD']);
  });

  it('prunes cold files by time, class and index', async () => {
    const now = Date.now();
    await store.commit([events(0, 100, now - 7_200_000)], []);
    await store.rollover(3_600_000, now);
    const day2 = await store.snapshot({ earliestMs: T0 + DAY_MS });
    expect(day2.files.every((file) => file.includes('date=2024-01-02'))).toBe(true);
    await day2.release();
    const cls = await store.snapshot({ classUids: [3002] });
    expect(cls.files).toHaveLength(2);
    await cls.release();
    const none = await store.snapshot({ indexes: ['other'] });
    expect(none.files).toEqual([]);
    expect(none.source).not.toContain('read_parquet');
    await none.release();
  });

  it('gives each event once to a snapshot opened before a rollover and keeps its files', async () => {
    const now = Date.now();
    for (let round = 0; round < 4; round++) {
      await store.commit([events(round * 200, 200, now - 7_200_000)], []);
      await store.rollover(3_600_000, now);
    }
    await store.commit([events(800, 200, now - 7_200_000)], []);
    const before = await store.snapshot();
    // Rollover and compaction commit while the snapshot is open.
    await store.rollover(3_600_000, now);
    const compaction = await store.compact({ targetBytes: 10_000_000, minFiles: 2 });
    expect(compaction.merged.length).toBeGreaterThan(0);
    const seen = await before.query(
      `SELECT count(*) AS n, count(DISTINCT "id") AS d FROM ${before.source}`,
    );
    expect(seen.rows[0]).toEqual({ n: 1000, d: 1000 });
    // The replaced files are still on disk for the open snapshot, and go on release.
    for (const file of before.files) expect(fs.existsSync(path.join(dataDir, file))).toBe(true);
    await before.release();
    for (const file of before.files) expect(fs.existsSync(path.join(dataDir, file))).toBe(false);
    expect(await countAll()).toEqual({ n: 1000, distinct: 1000 });
    expect((await store.stats()).coldFiles).toBe(4);
  });

  it('sees every event exactly once while rollovers run concurrently', async () => {
    const now = Date.now();
    let committed = 0;
    const checks: Promise<void>[] = [];
    for (let round = 0; round < 15; round++) {
      await store.commit([events(committed, 100, now - 7_200_000)], []);
      committed += 100;
      const expected = committed;
      const rollover = store.rollover(3_600_000, now);
      checks.push(
        countAll().then((count) => {
          expect(count.n).toBe(count.distinct);
          expect(count.n).toBeGreaterThanOrEqual(expected);
        }),
      );
      await rollover;
      if (round % 5 === 4) await store.compact({ targetBytes: 10_000_000, minFiles: 3 });
    }
    await Promise.all(checks);
    expect(await countAll()).toEqual({ n: committed, distinct: committed });
  });

  it('recovers from files of a rollover that did not commit', async () => {
    const now = Date.now();
    await store.commit([events(0, 300, now - 7_200_000)], []);
    await store.rollover(3_600_000, now);
    await store.close();
    // What a crash between the rename and the manifest commit leaves: a
    // complete file for rows that are still hot, and a temporary file.
    const orphanDir = path.join(dataDir, 'cold', 'date=2024-01-01', 'class_uid=3002');
    const listed = listColdFiles(dataDir);
    fs.copyFileSync(path.join(dataDir, listed[0]!), path.join(orphanDir, 'part-orphan.parquet'));
    fs.writeFileSync(path.join(orphanDir, '.part-x.parquet.tmp'), 'partial');
    store = await EventStore.open(dataDir);
    expect(listColdFiles(dataDir).sort()).toEqual(listed.sort());
    expect(await countAll()).toEqual({ n: 300, distinct: 300 });
  });

  it('applies per-index age and a disk budget to whole cold files', async () => {
    const now = T0 + 10 * DAY_MS;
    await store.commit([events(0, 100, T0, 'main'), events(100, 100, T0, 'audit')], []);
    await store.commit([events(200, 10, now, 'main')], []);
    await store.rollover(3_600_000, now);
    const byAge = await store.applyRetention(
      { maxAgeMs: 30 * DAY_MS, indexMaxAgeMs: { main: 5 * DAY_MS } },
      now,
    );
    expect(byAge.removed.length).toBe(4);
    expect(byAge.removed.every((file) => file.index === 'main' && file.why === 'age')).toBe(true);
    // Hot rows are not touched.
    expect((await store.stats()).hotRows).toBe(10);
    // The manifest's sizes are the Parquet files' alone; the budget counts the sidecars too.
    const parquetBytes = (await store.coldFiles()).reduce((sum, file) => sum + file.bytes, 0);
    const overBudget = await store.applyRetention({ diskBudgetBytes: parquetBytes }, now);
    expect(overBudget.removed.length).toBeGreaterThan(0);
    const byBudget = await store.applyRetention({ diskBudgetBytes: 1 }, now);
    expect(byBudget.removed.every((file) => file.why === 'disk_budget')).toBe(true);
    expect((await store.stats()).coldFiles).toBe(0);
    expect(listColdFiles(dataDir)).toEqual([]);
    expect(await countAll()).toEqual({ n: 10, distinct: 10 });
  });

  it('exports a time range that DuckDB reads back with Hive partitioning', async () => {
    const now = Date.now();
    await store.commit([events(0, 400, now - 7_200_000)], []);
    await store.rollover(3_600_000, now);
    await store.commit([events(400, 100, now)], []);
    const outDir = path.join(dataDir, 'exports', 'day1');
    const manifest = await exportEvents(store, {
      earliestMs: T0,
      latestMs: T0 + DAY_MS,
      outDir,
    });
    expect(manifest.rows).toBe(250);
    const read = await store.query(
      `SELECT count(*) AS n, count(DISTINCT "id") AS d, CAST(min("date") AS VARCHAR) AS day FROM read_parquet(?, hive_partitioning = true)`,
      [`${outDir}/*/*/*.parquet`],
    );
    expect(read.rows[0]).toEqual({ n: 250, d: 250, day: '2024-01-01' });
    expect(
      JSON.parse(fs.readFileSync(path.join(outDir, 'manifest.json'), 'utf8')).files,
    ).toHaveLength(2);
  });

  it('exports the events of internal indexes too', async () => {
    const now = Date.now();
    await store.commit([events(0, 40, now - 7_200_000, '_audit')], []);
    await store.rollover(3_600_000, now);
    await store.commit([events(40, 60, now), events(100, 10, now, '_audit')], []);
    const manifest = await exportEvents(store, { outDir: path.join(dataDir, 'exports', 'all') });
    expect(manifest.rows).toBe(110);
  });

  it('removes interrupted export staging at start', async () => {
    await store.close();
    const staging = path.join(dataDir, 'exports', '.staging-abc', 'date=2024-01-01');
    fs.mkdirSync(staging, { recursive: true });
    fs.writeFileSync(path.join(staging, 'part-00000.parquet.tmp'), 'partial');
    const finished = path.join(dataDir, 'exports', 'finished');
    fs.mkdirSync(finished);
    store = await EventStore.open(dataDir);
    expect(fs.existsSync(path.join(dataDir, 'exports', '.staging-abc'))).toBe(false);
    expect(fs.existsSync(finished)).toBe(true);
  });
});
