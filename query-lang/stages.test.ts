import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createEventsTableSql } from './catalog.js';
import { astFromJson, astToJson, type CompileOptions, compileQuery, parseQuery } from './index.js';
import { sql } from './sql.js';
import { timeBucket } from './stages.js';
import {
  cellTotal,
  FIXTURE_EVENTS,
  type FixtureEvent,
  insertEventStatement,
  NOW_MS,
  openFixtureDatabase,
  seriesNames,
  serviceRows,
} from './test-fixtures.js';
import { parseSpanMillis } from './time.js';

const FINDINGS: FixtureEvent[] = [
  {
    id: 'f01',
    minutesAgo: 5,
    columns: { class_uid: 9001, host: 'web01', message: 'finding one' },
    ocsf: {
      class_uid: 9001,
      attacks: [
        { tactic: { name: 'Execution' }, technique: { uid: 'T1059' } },
        { tactic: { name: 'Persistence' }, technique: { uid: 'T1053' } },
      ],
    },
    raw: '{"user":{"name":"eve"},"tags":["a","b","c"]}',
  },
  {
    id: 'f02',
    minutesAgo: 6,
    columns: { class_uid: 9001, host: 'web02', message: 'finding two' },
    ocsf: {
      class_uid: 9001,
      attacks: [{ tactic: { name: 'Discovery' }, technique: { uid: 'T1087' } }],
    },
    raw: 'not json',
  },
  {
    id: 'm01',
    minutesAgo: 7,
    columns: {
      class_uid: 9002,
      host: 'web01',
      fields: '{"metric_name:cpu.idle":42.5,"metric_name:mem-free":"1024"}',
    },
    ocsf: { class_uid: 9002 },
    raw: 'metric',
  },
];

let connection: DuckDBConnection;
let close: () => void;

beforeAll(async () => {
  ({ connection, close } = await openFixtureDatabase([...FIXTURE_EVENTS, ...FINDINGS]));
  await connection.run(
    `CREATE TABLE lookup_1 AS SELECT * FROM (VALUES ('alice', 'Alice A.', 'eng'), ('ADMIN', 'The Admin', 'ops'), ('admin', 'dup', 'dup')) t(username, full_name, team)`,
  );
});

afterAll(() => close());

const OPTIONS: CompileOptions = {
  source: 'events',
  nowMs: NOW_MS,
  lookups: (name) =>
    name.toLowerCase() === 'users'
      ? { relation: '"lookup_1"', columns: ['username', 'full_name', 'team'] }
      : undefined,
};

async function rows(text: string) {
  const parsed = parseQuery(text);
  if (parsed.ast === undefined) throw new Error(`${text}: ${JSON.stringify(parsed.errors)}`);
  const compiled = compileQuery(parsed.ast, OPTIONS);
  const reader = await connection.runAndReadAll(compiled.sql, compiled.params as never);
  return serviceRows(compiled, reader.columnNames(), reader.getRowObjectsJson());
}

