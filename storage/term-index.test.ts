import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { batchOf } from '../test/support/rows.js';
import { listColdFiles } from './cold-tier.js';
import { EventStore, type Snapshot } from './event-store.js';
import { rowsFileOf } from './row-store.js';
import { candidateRows, termsFileOf } from './term-index.js';
import type { ColumnBatch } from './types.js';

const T0 = Date.UTC(2024, 0, 1);
const HOUR_MS = 3_600_000;

/** Alternates mixed-case and lowercase user names. */
function userName(n: number): string {
  return n % 2 === 0 ? `Alice${n % 5}` : `bob${n % 5}`;
}

/** Events with users in mixed case on authentications and addresses on every class. */
function events(first: number, count: number, ingestMs: number): ColumnBatch {
  const rows = Array.from({ length: count }, (_, i) => {
    const n = first + i;
    const auth = n % 3 === 0;
    return {
      id: `e${String(n).padStart(8, '0')}`,
      time: T0 + (n % 2) * 86_400_000 + n,
      class_uid: auth ? 3002 : 4001,
      index: 'main',
      user_name: auth ? userName(n) : null,
      actor_user: n % 7 === 0 ? `SVC${n % 4}` : null,
      src_ip: `10.0.${n % 4}.${n % 50}`,
      device_hostname: n % 10 === 0 ? 'İstanbul-1' : `host${n % 3}`,
      ingest_time: ingestMs,
      raw: `event number ${n}`,
      ocsf: '{}',
    } as Record<string, unknown>;
  });
  return batchOf(rows);
}

/** 40 addresses, of which `events` writes the first 10 into its rows. */
const LONG_IP_LIST = Array.from({ length: 40 }, (_, i) => `10.0.${i % 4}.${i < 10 ? i : i + 100}`);

