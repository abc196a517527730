import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLUMNS } from '../query-lang/catalog.js';
import { compileQuery, parseQuery } from '../query-lang/index.js';
import { type ColumnBatch, EventStore, type ResultRow } from '../storage/index.js';
import { batchOf } from '../test/support/rows.js';
import {
  QueryCancelledError,
  QueryInputError,
  QueryMemoryError,
  QueryService,
} from './query-service.js';

const T0 = Date.UTC(2024, 0, 1);
const HOUR_MS = 3_600_000;

/** Events over two days and three classes; every fifth pair shares a time, to test the id order. */
function events(first: number, count: number, ingestMs: number): ColumnBatch {
  const rows = Array.from({ length: count }, (_, i) => {
    const n = first + i;
    return {
      id: `e${String(n).padStart(8, '0')}`,
      time: T0 + (n % 2) * 86_400_000 + Math.floor(n / 5) * 1000,
      class_uid: [3002, 4001, 1007][n % 3],
      index: 'main',
      user_name: n % 3 === 0 ? `User${n % 11}` : null,
      // Some events have both users, so that `user` (the first of the two) differs from either.
      actor_user: n % 7 === 0 ? `user${n % 5}` : null,
      device_hostname: n % 10 === 0 ? 'İstanbul-1' : `host${n % 3}`,
      src_ip: `10.0.${n % 4}.${n % 50}`,
      ingest_time: ingestMs,
      raw: n % 17 === 0 ? `alert mimikatz run ${n}` : `event number ${n}`,
      ocsf: '{}',
    } as Record<string, unknown>;
  });
  const columns: Record<string, unknown[]> = {};
  for (const column of COLUMNS) columns[column.name] = rows.map((row) => row[column.name] ?? null);
  return { rowCount: rows.length, columns };
}

/** Returns a query service over `store` that records each term-index lookup in `calls`. */
function recordingService(store: EventStore, calls: string[]): QueryService {
  return new QueryService({
    snapshot: async (filter) => {
      const snapshot = await store.snapshot(filter);
      return {
        ...snapshot,
        narrow: (needles) => {
          calls.push('narrow');
          return snapshot.narrow(needles);
        },
        indexedMatches: (needles, range, limit) => {
          calls.push('index');
          return snapshot.indexedMatches(needles, range, limit);
        },
        wordMatches: (words, range, limit) => {
          calls.push('words');
          return snapshot.wordMatches(words, range, limit);
        },
      };
    },
  });
}

/** A store in a new temporary folder with `rows` in its hot tier, and its query service. */
interface RowsStore {
  store: EventStore;
  service: QueryService;
  close: () => Promise<void>;
}