describe('new stages on DuckDB', () => {
  test('time buckets match time_bucket', async () => {
    // Times before 1970 and before the origin (2000-01-03), on and off bucket edges.
    const times = [
      '1969-12-31 23:59:59.999999',
      '1970-01-01 00:00:00',
      '1999-12-31 17:23:45.5',
      '2000-01-03 00:00:00',
      '2000-01-02 23:59:59.999',
      '2024-02-29 12:34:56.789123',
      '2024-05-01 00:00:00',
      '2106-02-07 06:28:16',
    ];
    const spans = ['1ms', '1s', '7m', '1h', '5h', '1d', '7d', '30d'];
    for (const span of spans) {
      const spanMs = parseSpanMillis(span)!;
      const bucket = timeBucket(spanMs, sql`CAST(t AS TIMESTAMP)`);
      const result = await connection.runAndReadAll(
        `SELECT t, CAST(${bucket.text} AS VARCHAR) AS ours,
           CAST(time_bucket(to_milliseconds(CAST(? AS BIGINT)), CAST(t AS TIMESTAMP)) AS VARCHAR) AS duck
         FROM unnest(CAST(? AS VARCHAR[])) AS u(t)`,
        [...(bucket.params as DuckDBValue[]), spanMs, `[${times.join(',')}]`],
      );
      for (const row of result.getRowObjects()) {
        expect({ span, t: row.t, bucket: row.ours }).toEqual({ span, t: row.t, bucket: row.duck });
      }
    }
  });

  test('bin on time and numbers', async () => {
    const byHour = await rows('class_uid=3002 | bin _time span=1h | stats count by _time');
    expect(byHour.reduce((sum, row) => sum + Number(row.count), 0)).toBe(4);
    const ports = await rows(
      'class_uid=3002 | bucket src_port span=10000 | stats count by src_port',
    );
    expect(ports).toEqual([
      { src_port: 40000, count: '1' },
      { src_port: 50000, count: '1' },
    ]);
  });

  test('chart over by', async () => {
    // One row per user and a column per status, as in Splunk.
    const result = await rows('class_uid=3002 | chart count over user by status_id');
    expect(result).toContainEqual({ user: 'admin', '1': 0, '2': '1' });
    expect(result.map((row) => row.user)).toEqual(['Admin', 'admin', 'alice', 'root']);
    // Splunk's short form: the first field after by is the over field.
    expect(await rows('class_uid=3002 | chart count by user status_id')).toEqual(result);
    expect(await rows('class_uid=3002 | chart count by user, status_id')).toEqual(result);
    expect(await rows('class_uid=3002 | chart count by user')).toEqual(
      await rows('class_uid=3002 | chart count over user'),
    );
    const [error] = parseQuery('| chart count over user by host status_id').errors;
    expect(error?.code).toBe('stage.invalid');
    expect(error?.column).toBe(33);
  });

  test('chart series options', async () => {
    const top = await rows('class_uid=3002 | chart limit=1 count over user by status_id');
    expect(seriesNames(top, 'user')).toEqual(['2', 'OTHER']);
    expect(top.find((row) => row.user === 'alice')).toEqual({
      user: 'alice',
      '2': 0,
      OTHER: '1',
    });
    const dropped = await rows('| chart count by host user limit=2 useother=f usenull=f');
    expect(seriesNames(dropped, 'host')).toEqual(['Admin', 'bob']);
    // Events without the by field form the series NULL.
    const all = await rows('| chart count by host user limit=0');
    expect(seriesNames(all, 'host')).toContain('NULL');
    expect(cellTotal(all, 'host')).toBe(Number((await rows('| stats count'))[0]?.count));
    // A later stage reads one row per pair.
    const long = await rows('| chart count over host by user | where count > 1');
    expect(long).toContainEqual({ host: 'win01', user: 'bob', count: '2' });
    expect(parseQuery('| chart count by host user limit=x').errors[0]?.code).toBe(
      'stage.invalid_limit',
    );
  });

  test('eventstats adds group values to each row', async () => {
    const result = await rows(
      'class_uid=3002 | eventstats count as attempts by src_ip | table user, src_ip, attempts | sort user',
    );
    expect(result.find((row) => row.user === 'root')).toMatchObject({ attempts: '1' });
    expect(result.filter((row) => row.src_ip === '203.0.113.7').map((row) => row.attempts)).toEqual(
      ['2', '2'],
    );
  });

  test('streamstats counts in the current order', async () => {
    const result = await rows(
      'class_uid=3002 | sort time | streamstats count as n | table user, n',
    );
    expect(result.map((row) => row.n)).toEqual(['1', '2', '3', '4']);
    const windowed = await rows(
      'class_uid=3002 | sort time | streamstats window=2 count as n | table n',
    );
    expect(windowed.map((row) => row.n)).toEqual(['1', '2', '2', '2']);
  });

  test('streamstats current=f leaves the row out', async () => {
    const running = await rows(
      'class_uid=3002 | sort time | streamstats current=f count as n, sum(src_port) as s | table n, s',
    );
    expect(running.map((row) => row.n)).toEqual(['0', '1', '2', '3']);
    // Only e02 (41000) comes before the newest row e01, which has 50000.
    expect(running.map((row) => row.s)).toEqual([null, null, null, '41000']);
    const windowed = await rows(
      'class_uid=3002 | sort time | streamstats current=f window=2 count as n | table n',
    );
    expect(windowed.map((row) => row.n)).toEqual(['0', '1', '2', '2']);
    const previous = await rows(
      'class_uid=3002 OR class_uid=4002 | sort time | streamstats current=false latest(id) as before by host | table id, before',
    );
    expect(previous).toEqual([
      { id: 'e11', before: null },
      { id: 'e10', before: 'e11' },
      { id: 'e04', before: null },
      { id: 'e03', before: 'e04' },
      { id: 'e02', before: 'e10' },
      { id: 'e01', before: 'e02' },
    ]);
  });

  test('streamstats reset_on_change restarts on a new value', async () => {
    // In time order the hosts are web01, web01, web02, web02, web01, web01.
    const query = 'class_uid=3002 OR class_uid=4002 | sort time | streamstats';
    const plain = await rows(`${query} count as n by host | table host, n`);
    expect(plain.map((row) => row.n)).toEqual(['1', '2', '1', '2', '3', '4']);
    const reset = await rows(`${query} reset_on_change=t count as n by host | table host, n`);
    expect(reset.map((row) => `${row.host}:${row.n}`)).toEqual([
      'web01:1',
      'web01:2',
      'web02:1',
      'web02:2',
      'web01:1',
      'web01:2',
    ]);
    const windowed = await rows(
      `${query} reset_on_change=true current=f window=1 count as n by host | table n`,
    );
    expect(windowed.map((row) => row.n)).toEqual(['0', '1', '0', '1', '0', '1']);
  });

  test('streamstats reset_on_change skips rows without by', async () => {
    // e05 and e06 have no src_ip, so they neither break the run of 10.0.0.5 nor get a count.
    const result = await rows(
      'class_uid=3002 OR class_uid=1007 OR src_ip=10.0.0.5 | sort time | streamstats reset_on_change=t count as n by src_ip | table id, src_ip, n',
    );
    expect(result.map((row) => `${row.id}:${row.n}`)).toEqual([
      'e09:1',
      'e07:2',
      'e06:null',
      'e05:null',
      'e04:1',
      'e03:1',
      'e02:2',
      'e01:1',
    ]);
  });

  test('streamstats time_window counts recent rows', async () => {
    // The events are 30, 21, 20 and 10 minutes old. A row exactly 10 minutes before is outside.
    const ascending = await rows(
      'class_uid=3002 | sort time | streamstats time_window=10m count as n | table id, n',
    );
    expect(ascending.map((row) => `${row.id}:${row.n}`)).toEqual([
      'e04:1',
      'e03:2',
      'e02:2',
      'e01:1',
    ]);
    // Newest first, the rows before a row are the newer ones.
    const descending = await rows(
      'class_uid=3002 | streamstats time_window=10m count as n | table id, n',
    );
    expect(descending.map((row) => `${row.id}:${row.n}`)).toEqual([
      'e01:1',
      'e02:1',
      'e03:2',
      'e04:2',
    ]);
    const grouped = await rows(
      'class_uid=3002 | sort time | streamstats time_window=15m current=f values(user) as seen by host | table id, seen',
    );
    expect(grouped).toEqual([
      { id: 'e04', seen: null },
      { id: 'e03', seen: ['root'] },
      { id: 'e02', seen: null },
      { id: 'e01', seen: ['admin'] },
    ]);
    const capped = await rows(
      'class_uid=3002 | sort _time | streamstats time_window=1h window=2 count as n | table n',
    );
    expect(capped.map((row) => row.n)).toEqual(['1', '2', '2', '2']);
  });

  test('streamstats time_window needs time order', () => {
    expect(parseQuery('| sort host | streamstats time_window=5m count').errors[0]).toMatchObject({
      code: 'stage.needs_time_order',
      column: 15,
    });
    expect(
      parseQuery('| stats count by host | streamstats time_window=5m count').errors[0],
    ).toMatchObject({ code: 'stage.needs_time', column: 25 });
    expect(parseQuery('| stats count by _time | streamstats time_window=5m count').errors).toEqual(
      [],
    );
  });

  test('timechart keeps NULL outside the series limit', async () => {
    const series = await rows('| timechart span=1y count by user limit=2');
    expect(seriesNames(series)).toEqual(['Admin', 'bob', 'NULL', 'OTHER']);
    const total = await rows('| stats count');
    expect(cellTotal(series)).toBe(Number(total[0]?.count));
    const withoutNull = await rows('| timechart span=1y count by user limit=2 usenull=f');
    expect(seriesNames(withoutNull)).toEqual(['Admin', 'bob', 'OTHER']);
    const withoutOther = await rows('| timechart span=1y count by user limit=2 useother=f');
    expect(seriesNames(withoutOther)).toEqual(['Admin', 'bob', 'NULL']);
  });

  test('otherstr and nullstr name the last series', async () => {
    const total = Number((await rows('| stats count'))[0]?.count);
    const named = await rows(
      '| timechart span=1y count by user limit=2 otherstr=Rest nullstr="no user"',
    );
    expect(Object.keys(named[0] ?? {})).toEqual(['_time', 'Admin', 'bob', 'no user', 'Rest']);
    expect(cellTotal(named)).toBe(total);
    const withoutOther = await rows(
      '| timechart span=1y count by user limit=2 useother=f nullstr=none',
    );
    expect(Object.keys(withoutOther[0] ?? {})).toEqual(['_time', 'Admin', 'bob', 'none']);
    const all = await rows('| timechart span=1y count by user limit=0 nullstr=none');
    expect(Object.keys(all[0] ?? {}).at(-1)).toBe('none');
    const chart = await rows('| chart count over host by user limit=1 otherstr=rest nullstr=none');
    expect(Object.keys(chart[0] ?? {})).toEqual(['host', 'bob', 'none', 'rest']);
    expect(cellTotal(chart, 'host')).toBe(Number((await rows('host=* | stats count'))[0]?.count));
    expect(parseQuery('| timechart count by user otherstr=""').errors[0]?.code).toBe(
      'stage.invalid_label',
    );
  });

  test('window stats skip rows without by', async () => {
    const events = await rows(
      '| eventstats count as c by user | where isnull(user) | stats max(c) as c',
    );
    expect(events).toEqual([{ c: null }]);
    const stream = await rows(
      '| streamstats count as n by user | where isnull(user) | stats max(n) as n',
    );
    expect(stream).toEqual([{ n: null }]);
    const counted = await rows('| eventstats count as c by user | where user="bob" | table c');
    expect(counted).toEqual([{ c: '2' }, { c: '2' }]);
  });

  test('fillnull', async () => {
    const result = await rows(
      'class_uid=3002 OR class_uid=9001 | fillnull value=none user | stats count by user',
    );
    expect(result).toContainEqual({ user: 'none', count: '2' });
    const table = await rows('| fillnull value=NA dns_query | stats count by dns_query');
    expect(table).toContainEqual({
      dns_query: 'NA',
      count: String(FIXTURE_EVENTS.length + FINDINGS.length - 1),
    });
    const filled = await rows('| stats count by dns_query, host | fillnull value=NA');
    expect(filled.every((row) => row.dns_query !== 'NA')).toBe(true);
    // Filling every column leaves the time a time.
    const timed = parseQuery('| table _time, dns_query | fillnull value=NA');
    const { sql } = compileQuery(timed.ast!, OPTIONS);
    expect(sql).toContain('CAST("dns_query" AS VARCHAR)');
    expect(sql).not.toContain('CAST("_time" AS VARCHAR)');
  });

  test('regex keeps or drops rows by a pattern', async () => {
    const accepted = await rows('sourcetype=linux_secure | regex "Accepted \\w+ for" | table id');
    const failed = await rows(
      'sourcetype=linux_secure | regex _raw!="Accepted \\w+ for" | table id',
    );
    const all = await rows('sourcetype=linux_secure | table id');
    expect(accepted.length).toBeGreaterThan(0);
    expect(failed.length).toBeGreaterThan(0);
    expect(accepted.length + failed.length).toBe(all.length);
    expect(await rows('| regex user="^al" | table user')).toEqual([{ user: 'alice' }]);
    const [error] = parseQuery('| regex user="(?<=a)b"').errors;
    expect(error).toMatchObject({ code: 'function.invalid_regex', column: 14 });
  });

  test('rex extracts named groups for later stages', async () => {
    const result = await rows(
      'sourcetype=linux_secure | rex "(?<outcome>Accepted|Failed) password for (?<who>\\S+)" | stats count by outcome, who',
    );
    expect(result).toContainEqual({ outcome: 'Failed', who: 'root', count: '1' });
    const bytes = await rows(
      '| rex field=raw "bytes=(?<bytes>[0-9]+)" | where isnotnull(bytes) | table bytes',
    );
    expect(bytes.map((row) => row.bytes).sort()).toEqual(['1200', '5400']);
  });

  test('spath and mvexpand', async () => {
    const result = await rows(
      'class_uid=9001 | spath path=user.name output=who | table id, who | sort id',
    );
    expect(result).toEqual([
      { id: 'f01', who: 'eve' },
      { id: 'f02', who: null },
    ]);
    const tags = await rows(
      'class_uid=9001 | spath input=raw path=tags | mvexpand tags | table tags',
    );
    expect(tags.map((row) => row.tags).sort()).toEqual(['a', 'b', 'c', null]);
    const values = await rows('class_uid=3002 | stats values(user) as users | mvexpand users');
    expect(values.map((row) => row.users)).toEqual(['Admin', 'admin', 'alice', 'root']);
  });

  test('array paths', async () => {
    expect((await rows('attacks{}.technique.uid=t1053 | table id')).map((row) => row.id)).toEqual([
      'f01',
    ]);
    expect(
      (await rows('attacks[0].tactic.name=discovery | table id')).map((row) => row.id),
    ).toEqual(['f02']);
    const listed = await rows(
      'class_uid=9001 | eval n=attacks[0].tactic.name | table id, n | sort id',
    );
    expect(listed).toEqual([
      { id: 'f01', n: 'Execution' },
      { id: 'f02', n: 'Discovery' },
    ]);
  });

  test('transaction sessions by maxpause', async () => {
    const result = await rows('class_uid=3002 | transaction src_ip maxpause=30m | sort src_ip');
    const admin = result.find((row) => row.src_ip === '203.0.113.7');
    expect(admin).toMatchObject({ eventcount: '2' });
    expect(Number(admin!.duration)).toBeGreaterThan(0);
    const split = await rows('class_uid=3002 src_ip=203.0.113.7 | transaction src_ip maxpause=1s');
    expect(split).toHaveLength(2);
  });

  test('transaction keeps the fields of its events', async () => {
    const [admin] = await rows(
      'class_uid=3002 src_ip=203.0.113.7 | eval tried=user | transaction src_ip | table user, host, src_port, tried, raw',
    );
    expect(admin).toEqual({
      user: ['Admin', 'admin'],
      host: ['web01', 'web02'],
      src_port: ['41000'],
      tried: ['Admin', 'admin'],
      raw: expect.stringMatching(/^sshd\[\d+\]: Failed .*\nsshd\[\d+\]: Failed /),
    });
    const [row] = await rows(
      'class_uid=3002 src_ip=203.0.113.7 | transaction src_ip | where user="admin" | stats count',
    );
    expect(row).toEqual({ count: '1' });
  });

  test('numeric text compares by value', async () => {
    const port = '| rex "port (?<p>\\d+)" | rex "sshd\\[(?<pid>\\d+)" | where isnotnull(p)';
    const both = await rows(`${port} | where p > pid | table p pid`);
    // Lexically "5022" is less than "901", and as numbers it is greater.
    expect(both).toEqual(
      (await rows(`${port} | where isnotnull(pid) | table p pid`)).filter(
        (row) => Number(row.p) > Number(row.pid),
      ),
    );
    expect(both.length).toBeGreaterThan(0);
    // A quoted string on one side compares as text, as in Splunk.
    const text = await rows(`${port} | where p > "6" | table p`);
    expect(text).toEqual([]);
  });

  test('numeric text sorts by value', async () => {
    const port = '| rex "port (?<p>\\d+)" | where isnotnull(p)';
    expect(await rows(`${port} | stats max(p) as high, min(p) as low, count`)).toEqual([
      { high: '50000', low: '5022', count: '4' },
    ]);
    const sorted = await rows(`${port} | sort - p | table p`);
    expect(sorted.map((row) => row.p)).toEqual(['50000', '41022', '41000', '5022']);
    const ascending = await rows(`${port} | sort p | table p`);
    expect(ascending.map((row) => row.p)).toEqual(['5022', '41000', '41022', '50000']);
    // Other text in lexical order: after the numbers going up, before them going down.
    const mixed = `${port} | eval p = if(p = "5022", "n/a", p)`;
    expect((await rows(`${mixed} | sort p | table p`)).map((row) => row.p)).toEqual([
      '41000',
      '41022',
      '50000',
      'n/a',
    ]);
    expect((await rows(`${mixed} | sort - p | table p`)).map((row) => row.p)).toEqual([
      'n/a',
      '50000',
      '41022',
      '41000',
    ]);
    expect(await rows(`${mixed} | stats max(p) as high`)).toEqual([{ high: 'n/a' }]);
  });

  test('lookup joins an uploaded table, case-insensitively, first row per key', async () => {
    const result = await rows(
      'class_uid=3002 | lookup users username as user output full_name as name, team | table user, name, team | sort user',
    );
    expect(result).toContainEqual({ user: 'alice', name: 'Alice A.', team: 'eng' });
    expect(result).toContainEqual({ user: 'root', name: null, team: null });
    expect(result.filter((row) => row.user?.toString().toLowerCase() === 'admin')).toHaveLength(2);
    expect(parseQuery('| lookup users username as user').ast).toBeDefined();
    const parsed = parseQuery('| lookup nosuch user');
    expect(() => compileQuery(parsed.ast!, OPTIONS)).toThrow(/Unknown lookup table/);
  });

  test('lookup names the column an unknown match field was for', () => {
    const [error] = parseQuery('| lookup users username').errors;
    expect(error?.code).toBe('lookup.unknown_field');
    expect(error?.message).toMatch(/lookup users username as src_ip/);
  });

  test('inputlookup lists the rows of a table', async () => {
    const result = await rows('| inputlookup users | where team != "dup" | sort username');
    expect(result).toEqual([
      { username: 'ADMIN', full_name: 'The Admin', team: 'ops' },
      { username: 'alice', full_name: 'Alice A.', team: 'eng' },
    ]);
    expect(parseQuery('| inputlookup users | stats count by team').errors).toEqual([]);
    expect(await rows('| inputlookup users.csv | stats count')).toEqual([{ count: '3' }]);
    expect(() => compileQuery(parseQuery('| inputlookup nosuch').ast!, OPTIONS)).toThrow(
      /Unknown lookup table/,
    );
    expect(parseQuery('user=alice | inputlookup users').errors[0]?.code).toBe('stage.not_first');
  });

  test('lookup outputnew keeps values a field has', async () => {
    const result = await rows(
      'class_uid=3002 | eval team=if(user="alice", "preset", null()) | lookup users username as user outputnew team | table user, team | sort user',
    );
    expect(result).toContainEqual({ user: 'alice', team: 'preset' });
    expect(result.filter((row) => row.user === 'admin').map((row) => row.team)).toEqual(['ops']);
    expect(result).toContainEqual({ user: 'root', team: null });
    const replaced = await rows(
      'class_uid=3002 user=alice | eval team="preset" | lookup users username as user output team | table team',
    );
    expect(replaced.map((row) => row.team)).toContain('eng');
  });

  test('lookup without output gives later stages every column of the table', async () => {
    const result = await rows(
      'class_uid=3002 | lookup users username as user | where isnotnull(team) | table user, full_name, team | sort full_name',
    );
    expect(result).toContainEqual({ user: 'alice', full_name: 'Alice A.', team: 'eng' });
    expect(result.every((row) => row.team !== null)).toBe(true);
    const counted = await rows(
      'class_uid=3002 | lookup users username as user | stats count by team | sort team',
    );
    expect(counted.map((row) => row.team)).toContain('eng');
    // Checked without the tables, the query passes; compiled with them, a wrong column fails.
    const unknown = parseQuery('| lookup users username as user | table nosuch');
    expect(unknown.errors).toEqual([]);
    expect(() => compileQuery(unknown.ast!, OPTIONS)).toThrow(/Unknown field 'nosuch'/);
  });

  test('percentiles, median, earliest and latest', async () => {
    const result = await rows(
      'class_uid=3002 | stats perc95(src_port) p50(src_port) median(src_port) earliest(user) latest(user)',
    );
    const other = await rows(
      'class_uid=3002 | stats exactperc50(src_port), upperperc50(src_port), estdc(user) as e, dc(user) as d',
    );
    expect(other[0]).toMatchObject({
      'exactperc50(src_port)': 45500,
      'upperperc50(src_port)': 45500,
    });
    expect(other[0]?.e).toBe(other[0]?.d);
    // p50 names its column as written, as in Splunk.
    expect(result[0]).toMatchObject({
      'p50(src_port)': 45500,
      'median(src_port)': 45500,
      'earliest(user)': 'root',
      'latest(user)': 'alice',
    });
    expect(Number(result[0]!['perc95(src_port)'])).toBeGreaterThan(48000);
  });
});

