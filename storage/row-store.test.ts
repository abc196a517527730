import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCATION_FILE_COLUMN, LOCATION_ROW_COLUMN } from '../query-lang/catalog.js';
import { batchOf } from '../test/support/rows.js';
import { type EventLocation, EventStore, toJsonSafe } from './event-store.js';
import { readStoredRows, rowsFileOf, writeRowStore } from './row-store.js';

const T0 = Date.UTC(2024, 0, 1);
const HOUR_MS = 3_600_000;

describe('row store file', () => {
  let dir: string;
  let instance: DuckDBInstance;
  const parquet = () => path.join(dir, 'part-a.parquet');

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telhawk-rows-'));
    instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    // 1,000 rows span many blocks, and the values are ones JSON represents badly.
    await connection.run(
      `COPY (SELECT
         'id' || lpad(i::VARCHAR, 5, '0') AS id,
         TIMESTAMP '1969-12-31 23:59:59' + INTERVAL (i * 1234567) MICROSECOND AS "time",
         (i % 7)::INTEGER AS class_uid,
         CASE WHEN i % 5 = 0 THEN 9007199254740993 + i ELSE i * 1000 END::BIGINT AS big,
         CASE i % 4 WHEN 0 THEN 'NaN'::DOUBLE WHEN 1 THEN 'inf'::DOUBLE WHEN 2 THEN i / 3 END AS ratio,
         CASE WHEN i % 3 = 0 THEN NULL ELSE 'línea "' || i || E'"\\n\\tİ😀 \\\\ ' END AS raw,
         '{"class_uid":1}' AS ocsf
       FROM range(1000) r(i))
       TO '${parquet()}' (FORMAT parquet)`,
    );
    await writeRowStore(connection, parquet(), rowsFileOf(parquet()));
    connection.closeSync();
  });

  afterAll(() => {
    instance.closeSync();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function fromParquet(rows: number[]): Promise<unknown[]> {
    const connection = await instance.connect();
    try {
      const result = await connection.runAndReadAll(
        `SELECT * EXCLUDE ("ocsf", "file_row_number") FROM read_parquet('${parquet()}', file_row_number = true)
         WHERE file_row_number IN (${rows.join(', ')})`,
      );
      // As the API sends them: JSON has no NaN or Infinity.
      return JSON.parse(JSON.stringify(result.getRowObjectsJS().map(toJsonSafe)));
    } finally {
      connection.closeSync();
    }
  }

  it('returns rows as Parquet gives them', async () => {
    const requested = Array.from({ length: 1000 }, (_, i) => i);
    const stored = await readStoredRows(parquet(), requested);
    expect(stored).toEqual(await fromParquet(requested));
    expect(stored?.[0]).not.toHaveProperty('ocsf');
  });

  it('returns rows in request order', async () => {
    const rows = [999, 3, 500, 3, 31, 32, 0];
    const stored = await readStoredRows(parquet(), rows);
    const byId = new Map(
      ((await fromParquet(rows)) as Array<{ id: string }>).map((row) => [row.id, row]),
    );
    expect(stored).toEqual(rows.map((row) => byId.get(`id${String(row).padStart(5, '0')}`)));
  });

  it('compresses its rows', () => {
    expect(fs.statSync(rowsFileOf(parquet())).size).toBeLessThan(1000 * 40);
  });

  it('is undefined when missing', async () => {
    expect(await readStoredRows(path.join(dir, 'part-none.parquet'), [0])).toBeUndefined();
  });

  it('rejects missing rows and corrupt stores', async () => {
    await expect(readStoredRows(parquet(), [1000])).rejects.toThrow('row 1000 not found');
    await expect(readStoredRows(parquet(), [-1])).rejects.toThrow('row -1 not found');
    const bytes = fs.readFileSync(rowsFileOf(parquet()));
    const cut = path.join(dir, 'part-cut.parquet');
    fs.writeFileSync(rowsFileOf(cut), bytes.subarray(0, bytes.length - 10));
    await expect(readStoredRows(cut, [0])).rejects.toThrow('unknown format');
    const flipped = Buffer.from(bytes);
    flipped[20] = (flipped[20] ?? 0) ^ 0xff;
    const broken = path.join(dir, 'part-broken.parquet');
    fs.writeFileSync(rowsFileOf(broken), flipped);
    await expect(readStoredRows(broken, [0])).rejects.toThrow();
    fs.writeFileSync(rowsFileOf(path.join(dir, 'part-empty.parquet')), '');
    await expect(readStoredRows(path.join(dir, 'part-empty.parquet'), [0])).rejects.toThrow(
      'truncated',
    );
  });

  it('stores an empty file', async () => {
    const empty = path.join(dir, 'part-zero.parquet');
    const connection = await instance.connect();
    try {
      await connection.run(
        `COPY (SELECT 'x' AS id, now()::TIMESTAMP AS "time" WHERE false) TO '${empty}' (FORMAT parquet)`,
      );
      await writeRowStore(connection, empty, rowsFileOf(empty));
    } finally {
      connection.closeSync();
    }
    expect(await readStoredRows(empty, [])).toEqual([]);
    await expect(readStoredRows(empty, [0])).rejects.toThrow('row 0 not found');
  });

  it('rejects unsupported column types', async () => {
    const odd = path.join(dir, 'part-odd.parquet');
    const connection = await instance.connect();
    try {
      await connection.run(`COPY (SELECT [1, 2] AS list) TO '${odd}' (FORMAT parquet)`);
      await expect(writeRowStore(connection, odd, rowsFileOf(odd))).rejects.toThrow(
        'unsupported type INTEGER[] of column list',
      );
    } finally {
      connection.closeSync();
    }
  });
});