async function storeWithRows(name: string, rows: Record<string, unknown>[]): Promise<RowsStore> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `telhawk-${name}-`));
  const store = await EventStore.open(dataDir);
  await store.commit([batchOf(rows)], []);
  return {
    store,
    service: new QueryService(store),
    close: async () => {
      await store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

describe('event searches over both tiers', () => {
  let dataDir: string;
  let store: EventStore;
  let service: QueryService;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'telhawk-query-service-'));
    store = await EventStore.open(dataDir);
    const now = Date.now();
    await store.commit([events(0, 3000, now - 3 * HOUR_MS)], []);
    await store.commit([events(3000, 1000, now)], []);
    const rolled = await store.rollover(HOUR_MS, now);
    expect(rolled.rows).toBe(3000);
    service = new QueryService(store);
  });

  afterAll(async () => {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('cancelAll interrupts a running query and rejects new ones', async () => {
    const stopping = new QueryService(store);
    // About five million hashes: seconds of work, cancelled 50 ms after it starts.
    const hashes = Array.from({ length: 50 }, (_, index) => `h${index + 1}=sha256(h${index})`);
    const heavy = `| makeresults count=100000 | eval h0=tostring(random()) | eval ${hashes.join(' | eval ')} | stats dc(h50)`;
    const running = stopping.run({ query: heavy }, Date.now());
    setTimeout(() => stopping.cancelAll(), 50);
    await expect(running).rejects.toBeInstanceOf(QueryCancelledError);
    await expect(stopping.run({ query: 'user=user3' }, Date.now())).rejects.toBeInstanceOf(
      QueryCancelledError,
    );
  });

  /** Runs the query as one statement, without the two-step fetch. */
  async function direct(
    text: string,
    limit: number,
  ): Promise<{ rows: ResultRow[]; total: number }> {
    const snapshot = await store.snapshot();
    try {
      const ast = parseQuery(text).ast;
      if (ast === undefined) throw new Error(`cannot parse ${text}`);
      const compiled = compileQuery(ast, { source: snapshot.source, nowMs: Date.now(), limit });
      const rows = await snapshot.query(
        compiled.sql.replace('ORDER BY "time" DESC', 'ORDER BY "time" DESC, "id" DESC'),
        compiled.params,
      );
      const count = await snapshot.query(compiled.countSql ?? '', compiled.countParams ?? []);
      return { rows: rows.rows, total: Number(count.rows[0]?.count) };
    } finally {
      await snapshot.release();
    }
  }

  it.each([
    'user=user3',
    'src_ip=10.0.1.21',
    'mimikatz',
    'class_uid=4001 OR user=user5',
    'user:*',
    // Searches the term index narrows: mixed case, lists, conjunctions, alternatives, no match.
    'user=USER3',
    'user IN (user3, User5, nobody)',
    'src_ip=10.0.1.21 user=user9',
    'user=user3 OR src_ip=10.0.2.2',
    'user==User3',
    'user=nobody',
    'user=user3 NOT src_ip=10.0.3.3',
    // Searches that the term index resolves alone, within a time range too.
    'actor=USER3',
    'user_name=user3',
    'user=user3 src_ip IN (10.0.0.0, 10.0.1.21, 10.0.3.33)',
    'user=user3 OR user=User5 OR user=nobody',
    'earliest="2024-01-01T00:01:00Z" latest="2024-01-02T00:02:00Z" user=user3',
    'latest="2024-01-01T00:05:00.000Z" src_ip=10.0.1.21',
    // Free text that the token index resolves alone: words in any case, parts of tokens.
    'MIMIKATZ',
    'mimikatz run',
    'number 12',
    'imika',
    'earliest="2024-01-01T00:01:00Z" latest="2024-01-02T00:02:00Z" mimikatz',
    'nothingatall',
  ])('returns the same rows as one statement: %s', async (text) => {
    const expected = await direct(text, 50);
    const answer = await service.run({ query: text, limit: 50 });
    expect(answer.total).toBe(expected.total);
    expect(answer.rows.map((row) => row.id)).toEqual(expected.rows.map((row) => row.id));
    expect(answer.rows).toEqual(expected.rows);
    if (expected.rows.length > 0) expect(answer.columns).toEqual(Object.keys(expected.rows[0]!));
  });

  it.each([
    'hostname=İSTANBUL-1',
    'hostname=istanbul-1',
    'hostname IN (İstanbul-1, nowhere)',
    'hostname=İstanbul*',
  ])('lowercases values as DuckDB does: %s', async (query) => {
    // DuckDB lowercases İ to i, where JavaScript adds a combining dot.
    const answer = await service.run({ query, limit: 5 });
    expect(answer.total).toBe(400);
    expect(answer.rows.every((row) => row.device_hostname === 'İstanbul-1')).toBe(true);
  });

  it('counts aggregate rows beyond the limit', async () => {
    const snapshot = await store.snapshot();
    const groups = await snapshot
      .query(`SELECT count(DISTINCT src_ip) AS n FROM ${snapshot.source}`)
      .finally(() => snapshot.release());
    const answer = await service.run({ query: '| stats count by src_ip', limit: 3 });
    expect(answer.rows).toHaveLength(3);
    expect(answer.total).toBe(Number(groups.rows[0]?.n));
    expect(answer.columns).toEqual(['src_ip', 'count']);
    expect(Object.keys(answer.rows[0]!)).toEqual(['src_ip', 'count']);
    const cut = await service.run({ query: '| stats count by src_ip | head 5', limit: 3 });
    expect(cut.total).toBe(5);
    const none = await service.run({ query: 'user=nobody | stats count by src_ip' });
    expect(none.total).toBe(0);
  });

  it('reads a page of dc groups as the whole aggregation would', async () => {
    const text = '| stats dc(user) values(class_uid) by src_ip';
    // A later stage makes the stats read every group; `where` keeps their order.
    const whole = await service.run({ query: `${text} | where 1=1`, limit: 7 });
    const answer = await service.run({ query: text, limit: 7 });
    expect(answer.rows).toEqual(whole.rows);
    expect(answer.total).toBe(whole.total);
    expect(answer.total).toBe(100);
    const explained = await service.explain({ query: text, limit: 7 });
    expect(explained.bound_sql).toContain('LIMIT 1 OFFSET ?');
    // The bound goes into each of the two aggregates.
    expect(explained.bounded_params?.filter((value) => value === null)).toHaveLength(2);
  });

  it('reads rows from the hot table and the cold files', async () => {
    const answer = await service.run({ query: 'src_ip=10.0.1.21', limit: 1000 });
    const fromHot = answer.rows.filter((row) => Number(String(row.id).slice(1)) >= 3000);
    expect(fromHot.length).toBeGreaterThan(0);
    expect(answer.rows.length - fromHot.length).toBeGreaterThan(0);
    expect(answer.rows.every((row) => row.ocsf === undefined)).toBe(true);
  });

  it.each(['user=user3 OR mimikatz', 'user=user3'])(
    'pages through every match once, newest first: %s',
    async (query) => {
      const expected = await direct(query, 10_000);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 100; page++) {
        const answer = await service.run({
          query,
          limit: 7,
          ...(cursor === undefined ? {} : { cursor }),
        });
        expect(answer.total).toBe(expected.total);
        seen.push(...answer.rows.map((row) => String(row.id)));
        cursor = answer.next_cursor;
        if (cursor === undefined) break;
      }
      expect(seen).toEqual(expected.rows.map((row) => row.id));
    },
  );

  it('reports regular expressions RE2 rejects as query errors', async () => {
    await expect(service.run({ query: '| where match(raw, "(?=event)")' })).rejects.toMatchObject({
      name: 'Error',
      diagnostics: [{ code: 'function.invalid_regex' }],
    });
    await expect(service.run({ query: '| rex "(?<n>e)\\1"' })).rejects.toBeInstanceOf(
      QueryInputError,
    );
    // A pattern taken from a field is only known when DuckDB runs it.
    const failed = service.run({ query: '| eval p = "[" | where match(raw, p)' });
    await expect(failed).rejects.toBeInstanceOf(QueryInputError);
    await expect(failed).rejects.toThrow(/The query failed in DuckDB: Invalid Input Error/);
  });

  it('rejects too many pipe stages', async () => {
    const text = `user=user3${' | eval x=1'.repeat(1000)}`;
    await expect(service.run({ query: text })).rejects.toBeInstanceOf(QueryInputError);
    await expect(service.run({ query: text })).rejects.toThrow(/1000 pipe stages; at most 200/);
    const answer = await service.run({ query: `user=user3${' | eval x=1'.repeat(200)}` });
    expect(answer.total).toBeGreaterThan(0);
  });

  it('keeps _time a time after eval', async () => {
    const plain = await service.run({ query: 'user=user3', limit: 1 });
    const shifted = await service.run({ query: 'user=user3 | eval _time=_time+86400', limit: 1 });
    const day = Date.parse(String(shifted.rows[0]?.time)) - Date.parse(String(plain.rows[0]?.time));
    expect(day).toBe(86_400_000);
    expect(shifted.next_cursor).toBeDefined();
  });

  it.each(['user=user3 | eval time="x"', 'user=user3 | eval time="x" | fields - raw'])(
    'runs %s without paging',
    async (query) => {
      const answer = await service.run({ query, limit: 5 });
      expect(answer.rows).toHaveLength(5);
      expect(answer.rows[0]?.time).toBeNull();
    },
  );

  it('rejects too many eval assignments', async () => {
    const independent = Array.from({ length: 1000 }, (_, i) => `x${i}=${i}`).join(', ');
    const wide = await service.run({ query: `user=user3 | eval ${independent}`, limit: 1 });
    expect(wide.rows[0]?.x999).toBe(999);
    // Each assignment reads the one before, so each takes a step of its own.
    const chain = (count: number) =>
      Array.from({ length: count }, (_, i) => (i === 0 ? 'x0=0' : `x${i}=x${i - 1}+1`)).join(', ');
    const long = `user=user3 | eval ${chain(1000)}`;
    await expect(service.run({ query: long })).rejects.toThrow(/more than \d+ steps/);
    const answer = await service.run({ query: `user=user3 | eval ${chain(100)}`, limit: 1 });
    expect(answer.rows[0]?.x99).toBe(99);
  });

  it('reports a query that runs out of memory', async () => {
    // A chain of 150 took more than the store's 512 MiB in DuckDB 1.5.
    const chain = Array.from({ length: 400 }, (_, i) => (i === 0 ? 'x0=0' : `x${i}=x${i - 1}+1`));
    const query = `user=user3 | eval ${chain.join(', ')}`;
    await expect(service.run({ query })).rejects.toBeInstanceOf(QueryMemoryError);
  });

  it('rejects a time range that ends before it starts', async () => {
    await expect(
      service.run({ query: 'user=user3', earliest: 'now', latest: '-1d' }),
    ).rejects.toThrow(/The time range is empty/);
    await expect(
      service.run({ query: 'earliest=-1h latest=-2h user=user3' }),
    ).rejects.toBeInstanceOf(QueryInputError);
  });

  it('answers an empty result with total 0', async () => {
    const answer = await service.run({ query: 'user=nobody' });
    expect(answer.total).toBe(0);
    expect(answer.rows).toEqual([]);
  });

  it('aggregates the same over the narrowed view as over every row', async () => {
    const text = 'user IN (user3, user7) | stats count by src_ip | sort src_ip';
    const whole = new QueryService({
      snapshot: async (filter) => {
        const snapshot = await store.snapshot(filter);
        const { source, keyedSource, files } = snapshot;
        return { ...snapshot, narrow: async () => ({ source, keyedSource, files }) };
      },
    });
    const expected = await whole.run({ query: text, limit: 1000 });
    expect(expected.rows.length).toBeGreaterThan(3);
    expect((await service.run({ query: text, limit: 1000 })).rows).toEqual(expected.rows);
  });

  /**
   * Runs each search through a recording service, checks which index calls it made and that it
   * returns what one statement returns, then does the same for `fallback` without the sidecar
   * `suffix` of the first cold file.
   */
  async function expectIndexCalls(
    cases: ReadonlyArray<readonly [string, readonly string[]]>,
    suffix: string,
    fallback: readonly [string, readonly string[]],
  ): Promise<void> {
    const calls: string[] = [];
    const watched = recordingService(store, calls);
    for (const [query, expected] of cases) {
      calls.length = 0;
      const answer = await watched.run({ query, limit: 20 });
      expect(calls, query).toEqual(expected);
      const one = await direct(query, 20);
      expect(answer.total).toBe(one.total);
      expect(answer.rows).toEqual(one.rows);
    }

    const [first] = await store.coldFiles();
    const sidecar = `${path.join(dataDir, first!.file)}${suffix}`;
    const saved = fs.readFileSync(sidecar);
    fs.rmSync(sidecar);
    try {
      calls.length = 0;
      const [query, expected] = fallback;
      const answer = await watched.run({ query, limit: 20 });
      expect(calls).toEqual(expected);
      expect(answer.rows).toEqual((await direct(query, 20)).rows);
    } finally {
      fs.writeFileSync(sidecar, saved);
    }
  }

  it('finds needle-only searches through the term index', async () => {
    await expectIndexCalls(
      [
        ['user=user3', ['index']],
        ['user=user3 mimikatz', ['narrow']],
        ['user=CASE(User3)', ['narrow']],
        ['user=user3 | head 5', ['narrow']],
      ],
      // Without a term file, the search reads the cold files instead.
      '.terms2',
      ['user=user3', ['index', 'narrow']],
    );
  });

  it('finds free-text words through the token index', async () => {
    await expectIndexCalls(
      [
        ['mimikatz', ['words']],
        ['mimikatz number', ['words']],
        ['"mimikatz run"', []],
        ['mimi*', []],
        ['mimikatz | head 5', []],
      ],
      // Without a token file, the search scans the cold files instead.
      '.tokens',
      ['mimikatz', ['words']],
    );
  });

  it('runs subsearches over the whole snapshot', async () => {
    const calls: string[] = [];
    const watched = recordingService(store, calls);
    for (const query of [
      'user=user3 [search class_uid=4001 | stats count by src_ip | fields src_ip]',
      'user=user3 | join type=left src_ip [search class_uid=1007 | stats count as seen by src_ip]',
      'user=user3 | append [search class_uid=4001 user=user1]',
    ]) {
      calls.length = 0;
      const answer = await watched.run({ query, limit: 20 });
      // The term index would narrow the source to user=user3, which the subsearch must not be.
      expect(calls, query).toEqual([]);
      const expected = await direct(query, 20);
      expect(answer.rows.length, query).toBeGreaterThan(0);
      expect(answer.rows).toEqual(expected.rows);
      expect(answer.total).toBe(expected.total);
    }
  });

  it('explains which cold files the term index leaves to read', async () => {
    const all = await service.explain({ query: 'src_ip:*' });
    // user_name is only set on authentications (class 3002).
    const user = await service.explain({ query: 'user_name=user3' });
    expect(user.needles).toEqual([{ keys: ['user_name'], values: ['user3'] }]);
    expect(user.files.length).toBeGreaterThan(0);
    expect(user.files.length).toBeLessThan(all.files.length);
    expect(user.files.every((file) => file.includes('class_uid=3002'))).toBe(true);
    expect((await service.explain({ query: 'user=nobody' })).files).toEqual([]);
    // The term index resolves these alone, so only files with the newest matches are read.
    expect(user.indexed).toBe(true);
    // The newest match overall is hot, so no cold file is read for it.
    expect((await service.explain({ query: 'user_name=user3', limit: 1 })).files).toEqual([]);
    // Day two's first 600 seconds hold only cold events.
    const newest = await service.explain({
      query: 'user_name=user3',
      limit: 1,
      earliest: new Date(T0 + 86_400_000).toISOString(),
      latest: new Date(T0 + 86_400_000 + 600_000).toISOString(),
    });
    expect(newest.files).toHaveLength(1);
    expect(user.files).toContain(newest.files[0]);
    const text = await service.explain({ query: 'user_name=user3 mimikatz' });
    expect(text.indexed).toBeUndefined();
    // The token index resolves free-text words alone.
    expect((await service.explain({ query: 'mimikatz' })).indexed).toBe(true);
  });

  it('explains without the path of the data folder', async () => {
    const explained = await service.explain({ query: 'src_ip:* | stats count' });
    expect(explained.sql).toContain("'cold/");
    expect(explained.sql).not.toContain(dataDir);
  });

  it('explains the statement that finds the keys', async () => {
    const explanation = await service.explain({ query: 'user=user3' });
    expect(explanation.keys_sql).toContain('max_by(');
    expect(explanation.keys_params).toContain('user3');
    expect(explanation.files.length).toBeGreaterThan(0);
  });

  it('rejects a fetch from a file outside the snapshot', async () => {
    const snapshot = await store.snapshot();
    try {
      await expect(snapshot.fetch([{ file: '/etc/passwd', row: 0 }])).rejects.toThrow(
        /not a file of this snapshot/,
      );
    } finally {
      await snapshot.release();
    }
  });
});