/**
 * SSH sessions for the transaction tests: id, minutes before NOW_MS, user and message. alice
 * has a stray event between two sessions, and bob an event before his first login.
 */
const SESSION_EVENTS: [string, number, string, string][] = [
  ['s01', 60, 'alice', 'session opened for user alice'],
  ['s02', 55, 'alice', 'command ls by alice'],
  ['s03', 50, 'alice', 'session closed for user alice'],
  ['s04', 45, 'alice', 'command cron by alice'],
  ['s05', 40, 'alice', 'session opened for user alice'],
  ['s06', 35, 'alice', 'command vi by alice'],
  ['s07', 58, 'bob', 'command uptime by bob'],
  ['s08', 52, 'bob', 'session opened for user bob'],
  ['s09', 30, 'bob', 'session closed for user bob'],
];

describe('transaction startswith, endswith and maxevents', () => {
  beforeAll(async () => {
    await connection.run(createEventsTableSql('sessions'));
    for (const [id, minutesAgo, user, message] of SESSION_EVENTS) {
      const statement = insertEventStatement({
        id,
        minutesAgo,
        columns: { class_uid: 3002, user_name: user, host: 'ssh01', message },
        ocsf: { class_uid: 3002 },
        raw: `${id} sshd: ${message}`,
      });
      const sql = statement.sql.replace('INSERT INTO events', 'INSERT INTO sessions');
      await connection.run(sql, statement.params as never);
    }
  });

  /** Returns the transactions of a query over the sessions as event ids, oldest first. */
  async function transactions(text: string): Promise<string[][]> {
    const parsed = parseQuery(`${text} | sort _time | table raw`);
    if (parsed.ast === undefined) throw new Error(`${text}: ${JSON.stringify(parsed.errors)}`);
    const compiled = compileQuery(parsed.ast, { ...OPTIONS, source: 'sessions' });
    const reader = await connection.runAndReadAll(compiled.sql, compiled.params as never);
    return reader.getRowObjectsJson().map((row) =>
      String(row.raw)
        .split('\n')
        .map((line) => line.split(' ')[0]!),
    );
  }

  test('startswith and endswith bound sessions', async () => {
    const result = await transactions(
      '| transaction user startswith="session opened" endswith="session closed"',
    );
    // s04 follows an end without a start, and s07 comes before bob's first start.
    expect(result).toEqual([
      ['s01', 's02', 's03'],
      ['s08', 's09'],
      ['s05', 's06'],
    ]);
  });

  test('endswith alone keeps every event', async () => {
    const result = await transactions(
      '| transaction user endswith=eval(like(message, "session closed%"))',
    );
    expect(result).toEqual([
      ['s01', 's02', 's03'],
      ['s07', 's08', 's09'],
      ['s04', 's05', 's06'],
    ]);
  });

  test('maxevents counts from the newest event', async () => {
    const whole = await transactions('| transaction user startswith="session opened"');
    expect(whole).toEqual([
      ['s01', 's02', 's03', 's04'],
      ['s08', 's09'],
      ['s05', 's06'],
    ]);
    const capped = await transactions('| transaction user startswith="session opened" maxevents=2');
    expect(capped).toEqual([
      ['s01', 's02'],
      ['s08', 's09'],
      ['s03', 's04'],
      ['s05', 's06'],
    ]);
  });

  test('a maxpause gap also starts a kept transaction', async () => {
    // The events of alice are 5 minutes apart, which is not more than maxpause. s08 and s09
    // follow a longer pause, so each starts a transaction, and s07 has no start before it.
    const result = await transactions(
      '| transaction user startswith=(message="session opened*") maxpause=5m',
    );
    expect(result).toEqual([['s01', 's02', 's03', 's04'], ['s08'], ['s05', 's06'], ['s09']]);
  });

  test('maxevents defaults to 1000', async () => {
    const counts = async (text: string) =>
      (await rows(text)).map((row) => Number(row.eventcount)).sort((a, b) => a - b);
    expect(await counts('| makeresults count=1001 | transaction')).toEqual([1, 1000]);
    expect(await counts('| makeresults count=1001 | transaction maxevents=-1')).toEqual([1001]);
  });
});

