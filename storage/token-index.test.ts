import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenFileIntact, tokenMatches, tokensFileOf, writeTokenIndex } from './token-index.js';

let dir: string;
let instance: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telhawk-tokens-'));
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});

afterAll(() => {
  connection.closeSync();
  instance.closeSync();
  fs.rmSync(dir, { recursive: true, force: true });
});

const T0 = Date.UTC(2024, 0, 1);

interface Row {
  time: number | null;
  raw: string | null;
  message: string | null;
}

let fileCount = 0;

/** Writes `rows` to a new Parquet file with its token file, and returns the file's path. */
async function writeFile(rows: readonly Row[]): Promise<string> {
  const file = path.join(dir, `part-${fileCount++}.parquet`);
  const values = rows.map(() => '(?, ?, ?, ?)').join(', ');
  await connection.run(
    `COPY (SELECT id, epoch_ms(CAST(t AS BIGINT)) AS "time", CAST(raw AS VARCHAR) AS raw,
       CAST(message AS VARCHAR) AS message
       FROM (VALUES ${values}) AS v(id, t, raw, message)) TO '${file}' (FORMAT parquet)`,
    rows.flatMap((row, index) => [`e${index}`, row.time, row.raw, row.message]) as never,
  );
  await writeTokenIndex(connection, file, tokensFileOf(file));
  return file;
}

/** Counts and finds the newest rows with a scan, using the compiler's free-text condition. */
async function scan(
  file: string,
  words: readonly string[],
  range: { earliestMs?: number; latestMs?: number },
  limit: number,
) {
  const conditions = words.map(() => `(contains(lower(raw), ?) OR contains(lower(message), ?))`);
  const params: unknown[] = words.flatMap((word) => [word, word]);
  if (range.earliestMs !== undefined) {
    conditions.push('"time" >= epoch_ms(CAST(? AS BIGINT))');
    params.push(range.earliestMs);
  }
  if (range.latestMs !== undefined) {
    conditions.push('"time" < epoch_ms(CAST(? AS BIGINT))');
    params.push(range.latestMs);
  }
  const reader = await connection.runAndReadAll(
    `WITH m AS (SELECT file_row_number AS r, epoch_us("time") AS t
       FROM read_parquet('${file}', file_row_number = true) WHERE ${conditions.join(' AND ')})
     SELECT (SELECT count(*) FROM m) AS n,
       (SELECT list(r ORDER BY r) FROM (SELECT * FROM m QUALIFY rank() OVER (ORDER BY t DESC NULLS LAST) <= ?)) AS rows`,
    [...params, limit] as never,
  );
  const row = reader.getRowObjectsJS()[0]!;
  return {
    count: Number(row.n),
    rows: ((row.rows as bigint[] | null) ?? []).map(Number),
  };
}

async function indexed(
  file: string,
  words: readonly string[],
  range: { earliestMs?: number; latestMs?: number },
  limit: number,
) {
  const found = await tokenMatches([file], words, range, limit);
  if (found === undefined) throw new Error('no token file');
  return {
    count: found.count,
    rows: found.newest.map((match) => match.row).sort((a, b) => a - b),
  };
}

// ASCII letters, digits and separators, and letters whose case mapping is unusual: İ lowercases
// to i and the Kelvin sign to k in DuckDB, ß and ı have no ASCII lowercase.
const CHARACTERS = [...'abikmzABIKMZ019 -._\n', 'İ', 'K', 'ß', 'ı', 'é', '😀'];
const text = fc.option(
  fc.array(fc.constantFrom(...CHARACTERS), { maxLength: 14 }).map((list) => list.join('')),
  { freq: 6 },
);
const word = fc
  .array(fc.constantFrom(...'abikmzABIKMZ019'), { minLength: 1, maxLength: 3 })
  .map((list) => list.join('').toLowerCase());
const row = fc.record({
  time: fc.option(
    fc.integer({ min: 0, max: 20 }).map((minute) => T0 + minute * 60_000),
    {
      freq: 10,
    },
  ),
  raw: text,
  message: text,
});