describe('needle searches over many events of one time', () => {
  it('orders the tied matches by id', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'telhawk-query-ties-'));
    const store = await EventStore.open(dataDir);
    try {
      const now = Date.now();
      const rows = Array.from({ length: 1500 }, (_, n) => ({
        id: `t${String(n).padStart(5, '0')}`,
        time: T0,
        class_uid: 3002,
        index: 'main',
        user_name: 'tied',
        ingest_time: now - 3 * HOUR_MS,
        raw: `login ${n}`,
        ocsf: '{}',
      })) as Record<string, unknown>[];
      await store.commit([batchOf(rows)], []);
      await store.rollover(HOUR_MS, now);

      const calls: string[] = [];
      const service = recordingService(store, calls);
      const answer = await service.run({ query: 'user=tied', limit: 5 });
      // Too many rows share the last time shown, so the keys come from the statement.
      expect(calls).toEqual(['index', 'narrow']);
      expect(answer.total).toBe(1500);
      expect(answer.rows.map((row) => row.id)).toEqual([
        't01499',
        't01498',
        't01497',
        't01496',
        't01495',
      ]);
      // With a larger page the term index is enough: every tied row is read and cut after sorting.
      calls.length = 0;
      const page = await service.run({ query: 'user=tied', limit: 600 });
      expect(calls).toEqual(['index']);
      expect(page.total).toBe(1500);
      expect(page.rows).toHaveLength(600);
      expect(page.rows[0]?.id).toBe('t01499');
      expect(page.rows.at(-1)?.id).toBe('t00900');
    } finally {
      await store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('internal indexes', () => {
  let dataDir: string;
  let store: EventStore;
  let service: QueryService;
  const noInternal = { internalIndexes: false };

  /** `events` with every event in index `index` and ids starting with `prefix`. */
  function inIndex(batch: ColumnBatch, index: string, prefix: string): ColumnBatch {
    const columns = { ...batch.columns };
    columns.index = columns.index!.map(() => index);
    columns.id = columns.id!.map((id) => `${prefix}${String(id).slice(1)}`);
    return { ...batch, columns };
  }

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'telhawk-internal-'));
    store = await EventStore.open(dataDir);
    const now = Date.now();
    const old = now - 3 * HOUR_MS;
    await store.commit([events(0, 600, old), inIndex(events(600, 300, old), '_audit', 'a')], []);
    const rolled = await store.rollover(HOUR_MS, now);
    expect(rolled.rows).toBe(900);
    await store.commit([events(900, 200, now), inIndex(events(1100, 100, now), '_audit', 'a')], []);
    service = new QueryService(store);
  });

  afterAll(async () => {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it.each([
    ['*', 800],
    ['index=*', 800],
    ['index=main', 800],
    ['index=_audit', 400],
    ['INDEX="_AUDIT"', 400],
    ['index=_*', 400],
    ['index IN (main, _audit)', 1200],
    ['NOT index=_audit', 800],
  ])('counts %s over both tiers', async (query, expected) => {
    expect((await service.run({ query })).total).toBe(expected);
  });

  it('leaves internal indexes out of aggregations', async () => {
    const answer = await service.run({ query: '| stats count by index' });
    expect(answer.rows).toEqual([{ index: 'main', count: 800 }]);
  });

  it('finds nothing in internal indexes for requesters without access', async () => {
    expect((await service.run({ query: 'index=_audit' }, Date.now(), noInternal)).total).toBe(0);
    const all = await service.run({ query: 'index IN (main, _audit)' }, Date.now(), noInternal);
    expect(all.total).toBe(800);
  });

  it.each([
    ['user=user3', 'index=main user=user3'],
    ['mimikatz', 'index=main mimikatz'],
    ['user=user3 index=_audit', 'index=_audit | search user=user3'],
  ])('counts index searches %s as the scan %s', async (indexed, scanned) => {
    const calls: string[] = [];
    const fast = await recordingService(store, calls).run({ query: indexed });
    const slow = await service.run({ query: scanned });
    expect(fast.total).toBe(slow.total);
    expect(fast.total).toBeGreaterThan(0);
    expect(fast.rows.map((row) => row.id)).toEqual(slow.rows.map((row) => row.id));
  });

  it('uses the term and token indexes with internal indexes left out', async () => {
    const calls: string[] = [];
    const recording = recordingService(store, calls);
    await recording.run({ query: 'user=user3' });
    await recording.run({ query: 'mimikatz' });
    expect(calls).toEqual(['index', 'words']);
  });

  it('returns an internal event by id only to requesters with access', async () => {
    const found = await service.run({ query: 'index=_audit', limit: 1 });
    const id = String(found.rows[0]?.id);
    expect(id.startsWith('a')).toBe(true);
    expect((await service.getEvent(id))?.index).toBe('_audit');
    expect(await service.getEvent(id, noInternal)).toBeUndefined();
  });

  it('explains no cold file of an internal index unless the query names one', async () => {
    const all = await service.explain({ query: '*' });
    const audit = await service.explain({ query: 'index=_audit' });
    expect(audit.files.length).toBeGreaterThan(all.files.length);
    expect(
      (await service.explain({ query: 'index=_audit' }, Date.now(), noInternal)).files,
    ).toEqual(all.files);
  });
});