describe('term index of the cold tier', () => {
  let dataDir: string;
  let store: EventStore;

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'telhawk-terms-'));
    store = await EventStore.open(dataDir);
    const now = Date.now();
    await store.commit([events(0, 2000, now - 2 * HOUR_MS)], []);
    await store.commit([events(2000, 300, now)], []);
    await store.rollover(HOUR_MS, now);
  });

  afterEach(async () => {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function ids(snapshot: Snapshot, source: string, where: string): Promise<string[]> {
    const result = await snapshot.query(`SELECT "id" FROM ${source} WHERE ${where} ORDER BY "id"`);
    return result.rows.map((row) => String(row.id));
  }

  it('indexes every value of each cold file', async () => {
    const files = (await store.coldFiles()).map((file) => file.file);
    expect(files.length).toBe(4);
    for (const file of files) {
      const data = path.join(dataDir, file);
      expect(fs.existsSync(termsFileOf(data))).toBe(true);
      // Every indexed value of every row is in the term file under its row number and time,
      // lowercased, and so is the first of the two users, which `user` compares.
      const missing = await store.query(
        `WITH d AS (SELECT *, epoch_us("time") AS t FROM read_parquet(?, file_row_number = true))
         SELECT count(*) AS n FROM (
           SELECT 'src_ip=' || lower(src_ip) AS k, file_row_number AS r, t FROM d WHERE src_ip IS NOT NULL
           UNION ALL SELECT 'user_name=' || lower(user_name), file_row_number, t FROM d WHERE user_name IS NOT NULL
           UNION ALL SELECT 'user_name|actor_user=' || lower(coalesce(user_name, actor_user)), file_row_number, t FROM d WHERE coalesce(user_name, actor_user) IS NOT NULL
           EXCEPT SELECT k, r, t FROM read_parquet(?))`,
        [data, termsFileOf(data)],
      );
      expect(missing.rows[0]?.n).toBe(0);
    }
    expect(await store.verifyColdTier()).toEqual({ missing: [], unlisted: [] });
  });

  it('reads files whole past the limit of files read by row', async () => {
    const files = (await store.coldFiles()).map((file) => path.join(dataDir, file.file));
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const needles = [{ keys: ['src_ip'], values: LONG_IP_LIST }];
      const byRow = await candidateRows(connection, files, needles);
      expect(byRow.rows.size).toBe(4);
      expect(byRow.whole).toEqual([]);
      const whole = await candidateRows(connection, files, needles, 3);
      expect(whole.rows.size).toBe(0);
      expect([...whole.whole].sort()).toEqual([...byRow.rows.keys()].sort());
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('narrows a view without losing matches', async () => {
    const cases: Array<{ needles: { keys: string[]; values: string[] }[]; where: string }> = [
      {
        needles: [{ keys: ['user_name|actor_user'], values: ['ALICE2'] }],
        where: `lower(coalesce(user_name, actor_user)) = 'alice2'`,
      },
      { needles: [{ keys: ['src_ip'], values: ['10.0.1.21'] }], where: `src_ip = '10.0.1.21'` },
      {
        needles: [
          { keys: ['src_ip'], values: ['10.0.1.21', '10.0.3.3'] },
          { keys: ['user_name'], values: ['Bob1', 'bob3'] },
        ],
        where: `src_ip IN ('10.0.1.21', '10.0.3.3') AND lower(user_name) IN ('bob1', 'bob3')`,
      },
      {
        needles: [{ keys: ['device_hostname'], values: ['İSTANBUL-1'] }],
        // DuckDB lowercases İ to i, where JavaScript adds a combining dot.
        where: `lower(device_hostname) = lower('İSTANBUL-1')`,
      },
      { needles: [{ keys: ['user_name'], values: ['nobody'] }], where: `user_name = 'nobody'` },
      // Long lists, such as pasted addresses, are looked up in one scan.
      {
        needles: [{ keys: ['src_ip'], values: LONG_IP_LIST }],
        where: `src_ip IN (${LONG_IP_LIST.map((ip) => `'${ip}'`).join(', ')})`,
      },
      {
        needles: [
          { keys: ['user_name|actor_user'], values: ['İSTANBUL-1', 'Alice2', ...LONG_IP_LIST] },
        ],
        where: `lower(coalesce(user_name, actor_user)) IN (lower('İSTANBUL-1'), 'alice2')`,
      },
    ];
    const snapshot = await store.snapshot();
    try {
      for (const { needles, where } of cases) {
        const narrowed = await snapshot.narrow(needles);
        const expected = await ids(snapshot, snapshot.source, where);
        expect(expected.length > 0).toBe(!where.includes('nobody'));
        expect(await ids(snapshot, narrowed.source, where)).toEqual(expected);
        const keyed = await snapshot.query(
          `SELECT "id" FROM ${narrowed.keyedSource} WHERE ${where} ORDER BY "id"`,
        );
        expect(keyed.rows.map((row) => String(row.id))).toEqual(expected);
        // Files without a candidate are left out; the hot table is always read.
        expect(narrowed.files.length).toBeLessThanOrEqual(snapshot.files.length);
      }
      const none = await snapshot.narrow([{ keys: ['user_name'], values: ['nobody'] }]);
      expect(none.files).toEqual([]);
      expect(none.source).not.toContain('read_parquet');
      // Alice is only ever a user of authentications, so only class 3002 files are read.
      const alice = await snapshot.narrow([{ keys: ['user_name'], values: ['alice2'] }]);
      expect(alice.files.length).toBeGreaterThan(0);
      expect(alice.files.every((file) => file.includes('class_uid=3002'))).toBe(true);
    } finally {
      await snapshot.release();
    }
  });

  it('reads unindexed files whole', async () => {
    const [first] = await store.coldFiles();
    fs.rmSync(termsFileOf(path.join(dataDir, first!.file)));
    const snapshot = await store.snapshot();
    try {
      const narrowed = await snapshot.narrow([{ keys: ['user_name'], values: ['nobody'] }]);
      expect(narrowed.files).toEqual([first!.file]);
      const where = `lower(user_name) = 'alice2'`;
      const all = await snapshot.narrow([{ keys: ['user_name'], values: ['alice2'] }]);
      expect(await ids(snapshot, all.source, where)).toEqual(
        await ids(snapshot, snapshot.source, where),
      );
    } finally {
      await snapshot.release();
    }
  });

  it('reads files with a damaged term file whole, then writes it again', async () => {
    const [first] = (await store.coldFiles()).map((file) => path.join(dataDir, file.file));
    const good = fs.readFileSync(termsFileOf(first!));
    fs.writeFileSync(termsFileOf(first!), 'not Parquet');
    const snapshot = await store.snapshot();
    try {
      const needles = [{ keys: ['user_name'], values: ['alice2'] }];
      expect(await snapshot.indexedMatches(needles, {}, 10)).toBeUndefined();
      const narrowed = await snapshot.narrow(needles);
      const where = `lower(user_name) = 'alice2'`;
      expect(await ids(snapshot, narrowed.source, where)).toEqual(
        await ids(snapshot, snapshot.source, where),
      );
    } finally {
      await snapshot.release();
    }
    expect(await store.indexColdFiles(100)).toBe(1);
    expect(fs.readFileSync(termsFileOf(first!)).length).toBe(good.length);
  });

  it('writes missing term files later', async () => {
    const files = (await store.coldFiles()).map((file) => path.join(dataDir, file.file));
    for (const file of files) fs.rmSync(termsFileOf(file));
    expect(await store.indexColdFiles(1)).toBe(1);
    expect(files.filter((file) => fs.existsSync(termsFileOf(file)))).toHaveLength(1);
    expect(await store.indexColdFiles(100)).toBe(files.length - 1);
    expect(files.every((file) => fs.existsSync(termsFileOf(file)))).toBe(true);
    expect(await store.indexColdFiles(100)).toBe(0);
    expect(await store.verifyColdTier()).toEqual({ missing: [], unlisted: [] });
  });

  it('replaces term files of the first layout', async () => {
    const files = (await store.coldFiles()).map((file) => path.join(dataDir, file.file));
    await store.close();
    for (const file of files) fs.renameSync(termsFileOf(file), `${file}.terms`);
    store = await EventStore.open(dataDir);
    // Start removes them; until maintenance writes new ones, searches read the files whole.
    expect(files.filter((file) => fs.existsSync(`${file}.terms`))).toEqual([]);
    const snapshot = await store.snapshot();
    try {
      const needles = [{ keys: ['user_name'], values: ['alice2'] }];
      expect(await snapshot.indexedMatches(needles, {}, 10)).toBeUndefined();
      expect((await snapshot.narrow(needles)).files).toEqual(snapshot.files);
    } finally {
      await snapshot.release();
    }
    expect(await store.indexColdFiles(100)).toBe(files.length);
    expect(await store.verifyColdTier()).toEqual({ missing: [], unlisted: [] });
  });

  it('removes term files and row stores with cold files', async () => {
    const now = Date.now();
    await store.commit([events(5000, 400, now - 2 * HOUR_MS)], []);
    await store.rollover(HOUR_MS, now);
    const compaction = await store.compact({ targetBytes: 100_000_000, minFiles: 2 });
    expect(compaction.merged.length).toBeGreaterThan(0);
    for (const { from, into } of compaction.merged) {
      for (const sidecarOf of [termsFileOf, rowsFileOf]) {
        for (const file of from)
          expect(fs.existsSync(sidecarOf(path.join(dataDir, file)))).toBe(false);
        expect(fs.existsSync(sidecarOf(path.join(dataDir, into.file)))).toBe(true);
      }
    }
    expect(await store.verifyColdTier()).toEqual({ missing: [], unlisted: [] });

    // Sidecars whose cold file the manifest does not list go at the next start.
    await store.close();
    const before = listColdFiles(dataDir);
    const orphan = path.join(path.dirname(path.join(dataDir, before[0]!)), 'part-orphan.parquet');
    const listed = path.join(dataDir, before.find((f) => f.endsWith('.parquet'))!);
    fs.copyFileSync(termsFileOf(listed), termsFileOf(orphan));
    fs.copyFileSync(rowsFileOf(listed), rowsFileOf(orphan));
    store = await EventStore.open(dataDir);
    expect(listColdFiles(dataDir).sort()).toEqual(before.sort());

    await store.applyRetention({ diskBudgetBytes: 1 }, now);
    expect(listColdFiles(dataDir)).toEqual([]);
  });
});