describe('display names', () => {
  test('names in quotes after as and rename', async () => {
    const result = await rows(
      '| stats count as "Failed Logins (n)" by user | sort - "Failed Logins (n)", user | head 1 | rename user as "User Name"',
    );
    expect(result).toEqual([{ 'User Name': 'bob', 'Failed Logins (n)': '2' }]);
  });

  test('an unknown display name is an unknown field', () => {
    const [error] = parseQuery('| stats count by user | sort - "Failed Logins"').errors;
    expect(error?.code).toBe('field.unknown');
    expect(error?.message).toMatch(/earlier stages made user, count/);
  });

  test('reject quotes and semicolons', () => {
    expect(parseQuery('| stats count as "a\'b"').errors[0]?.code).toBe('name.invalid');
    expect(parseQuery('| rename user as "x;y"').errors[0]?.code).toBe('name.invalid');
  });
});

describe('calendar spans', () => {
  test('timechart by month starts buckets on the first', async () => {
    const result = await rows('| timechart span=1mon count');
    const byText = await rows(
      '| eval month=strftime(_time, "%Y-%m-01 00:00:00") | stats count by month',
    );
    expect(result).toHaveLength(2);
    expect(result.map((row) => [row._time, row.count])).toEqual(
      byText.map((row) => [row.month, row.count]),
    );
  });

  test('bin by quarter and year', async () => {
    const quarters = await rows('| bin _time span=1q | stats count by _time');
    expect(quarters.map((row) => row._time)).toEqual(['2024-04-01 00:00:00']);
    const years = await rows('| bin _time span=1y as year | stats count by year');
    expect(years.map((row) => row.year)).toEqual(['2024-01-01 00:00:00']);
  });

  test('numbers in exponent notation stay numbers', async () => {
    const result = await rows('| where src_port > 4.5e4 | stats count');
    const plain = await rows('| where src_port > 45000 | stats count');
    expect(result).toEqual(plain);
  });
});

describe('TERM and PREFIX', () => {
  test('match whole terms or their starts', async () => {
    const count = async (text: string) => (await rows(`${text} | stats count`))[0]?.count;
    expect(await count('TERM(accepted)')).toBe('1');
    expect(await count('TERM(ccepted)')).toBe('0');
    expect(await count('PREFIX(acce)')).toBe('1');
    expect(await count('TERM(10.0.0)')).toBe('0');
    expect(await count('PREFIX(10.0.0)')).toBe(await count('10.0.0'));
  });
});

describe('rename with wildcards', () => {
  test('renames every matching field', async () => {
    const renamed = await rows(
      'class_uid=3002 | rename src_* as source_* | table source_ip, source_port | sort source_port',
    );
    const plain = await rows('class_uid=3002 | table src_ip, src_port | sort src_port');
    expect(renamed.map((row) => [row.source_ip, row.source_port])).toEqual(
      plain.map((row) => [row.src_ip, row.src_port]),
    );
  });

  test('the new name needs as many stars', () => {
    expect(parseQuery('| rename src_* as x').errors[0]?.code).toBe('rename.invalid_pattern');
    expect(parseQuery('| rename nomatch_* as y_*').errors[0]?.code).toBe('field.no_match');
  });
});

describe('free text after transforming stages', () => {
  test('terms match the values of result columns', async () => {
    expect(await rows('| stats count by user | search ali')).toEqual([
      { user: 'alice', count: '1' },
    ]);
    const hosts = await rows('| stats count by host | search web* | sort host');
    expect(hosts.map((row) => row.host)).toEqual(['web01', 'web02']);
  });

  test('numbers and times match as text', async () => {
    expect(await rows('| makeresults | search 2024 | stats count')).toEqual([{ count: '1' }]);
    expect(await rows('| makeresults | search nothing | stats count')).toEqual([{ count: '0' }]);
  });
});

describe('spath without a path', () => {
  test('later stages read unknown names from the JSON', async () => {
    const result = await rows('class_uid=9001 | spath | stats count by tags{}');
    expect(result).toEqual([
      { 'tags{}': 'a', count: '1' },
      { 'tags{}': 'b', count: '1' },
      { 'tags{}': 'c', count: '1' },
    ]);
  });

  test('known names keep their meaning and text that is no JSON reads null', async () => {
    const result = await rows('class_uid=9001 | spath | table id, host, nosuch | sort id');
    expect(result).toEqual([
      { id: 'f01', host: 'web01', nosuch: null },
      { id: 'f02', host: 'web02', nosuch: null },
    ]);
  });

  test('spath keys override fields', async () => {
    const zeek = JSON.stringify({
      'id.orig_h': '10.0.0.9',
      duration: 150.5,
      service: 'dns',
      host: 'www.example.com',
      user: { name: 'zed' },
    });
    const result = await rows(
      `| head 1 | eval raw=${JSON.stringify(zeek)} | spath | table id.orig_h, duration, service, host, user, user.name, id`,
    );
    expect(result).toEqual([
      {
        'id.orig_h': '10.0.0.9',
        duration: '150.5',
        service: 'dns',
        host: 'www.example.com',
        // An object is no value, so the event's own user field stays: this event has none.
        user: null,
        'user.name': 'zed',
        id: 'f01',
      },
    ]);
  });

  test('spath keeps fields the JSON lacks', async () => {
    const result = await rows('class_uid=9001 | spath | table host | sort host');
    expect(result).toEqual([{ host: 'web01' }, { host: 'web02' }]);
  });

  test('spath numbers compare as numbers', async () => {
    const result = await rows(
      '| head 1 | eval raw="{\\"duration\\": 150.5}" | spath | search duration>100 | where duration < 200 | stats count',
    );
    expect(result).toEqual([{ count: '1' }]);
  });

  test('spath path reads dotted keys', async () => {
    const result = await rows(
      '| head 1 | eval raw="{\\"id.orig_h\\": \\"1.2.3.4\\"}" | spath path=id.orig_h output=origin | table origin',
    );
    expect(result).toEqual([{ origin: '1.2.3.4' }]);
  });

  test('an unknown name without spath is still an error', () => {
    expect(parseQuery('| stats count by nosuch').errors[0]?.code).toBe('field.unknown');
  });
});

describe('list fields', () => {
  test('stats groups by each element', async () => {
    const result = await rows('class_uid=9001 | stats count by attacks{}.technique.uid');
    expect(result).toEqual([
      { 'attacks{}.technique.uid': 'T1053', count: '1' },
      { 'attacks{}.technique.uid': 'T1059', count: '1' },
      { 'attacks{}.technique.uid': 'T1087', count: '1' },
    ]);
  });

  test('stats groups a values() list by element', async () => {
    const result = await rows(
      'class_uid=9001 | stats values(host) as hosts | stats count by hosts',
    );
    expect(result).toEqual([
      { hosts: 'web01', count: '1' },
      { hosts: 'web02', count: '1' },
    ]);
  });

  test('mvexpand expands a path into its own column', async () => {
    const result = await rows(
      'class_uid=9001 | mvexpand attacks{}.tactic.name | sort attacks{}.tactic.name | table attacks{}.tactic.name',
    );
    expect(result.map((row) => row['attacks{}.tactic.name'])).toEqual([
      'Discovery',
      'Execution',
      'Persistence',
    ]);
  });

  test('stats by an HEC array field', async () => {
    const result = await rows('| stats count by fields.tags');
    expect(result).toEqual([
      { 'fields.tags': 'dmz', count: '1' },
      { 'fields.tags': 'pci', count: '1' },
    ]);
    // A field sent with one value groups as before.
    expect(await rows('| stats count by fields.env')).toEqual([
      { 'fields.env': 'prod', count: '1' },
    ]);
  });

  test('eval and where read an HEC array field as its values', async () => {
    const result = await rows(
      '| where fields.tags="pci" | eval n=mvcount(fields.tags), j=mvjoin(fields.tags, ";"), last=mvindex(fields.tags, -1), one=mvcount(fields.env) | table id n j last one',
    );
    expect(result).toEqual([{ id: 'e01', n: '2', j: 'pci;dmz', last: 'dmz', one: '1' }]);
    // in, match and like are true for a list when they are for any value.
    for (const condition of [
      'fields.tags IN ("x", "dmz")',
      'in(fields.tags, "pci")',
      'match(fields.tags, "^pc")',
      'like(fields.tags, "dm%")',
      'fields.tags like "dm%"',
    ]) {
      expect(await rows(`| where ${condition} | table id`), condition).toEqual([{ id: 'e01' }]);
    }
    const [split] = await rows(
      '| makeresults | eval a=split("p,q", ",") | where in(a, "q") | eval ok=1 | table ok',
    );
    expect(split).toEqual({ ok: '1' });
    // Comparisons stay case-sensitive, as in Splunk's where.
    expect(await rows('| where fields.tags="PCI" OR fields.team="blue" | table id')).toEqual([]);
    expect(await rows('| where fields.team="Blue" | table id')).toEqual([{ id: 'e01' }]);
  });

  test('quoted metric field names', async () => {
    const result = await rows(
      "| where 'fields.metric_name:cpu.idle' > 40 | stats avg('fields.metric_name:cpu.idle') as idle, values('fields.metric_name:mem-free') as free by host",
    );
    expect(result).toEqual([{ host: 'web01', idle: 42.5, free: ['1024'] }]);
    expect(parseQuery("| where 'fields.a\"b' = 1").errors[0]?.code).toBe('field.invalid_name');
  });

  test('top percent of list values', async () => {
    const tags = await rows('| top fields.tags');
    expect(tags.map((row) => [row['fields.tags'], row.count, row.percent])).toEqual([
      ['dmz', '1', 100],
      ['pci', '1', 100],
    ]);
    const techniques = await rows('class_uid=9001 | top attacks{}.technique.uid by host');
    expect(techniques.map((row) => [row.host, row.count, row.percent])).toEqual([
      ['web01', '1', 100],
      ['web01', '1', 100],
      ['web02', '1', 100],
    ]);
    // A field with one value per event still shares out 100 percent.
    const users = await rows('| top user');
    expect(users.reduce((sum, row) => sum + Number(row.percent), 0)).toBeCloseTo(100);
  });

  test('timechart by a list keeps NULL', async () => {
    const series = await rows('| timechart span=1y count by fields.tags');
    const total = await rows('| stats count');
    // The event with two tags is counted once for each.
    expect(cellTotal(series)).toBe(Number(total[0]?.count) + 1);
    expect(seriesNames(series)).toEqual(['dmz', 'pci', 'NULL']);
  });
});

