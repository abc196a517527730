import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeSidecars } from '../storage/index.js';
import { OfflineInputError, offlineSource, runOffline, toCsv, toJsonLines } from './offline.js';

let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "telhawk-offline-it's "));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const parts = [
    { date: '2024-05-01', classUid: 3002, user: 'alice', ip: '10.0.0.5', status: 1 },
    { date: '2024-05-01', classUid: 3002, user: 'admin', ip: '203.0.113.7', status: 2 },
    { date: '2024-05-02', classUid: 3002, user: 'admin', ip: '203.0.113.7', status: 2 },
    { date: '2024-05-02', classUid: 4001, user: null, ip: '10.0.0.9', status: null },
  ];
  for (const [index, part] of parts.entries()) {
    const folder = path.join(dir, `date=${part.date}`, `class_uid=${part.classUid}`);
    fs.mkdirSync(folder, { recursive: true });
    const file = path.join(folder, `part-${index}.parquet`);
    // Only some columns, as an older export might have; the class is in the folder name too.
    await connection.run(
      `COPY (SELECT ? AS id, CAST(? AS TIMESTAMP) AS "time", CAST(? AS INTEGER) AS class_uid, CAST(? AS VARCHAR) AS user_name, ? AS src_ip, CAST(? AS INTEGER) AS status_id, ? AS raw, '{}' AS ocsf) TO '${file.replace(/'/g, "''")}' (FORMAT parquet)`,
      [
        `id${index}`,
        `${part.date} 10:0${index}:00`,
        part.classUid,
        part.user,
        part.ip,
        part.status,
        `event ${index} from ${part.ip}`,
      ] as never,
    );
  }
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'not parquet');
  connection.closeSync();
  instance.closeSync();
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('offline queries over Parquet', () => {
  test('aggregates with the same compiler', async () => {
    const result = await runOffline({
      dataDir: dir,
      query: 'class_uid=3002 | stats count by user, status_id',
    });
    expect(result.files).toBe(4);
    expect(result.kind).toBe('aggregate');
    expect(result.rows).toEqual([
      { user: 'admin', status_id: 2, count: 2 },
      { user: 'alice', status_id: 1, count: 1 },
    ]);
  });

  test('event search, newest first, with totals and a time range', async () => {
    const result = await runOffline({
      dataDir: dir,
      query: 'src_ip:203.0.113.0/24 OR 10.0.0.9',
      limit: 2,
      earliest: '2024-05-01T00:00:00Z',
      latest: '2024-05-03T00:00:00Z',
    });
    expect(result.rows.map((row) => row.id)).toEqual(['id3', 'id2']);
    expect(result.total).toBe(3);
    expect(result.columns).not.toContain('ocsf');
  });

  test('output formats', async () => {
    const result = await runOffline({ dataDir: dir, query: '| stats count by src_ip' });
    expect(toCsv(result.columns, result.rows)).toBe(
      'src_ip,count\n10.0.0.5,1\n10.0.0.9,1\n203.0.113.7,2\n',
    );
    expect(
      toJsonLines(result.rows)
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual(result.rows);
    expect(toCsv(['a'], [{ a: 'x,"y"' }])).toBe('a\n"x,""y"""\n');
    // The total counts the result rows before the limit.
    const first = await runOffline({ dataDir: dir, query: '| stats count by src_ip', limit: 1 });
    expect(first.rows).toHaveLength(1);
    expect(first.total).toBe(3);
    expect(first.columns).toEqual(['src_ip', 'count']);
  });

  test('CSV neutralises spreadsheet formulas', () => {
    const cases: [unknown, string][] = [
      ['=HYPERLINK("http://x","y")', '"\'=HYPERLINK(""http://x"",""y"")"'],
      ['+1+cmd', "'+1+cmd"],
      ['-2+3', "'-2+3"],
      ['-5', "'-5"],
      ['@SUM(A1)', "'@SUM(A1)"],
      ['\tcmd', "'\tcmd"],
      ['\r=1', '"\'\r=1"'],
      ['\uff1d1', "'\uff1d1"],
      ['a=b', 'a=b'],
      [-5, '-5'],
      [-0.25, '-0.25'],
      [0, '0'],
      [true, 'true'],
      [false, 'false'],
      [null, ''],
      [['-x'], '"[""-x""]"'],
    ];
    for (const [value, cell] of cases) {
      expect(toCsv(['v'], [{ v: value }]), JSON.stringify(value)).toBe(`v\n${cell}\n`);
    }
    expect(toCsv(['=x', '-y'], [])).toBe("'=x,'-y\n");
    expect(toCsv(['a.b'], [{ 'a.b': 1, a: { b: 2 } }])).toBe('a.b\n1\n');
    expect(toCsv(['a.b'], [{ a: { b: 2 } }])).toBe('a.b\n\n');
  });

  test('CSV for a terminal escapes controls', () => {
    const columns = ['user', 'detail', 'formula', 'count'];
    const row = {
      user: 'eve\u001b[31m\n',
      detail: { note: 'a\u009bb' },
      formula: '=1\u0007',
      count: -5,
    };
    expect(toCsv(columns, [row], { forTerminal: true })).toBe(
      `user,detail,formula,count\neve\\x1b[31m\\n,"{""note"":""a\\x9bb""}",'=1\\x07,-5\n`,
    );
    expect(toCsv(['user'], [row])).toBe('user\n"eve\u001b[31m\n"\n');
  });

  test('indexed cold tier matches a scan', async () => {
    const indexed = fs.mkdtempSync(path.join(os.tmpdir(), 'telhawk-offline-indexed-'));
    const plain = fs.mkdtempSync(path.join(os.tmpdir(), 'telhawk-offline-plain-'));
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      for (const [index, day] of ['2024-05-01', '2024-05-02'].entries()) {
        const folder = path.join(indexed, `date=${day}`, 'class_uid=3002');
        fs.mkdirSync(folder, { recursive: true });
        const file = path.join(folder, `part-${index}.parquet`);
        await connection.run(
          `COPY (SELECT 'e' || ? || '-' || i AS id, CAST(? AS TIMESTAMP) + to_seconds(i * 7) AS "time",
             3002 AS class_uid, CASE WHEN i % 3 = 0 THEN 'User' || (i % 5) ELSE 'user' || (i % 5) END AS user_name,
             '10.0.' || (i % 4) || '.1' AS src_ip, 'login ' || i AS raw, '{}' AS ocsf
           FROM range(300) t(i) ORDER BY "time") TO '${file}' (FORMAT parquet)`,
          [index, `${day} 08:00:00`] as never,
        );
        await writeSidecars(connection, file);
        const copy = path.join(plain, `date=${day}`, 'class_uid=3002');
        fs.mkdirSync(copy, { recursive: true });
        fs.copyFileSync(file, path.join(copy, `part-${index}.parquet`));
      }
      expect(
        fs.readdirSync(path.join(indexed, 'date=2024-05-01', 'class_uid=3002')).sort(),
      ).toEqual([
        'part-0.parquet',
        'part-0.parquet.rows',
        'part-0.parquet.terms2',
        'part-0.parquet.tokens',
      ]);
      const searches = [
        { query: 'user=user2' },
        { query: 'user=USER2 src_ip=10.0.2.1' },
        {
          query: 'src_ip=10.0.3.1',
          earliest: '2024-05-01T08:10:00Z',
          latest: '2024-05-02T08:05:00Z',
        },
        { query: 'user=nobody' },
        { query: 'LOGIN' },
        { query: 'login 29' },
        { query: '9 login', earliest: '2024-05-01T08:20:00Z', latest: '2024-05-02T08:10:00Z' },
        { query: 'nothing' },
      ];
      for (const search of searches) {
        const fromIndex = await runOffline({ dataDir: indexed, limit: 7, ...search });
        const fromScan = await runOffline({ dataDir: plain, limit: 7, ...search });
        const same = { elapsed_ms: 0, searched: '' };
        expect({ ...fromIndex, ...same }).toEqual({ ...fromScan, ...same });
      }
      const found = await runOffline({ dataDir: indexed, query: 'user=user2', limit: 3 });
      expect(found.total).toBe(120);
      expect(found.rows.map((row) => row.id)).toEqual(['e1-297', 'e1-292', 'e1-287']);
    } finally {
      connection.closeSync();
      instance.closeSync();
      fs.rmSync(indexed, { recursive: true, force: true });
      fs.rmSync(plain, { recursive: true, force: true });
    }
  });

  test('internal indexes are searched only when named', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'telhawk-offline-internal-'));
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      // A cold file of each index, as rollover writes them, and an export's file of both.
      const parts = [
        { file: 'main.parquet', index: "'main'", sidecars: true },
        { file: 'audit.parquet', index: "'_audit'", sidecars: true },
        {
          file: 'export.parquet',
          index: "CASE WHEN i % 2 = 0 THEN 'main' ELSE '_audit' END",
          sidecars: false,
        },
      ];
      for (const part of parts) {
        const file = path.join(folder, part.file);
        await connection.run(
          `COPY (SELECT '${part.file}-' || i AS id, TIMESTAMP '2024-05-01 08:00:00' + to_seconds(i) AS "time",
             3002 AS class_uid, 'user' || (i % 2) AS user_name, ${part.index} AS "index",
             'login ' || i AS raw, '{}' AS ocsf
           FROM range(10) t(i) ORDER BY "time") TO '${file}' (FORMAT parquet)`,
        );
        if (part.sidecars) await writeSidecars(connection, file);
      }
      const total = async (query: string) => (await runOffline({ dataDir: folder, query })).total;
      expect(await total('*')).toBe(15);
      expect(await total('user=user0')).toBe(10);
      expect(await total('login')).toBe(15);
      expect(await total('index=_audit')).toBe(15);
      expect(await total('index=_audit user=user1')).toBe(10);
      const byIndex = await runOffline({ dataDir: folder, query: '| stats count by index' });
      expect(byIndex.rows).toEqual([{ index: 'main', count: 15 }]);
    } finally {
      connection.closeSync();
      instance.closeSync();
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  test('data folder reads only its cold tier', async () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'telhawk-offline-data-'));
    try {
      // The fixture's files as the cold tier, and the same files again as an export.
      fs.cpSync(dir, path.join(data, 'cold'), { recursive: true });
      fs.cpSync(dir, path.join(data, 'exports', 'week'), { recursive: true });
      fs.mkdirSync(path.join(data, 'exports', '.staging-1'));
      const result = await runOffline({ dataDir: data, query: '*' });
      expect(result.total).toBe(4);
      expect(result.files).toBe(4);
      expect(result.searched).toBe(path.join(data, 'cold'));
      expect(result.excluded_exports).toEqual([path.join(data, 'exports', 'week')]);

      const exported = await runOffline({ dataDir: path.join(data, 'exports'), query: '*' });
      expect(exported.total).toBe(4);
      expect(exported.searched).toBe(path.join(data, 'exports'));
      expect(exported.excluded_exports).toEqual([]);

      // hot.duckdb marks a data folder too, before the first rollover has made cold/.
      fs.rmSync(path.join(data, 'cold'), { recursive: true });
      fs.writeFileSync(path.join(data, 'hot.duckdb'), '');
      expect(offlineSource(data)).toMatchObject({ searched: path.join(data, 'cold'), files: [] });
    } finally {
      fs.rmSync(data, { recursive: true, force: true });
    }
  });

  test('lookup tables from CSV files', async () => {
    const file = path.join(dir, 'owners.csv');
    fs.writeFileSync(file, '\ufeffip,owner\r\n10.0.0.5,"Alice, IT"\r\n203.0.113.7,unknown\r\n');
    const result = await runOffline({
      dataDir: dir,
      query: 'class_uid=3002 | lookup owners ip as src_ip | stats count by owner',
      lookups: { Owners: file },
    });
    expect(result.rows).toEqual([
      { owner: 'Alice, IT', count: 1 },
      { owner: 'unknown', count: 2 },
    ]);

    const missing = runOffline({ dataDir: dir, query: '| lookup owners ip as src_ip' });
    await expect(missing).rejects.toThrow(OfflineInputError);
    await expect(missing).rejects.toThrow(
      "Unknown lookup table 'owners': pass --lookup owners=FILE.csv",
    );

    fs.writeFileSync(file, 'ip,owner\n10.0.0.5\n');
    const ragged = runOffline({ dataDir: dir, query: '*', lookups: { owners: file } });
    await expect(ragged).rejects.toThrow("Lookup 'owners' (");
    await expect(ragged).rejects.toThrow('row 2 has 1 fields, the header 2');
    const absent = runOffline({ dataDir: dir, query: '*', lookups: { owners: `${file}.gone` } });
    await expect(absent).rejects.toThrow('failed to read');
    const badName = runOffline({ dataDir: dir, query: '*', lookups: { '1x': file } });
    await expect(badName).rejects.toThrow("Invalid lookup name '1x'");
  });

  test('bad folders and queries are reported', async () => {
    await expect(runOffline({ dataDir: path.join(dir, 'nope'), query: '*' })).rejects.toThrow(
      OfflineInputError,
    );
    await expect(runOffline({ dataDir: dir, query: 'user=' })).rejects.toThrow(/Expected/);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'telhawk-offline-empty-'));
    try {
      fs.writeFileSync(path.join(empty, 'notes.txt'), 'not parquet');
      const noFiles = runOffline({ dataDir: empty, query: 'user:admin' });
      await expect(noFiles).rejects.toThrow(OfflineInputError);
      await expect(noFiles).rejects.toThrow(
        `no Parquet files (*.parquet) found under ${empty}: expected an appliance data folder (with cold/), a copy of its cold/ folder, or an export written by thawk export`,
      );

      // A data folder before its first rollover has an empty cold/.
      fs.mkdirSync(path.join(empty, 'cold'));
      const noCold = runOffline({ dataDir: empty, query: 'user:admin' });
      await expect(noCold).rejects.toThrow(
        `no Parquet files (*.parquet) found in ${path.join(empty, 'cold')}, the cold tier of the appliance data folder ${empty}: the appliance writes them at rollover, so search newer events through the running appliance (thawk query without --data)`,
      );
      fs.mkdirSync(path.join(empty, 'exports', 'week'), { recursive: true });
      await expect(runOffline({ dataDir: empty, query: '*' })).rejects.toThrow(
        `(thawk query without --data), or pass --data ${path.join(empty, 'exports', 'week')} to search an export`,
      );
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