describe('row stores of the event store', () => {
  let dataDir: string;
  let store: EventStore;
  let warnings: Array<{ file: unknown; message: string }>;

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'telhawk-rows-store-'));
    warnings = [];
    const logger = {
      info: () => undefined,
      warn: (object: object, message: string) => {
        warnings.push({ file: (object as { file?: unknown }).file, message });
      },
      error: () => undefined,
    };
    store = await EventStore.open(dataDir, { logger });
    const rows = Array.from({ length: 600 }, (_, n) => ({
      id: `e${String(n).padStart(5, '0')}`,
      // Pairs of events share a time, so the order by id matters.
      time: T0 + Math.floor(n / 2) * 1000,
      class_uid: n % 2 === 0 ? 3002 : 4001,
      index: 'main',
      user_name: `user${n % 9}`,
      src_ip: `10.0.0.${n % 20}`,
      message: `message ${n}`,
      raw: `raw "${n}"\nsecond line`,
      ingest_time: T0,
      ocsf: '{}',
    }));
    const now = Date.now();
    await store.commit([batchOf(rows.slice(0, 500))], []);
    await store.rollover(HOUR_MS, now + 2 * HOUR_MS);
    await store.commit([batchOf(rows.slice(500))], []);
  });

  afterEach(async () => {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** Lists every event's location, hot and cold, in an order unlike the result's. */
  async function everyLocation(): Promise<{ locations: EventLocation[]; release: () => void }> {
    const snapshot = await store.snapshot();
    const keys = await snapshot.query(
      `SELECT "${LOCATION_FILE_COLUMN}" AS file, "${LOCATION_ROW_COLUMN}" AS row FROM ${snapshot.keyedSource} ORDER BY hash("id")`,
    );
    return {
      locations: keys.rows.map((row) => ({
        file: row.file as string | null,
        row: Number(row.row),
      })),
      release: () => void snapshot.release(),
    };
  }

  async function fetchAll(locations: EventLocation[]) {
    const snapshot = await store.snapshot();
    try {
      return await snapshot.fetch(locations);
    } finally {
      await snapshot.release();
    }
  }

  it('writes one per cold file', async () => {
    const files = await store.coldFiles();
    expect(files.length).toBe(2);
    for (const file of files) {
      expect(fs.existsSync(rowsFileOf(path.join(dataDir, file.file)))).toBe(true);
    }
    expect(await store.verifyColdTier()).toEqual({ missing: [], unlisted: [] });
  });

  it('fetches as Parquet does', async () => {
    const { locations, release } = await everyLocation();
    release();
    expect(locations.filter((location) => location.file !== null)).toHaveLength(500);
    const withStores = await fetchAll(locations);
    for (const file of await store.coldFiles()) {
      fs.rmSync(rowsFileOf(path.join(dataDir, file.file)));
    }
    const withoutStores = await fetchAll(locations);
    expect(withStores).toEqual(withoutStores);
    expect(withStores.rows).toHaveLength(600);
    expect(withStores.rows[0]).toMatchObject({ id: 'e00599', message: 'message 599' });

    expect(await store.indexColdFiles(100)).toBe(2);
    expect(await fetchAll(locations)).toEqual(withoutStores);
  });

  it('filters hot scans by rowid', async () => {
    const snapshot = await store.snapshot();
    try {
      const setting = await snapshot.query(
        "SELECT current_setting('dynamic_or_filter_threshold') AS n",
      );
      expect(setting.rows[0]?.n).toBe(1000);
    } finally {
      await snapshot.release();
    }
  });

  it('reads cold rows from the store', async () => {
    const { locations, release } = await everyLocation();
    release();
    const [first, second] = (await store.coldFiles()).map((file) => path.join(dataDir, file.file));
    // The first file's rows now come from the second file's store, so the rows change.
    fs.copyFileSync(rowsFileOf(second!), rowsFileOf(first!));
    const swapped = await fetchAll(locations.filter((location) => location.file === first));
    expect(swapped.rows).toHaveLength(250);
    expect(swapped.rows.every((row) => row.class_uid === 4001)).toBe(true);
  });

  it('falls back on corrupt stores', async () => {
    const { locations, release } = await everyLocation();
    release();
    const before = await fetchAll(locations);
    const [first] = (await store.coldFiles()).map((file) => path.join(dataDir, file.file));
    fs.writeFileSync(rowsFileOf(first!), 'not a row store');
    expect(await fetchAll(locations)).toEqual(before);
    expect(warnings).toEqual([{ file: first, message: expect.stringContaining('Parquet') }]);
  });

  it('is written again when corrupt', async () => {
    const [first] = (await store.coldFiles()).map((file) => path.join(dataDir, file.file));
    const good = fs.readFileSync(rowsFileOf(first!));
    const garbage = Buffer.from(good);
    garbage.fill(7, 0, 8);
    fs.writeFileSync(rowsFileOf(first!), garbage);
    expect(await store.indexColdFiles(100)).toBe(1);
    expect(fs.readFileSync(rowsFileOf(first!))).toEqual(good);
    expect(await store.indexColdFiles(100)).toBe(0);
  });
});