describe('dedup options', () => {
  test('consecutive=true drops only repeats of the row before', async () => {
    const present = (await rows('| table user')).filter((row) => row.user !== null);
    const expected = present.filter(
      (row, index) => index === 0 || present[index - 1]?.user !== row.user,
    );
    const result = await rows('| dedup user consecutive=true | table user');
    expect(result).toEqual(expected);
    // Some user comes back after another, so plain dedup would give fewer rows.
    expect(result.length).toBeGreaterThan(new Set(expected.map((row) => row.user)).size);
  });

  test('keepempty=true keeps rows without the field', async () => {
    const withoutUser = await rows(
      '| dedup user keepempty=true | where isnull(user) | stats count',
    );
    const empty = await rows('| where isnull(user) | stats count');
    expect(withoutUser).toEqual(empty);
    expect(Number(empty[0]?.count)).toBeGreaterThan(0);
  });

  test('rejects a value other than true or false', () => {
    expect(parseQuery('| dedup user consecutive=maybe').errors[0]?.code).toBe(
      'stage.invalid_option',
    );
  });
});

describe('Splunk field names', () => {
  test('date fields come from the event time', async () => {
    const byField = await rows('| stats count by date_hour, date_wday | sort date_hour');
    const byText = await rows(
      '| eval h=tonumber(strftime(_time, "%H")), d=lower(strftime(_time, "%A")) | stats count by h, d | sort h',
    );
    expect(byField.map((row) => [Number(row.date_hour), row.date_wday, row.count])).toEqual(
      byText.map((row) => [Number(row.h), row.d, row.count]),
    );
  });

  test('CloudTrail names read their OCSF paths', () => {
    const parsed = parseQuery('errorCode=AccessDenied awsRegion=us-east-1');
    const compiled = compileQuery(parsed.ast!, OPTIONS);
    expect(compiled.params).toEqual(
      expect.arrayContaining(['$.api.response.error', '$.cloud.region']),
    );
  });
});

describe('time kept by earlier stages', () => {
  test.each([
    '| makeresults count=5 | timechart span=1h count',
    '| fields _time, user | timechart span=1mon count',
    '| table _time, user | timechart count',
    '| timechart span=1d count | timechart span=1mon sum(count)',
    '| stats count by _time, user | transaction user',
    '| table _time, user | stats earliest(user)',
  ])('%s', async (query) => {
    expect(parseQuery(query).errors).toEqual([]);
    expect((await rows(query)).length).toBeGreaterThan(0);
  });

  test('a stage that dropped the time is an error', () => {
    expect(parseQuery('| table user | timechart count').errors[0]).toMatchObject({
      code: 'stage.needs_time',
    });
  });
});