describe('token index', () => {
  it('matches a scan of lowercased text', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { minLength: 1, maxLength: 40 }),
        fc.array(word, { minLength: 1, maxLength: 2 }),
        fc.option(fc.integer({ min: 0, max: 20 }), { freq: 2 }),
        fc.option(fc.integer({ min: 0, max: 20 }), { freq: 2 }),
        fc.integer({ min: 1, max: 6 }),
        fc.boolean(),
        async (rows, words, from, to, limit, sortByTime) => {
          // Rollover writes rows in time order, rows without a time first, and the reader uses that.
          if (sortByTime) rows.sort((a, b) => (a.time ?? -1) - (b.time ?? -1));
          const file = await writeFile(rows);
          const range = {
            ...(from === null ? {} : { earliestMs: T0 + from * 60_000 }),
            ...(to === null ? {} : { latestMs: T0 + to * 60_000 }),
          };
          expect(await indexed(file, words, range, limit)).toEqual(
            await scan(file, words, range, limit),
          );
          fs.rmSync(file);
          fs.rmSync(tokensFileOf(file));
        },
      ),
      { numRuns: 80 },
    );
  });

  it('finds words inside longer tokens of either column', async () => {
    const file = await writeFile([
      { time: T0, raw: 'Invoke-Mimikatz -DumpCreds', message: null },
      { time: T0 + 1000, raw: null, message: 'ran MIMIKATZ.exe' },
      { time: T0 + 2000, raw: 'mimi katz', message: 'benign' },
      { time: T0 + 3000, raw: 'xmimikatzx', message: 'dump' },
    ]);
    expect(await indexed(file, ['mimikatz'], {}, 10)).toEqual({ count: 3, rows: [0, 1, 3] });
    expect(await indexed(file, ['mimikatz', 'dump'], {}, 10)).toEqual({ count: 2, rows: [0, 3] });
    expect(await indexed(file, ['mimikatz'], {}, 1)).toEqual({ count: 3, rows: [3] });
    expect(await indexed(file, ['absent'], {}, 10)).toEqual({ count: 0, rows: [] });
  });

  it('ignores missing or damaged files', async () => {
    const file = await writeFile([{ time: T0, raw: 'one two', message: null }]);
    const tokens = tokensFileOf(file);
    expect(tokenFileIntact(tokens)).toBe(true);

    const whole = fs.readFileSync(tokens);
    fs.writeFileSync(tokens, whole.subarray(0, whole.length - 3));
    expect(tokenFileIntact(tokens)).toBe(false);
    expect(await tokenMatches([file], ['one'], {}, 10)).toBeUndefined();

    fs.writeFileSync(tokens, Buffer.alloc(whole.length, 7));
    expect(tokenFileIntact(tokens)).toBe(false);
    expect(await tokenMatches([file], ['one'], {}, 10)).toBeUndefined();

    // A whole frame around row list bounds that point past the row lists.
    const damaged = Buffer.from(whole);
    const tokenCount = damaged.readUInt32LE(damaged.length - 48 + 8);
    damaged.fill(0xff, damaged.length - 48 - (tokenCount + 1) * 4, damaged.length - 48);
    fs.writeFileSync(tokens, damaged);
    expect(tokenFileIntact(tokens)).toBe(true);
    expect(await tokenMatches([file], ['one'], {}, 10)).toBeUndefined();

    fs.rmSync(tokens);
    expect(tokenFileIntact(tokens)).toBe(false);
    expect(await tokenMatches([file], ['one'], {}, 10)).toBeUndefined();
  });

  it('indexes a file without text columns', async () => {
    const file = path.join(dir, 'no-text.parquet');
    await connection.run(
      `COPY (SELECT 'a' AS id, TIMESTAMP '2024-01-01' AS "time") TO '${file}' (FORMAT parquet)`,
    );
    await writeTokenIndex(connection, file, tokensFileOf(file));
    expect(await tokenMatches([file], ['a'], {}, 10)).toEqual({ count: 0, newest: [], files: [] });
  });
});