describe('multivalue fields', () => {
  let rowsStore: RowsStore;

  beforeAll(async () => {
    const now = Date.now();
    const fields = [
      { tags: ['alpha', 'beta'] },
      { tags: 'solo' },
      { env: 'x' },
      { 'dot.ted': 'v' },
    ];
    const rows = fields.map((value, i) => ({
      id: `m${i}`,
      time: now - i * 1000,
      index: 'main',
      user_name: `user${i % 2}`,
      fields: JSON.stringify(value),
      ingest_time: now,
      raw: `event ${i}`,
      ocsf: '{}',
    }));
    rowsStore = await storeWithRows('multivalue', rows);
  });

  afterAll(() => rowsStore.close());

  const run = async (query: string) => (await rowsStore.service.run({ query })).rows;

  it('reads a field sent with one value as a list of one', async () => {
    expect(await run('fields.tags{}=solo | table id')).toEqual([{ id: 'm1' }]);
    expect(await run('| stats count by fields.tags{}')).toEqual([
      { 'fields.tags{}': 'alpha', count: 1 },
      { 'fields.tags{}': 'beta', count: 1 },
      { 'fields.tags{}': 'solo', count: 1 },
    ]);
  });

  it('matches any value of a field in a search term', async () => {
    expect(await run('fields.tags=beta | table id')).toEqual([{ id: 'm0' }]);
    expect(await run('fields.tags=solo | table id')).toEqual([{ id: 'm1' }]);
    expect(await run('fields.tags IN (alpha, solo) | table id')).toEqual([
      { id: 'm0' },
      { id: 'm1' },
    ]);
  });

  it('reads a field whose name has dots', async () => {
    expect(await run('fields.dot.ted=v | table id')).toEqual([{ id: 'm3' }]);
  });

  it('flattens the values of list fields', async () => {
    const [row] = await run('| stats values(fields.tags{}) as tags, list(fields.tags{}) as all');
    expect(row?.tags).toEqual(['alpha', 'beta', 'solo']);
    expect(row?.all).toHaveLength(3);
  });

  it('compares a list in where by any element', async () => {
    const found = await run('| stats values(fields.tags{}) as tags by user | where tags="beta"');
    expect(found.map((row) => row.user)).toEqual(['user0']);
    expect(await run('| stats values(user) as u | where u="nobody"')).toEqual([]);
  });
});