describe('conversion functions', () => {
  test('tonumber with a base and tostring with a format', async () => {
    const [row] = await rows(
      '| makeresults | eval a=tonumber("0x1F", 16), b=tonumber("0b1", 16), c=tonumber("101", 2), d=tonumber("zz", 16), e=tostring(255, "hex"), f=tostring(1234567, "commas"), g=tostring(1234.5678, "commas"), h=tostring(93784, "duration"), i=tostring(65, "duration"), j=tostring(-93784, "duration") | fields - _time',
    );
    expect(row).toEqual({
      a: '31',
      b: '177',
      c: '5',
      d: null,
      e: '0xFF',
      f: '1,234,567',
      g: '1,234.57',
      h: '1+02:03:04',
      i: '00:01:05',
      j: '-1+02:03:04',
    });
  });

  test('eval min, max and mvappend', async () => {
    const [row] = await rows(
      '| makeresults | eval a=min(3, 10, 2), b=max(3, 10, 2), c=min("b", "a10"), d=mvappend("x", split("y,z", ","), null(), 5) | fields - _time',
    );
    expect(row).toEqual({ a: '2', b: '10', c: 'a10', d: ['x', 'y', 'z', '5'] });
  });

  test('strptime without a year takes the current year', async () => {
    const [row] = await rows(
      '| makeresults | eval a=strftime(strptime("Mar 27 13:08:09", "%b %d %H:%M:%S"), "%F %T"), b=strftime(strptime("2023-03-27", "%F"), "%F") | fields - _time',
    );
    expect(row).toEqual({
      a: `${new Date(NOW_MS).getUTCFullYear()}-03-27 13:08:09`,
      b: '2023-03-27',
    });
  });

  test('strftime writes the zone as UTC', async () => {
    const [row] = await rows(
      '| makeresults | eval z=strftime(_time, "%Z %z %%Z") | fields - _time',
    );
    expect(row).toEqual({ z: 'UTC +0000 %Z' });
  });

  test('like with a field pattern', async () => {
    const [row] = await rows(
      '| makeresults | eval p="a.b%c_d*", m=like("a.bXXc1d*", p), n=like("a.bXXc12d*", p), o="axb" LIKE p | fields - _time, p',
    );
    expect(row).toEqual({ m: true, n: false, o: false });
  });

  test('type tests and typeof', async () => {
    const [row] = await rows(
      '| makeresults | eval a=isnum("5"), b=isnum("x"), c=isint(5), d=isint(5.5), e=isint("7"), f=isstr("x"), g=isstr("5"), h=isstr(5), i=typeof("x"), j=typeof(5), k=typeof(null), l=typeof(1==1), m=typeof(split("a,b", ",")) | fields - _time',
    );
    expect(row).toEqual({
      a: true,
      b: false,
      c: true,
      d: false,
      e: true,
      f: true,
      g: false,
      h: false,
      i: 'String',
      j: 'Number',
      k: 'Invalid',
      l: 'Boolean',
      m: 'Multivalue',
    });
  });

  test('multivalue functions keep Splunk order', async () => {
    const [row] = await rows(
      '| makeresults | eval a=split("b,a,b,c", ","), d=mvdedup(a), s=mvsort(a), f=mvfind(a, "^c"), n=mvfind(a, "z"), z=mvzip(a, s), y=mvzip(a, s, "=") | fields - _time, a',
    );
    expect(row).toEqual({
      d: ['b', 'a', 'c'],
      s: ['a', 'b', 'b', 'c'],
      f: 3,
      n: null,
      z: ['b,a', 'a,b', 'b,b', 'c,c'],
      y: ['b=a', 'a=b', 'b=b', 'c=c'],
    });
  });

  test('rex max_match and mode=sed', async () => {
    const [all] = await rows('| where id="e01" | rex max_match=0 "(?<n>\\d+)" | table n');
    expect(all).toEqual({ n: ['812', '10', '0', '0', '5', '50000', '2'] });
    const [two] = await rows(
      '| where id="e01" | rex max_match=2 "(?<n>\\d+)" | eval c=mvcount(n) | table n, c',
    );
    expect(two).toEqual({ n: ['812', '10'], c: '2' });
    const masked = await rows(
      '| where id="e01" | rex mode=sed "s/\\d+\\.\\d+\\.\\d+\\.(\\d+)/x.x.x.\\1/g" | eval r=_raw | table r',
    );
    expect(masked).toEqual([
      { r: 'sshd[812]: Accepted password for alice from x.x.x.5 port 50000 ssh2' },
    ]);
    const [first] = await rows('| where id="e01" | rex field=user mode=sed "s/a/4/" | table user');
    expect(first).toEqual({ user: '4lice' });
    const [swapped] = await rows(
      '| where id="e01" | rex field=user mode=sed "y/ace/ACE/" | table user',
    );
    expect(swapped).toEqual({ user: 'AliCE' });
    for (const sed of ['s/a/b/x', 'y/ab/x/', 'q/a/b/', 's/a/b']) {
      expect(parseQuery(`| rex mode=sed "${sed}"`).errors[0]?.code).toBe('rex.invalid_sed');
    }
    expect(parseQuery('| rex mode=awk "s/a/b/"').errors[0]?.code).toBe('stage.invalid_option');
    expect(parseQuery('| rex max_match=x "(?<a>a)"').errors[0]?.code).toBe('stage.invalid_option');
  });

  test('makemv splits text into a list', async () => {
    const [split] = await rows(
      '| makeresults | eval a="x, y,,z" | makemv delim="," a | eval n=mvcount(a) | table a, n',
    );
    expect(split).toEqual({ a: ['x', ' y', 'z'], n: '3' });
    const [tokens] = await rows(
      '| makeresults | eval a="k=1 k=22 j=3" | makemv tokenizer="k=(\\d+)" a | table a',
    );
    expect(tokens).toEqual({ a: ['1', '22'] });
    const [empty] = await rows(
      '| makeresults | eval a="a,,b" | makemv delim="," allowempty=t a | table a',
    );
    expect(empty).toEqual({ a: ['a', '', 'b'] });
    const [spaces] = await rows('| makeresults | eval a="p q" | makemv a | table a');
    expect(spaces).toEqual({ a: ['p', 'q'] });
    expect(parseQuery('| makemv delim="," tokenizer="x" a').errors[0]?.code).toBe(
      'stage.invalid_option',
    );
  });

  test('addtotals sums rows and columns', async () => {
    const summed = await rows('| stats count, dc(user) as u by host | addtotals');
    for (const row of summed) expect(row.Total).toBe(Number(row.count) + Number(row.u));
    const total = Number((await rows('| stats count'))[0]?.count);
    const columns = await rows(
      '| stats count by host | addtotals row=f col=t labelfield=host label=ALL',
    );
    expect(columns.at(-1)).toEqual({ host: 'ALL', count: total });
    const [replaced] = await rows(
      '| makeresults | eval a=1, b=2 | addtotals fieldname=a | fields - _time',
    );
    expect(replaced).toEqual({ a: 3, b: '2' });
    const named = await rows('| stats count, dc(user) as u by host | addtotals fieldname=Sum co*');
    for (const row of named) expect(row.Sum).toBe(Number(row.count));
    // After a final timechart, the series of each bucket add up.
    const buckets = await rows('| timechart span=1y count by host limit=2 | addtotals');
    expect(buckets.reduce((sum, row) => sum + Number(row.Total), 0)).toBe(total);
    expect(parseQuery('| addtotals | stats count').errors[0]?.code).toBe('stage.not_last');
    expect(parseQuery('| stats count by host | addtotals row=x').errors[0]?.code).toBe(
      'stage.invalid_option',
    );
  });

  test('convert changes values as Splunk does', async () => {
    const [row] = await rows(
      [
        '| where id="e01" | convert ctime(_time) as t | eval d="1+02:03:04", e="02:00:01",',
        's="1,234", u="10.5MB", x="bad" | convert dur2sec(d), dur2sec(e), rmcomma(s), rmunit(u),',
        'num(x) as xn, dur2sec(x) as xd | table t, d, e, s, u, xn, xd',
      ].join(' '),
    );
    expect(row).toEqual({
      t: '05/01/2024 11:50:00',
      d: 93784,
      e: 7201,
      s: 1234,
      u: 10.5,
      xn: null,
      xd: null,
    });
    const [year] = await rows(
      '| where id="e01" | convert timeformat="%Y" ctime(_time) AS y | table y',
    );
    expect(year).toEqual({ y: '2024' });
    // _time stays a time without as.
    const [kept] = await rows('| where id="e01" | convert ctime(_time) | table _time');
    expect(kept).toEqual({ _time: '2024-05-01 11:50:00' });
    const [error] = parseQuery('| convert ctme(_time)').errors;
    expect(error).toMatchObject({ code: 'stage.invalid_conversion', suggestion: 'ctime' });
  });

  test('stages after a final timechart read its series', async () => {
    const RENAMED: Record<string, string> = { web01: 'web', OTHER: 'rest' };
    const base = await rows('earliest=-3h | timechart span=1h count by host limit=3');
    const result = await rows(
      'earliest=-3h | timechart span=1h count by host limit=3 | rename web01 as web, O* as rest | fillnull value=0 | fields - fw01 | addtotals | head 2',
    );
    const expected = base.slice(0, 2).map((row) => {
      const renamed = Object.entries(row)
        .filter(([name]) => name !== 'fw01')
        .map(([name, value]) => [RENAMED[name!] ?? name, value]);
      const total = renamed
        .filter(([name]) => name !== '_time')
        .reduce((sum, [, value]) => sum + Number(value), 0);
      return Object.fromEntries([...renamed, ['Total', total]]);
    });
    expect(Object.keys(base[0] ?? {})).toEqual(expect.arrayContaining(['web01', 'OTHER']));
    expect(result).toEqual(expected);
    const averages = await rows(
      'earliest=-3h | timechart span=1h avg(severity_id) by host limit=2 | fillnull value=NA | table _time, OTHER',
    );
    expect(averages.map((row) => row.OTHER)).toEqual(['NA', 'NA', 1]);
    const newest = await rows(
      'earliest=-3h | timechart span=1h count by host limit=2 | sort -_time',
    );
    expect(newest.map((row) => row._time)).toEqual([
      '2024-05-01 11:00:00',
      '2024-05-01 10:00:00',
      '2024-05-01 09:00:00',
    ]);
    const top = await rows('| stats count by host | addtotals | sort -Total, host | head 1');
    expect(top[0]?.host).toBe(
      (await rows('| stats count by host | sort -count, host | head 1'))[0]?.host,
    );
    // addtotals elsewhere runs on the returned rows too, so only such stages may follow it.
    const [error] = parseQuery('| stats count by host | addtotals | where count > 1').errors;
    expect(error?.code).toBe('stage.not_last');
    expect(error?.message).toContain('not where');
  });

  test('a huge number in one event gives no value, not a failed search', async () => {
    const [row] = await rows(
      [
        '| makeresults | eval size="99999999999999999999999", a=substr("abcdef", size),',
        'b=mvindex(split("a,b", ","), size), c=tostring(size, "commas"), d=strftime(tonumber(size), "%F"),',
        'e=tostring(size, "duration"), f=round(1.5, 99999999999), g=printf("%d", size),',
        'h=mvrange(0, size) | fields - _time, size',
      ].join(' '),
    );
    expect(row).toEqual({ a: null, b: null, c: null, d: null, e: null, f: 1.5, g: null, h: null });
  });

  test('spans and times past their range are errors', () => {
    for (const query of [
      '| timechart span=1000000000000d count',
      '| timechart span=9999999999y count',
      '| bin span=1000000000000d _time',
      '| transaction host maxpause=99999999999999d',
    ]) {
      expect(parseQuery(query).errors[0]?.code, query).toBe('stage.invalid_span');
    }
    expect(parseQuery('earliest=-99999999999d | stats count').errors[0]?.code).toBe('time.invalid');
  });

  test('epoch seconds in text are a time', async () => {
    const [row] = await rows(
      '| makeresults | eval ts="1700007000" | eval d=strftime(ts, "%F"), r=relative_time(ts, "@d") | convert ctime(ts) as c | fields - _time, ts',
    );
    expect(row).toEqual({ d: '2023-11-15', r: '2023-11-15 00:00:00', c: '11/15/2023 00:10:00' });
  });

  test('reverse inverts the current order', async () => {
    const forward = await rows('class_uid=3002 | table id');
    const backward = await rows('class_uid=3002 | reverse | table id');
    expect(backward).toEqual([...forward].reverse());
    const counts = await rows('| stats count by host | reverse | head 1');
    expect(counts).toEqual([{ host: 'win02', count: '1' }]);
    const generated = await rows(
      '| makeresults count=3 | streamstats count as n | reverse | table n',
    );
    expect(generated.map((row) => row.n)).toEqual(['3', '2', '1']);
  });

  test('mvfilter, mvrange, in, json_extract and time', async () => {
    const [row] = await rows(
      [
        '| makeresults | eval e=split("a@x.net,b@y.com,c@z.net", ","), f=mvfilter(match(e, "net$")),',
        'g=mvfilter(e != "b@y.com"), r=mvrange(1, 11, 2), big=mvrange(0, 1000000000),',
        'j=json_extract("{\\"a\\":{\\"b\\":3}}", "a.b"), i=if(in("x", "y", "x"), 1, 0),',
        't=time() - now() | eval none=isnull(big) | fields - _time, e, big',
      ].join(' '),
    );
    expect(row).toEqual({
      f: ['a@x.net', 'c@z.net'],
      g: ['a@x.net', 'c@z.net'],
      r: ['1', '3', '5', '7', '9'],
      j: '3',
      i: '1',
      t: 0,
      none: true,
    });
    const hosts = await rows('| where in(host, "web01", "fw01") | stats count');
    const both = await rows('| where host="web01" OR host="fw01" | stats count');
    expect(hosts).toEqual(both);
    expect(parseQuery('| makeresults | eval a=mvfilter(x > y)').errors[0]?.code).toBe(
      'function.invalid_argument',
    );
  });

  test('a dotted spath path points to its output', () => {
    const [error] = parseQuery(
      '| spath input=raw userIdentity.type | stats count by userIdentity.type',
    ).errors;
    expect(error?.code).toBe('field.unknown');
    expect(error?.suggestion).toBe('userIdentity_type');
    expect(error?.message).toContain("spath wrote this path as 'userIdentity_type'");
  });

  test('mvindex ranges and trim characters', async () => {
    const [row] = await rows(
      '| makeresults | eval a=split("a,b,c,d", ","), m=mvindex(a, 1, 2), n=mvindex(a, -2, -1), t=trim("xxaxx", "x"), l=ltrim("--a-", "-"), r=rtrim("-a--", "-") | fields - _time, a',
    );
    expect(row).toEqual({ m: ['b', 'c'], n: ['c', 'd'], t: 'a', l: 'a-', r: '-a' });
    expect(parseQuery('| eval x=lower("a", "b")').errors[0]?.message).toBe(
      'lower() takes 1 argument, found 2',
    );
  });

  test('printf converts values to what the format reads', async () => {
    const [row] = await rows(
      '| makeresults | eval p=printf("%d|%s|%.2f|%5s|%%|%x", "12", 1, "3.14159", "ab", 255) | fields - _time',
    );
    expect(row).toEqual({ p: '12|1|3.14|   ab|%|ff' });
    expect(parseQuery('| eval p=printf("%q", 1)').errors[0]?.code).toBe('function.invalid_format');
    expect(parseQuery('| eval p=printf("%s %s", 1)').errors[0]?.code).toBe('function.arity');
  });

  test('spath() reads a path of JSON text', async () => {
    const [row] = await rows(
      '| makeresults | eval j="{\\"u\\":{\\"n\\":\\"eve\\"},\\"t\\":[1,2]}", n=spath(j, "u.n"), t=spath(j, "t{}"), x=spath("no json", "u") | fields - _time, j',
    );
    expect(row).toEqual({ n: 'eve', t: ['1', '2'], x: null });
    expect(parseQuery('| eval x=spath(raw, user)').errors[0]?.code).toBe('function.invalid_path');
  });

  test('hashes, logarithms and small helpers', async () => {
    const [row] = await rows(
      '| makeresults | eval h=sha1("a"), l=round(ln(exp(2)), 6), p=pi(), c=ceiling(1.2), e=exact(3), n=nullif("a", "a"), o=nullif("a", "b"), z=ln(0) | fields - _time',
    );
    expect(row).toEqual({
      h: '86f7e437faa5a7fce15d1ddcb9eaeaea377667b8',
      l: 2,
      p: Math.PI,
      c: 2,
      e: '3',
      n: null,
      o: 'a',
      z: null,
    });
  });

  test('random() is a whole number below 2^31', async () => {
    const result = await rows(
      '| makeresults count=20 | eval r=random() | stats min(r) as lo, max(r) as hi',
    );
    expect(Number(result[0]?.lo)).toBeGreaterThanOrEqual(0);
    expect(Number(result[0]?.hi)).toBeLessThan(2 ** 31);
    expect(Number.isInteger(Number(result[0]?.hi))).toBe(true);
  });

  test('p100 is the largest value', async () => {
    expect(await rows('| stats p100(src_port) as p')).toEqual(
      await rows('| stats max(src_port) as p'),
    );
  });

  test('reject other bases and formats', () => {
    expect(parseQuery('| eval x=tonumber("7", 8)').errors[0]?.code).toBe(
      'function.invalid_argument',
    );
    expect(parseQuery('| eval x=tostring(1, "bad")').errors[0]?.code).toBe(
      'function.invalid_argument',
    );
  });
});