describe('timechart series columns', () => {
  let service: QueryService;
  let close: () => Promise<void>;
  const now = Date.UTC(2024, 5, 1, 12);

  beforeAll(async () => {
    // Host names are log text: some look like object keys and column names.
    const hosts = ['web01', '__proto__', '_time', 'web01', 'constructor'];
    const rows = hosts.map((host, i) => ({
      id: `t${i}`,
      time: now - (i % 2) * 2 * HOUR_MS - 1000,
      index: 'main',
      host,
      ingest_time: now,
      raw: `event ${i}`,
      ocsf: '{}',
    }));
    ({ service, close } = await storeWithRows('timechart', rows));
  });

  afterAll(() => close());

  it('adds totals to the spread series', async () => {
    const response = await service.run(
      {
        query: '| timechart span=1h count by host | addtotals col=t',
        earliest: '-3h',
        latest: 'now',
      },
      now,
    );
    expect(response.columns.at(-1)).toBe('Total');
    // Columns whose names start with _ are internal, as in Splunk: __proto__ is left out.
    expect(response.rows.map((row) => row.Total)).toEqual([1, 0, 3, 4]);
    expect(response.total).toBe(4);
  });

  it('sorts and widens every row, and cuts the page afterwards', async () => {
    const run = (query: string, limit: number) =>
      service.run({ query, earliest: '-3h', latest: 'now', limit }, now);
    // The hour with the most events is the last of three, and a page of one row returns it.
    const busiest = await run('| timechart span=1h count | sort - count | head 1', 1);
    expect(busiest.rows).toEqual([{ _time: expect.any(String), count: 3 }]);
    expect(busiest.total).toBe(1);
    // The series columns come from every row, not from the rows of the page.
    const page = await run('| timechart span=1h count by host', 1);
    const whole = await run('| timechart span=1h count by host', 100);
    expect(page.columns).toEqual(whole.columns);
    expect(page.rows).toEqual(whole.rows.slice(0, 1));
    expect(page.total).toBe(3);
  });

  it('rejects more series than can be columns', async () => {
    const many = await service
      .run(
        {
          query:
            '| makeresults count=1500 | streamstats count as n | eval m=n % 2 | chart count over m by n limit=0',
        },
        now,
      )
      .catch((error: unknown) => error);
    expect(many).toBeInstanceOf(QueryInputError);
    expect((many as QueryInputError).diagnostics[0]?.code).toBe('stage.too_many_series');
  });

  it('reads the ingest time as _indextime', async () => {
    // Each event arrived 1 s or 2 h 1 s after its time.
    const response = await service.run(
      { query: '| eval lag=_indextime - _time | stats min(lag) as low, max(lag) as high' },
      now,
    );
    expect(response.rows).toEqual([{ low: 1, high: 7201 }]);
  });

  it('spreads the series into columns named by their values', async () => {
    const response = await service.run(
      { query: '| timechart span=1h count by host', earliest: '-3h', latest: 'now' },
      now,
    );
    expect(response.columns).toEqual([
      '_time',
      '__proto__',
      'count: _time',
      'constructor',
      'web01',
    ]);
    expect(response.total).toBe(3);
    expect(response.rows.map((row) => Object.getPrototypeOf(row))).toEqual([
      Object.prototype,
      Object.prototype,
      Object.prototype,
    ]);
    const counts = response.rows.map((row) => response.columns.slice(1).map((name) => row[name]));
    expect(counts).toEqual([
      [1, 0, 0, 1],
      [0, 0, 0, 0],
      [0, 1, 1, 1],
    ]);
  });
});

describe('all time', () => {
  let service: QueryService;
  let close: () => Promise<void>;
  const now = Date.UTC(2024, 5, 1, 12);

  beforeAll(async () => {
    // A syslog line without a year can land a day ahead of the clock.
    const rows = [now - HOUR_MS, now + 24 * HOUR_MS].map((time, i) => ({
      id: `a${i}`,
      time,
      index: 'main',
      ingest_time: now,
      raw: `event ${i}`,
      ocsf: '{}',
    }));
    ({ service, close } = await storeWithRows('all-time', rows));
  });

  afterAll(() => close());

  it('takes 0 to now as all time, future events included', async () => {
    const count = async (earliest: string, latest: string) =>
      (await service.run({ query: '| stats count', earliest, latest }, now)).rows[0]?.count;
    expect(await count('0', 'now')).toBe(2);
    expect(await count('', '')).toBe(2);
    expect(await count('-7d', 'now')).toBe(1);
    // A start without an end ends now, inline too.
    expect(await count('-7d', '')).toBe(1);
    const inline = await service.run({ query: 'earliest=-7d | stats count' }, now);
    expect(inline.rows[0]?.count).toBe(1);
  });

  it('fits an all-time timechart without a span to the matched events', async () => {
    // The two events are 25 hours apart: 30-minute buckets make 51 of them.
    const answer = await service.run({ query: '| timechart count', earliest: '0' }, now);
    expect(answer.rows).toHaveLength(51);
    expect(answer.rows.reduce((sum, row) => sum + Number(row.count), 0)).toBe(2);
    const explained = await service.explain({ query: '| timechart count' }, now);
    expect(explained.params).toContain(1_800_000);
  });

  it('fits an all-time timechart to the events its search matches', async () => {
    // One event: a bucket of a millisecond, where all events would make 51 of 30 minutes.
    const single = await service.run({ query: '"event 0" | timechart count', earliest: '0' }, now);
    expect(single.rows).toHaveLength(1);
    expect(single.rows[0]?.count).toBe(1);
  });

  it('fits an all-time tstats by _time without a span to the matched events', async () => {
    const answer = await service.run({ query: '| tstats count by _time' }, now);
    // 30-minute buckets: only those with events, as tstats returns them.
    expect(answer.rows).toHaveLength(2);
    expect(answer.rows.map((row) => String(row._time).slice(11, 19))).toEqual([
      '11:00:00',
      '12:00:00',
    ]);
    expect((await service.explain({ query: '| tstats count by _time' }, now)).params).toContain(
      1_800_000,
    );
  });
});