describe('values of mixed types', () => {
  test.each([
    ['| eval x=coalesce(user, 0) | stats count by x', '0'],
    ['| eval x=case(status_id=2, "fail", true(), 0) | stats count by x', 'fail'],
    ['| eval x=if(isnull(user), 0, user) | stats count by x', 'alice'],
    ['| eval x=if(status_id=2, "fail", 3) | stats count by x', '3'],
  ])('%s gives text', async (query, value) => {
    const result = await rows(query);
    expect(result.map((row) => row.x)).toContain(value);
  });

  test('numbers of two kinds stay numbers', async () => {
    const result = await rows('| eval x=if(status_id=2, 1, 2.5) | stats count by x');
    expect(result.map((row) => row.x)).toEqual([1, 2.5]);
  });
});

describe('makeresults', () => {
  test('makes rows at the search time', async () => {
    const result = await rows(
      '| makeresults count=3 | eval n=1 | stats sum(n) as n, max(_time) as t',
    );
    expect(Number(result[0]?.n)).toBe(3);
    expect(new Date(`${String(result[0]?.t)}Z`).getTime()).toBe(NOW_MS);
    const [age] = await rows('| makeresults | eval age=now() - _time | table age');
    expect(Number(age?.age)).toBe(0);
  });

  test('makes one row by default', async () => {
    const result = await rows('| makeresults | eval x=round(10/3, 2), s=upper("ok") | table x, s');
    expect(result).toEqual([{ x: 3.33, s: 'OK' }]);
  });

  test('rejects a place other than the start', () => {
    const errorOf = (text: string) => parseQuery(text).errors[0];
    expect(errorOf('user=alice | makeresults')).toMatchObject({
      code: 'stage.not_first',
      column: 14,
    });
    expect(errorOf('| head 1 | makeresults')?.code).toBe('stage.not_first');
    expect(errorOf('| makeresults count=100001')?.message).toMatch(/at most 100000 rows/);
  });

  test('reports an invalid count at its value', () => {
    const [error] = parseQuery('| makeresults count=0').errors;
    expect(error?.code).toBe('value.invalid_count');
    expect(error?.column).toBe(21);
    expect(parseQuery('| makeresults cuont=2').errors[0]?.suggestion).toBe('count');
  });
});

describe('delta, accum, autoregress and rangemap on DuckDB', () => {
  /** Returns the events' ids and ports, newest first, as the commands read them. */
  async function ports(): Promise<{ id: string; port: number | null }[]> {
    const result = await rows('| table id, src_port');
    return result.map((row) => ({
      id: String(row.id),
      port: row.src_port === null ? null : Number(row.src_port),
    }));
  }

  test('delta subtracts the value p rows before', async () => {
    const before = await ports();
    for (const p of [1, 2]) {
      const result = await rows(`| delta src_port as d p=${p} | table id, d`);
      const expected = before.map((row, index) => {
        const previous = before[index - p]?.port;
        return row.port === null || previous === null || previous === undefined
          ? null
          : row.port - previous;
      });
      expect(result.map((row) => row.id)).toEqual(before.map((row) => row.id));
      expect(result.map((row) => (row.d === null ? null : Number(row.d)))).toEqual(expected);
    }
    const named = await rows('| delta src_port | table "delta(src_port)"');
    expect(Object.keys(named[0] ?? {})).toEqual(['delta(src_port)']);
  });

  test('accum sums the numbers so far', async () => {
    const before = await ports();
    let total = 0;
    const expected = before.map((row) => {
      if (row.port === null) return null;
      total += row.port;
      return total;
    });
    const result = await rows('| accum src_port | table id, src_port');
    expect(result.map((row) => (row.src_port === null ? null : Number(row.src_port)))).toEqual(
      expected,
    );
    const withTotal = await rows('| accum src_port as running | table src_port, running');
    expect(withTotal.map((row) => row.src_port)).toEqual(
      (await rows('| table src_port')).map((row) => row.src_port),
    );
  });

  test('autoregress copies values from rows before', async () => {
    const before = await ports();
    const result = await rows('| autoregress src_port p=1-2 | table src_port_p1, src_port_p2');
    expect(result.map((row) => row.src_port_p1)).toEqual(
      before.map((_, index) => before[index - 1]?.port ?? null),
    );
    expect(result.map((row) => row.src_port_p2)).toEqual(
      before.map((_, index) => before[index - 2]?.port ?? null),
    );
    const named = await rows('| autoregress user as previous_user | table user, previous_user');
    expect(named[1]?.previous_user).toBe(named[0]?.user ?? null);
  });

  test('rangemap names the range of each value', async () => {
    const result = await rows(
      '| rangemap field=src_port low=0-1023 high=1024-65535 default=missing | table src_port, range',
    );
    const rangeOf = (port: number | undefined) => {
      if (port === undefined || port > 65535) return 'missing';
      return port <= 1023 ? 'low' : 'high';
    };
    for (const row of result) {
      const port = row.src_port === null ? undefined : Number(row.src_port);
      expect(row.range).toBe(rangeOf(port));
    }
    // Overlapping ranges make a list of every range the value lies in.
    const overlapping = await rows(
      '| makeresults | eval n=5 | rangemap field=n low=1-5 mid=5-10 top=20-30 | table range',
    );
    expect(overlapping).toEqual([{ range: ['low', 'mid'] }]);
    const none = await rows('| makeresults | eval n="x" | rangemap field=n low=1-5 | table range');
    expect(none).toEqual([{ range: 'None' }]);
    const negative = await rows(
      '| makeresults | eval n=-3 | rangemap field=n cold=-5--1 | table range',
    );
    expect(negative).toEqual([{ range: 'cold' }]);
  });

  test('delta and accum read a time as epoch seconds', async () => {
    const result = await rows(
      '| head 3 | delta _time as gap | eval t=_time+0 | delta t | table gap, "delta(t)"',
    );
    expect(result.map((row) => row.gap)).toEqual(result.map((row) => row['delta(t)']));
    expect(typeof result[1]?.gap).toBe('number');
  });

  test('division by zero gives no value', async () => {
    const result = await rows(
      '| makeresults | eval y=5/0, z=0/0, w=10/4 | eval missing=if(isnull(y), 1, 0) | table y, z, w, missing',
    );
    expect(result).toEqual([{ y: null, z: null, w: 2.5, missing: '1' }]);
  });

  test.each([
    ['| rangemap low=1-2', 'stage.missing_option'],
    ['| rangemap field=n low=5-1', 'stage.invalid_range'],
    ['| autoregress n p=3-1', 'stage.invalid_range'],
    ['| autoregress n p=1-101', 'stage.invalid_range'],
    ['| autoregress n as m p=1-2', 'stage.invalid_option'],
    ['| delta n p=0', 'value.invalid_count'],
  ])('%s is rejected', (text, code) => {
    expect(parseQuery(text).errors[0]?.code).toBe(code);
  });
});

describe('canonical JSON of the new stages', () => {
  test.each([
    '| bin span=5m time as t',
    '| chart avg(src_port) over host by user',
    '| chart count over host by user otherstr=rest nullstr="no user"',
    '| timechart count by user limit=3 otherstr=rest nullstr=none',
    '| eventstats dc(user) by host',
    '| streamstats window=3 sum(src_port) by host',
    '| streamstats current=f reset_on_change=t time_window=5m count by host',
    '| fillnull value="n/a" user, host',
    '| rex field=message "for (?<who>\\w+)"',
    '| spath input=raw path=a.b{}.c output=c',
    '| spath input=raw',
    '| mvexpand user',
    '| transaction host maxspan=1h maxpause=5m',
    '| transaction host startswith="Accepted" endswith=eval(status_id=2) maxevents=5',
    '| transaction host startswith=(user=admin OR "failed password") maxevents=-1',
    '| lookup users username as user output team',
    '| lookup users username as user outputnew team',
    '| dedup user, host consecutive=true keepempty=true sortby -_time',
    '| stats perc99.5(src_port) as p',
    '| makeresults count=3',
    '| delta src_port as d p=2',
    '| accum src_port as running',
    '| autoregress src_port p=2-3',
    '| rangemap field=src_port low=0-1023 high=1024-65535 default=none',
  ])('%s survives JSON', (text) => {
    const parsed = parseQuery(text);
    expect(parsed.errors).toEqual([]);
    const json = astToJson(parsed.ast!);
    expect(astToJson(astFromJson(JSON.parse(JSON.stringify(json))))).toEqual(json);
  });

  test.each([
    ['| fillnull', 'stage.missing_fields', 3],
    ['| rex field=nosuch "(?<a>x)"', 'field.unknown', 13],
    ['| spath input=nosuch path=a', 'field.unknown', 15],
    ['| streamstats window=0 count', 'value.invalid_count', 22],
    ['| stats count as n, count as n', 'name.duplicate', 21],
  ])('%s reports the error at column %#', (query, code, column) => {
    expect(parseQuery(query).errors[0]).toMatchObject({ code, column });
  });

  test('errors name the problem', () => {
    expect(parseQuery('| bin user').errors[0]?.code).toBe('stage.missing_option');
    expect(parseQuery('| rex "no groups"').errors[0]?.code).toBe('rex.no_groups');
    expect(parseQuery('| rex "(?<a>["').errors[0]?.code).toBe('rex.invalid_regex');
    expect(parseQuery('| transaction host maxspam=1h').errors[0]).toMatchObject({
      code: 'stage.invalid_option',
      suggestion: 'maxspan',
    });
  });
});

describe('subsearches on DuckDB', () => {
  const ids = async (text: string) => (await rows(text)).map((row) => row.id);

  test.each([
    ['[search user=admin status_id=2 | fields src_ip]', ['e02', 'e03']],
    ['[ user=admin | fields src_ip ] | table id, src_ip', ['e02', 'e03']],
    ['class_uid=4001 [search user=alice | fields src_ip]', ['e07']],
    ['class_uid=3002 NOT [search status_id=2 | fields src_ip]', ['e01']],
    ['* | search [search user=root | fields src_ip]', ['e04']],
    ['[search user=nobody | fields src_ip]', []],
    ['[search class_uid=4001 | stats count by class_uid | fields class_uid]', ['e07', 'e08']],
    [
      '[search class_uid=1007 | stats count by actor_user | rename actor_user as user | fields user]',
      ['e05', 'e06', 'e12'],
    ],
    [
      '[search class_uid=3002 | sort src_ip | dedup src_ip | head 1 | fields src_ip]',
      ['e01', 'e07', 'e09'],
    ],
    [
      '[search class_uid=3002 | stats values(src_ip) as src_ip by host | fields src_ip]',
      ['e01', 'e02', 'e03', 'e04', 'e07', 'e09'],
    ],
  ])('%s', async (text, expected) => {
    expect(await ids(text)).toEqual(expected);
  });

  test('subsearch term after stats', async () => {
    const text = '| stats count by src_ip | search [search user=admin | fields src_ip]';
    expect(await rows(text)).toEqual([{ src_ip: '203.0.113.7', count: '2' }]);
  });

  test('row without a field matches on the others', async () => {
    // e09 has src_ip 10.0.0.5 and no user, so its row matches every event from 10.0.0.5.
    const text = '[search class_uid=3002 OR class_uid=4003 | table src_ip, user]';
    expect(await ids(text)).toEqual(['e01', 'e02', 'e03', 'e04', 'e07', 'e09']);
  });

  test('list field of the events matches any value', async () => {
    const text =
      '[| makeresults | eval tag="DMZ" | rename tag as "fields.tags" | fields "fields.tags"]';
    expect(await ids(text)).toEqual(['e01']);
  });

  test('rows of many fields', async () => {
    const text = '[search user=admin | table src_ip, host, user, class_uid, status_id]';
    expect(await ids(text)).toEqual(['e02', 'e03']);
  });

  test('subsearch rows past 10,000 are left out', async () => {
    const subsearch = (count: number) =>
      `[| makeresults count=${count} | streamstats count as n | eval src_ip=if(n=${count}, "10.0.0.5", "0.0.0.0") | fields src_ip]`;
    expect(await ids(`class_uid=3002 ${subsearch(10_000)}`)).toEqual(['e01']);
    expect(await ids(`class_uid=3002 ${subsearch(10_001)}`)).toEqual([]);
  });

  test('subsearch reads the time range of the search', async () => {
    // e12 is three days old: inside the subsearch's range only when the search's range has it.
    const text = '[search class_uid=1001 | fields user] | table id';
    expect(await ids(`earliest=-1d ${text}`)).toEqual([]);
    expect(await ids(`earliest=-7d ${text}`)).toEqual(['e05', 'e12']);
  });

  test('join adds subsearch fields', async () => {
    const text =
      'class_uid=3002 | join src_ip [search class_uid=4001 OR class_uid=4003 | stats count as flows by src_ip] | table id, src_ip, flows';
    expect(await rows(text)).toEqual([{ id: 'e01', src_ip: '10.0.0.5', flows: '2' }]);
  });

  test('left join keeps unmatched rows', async () => {
    const text =
      'class_uid=3002 | join type=left src_ip [search class_uid=4001 OR class_uid=4003 | stats count as flows by src_ip] | table id, flows';
    expect(await rows(text)).toEqual([
      { id: 'e01', flows: '2' },
      { id: 'e02', flows: null },
      { id: 'e03', flows: null },
      { id: 'e04', flows: null },
    ]);
    const outer = text.replace('type=left', 'type=outer');
    expect(await rows(outer)).toEqual(await rows(text));
  });

  test('join max and overwrite', async () => {
    const join = (options: string) =>
      `user=alice | join ${options} src_ip [search class_uid=4001 OR class_uid=4003 | table src_ip, host, dst_ip] | table id, host, dst_ip`;
    expect(await rows(join(''))).toEqual([{ id: 'e01', host: 'fw01', dst_ip: '8.8.8.8' }]);
    // Rows joined to one event come in no defined order.
    const all = await rows(join('max=0'));
    expect(all.map((row) => row.host).sort()).toEqual(['dns01', 'fw01']);
    expect(all.map((row) => row.dst_ip).sort()).toEqual(['8.8.8.8', null]);
    expect(await rows(join('overwrite=f'))).toEqual([
      { id: 'e01', host: 'web01', dst_ip: '8.8.8.8' },
    ]);
  });

  test('join matches case-sensitively', async () => {
    const text =
      'class_uid=3002 | join user [| makeresults | eval user="ADMIN", role="ops" | fields user, role] | table id';
    expect(await ids(text)).toEqual([]);
    expect(await ids(text.replace('ADMIN', 'Admin'))).toEqual(['e03']);
  });

  test('later stages read joined fields', async () => {
    const text =
      'class_uid=3002 | join type=left src_ip [search class_uid=4001 OR class_uid=4003 | stats count as flows by src_ip] | where flows > 1 | stats count by host';
    expect(await rows(text)).toEqual([{ host: 'web01', count: '1' }]);
  });

  test('append adds rows after the others', async () => {
    const text =
      'class_uid=3002 | stats count by user | append [search class_uid=4001 | stats count by host]';
    expect(await rows(text)).toEqual([
      { user: 'Admin', count: '1', host: null },
      { user: 'admin', count: '1', host: null },
      { user: 'alice', count: '1', host: null },
      { user: 'root', count: '1', host: null },
      { user: null, count: '2', host: 'fw01' },
    ]);
  });

  test('append of events keeps each order', async () => {
    expect(await ids('class_uid=4002 | append [search class_uid=4001] | table id')).toEqual([
      'e10',
      'e11',
      'e07',
      'e08',
    ]);
    const counted = await rows(
      'class_uid=4002 | append [search class_uid=4001] | stats count by host',
    );
    expect(counted).toEqual([
      { host: 'fw01', count: '2' },
      { host: 'web01', count: '2' },
    ]);
  });

  test('append merges fields of two types as text', async () => {
    const text = '| makeresults | eval x=1 | append [| makeresults | eval x="a"] | table x';
    expect(await rows(text)).toEqual([{ x: '1' }, { x: 'a' }]);
  });

  test('subsearch reads the given source', async () => {
    const parsed = parseQuery('[search user=alice | fields src_ip] | append [search host=dns01]');
    const source = '(SELECT * FROM events WHERE "class_uid" <> 4001)';
    const compiled = compileQuery(parsed.ast!, { ...OPTIONS, source });
    expect(compiled.sql.split(source).length - 1).toBe(3);
    expect(compiled.sql.split('FROM events').length - 1).toBe(3);
    const reader = await connection.runAndReadAll(compiled.sql, compiled.params as never);
    expect(reader.getRowObjectsJson().map((row) => row.id)).toEqual(['e01', 'e09', 'e09']);
  });

  test('text and JSON give the same rows', async () => {
    const text =
      'class_uid=3002 [search status_id=2 | fields src_ip] | join type=left src_ip [search class_uid=4001 | table src_ip, dst_ip] | append [search host=dns01]';
    const ast = parseQuery(text).ast!;
    const fromJson = astFromJson(JSON.parse(JSON.stringify(astToJson(ast))));
    expect(compileQuery(fromJson, OPTIONS)).toEqual(compileQuery(ast, OPTIONS));
  });
});
