import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createEventsTableSql } from './catalog.js';
import {
  type CompileOptions,
  compileQuery,
  MAX_NESTING,
  parseQuery,
  parseQueryJson,
  QueryError,
  TOTAL_COLUMN,
} from './index.js';
import {
  cellTotal,
  FIXTURE_EVENTS,
  NOW_MS,
  openFixtureDatabase,
  seriesNames,
  serviceRows,
} from './test-fixtures.js';
import { parseRelativeTime } from './time.js';

let connection: DuckDBConnection;
let close: () => void;

beforeAll(async () => {
  ({ connection, close } = await openFixtureDatabase());
});

afterAll(() => close());

const OPTIONS: CompileOptions = { source: 'events', nowMs: NOW_MS };

function compile(text: string, options: Partial<CompileOptions> = {}) {
  const parsed = parseQuery(text);
  if (parsed.ast === undefined) throw new Error(`${text}: ${JSON.stringify(parsed.errors)}`);
  return compileQuery(parsed.ast, { ...OPTIONS, ...options });
}

async function rows(text: string, options: Partial<CompileOptions> = {}) {
  const compiled = compile(text, options);
  const reader = await connection.runAndReadAll(compiled.sql, compiled.params as never);
  return serviceRows(compiled, reader.columnNames(), reader.getRowObjectsJson());
}

async function ids(text: string, options: Partial<CompileOptions> = {}) {
  return (await rows(text, options)).map((row) => row.id);
}

describe('search filters on DuckDB', () => {
  test.each([
    ['user:admin', ['e02', 'e03']],
    ['user=CASE(Admin)', ['e03']],
    ['user:ADMIN status_id=2', ['e02', 'e03']],
    ['USER:alice', ['e01']],
    ['user!=admin class_uid=3002', ['e01', 'e04']],
    ['NOT user=admin class_uid=3002', ['e01', 'e04']],
    ['class_uid=3002 NOT user=admin NOT user=alice', ['e04']],
    ['class_uid>=4001 class_uid<4003', ['e07', 'e08', 'e10', 'e11']],
    ['class_uid>4002', ['e09']],
    ['fields.team=blue', ['e01']],
    ['fields.tags{}=DMZ', ['e01']],
    ['fields.tags{}=web', []],
    ['user=alice OR user=ADMIN OR src_ip=10.0.0.9 OR USER=carol', ['e01', 'e02', 'e03', 'e06']],
    ['user=alice OR user=CASE(Admin) OR user=CASE(admin)', ['e01', 'e02', 'e03']],
    ['clientip=10.0.0.5', ['e01', 'e07', 'e09']],
    ['EventCode=4688', ['e05']],
    ['eventid IN (4624, 4688)', ['e05']],
    ['signature="brute force"', ['e13']],
    ['date_mday=1 date_month=may class_uid=3002', ['e01', 'e02', 'e03', 'e04']],
    ['FIELDS.env:prod fields.team!=red', ['e01']],
    ['src_ip:10.0.0.0/8', ['e01', 'e07', 'e08', 'e09']],
    ['src_ip:10.0.0.0/24', ['e01', 'e07', 'e09']],
    ['src_ip!=10.0.0.0/8 class_uid=3002', ['e02', 'e03', 'e04']],
    ['src_endpoint.ip:203.0.113.7', ['e02', 'e03']],
    ['src_ip=10.0.0.5', ['e01', 'e07', 'e09']],
    ['src_ip!=203.0.113.7 class_uid=3002', ['e01', 'e04']],
    ['src_ip IN (10.0.0.5, 198.51.100.23)', ['e01', 'e04', 'e07', 'e09']],
    ['.src_endpoint.location.country:nl', ['e02', 'e03']],
    ['traffic.bytes>2000', ['e08']],
    ['traffic.bytes<=1200', ['e07']],
    ['process:power*', ['e05']],
    ['process:*.exe', ['e05', 'e06']],
    ['process:*shell*', ['e05']],
    ['process:p*l.e*', ['e05']],
    ['dns_query:*', ['e09']],
    ['user IN (root, alice)', ['e01', 'e04']],
    ['class_uid IN (1007, 4003)', ['e05', 'e06', 'e09']],
    ['host IN (win*, fw01) severity_id>1', ['e05']],
    ['failed', ['e02', 'e03', 'e04']],
    ['"failed password" root', ['e04']],
    ['brute OR powershell', ['e13', 'e05']],
    ['fail* admin', ['e02', 'e03']],
    ['class_uid=3002 (user=root OR src_port=50000)', ['e01', 'e04']],
    ['class_uid=3002 user=root OR src_port=50000', ['e01', 'e04']],
    ['sourcetype="pan:traffic"', ['e07', 'e08']],
    ['index=main host=web02', ['e03', 'e04']],
    ['file="C:\\\\Windows\\\\Temp\\\\evil\\*.exe"', []],
    ['http_status>=400', ['e11']],
    ['time>="2024-05-01T11:45:00Z"', ['e13', 'e01']],
    [`time<${NOW_MS - 100 * 60_000}`, ['e11']],
  ])('%s', async (query, expected) => {
    expect(await ids(query, { earliestMs: NOW_MS - 24 * 3_600_000 })).toEqual(expected);
  });

  test('star matches every event', async () => {
    expect(await ids('*')).toHaveLength(FIXTURE_EVENTS.length);
  });

  test('events are newest first without ocsf', async () => {
    const result = await rows('class_uid=3002');
    expect(result.map((row) => row.id)).toEqual(['e01', 'e02', 'e03', 'e04']);
    expect(result[0]).not.toHaveProperty('ocsf');
    expect(result[0]).toHaveProperty('raw');
  });

  test('file path with escaped star', async () => {
    expect(await ids('file="C:\\\\Windows\\\\Temp\\\\evil\\*.exe"')).toEqual(['e12']);
    expect(await ids('file:*\\*.exe')).toEqual(['e12']);
  });
});

describe('IPv6 CIDR on DuckDB', () => {
  const ADDRESSES = [
    '2001:db8::10',
    '2001:0db8:0000:0000:0000:0000:0000:0001',
    '2001:db9::1',
    '2001:DB8:ffff::',
    'fe80::1',
    '::1',
    '10.0.0.5',
    'not-an-ip',
    '2001:db8::1::2',
    '2001:db8:1:2:3:4:5',
    '12345::1',
  ];

  beforeAll(async () => {
    await connection.run(createEventsTableSql('ipv6_events'));
    for (const [index, address] of ADDRESSES.entries()) {
      await connection.run(
        'INSERT INTO ipv6_events ("id", "time", "src_ip") VALUES (?, epoch_ms(CAST(? AS BIGINT)), ?)',
        [`a${index}`, NOW_MS - index * 1000, address],
      );
    }
  });

  test.each([
    ['2001:db8::/32', ['a0', 'a1', 'a3']],
    ['2001:db8::/31', ['a0', 'a1', 'a2', 'a3']],
    ['2001:db8::/33', ['a0', 'a1']],
    ['fe80::/10', ['a4']],
    ['::1/128', ['a5']],
    ['::/0', ['a0', 'a1', 'a2', 'a3', 'a4', 'a5']],
  ])('%s', async (cidr, expected) => {
    expect(await ids(`src_ip:"${cidr}"`, { source: 'ipv6_events' })).toEqual(expected);
  });

  test('cidrmatch with IPv6', async () => {
    expect(await ids('| where cidrmatch("fe80::/16", src_ip)', { source: 'ipv6_events' })).toEqual([
      'a4',
    ]);
  });
});

describe('time range', () => {
  test('inline earliest overrides options', async () => {
    const compiled = compile('earliest=-15m', { earliestMs: 0 });
    expect(compiled.earliestMs).toBe(NOW_MS - 15 * 60_000);
    expect(await ids('earliest=-15m')).toEqual(['e13', 'e01']);
  });

  test('a start without an end ends now', () => {
    expect(compile('earliest=-15m').latestMs).toBe(NOW_MS);
    expect(compile('*', { earliestMs: NOW_MS - 60_000 }).latestMs).toBe(NOW_MS);
    expect(compile('earliest=-15m', { latestMs: NOW_MS - 60_000 }).latestMs).toBe(NOW_MS - 60_000);
    // All time has no end.
    expect(compile('earliest=0').latestMs).toBeUndefined();
    expect(compile('*').latestMs).toBeUndefined();
  });

  test('inline latest', async () => {
    expect(await ids('earliest=-1h latest=-25m')).toEqual(['e04', 'e05', 'e06']);
  });

  test('option range bounds the search', async () => {
    const result = await ids('*', { earliestMs: NOW_MS - 15 * 60_000, latestMs: NOW_MS });
    expect(result).toEqual(['e13', 'e01']);
  });

  test('time filter SQL shape', () => {
    const compiled = compile('user:alice', { earliestMs: 1000, latestMs: 2000 });
    expect(compiled.sql).toBe(
      'WITH s0 AS (SELECT * FROM events WHERE "time" >= epoch_ms(CAST(? AS BIGINT)) AND "time" < epoch_ms(CAST(? AS BIGINT)) AND lower(coalesce("user_name", "actor_user")) = lower(?)) SELECT * EXCLUDE ("ocsf") FROM s0 ORDER BY "time" DESC, "id" DESC LIMIT ?',
    );
    expect(compiled.params).toEqual([1000, 2000, 'alice', 1000]);
    expect(compiled.countSql).toBe(
      'WITH s0 AS (SELECT * FROM events WHERE "time" >= epoch_ms(CAST(? AS BIGINT)) AND "time" < epoch_ms(CAST(? AS BIGINT)) AND lower(coalesce("user_name", "actor_user")) = lower(?)) SELECT count(*) AS "count" FROM s0',
    );
    expect(compiled.countParams).toEqual([1000, 2000, 'alice']);
    expect(compiled.kind).toBe('events');
  });
});

describe('pipes on DuckDB', () => {
  test('stats count by field', async () => {
    const result = await rows('class_uid=3002 | stats count by status_id');
    expect(result).toEqual([
      { status_id: 1, count: '1' },
      { status_id: 2, count: '3' },
    ]);
  });

  test('search stage filters events and aggregates', async () => {
    expect(await ids('class_uid=3002 | search user:admin')).toEqual(
      await ids('class_uid=3002 user:admin'),
    );
    expect(await ids('| search failed NOT root')).toEqual(await ids('failed NOT root'));
    const busy = await rows('| stats count by host | search count>1 host=web*');
    expect(busy.length).toBeGreaterThan(0);
    for (const row of busy) {
      expect(Number(row.count)).toBeGreaterThan(1);
      expect(String(row.host)).toMatch(/^web/);
    }
  });

  test('stats leaves out rows that lack a by field', async () => {
    const result = await rows('| stats count by dns_query');
    expect(result).toEqual([{ dns_query: 'example.com', count: '1' }]);
    const renamed = await rows(
      '| stats dc(host) by class_uid | where \'dc(host)\' >= 1 | sort -"dc(host)" | rename "dc(host)" as hosts',
    );
    expect(renamed.length).toBeGreaterThan(0);
    expect(Object.keys(renamed[0]!)).toEqual(['class_uid', 'hosts']);
  });

  test('sort by a stats function without quotes', async () => {
    const sorted = await rows('| stats dc(host) by class_uid | sort - dc(host), class_uid');
    expect(sorted).toEqual(
      await rows('| stats dc(host) by class_uid | sort -"dc(host)", class_uid'),
    );
    const counts = sorted.map((row) => Number(row['dc(host)']));
    expect(counts.length).toBeGreaterThan(1);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });

  test('stats with several aggregates', async () => {
    const result = await rows(
      'class_uid=3002 | stats count() as attempts, dc(user) as users, values(host), min(src_port), max(src_port), earliest(user), latest(user) by status_id | sort -attempts',
    );
    expect(result).toEqual([
      {
        status_id: 2,
        attempts: '3',
        users: '3',
        'values(host)': ['web01', 'web02'],
        'min(src_port)': 41000,
        'max(src_port)': 41000,
        'earliest(user)': 'root',
        'latest(user)': 'admin',
      },
      {
        status_id: 1,
        attempts: '1',
        users: '1',
        'values(host)': ['web01'],
        'min(src_port)': 50000,
        'max(src_port)': 50000,
        'earliest(user)': 'alice',
        'latest(user)': 'alice',
      },
    ]);
  });

  test.each([
    [
      '| stats dc(user) by class_uid',
      'SELECT class_uid, count(DISTINCT coalesce(user_name, actor_user)) AS "dc(user)" FROM events WHERE class_uid IS NOT NULL GROUP BY 1',
    ],
    ['| stats dc(src_ip)', 'SELECT count(DISTINCT src_ip) AS "dc(src_ip)" FROM events'],
    [
      '| stats dc(host) as hosts, dc(HOST) as again by status_id, class_uid',
      'SELECT status_id, class_uid, count(DISTINCT host) AS hosts, count(DISTINCT host) AS again FROM events WHERE status_id IS NOT NULL AND class_uid IS NOT NULL GROUP BY 1, 2',
    ],
  ])('stats dc matches count(DISTINCT): %s', async (query, reference) => {
    const compiled = compile(query);
    const expected = await connection.runAndReadAll(`${reference} ORDER BY ALL`);
    const actual = await connection.runAndReadAll(
      `SELECT * EXCLUDE (${TOTAL_COLUMN}) FROM (${compiled.sql}) ORDER BY ALL`,
      compiled.params as never,
    );
    expect(actual.currentRowCount).toBeGreaterThan(0);
    expect(actual.getRowObjectsJson()).toEqual(expected.getRowObjectsJson());
  });

  test('stats sum and avg over JSON path', async () => {
    const result = await rows(
      'class_uid=4001 | stats sum(traffic.bytes) as total, avg(traffic.bytes), count(dst_ip)',
    );
    expect(result).toEqual([{ total: 6600, 'avg(traffic.bytes)': 3300, 'count(dst_ip)': '2' }]);
  });

  test('numbers of the OCSF schema compare as numbers', async () => {
    // Compared as text, '900' would be greater than '1200'.
    const compiled = compile('| stats max(traffic.bytes) as most, min(traffic.bytes) as least');
    expect(compiled.sql).toContain('max(TRY_CAST(json_extract_string("ocsf", ?) AS DOUBLE))');
    expect(await rows('| stats max(traffic.bytes) as most, min(traffic.bytes) as least')).toEqual([
      { most: 5400, least: 1200 },
    ]);
    expect(await rows('traffic.bytes>=1200 traffic.bytes<=5400 | stats count')).toEqual([
      { count: '2' },
    ]);
    expect(parseQuery('traffic.bytes=lots').errors[0]?.message).toBe(
      "Field expects a number, found 'lots'",
    );
    // A path the schema does not know stays text.
    expect(compile('| stats max(unmapped.size)').sql).toContain(
      'max(json_extract_string("ocsf", ?))',
    );
  });

  test('stats by several fields and head', async () => {
    const result = await rows(
      'class_uid=3002 | stats count by host, src_ip | sort -count, host | head 2',
    );
    expect(result).toEqual([
      { host: 'web01', src_ip: '10.0.0.5', count: '1' },
      { host: 'web01', src_ip: '203.0.113.7', count: '1' },
    ]);
    expect(compile('| stats count').kind).toBe('aggregate');
  });

  test('sort ascending and tail', async () => {
    // DuckDB compares text by code point, so upper case sorts first.
    expect(await ids('class_uid=3002 | sort user')).toEqual(['e03', 'e02', 'e01', 'e04']);
    expect(await ids('class_uid=3002 | sort - src_port user')).toEqual([
      'e01',
      'e02',
      'e03',
      'e04',
    ]);
    expect(await ids('class_uid=3002 | tail 2')).toEqual(['e04', 'e03']);
    expect(await ids('class_uid=3002 | head 2')).toEqual(['e01', 'e02']);
  });

  test('where with expressions', async () => {
    expect(await ids('| where class_uid = 3002 and (user = "root" or src_port > 45000)')).toEqual([
      'e01',
      'e04',
    ]);
    expect(await ids('| where cidrmatch("203.0.113.0/24", src_ip)')).toEqual(['e02', 'e03']);
    expect(await ids('| where user like "Adm%"')).toEqual(['e03']);
    expect(await ids('| where http_status in (403, 404)')).toEqual(['e11']);
    expect(await ids('| where traffic.bytes * 2 > 3000')).toEqual(['e08']);
    expect(await ids('| where not isnull(dns_query)')).toEqual(['e09']);
    expect(await ids('| where time > "2024-05-01T11:50:00Z"')).toEqual(['e13']);
  });

  test('eval creates fields for later stages', async () => {
    const result = await rows(
      'class_uid=4001 | eval kb = traffic.bytes / 1000, size = if(kb > 2, "large", "small"), name = upper(substr(host, 1, 2)) | table id, kb, size, name',
    );
    expect(result).toEqual([
      { id: 'e07', kb: 1.2, size: 'small', name: 'FW' },
      { id: 'e08', kb: 5.4, size: 'large', name: 'FW' },
    ]);
  });

  test.each([
    ['(?i)admin', true],
    ['(?P<user>\\w+)', true],
    ['a\\\\\\\\1', true],
    ['(?s:a.b)', true],
    ['(?=admin)', false],
    ['(?<!x)y', false],
    ['(a)\\1', false],
    ['(?<n>a)\\k<n>', false],
    ['(?>a)', false],
    ['a++', false],
    ['[', false],
  ])('regex %s passes the RE2 check: %s', (pattern, ok) => {
    const run = () => compile(`| where match(raw, "${pattern}")`);
    if (ok) expect(run).not.toThrow();
    else expect(run).toThrow(/Invalid regular expression/);
  });

  test('eval string, list, math and time functions', async () => {
    const [row] = await rows(
      [
        '| where id="e01" | eval parts = split(src_ip, "."), n = mvcount(parts), first = mvindex(parts, 0),',
        'last = mvindex(parts, -1), joined = mvjoin(parts, "-"), masked = replace(src_ip, "[0-9]+", "N"),',
        'f = floor(2.7), c = ceil(2.1), s = sqrt(16), p = pow(2, 10), l = log(1000), l2 = log(8, 2),',
        't = trim("  x  "), h = md5("a"), u = urldecode("a%20b"), e = exp(0), one = mvcount(src_ip),',
        'hm = strftime(strptime("2024-05-01 10:00", "%Y-%m-%d %H:%M"), "%H:%M"),',
        'day = strftime(1714566896, "%Y-%m-%d %H"), at = now()',
        '| table n, first, last, joined, masked, f, c, s, p, l, l2, t, h, u, e, one, hm, day, at',
      ].join(' '),
    );
    expect(row).toEqual({
      n: '4',
      first: '10',
      last: '5',
      joined: '10-0-0-5',
      masked: 'N.N.N.N',
      f: 2,
      c: 3,
      s: 4,
      p: 1024,
      l: 3,
      l2: 3,
      t: 'x',
      h: '0cc175b9c0f1b6a831c399e269772661',
      u: 'a b',
      e: 1,
      one: 1,
      hm: '10:00',
      day: '2024-05-01 12',
      at: new Date(NOW_MS).toISOString().replace('T', ' ').replace('.000Z', ''),
    });
  });

  test('more Splunk aggregates', async () => {
    const result = await rows(
      [
        'class_uid=3002 | stats distinct_count(user) as users, mean(status_id) as m,',
        'first(user) as newest, last(user) as oldest, list(user) as all, mode(status_id) as common,',
        'range(src_port) as spread, var(status_id) as v, varp(status_id) as vp,',
        'stdev(status_id) as s, stdevp(status_id) as sp',
      ].join(' '),
    );
    expect(result).toHaveLength(1);
    const [row] = result;
    // Users alice, admin, Admin and root, newest first; status 1, 2, 2, 2.
    expect(row).toMatchObject({ users: '4', newest: 'alice', oldest: 'root', common: 2 });
    expect(row?.all).toEqual(['alice', 'admin', 'Admin', 'root']);
    expect(row?.m).toBeCloseTo(1.75);
    expect(row?.v).toBeCloseTo(0.25);
    expect(row?.vp).toBeCloseTo(0.1875);
    expect(row?.s).toBeCloseTo(0.5);
    expect(row?.sp).toBeCloseTo(Math.sqrt(0.1875));
    expect(typeof row?.spread).toBe('number');
  });

  test('like(), true() and null() as in Splunk eval', async () => {
    expect(await ids('| where like(user, "al%")')).toEqual(['e01']);
    expect(parseQuery('eventName=ConsoleLogin').errors).toEqual([]);
    const result = await rows(
      'class_uid=3002 | eval k = case(user="alice", "a", true(), "other"), n = null() | stats count by k, n',
    );
    expect(result).toEqual([]);
    const kinds = await rows(
      'class_uid=3002 | eval k = case(user="alice", "a", true(), "other") | stats count by k',
    );
    expect(kinds).toEqual([
      { k: 'a', count: '1' },
      { k: 'other', count: '3' },
    ]);
  });

  test('aggregates of eval expressions', async () => {
    const result = await rows(
      'class_uid=3002 | stats count(eval(status_id=2)) as failures, sum(eval(status_id * 10)) as total, count as all',
    );
    expect(result).toEqual([{ failures: '3', total: 70, all: '4' }]);
    const byUser = await rows(
      'class_uid=3002 | eventstats count(eval(status_id=2)) as failures | where id="e01" | table failures',
    );
    expect(byUser).toEqual([{ failures: '3' }]);
    const [unnamed] = parseQuery('| stats count(eval(status_id=2))').errors;
    expect(unnamed?.code).toBe('aggregate.needs_name');
  });

  test('math outside its domain is null', async () => {
    const [row] = await rows(
      '| where id="e01" | eval a = log(0), b = sqrt(-1), c = log(8, 1), d = log(100) | table a, b, c, d',
    );
    expect(row).toEqual({ a: null, b: null, c: null, d: 2 });
  });

  test('relative_time as Splunk time modifiers', async () => {
    const modifiers: Record<string, string> = {
      a: '-1h@h',
      b: '@w1',
      c: '-1mon@mon',
      d: '-1d@d+8h',
      e: '@y',
      f: '+90s',
      g: '@w',
    };
    const evals = Object.entries(modifiers)
      .map(([name, modifier]) => `${name} = strftime(relative_time(t, "${modifier}"), "%F %T")`)
      .join(', ');
    const [row] = await rows(
      `| where id="e01" | eval t = strptime("2024-05-01 12:34:56", "%F %T") | eval ${evals} | table ${Object.keys(modifiers).join(', ')}`,
    );
    const at = Date.UTC(2024, 4, 1, 12, 34, 56);
    const expected = Object.fromEntries(
      Object.entries(modifiers).map(([name, modifier]) => [
        name,
        new Date(parseRelativeTime(modifier, at)!).toISOString().slice(0, 19).replace('T', ' '),
      ]),
    );
    expect(row).toEqual(expected);
    const [error] = parseQuery('| eval x = relative_time(_time, "-1q")').errors;
    expect(error?.code).toBe('function.invalid_argument');
  });

  test('Splunk time format specifiers', async () => {
    const [row] = await rows(
      [
        '| where id="e01" | eval t = strptime("2024-05-01 10:20:30.250", "%F %T.%3N"),',
        'a = strftime(t, "%F %T.%3N"), b = strftime(t, "%s"), c = strftime(t, "at %s, %e %b")',
        '| table a, b, c',
      ].join(' '),
    );
    expect(row).toEqual({
      a: '2024-05-01 10:20:30.250',
      b: '1714558830',
      c: 'at 1714558830, 1 May',
    });
    const [error] = parseQuery('| eval a = strftime(_time, "%Q")').errors;
    expect(error?.code).toBe('function.invalid_format');
    expect(error?.message).toContain("'%Q'");
    expect(error?.column).toBe(12);
  });

  test('numbers beyond 32 and 64 bits', async () => {
    const [row] = await rows(
      '| where id="e01" | eval a=100000*100000, b=2147483647+1, c=99999999999999999999, d=-9223372036854775808 | table a, b, c, d',
    );
    expect(row).toEqual({ a: 10000000000, b: '2147483648', c: 1e20, d: -(2 ** 63) });
    const [product] = await rows('| where id="e01" | eval p=3000000000*4000000000 | table p');
    expect(product?.p).toBe(1.2e19);
    expect(await ids('src_port=99999999999999999999')).toEqual([]);
    expect(parseQuery('| eval x=1e400').errors[0]?.code).toBe('value.invalid_number');
  });

  test('text concatenation with . and +', async () => {
    const [row] = await rows(
      [
        '| where id="e01" | eval x = user . "-" . src_ip, y = user + "@" + host,',
        'w = user . fields.nope, n = 1 + 2, m = "5" + 1 | table x, y, w, n, m',
      ].join(' '),
    );
    // Whole numbers are 64-bit integers, which the JSON rows of this test give as text.
    expect(row).toEqual({ x: 'alice-10.0.0.5', y: 'alice@web01', w: null, n: '3', m: 6 });
    // Without spaces, a dot after a string, a parenthesis or a name joins text too.
    const [tight] = await rows(
      '| where id="e01" | eval x="[".host."]", y=host.":".src_port, z="x".lower(user) | table x, y, z',
    );
    expect(tight).toEqual({ x: '[web01]', y: 'web01:50000', z: 'xalice' });
  });

  test('time arithmetic in epoch seconds, as in Splunk', async () => {
    const seconds = (NOW_MS - 15 * 60_000) / 1000;
    const [row] = await rows(
      [
        '| where id="e01" | eval later = _time + 3600, gap = later - _time,',
        'age = now() - _time, at = strftime(later, "%H:%M") | table gap, age, at',
      ].join(' '),
    );
    const later = new Date(NOW_MS - 10 * 60_000 + 3_600_000).toISOString().slice(11, 16);
    expect(row).toEqual({ gap: 3600, age: 600, at: later });
    // As text, a time is epoch seconds, as Splunk's `_time` is.
    const [text] = await rows(
      '| where id="e01" | eval t=tostring(_time), s="t=".now(), n=len(_time) | table t, s, n',
    );
    expect(text).toEqual({
      t: String((NOW_MS - 10 * 60_000) / 1000),
      s: `t=${NOW_MS / 1000}`,
      n: '10',
    });
    expect(await ids(`_time>${seconds}`)).toEqual(['e13', 'e01']);
    expect(await ids(`| where _time > ${seconds}`)).toEqual(['e13', 'e01']);
    expect(await ids(`earliest=${seconds}`)).toEqual(['e13', 'e01']);
    expect(await ids(`earliest=${seconds * 1000}`)).toEqual(['e13', 'e01']);
    const [span] = await rows(
      '| stats min(_time) as first, max(_time) as last | eval d = last - first | table d',
    );
    expect(span?.d).toBeGreaterThan(600);
    expect(Number.isInteger(span?.d)).toBe(true);
  });

  test('eval case, coalesce, len and lower', async () => {
    const result = await rows(
      'class_uid=3002 | eval who = coalesce(user, "none"), level = case(status_id = 1, "ok", status_id = 2, "bad"), n = len(lower(who)) | stats count by level, n',
    );
    expect(result).toEqual([
      { level: 'bad', n: '4', count: '1' },
      { level: 'bad', n: '5', count: '2' },
      { level: 'ok', n: '5', count: '1' },
    ]);
  });

  test('stats output feeds where', async () => {
    const result = await rows('class_uid=3002 | stats count by src_ip | where count > 1');
    expect(result).toEqual([{ src_ip: '203.0.113.7', count: '2' }]);
  });

  test('top and rare', async () => {
    const top = await rows('class_uid=3002 | top limit=2 src_ip');
    expect(top).toEqual([
      { src_ip: '203.0.113.7', count: '2', percent: 50 },
      { src_ip: '10.0.0.5', count: '1', percent: 25 },
    ]);
    const rare = await rows('| rare limit=1 sourcetype');
    expect(rare).toEqual([{ sourcetype: 'bind', count: '1', percent: (1 / 13) * 100 }]);
    const byHost = await rows('class_uid=3002 | top limit=1 user by host');
    expect(byHost).toEqual([
      { host: 'web01', user: 'admin', count: '1', percent: 50 },
      { host: 'web02', user: 'Admin', count: '1', percent: 50 },
    ]);
  });

  test('top display options', async () => {
    expect(await rows('class_uid=3002 | top limit=2 src_ip showperc=f')).toEqual([
      { src_ip: '203.0.113.7', count: '2' },
      { src_ip: '10.0.0.5', count: '1' },
    ]);
    expect(
      await rows('class_uid=3002 | top src_ip limit=2 countfield=hits percentfield=share'),
    ).toEqual([
      { src_ip: '203.0.113.7', hits: '2', share: 50 },
      { src_ip: '10.0.0.5', hits: '1', share: 25 },
    ]);
    expect(await rows('class_uid=3002 | rare limit=1 src_ip showcount=false showperc=0')).toEqual([
      { src_ip: '10.0.0.5' },
    ]);
    const [error] = parseQuery('| top user showperc=maybe').errors;
    expect(error?.message).toBe("showperc takes true or false, not 'maybe'");
  });

  test('timechart by span', async () => {
    const result = await rows('earliest=-2h | timechart span=1h count', {});
    expect(result).toEqual([
      { _time: '2024-05-01 10:00:00', count: '5' },
      { _time: '2024-05-01 11:00:00', count: '7' },
    ]);
    // One column per series, as in Splunk; a series without events in a bucket counts 0.
    const byClass = await rows('earliest=-1h | timechart span=30m count by class_uid');
    expect(byClass).toEqual([
      { _time: '2024-05-01 11:00:00', '1007': '2', '2004': 0, '3002': 0 },
      { _time: '2024-05-01 11:30:00', '1007': 0, '2004': '1', '3002': '4' },
    ]);
  });

  test('timechart picks a span for about 100 buckets', async () => {
    const day = await rows('earliest=-24h | timechart count');
    expect(day).toHaveLength(48);
    expect(day[1]?._time).toBe('2024-04-30 12:30:00');
    const hour = await rows('earliest=-1h | timechart count');
    expect(hour).toHaveLength(60);
    // Over all time, without a range to fit, the span is an hour, also from earliest=0.
    const all = await rows('| timechart count');
    expect(all[1]?._time).toBe('2024-04-28 13:00:00');
    expect(await rows('earliest=0 | timechart count')).toEqual(all);
  });

  test('timechart over all time fits the matched events', async () => {
    // Three days of matched events: a span of an hour makes 72 buckets, a smaller one too many.
    const matchedRange = { earliestMs: NOW_MS - 72 * 3_600_000, latestMs: NOW_MS };
    const all = await rows('| timechart count', { matchedRange });
    expect(all.length).toBeLessThanOrEqual(100);
    expect(Date.parse(`${all[1]?._time}Z`) - Date.parse(`${all[0]?._time}Z`)).toBe(3_600_000);
    // A year makes a bucket a week: 52 buckets, where a day would make 365.
    const year = { earliestMs: NOW_MS - 365 * 86_400_000, latestMs: NOW_MS };
    expect(compile('| timechart count', { matchedRange: year }).params).toContain(604_800_000);
    expect(compile('earliest=0 | timechart count', { matchedRange: year }).params).toContain(
      604_800_000,
    );
    // Past 100 weeks, calendar months, quarters or years: 40 years make 40 buckets of a year.
    const decades = { earliestMs: NOW_MS - 40 * 365 * 86_400_000, latestMs: NOW_MS };
    const yearly = compile('| timechart count', { matchedRange: decades });
    expect(yearly.sql).toContain('to_months(CAST(? AS INTEGER))');
    expect(yearly.params[0]).toBe(12);
    // Over all time, the statement that finds the range reads what the search part matches.
    expect(compile('user=admin | timechart count').eventRange?.params).toContain('admin');
    expect(compile('earliest=-1d | timechart count').eventRange).toBeUndefined();
    expect(compile('| timechart span=1h count').eventRange).toBeUndefined();
    // A range the query gives wins over the stored one.
    const day = await rows('earliest=-24h | timechart count', { matchedRange: year });
    expect(day).toHaveLength(48);
  });

  test('timechart fills the time range with empty buckets', async () => {
    const result = await rows(
      'earliest=-4h latest=-1h | timechart span=1h count, avg(severity_id)',
    );
    expect(result.map((row) => [row._time, row.count])).toEqual([
      ['2024-05-01 08:00:00', '0'],
      ['2024-05-01 09:00:00', '0'],
      ['2024-05-01 10:00:00', '5'],
    ]);
    // An average over no events is no value, not 0.
    expect(result[0]?.['avg(severity_id)']).toBeNull();

    // Without series, later stages see the empty buckets too.
    const empty = await rows('earliest=-4h latest=-1h | timechart span=1h count | where count=0');
    expect(empty.map((row) => row._time)).toEqual(['2024-05-01 08:00:00', '2024-05-01 09:00:00']);

    // cont=f returns only the buckets with events.
    const dense = await rows('earliest=-4h latest=-1h | timechart span=1h cont=f count');
    expect(dense.map((row) => row._time)).toEqual(['2024-05-01 10:00:00']);

    // Without a time range, from the first bucket with events to the last.
    const days = await rows('| timechart span=1d count');
    expect(days.map((row) => [row._time, row.count])).toEqual([
      ['2024-04-28 00:00:00', '1'],
      ['2024-04-29 00:00:00', '0'],
      ['2024-04-30 00:00:00', '0'],
      ['2024-05-01 00:00:00', '12'],
    ]);

    // earliest=0 is all time, from the first event to the last.
    const all = await rows('earliest=0 latest=now | timechart span=1d count');
    expect(all.map((row) => row._time)).toEqual(days.map((row) => row._time));

    // A range of more buckets than are filled in keeps the buckets with events.
    const seconds = await rows('earliest=-1y | timechart span=1s count');
    expect(seconds.every((row) => row.count !== '0')).toBe(true);

    // A later stage reads the rows before they are spread into columns.
    const long = await rows('| timechart span=1d count by host | where count > 1');
    expect(long.every((row) => typeof row.host === 'string')).toBe(true);
    expect(await rows('| where 1=2 | timechart count by host')).toEqual([]);
  });

  test('timechart keeps the top series and sums up the rest', async () => {
    const all = await rows('| timechart span=1d count by host limit=0');
    const top = await rows('| timechart span=1d count by host limit=2');
    expect(cellTotal(top)).toBe(cellTotal(all));
    expect(seriesNames(top)).toEqual(['fw01', 'web01', 'OTHER']);
    const dropped = await rows('| timechart span=1d useother=f count by host limit=2');
    expect(seriesNames(dropped)).toEqual(['fw01', 'web01']);
    expect(cellTotal(dropped)).toBeLessThan(cellTotal(all));
  });

  test('timechart OTHER of an average comes from the events', async () => {
    const result = await rows('| timechart span=1d avg(severity_id) by host limit=1');
    const top = `SELECT host FROM (SELECT time_bucket(INTERVAL 1 DAY, "time") AS b, host, avg(severity_id) AS a FROM events GROUP BY 1, 2) GROUP BY host ORDER BY sum(a) DESC NULLS LAST, host NULLS LAST LIMIT 1`;
    const reference = await connection.runAndReadAll(
      `SELECT avg(severity_id) AS a FROM events WHERE host IS DISTINCT FROM (${top}) GROUP BY time_bucket(INTERVAL 1 DAY, "time") ORDER BY time_bucket(INTERVAL 1 DAY, "time")`,
    );
    expect(seriesNames(result)).toHaveLength(2);
    const other = result.filter((row) => row.OTHER !== null);
    expect(other.map((row) => Number(row.OTHER).toFixed(6))).toEqual(
      reference
        .getRowObjectsJson()
        .filter((row) => row.a !== null)
        .map((row) => Number(row.a).toFixed(6)),
    );
  });

  test('table, fields, dedup and rename', async () => {
    expect(await rows('class_uid=3002 | dedup src_ip | table src_ip, user')).toEqual([
      { src_ip: '10.0.0.5', user: 'alice' },
      { src_ip: '203.0.113.7', user: 'admin' },
      { src_ip: '198.51.100.23', user: 'root' },
    ]);
    const renamed = await rows(
      'class_uid=3002 | rename src_ip as source_address | fields + id, source_address | head 1',
    );
    expect(renamed).toEqual([{ id: 'e01', source_address: '10.0.0.5' }]);
    const trimmed = await rows('user:alice | fields - raw, message');
    expect(trimmed[0]).not.toHaveProperty('raw');
    expect(trimmed[0]).toHaveProperty('user_name', 'alice');
  });

  test('table and fields with * patterns', async () => {
    const stats = '| stats count as n, dc(user) as users, dc(src_ip) as src_ips by class_uid';
    const [all] = await rows(`${stats} | table *`);
    expect(Object.keys(all!)).toEqual(['class_uid', 'n', 'users', 'src_ips']);
    const [some] = await rows(`${stats} | table class_uid, *s`);
    expect(Object.keys(some!)).toEqual(['class_uid', 'users', 'src_ips']);
    const [fewer] = await rows(`${stats} | fields - src*, N`);
    expect(Object.keys(fewer!)).toEqual(['class_uid', 'users']);
    const [event] = await rows('user=alice | table src_*, user*');
    expect(event).toMatchObject({ src_ip: '10.0.0.5', src_port: 50000, user_name: 'alice' });
    expect(parseQuery(`${stats} | table zz*`).errors[0]?.code).toBe('field.no_match');
  });

  test('dedup with a count and sortby', async () => {
    // 203.0.113.7 has admin (newer) and Admin; the default keeps the newest.
    expect(await rows('class_uid=3002 | dedup 2 src_ip | table src_ip, user')).toEqual([
      { src_ip: '10.0.0.5', user: 'alice' },
      { src_ip: '203.0.113.7', user: 'admin' },
      { src_ip: '203.0.113.7', user: 'Admin' },
      { src_ip: '198.51.100.23', user: 'root' },
    ]);
    expect(
      await rows('class_uid=3002 src_ip=203.0.113.7 | dedup src_ip sortby +_time | table user'),
    ).toEqual([{ user: 'Admin' }]);
    expect(
      await rows('class_uid=3002 src_ip=203.0.113.7 | dedup src_ip sortby -_time | table user'),
    ).toEqual([{ user: 'admin' }]);
    // Ties on the sortby keys keep the newest row.
    expect(
      await rows('class_uid=3002 src_ip=203.0.113.7 | dedup src_ip sortby -src_ip | table user'),
    ).toEqual([{ user: 'admin' }]);
    // The rows come out in the sortby order, oldest first here.
    expect(await rows('class_uid=3002 | dedup src_ip sortby +_time | table src_ip')).toEqual([
      { src_ip: '198.51.100.23' },
      { src_ip: '203.0.113.7' },
      { src_ip: '10.0.0.5' },
    ]);
  });

  test('where range before dedup', async () => {
    const query =
      '| where traffic.bytes > 1 and traffic.bytes < 60000 | eval l = len(raw) | dedup l';
    expect(await ids(query)).toEqual(['e07', 'e08']);
    expect(compile(query).sql).toContain('s1 AS MATERIALIZED (');
  });

  test('dotted group field is usable later', async () => {
    const result = await rows(
      'class_uid=3002 | stats count by .src_endpoint.location.country | sort -src_endpoint.location.country',
    );
    expect(result).toEqual([
      { 'src_endpoint.location.country': 'US', count: '1' },
      { 'src_endpoint.location.country': 'NL', count: '2' },
    ]);
  });

  test('top-level OCSF attribute without a dot', () => {
    const compiled = compile('Activity_Name=Logon');
    expect(compiled.sql).toContain('lower(json_extract_string("ocsf", ?)) = lower(?)');
    expect(compiled.params).toContain('$.activity_name');
    expect(() => compile('activty_name=Logon')).toThrow(/did you mean 'activity_name'/);
  });

  test('OCSF path of a promoted column ignores case', () => {
    expect(compile('Src_Endpoint.IP=1.2.3.4').sql).toContain('WHERE "src_ip" = ?');
  });

  test('integers beyond 2^53 are bigint parameters', async () => {
    const compiled = compile('process_pid=9007199254740993');
    expect(compiled.params[0]).toBe(9007199254740993n);
    expect(await ids('process_pid=9007199254740993')).toEqual([]);
  });

  test('limit option caps rows', async () => {
    expect(await ids('*', { limit: 3 })).toEqual(['e13', 'e01', 'e02']);
  });
});

describe('subsearches', () => {
  test('an empty subsearch is an error', () => {
    expect(() => compile('| append []')).toThrow(/The subsearch is empty/);
    expect(() => compile('index=main [ ]')).toThrow(/The subsearch is empty/);
  });

  test('subsearch term SQL', () => {
    const compiled = compile('index=main [search user=admin | fields src_ip]');
    expect(compiled.sql).toBe(
      'WITH s0 AS (SELECT * FROM events WHERE lower(coalesce("user_name", "actor_user")) = lower(?)), s1 AS (SELECT "src_ip" AS "src_ip" FROM s0 ORDER BY "time" DESC, "id" DESC), s2 AS MATERIALIZED (SELECT * FROM (SELECT *, row_number() OVER () AS "__row" FROM s1) WHERE "__row" <= ?), s3 AS MATERIALIZED (SELECT lower(CAST("src_ip" AS VARCHAR)) AS "__k0", "src_ip" IS NOT NULL AS "__p0" FROM s2), s4 AS (SELECT * FROM events WHERE (lower("index") = lower(?) AND lower("src_ip") IN (SELECT "__k0" FROM s3 WHERE "__p0" AND "__k0" IS NOT NULL))) SELECT * EXCLUDE ("ocsf") FROM s4 ORDER BY "time" DESC, "id" DESC LIMIT ?',
    );
    expect(compiled.params).toEqual(['admin', 10_000, 'main', 1000]);
  });

  test('two fields match per combination', () => {
    const { sql } = compile('[search user=admin | table src_ip, host]');
    expect(sql).toContain(
      '(lower("src_ip"), lower("host")) IN (SELECT "__k0", "__k1" FROM s3 WHERE "__p0" AND "__k0" IS NOT NULL AND "__p1" AND "__k1" IS NOT NULL)',
    );
    expect(sql).toContain(
      'lower("src_ip") IN (SELECT "__k0" FROM s3 WHERE "__p0" AND "__k0" IS NOT NULL AND NOT "__p1")',
    );
  });

  test('no needles or keys with a subsearch', () => {
    const compiled = compile('user=admin [search host=web01 | fields src_ip]', {
      keyedSource: 'keyed_events',
    });
    expect(compiled.needles).toBeUndefined();
    expect(compiled.keys).toBeUndefined();
    expect(compile('user=admin', { keyedSource: 'keyed_events' }).keys).toBeDefined();
  });

  test('internal index named in a subsearch', () => {
    const compiled = compile('[search index=_audit | fields user]', { hideInternalIndexes: true });
    expect(compiled.internalIndexes).toBe(true);
    // The outer search names no internal index, so it leaves them out.
    expect(compiled.sql).toContain('starts_with("index"');
  });

  test('subsearch of a join sees the outer range', async () => {
    const text =
      'host=win01 | join type=left user [search class_uid=1001 | stats count as old by user] | table id, old';
    expect(await rows(`earliest=-7d ${text}`)).toEqual([
      { id: 'e05', old: '1' },
      { id: 'e12', old: '1' },
    ]);
    expect(await rows(`earliest=-1d ${text}`)).toEqual([{ id: 'e05', old: null }]);
  });
});

describe('stats read a page of groups', () => {
  /**
   * Runs a query as the query service does: the bounded statement when the bound statement finds
   * a bound. Returns whether it did, the rows and their total before the limit.
   */
  async function page(text: string, limit: number) {
    const compiled = compile(text, { limit });
    let { sql, params } = compiled;
    let bounded = false;
    if (compiled.groupPage !== undefined) {
      const { boundSql, boundParams, boundAt } = compiled.groupPage;
      const found = await connection.runAndReadAll(boundSql, boundParams as never);
      const bound = found.getRowObjectsJS()[0]?.bound;
      if (typeof bound === 'string') {
        ({ sql, params } = compiled.groupPage);
        params = [...params];
        for (const at of boundAt) params[at] = bound;
        bounded = true;
      }
    }
    const reader = await connection.runAndReadAll(sql, params as never);
    const found = reader.getRowObjectsJson();
    return {
      bounded,
      total: Number(found[0]?.[TOTAL_COLUMN] ?? 0),
      rows: serviceRows(compiled, reader.columnNames(), found),
    };
  }

  test.each([
    '| stats dc(dst_ip) by src_ip',
    '| stats values(user) count by src_ip',
    '| stats dc(src_ip) by dst_port',
    '| stats dc(dst_ip) list(class_uid) by src_ip host',
    '| stats median(dst_port) by class_uid src_ip',
    '| stats dc(src_ip) by activity_name',
    '| eval who=upper(user) | stats dc(src_ip) as sources by who',
    'user=nobody | stats dc(src_ip) by user',
  ])('%s gives the rows and total of every group', async (text) => {
    for (const limit of [1, 2, 3, 1000]) {
      // A later stage makes the stats read every group; `where` keeps their order.
      const whole = await page(`${text} | where 1=1`, limit);
      const paged = await page(text, limit);
      expect(whole.bounded).toBe(false);
      // With fewer groups than the limit, there is no bound.
      expect(paged.bounded, `limit ${limit}`).toBe(paged.total >= limit);
      expect({ total: paged.total, rows: paged.rows }, `limit ${limit}`).toEqual({
        total: whole.total,
        rows: whole.rows,
      });
    }
  });

  test('pages only final set-aggregate stats', () => {
    const pages = (text: string) => compile(text).groupPage !== undefined;
    expect(pages('| stats dc(dst_ip) by src_ip')).toBe(true);
    expect(pages('| stats perc90(dst_port) by dst_port')).toBe(true);
    expect(pages('| stats count sum(dst_port) by src_ip')).toBe(false);
    expect(pages('| stats dc(dst_ip)')).toBe(false);
    expect(pages('| stats dc(dst_ip) by src_ip | sort - "dc(dst_ip)"')).toBe(false);
    expect(pages('| bin _time span=1h | stats dc(dst_ip) by _time')).toBe(false);
  });
});

describe('semantic errors', () => {
  test.each([
    ['usr:admin', 'field.unknown', 'user'],
    ['| table foo', 'field.unknown', undefined],
    ['tag=authentication', 'field.unknown', undefined],
    ['src_ipp=1.2.3.4', 'field.unknown', 'src_ip'],
    ['| fields - fields | where fields.env="prod"', 'field.removed', undefined],
    ['| stats count by hots', 'field.unknown', 'host'],
    ['class_uid=abc', 'value.not_a_number', undefined],
    ['src_ip:10.0.0.0/40', 'cidr.invalid', undefined],
    ['src_ip:"fe80::/129"', 'cidr.invalid', undefined],
    ['src_ip:"fe80:::1/64"', 'cidr.invalid', undefined],
    ['earliest=yesterday', 'time.invalid', undefined],
    ['| where lowr(user) = "a"', 'function.unknown', 'lower'],
    ['| where if(a, b)', 'function.arity', undefined],
    ['| stats count | table user', 'field.unknown', undefined],
    ['| eval 1x = 2', 'syntax', undefined],
    ['| stats count as "a;b"', 'name.invalid', undefined],
    ['| stats count by alert.signature', 'field.unknown', undefined],
    ['src_endpont.ip=10.0.0.1', 'field.unknown', 'src_endpoint.ip'],
    ['| stats count as " "', 'name.invalid', undefined],
    ['| rename user as a-b', 'syntax', undefined],
  ])('%s', (query, code, suggestion) => {
    const result = parseQuery(query);
    expect(result.ast).toBeUndefined();
    expect(result.errors[0]?.code.startsWith(code)).toBe(true);
    expect(result.errors[0]?.suggestion).toBe(suggestion);
  });

  test('words joined by OR match as any of them', async () => {
    const words = await ids('ALICE OR brute OR "no such words" OR Mimikatz');
    const expected = new Set([
      ...(await ids('alice')),
      ...(await ids('brute')),
      ...(await ids('mimikatz')),
    ]);
    expect(new Set(words)).toEqual(expected);
    expect(words.length).toBeGreaterThan(1);
    // With other terms, each is kept: a field equality or a wildcard word.
    expect(new Set(await ids('alice OR user=bob OR brut*'))).toEqual(
      new Set([...(await ids('alice')), ...(await ids('user=bob')), ...(await ids('brut*'))]),
    );
  });

  test('an invalid range underlines its value', () => {
    const [error] = parseQuery('user=a src_ip=1.2.3.4/33').errors;
    expect(error).toMatchObject({ code: 'cidr.invalid', column: 8, length: 17 });
  });

  test('nesting up to the limit runs', async () => {
    const alternating = MAX_NESTING / 2 - 1;
    const queries = [
      `${'NOT '.repeat(MAX_NESTING - 1)}user=admin`,
      `${'NOT (status_id=1 AND '.repeat(alternating)}user=admin${')'.repeat(alternating)}`,
      `| where ${'not (status_id=1 and '.repeat(alternating)}true${')'.repeat(alternating)}`,
      // Chains of one operator count half a level each.
      `| where ${Array.from({ length: 450 }, (_, i) => `user="u${i}"`).join(' or ')}`,
      `| eval a = ${Array.from({ length: 450 }, () => 'status_id').join(' + ')}`,
    ];
    for (const query of queries) await expect(rows(query)).resolves.toBeInstanceOf(Array);
  });

  test('nesting beyond the limit', () => {
    const [error] = parseQuery(`status_id=1 ${'NOT '.repeat(600)}user=admin | stats count`).errors;
    expect(error?.code).toBe('syntax.too_deep');
    expect(error?.column).toBe(2413);
    expect(error?.message).toContain(`${MAX_NESTING} levels`);
    const chain = `| eval a = ${Array.from({ length: 600 }, () => 'status_id').join(' + ')}`;
    expect(parseQuery(chain).errors[0]?.code).toBe('syntax.too_deep');

    let filter: unknown = { op: 'eq', field: 'user', value: 'admin' };
    for (let level = 0; level < MAX_NESTING; level++) filter = { op: 'not', arg: filter };
    expect(parseQueryJson({ version: 1, filter }).errors[0]?.code).toBe('syntax.too_deep');
  });

  test('equalities on one field in an OR become one IN list', () => {
    const { sql } = compile('user=alice OR src_ip=10.0.0.9 OR User=Bob OR user=carol');
    expect(sql.match(/lower\(coalesce\("user_name", "actor_user"\)\) IN/g)).toHaveLength(1);
    expect(sql).not.toContain('lower(coalesce("user_name", "actor_user")) =');
  });

  test('unknown field points to spath, rex and fields', () => {
    const [error] = parseQuery('f1=blue').errors;
    expect(error?.message).toBe(
      "Unknown field 'f1'; read a field of the original event after | spath (JSON) or | rex, and an HEC indexed field as fields.f1",
    );
  });

  test('fields - that removes every field is an error', () => {
    expect(parseQuery('| fields - *').errors[0]?.code).toBe('stage.no_fields_left');
    expect(parseQuery('| table user | fields - user').errors[0]?.code).toBe('stage.no_fields_left');
  });

  test('an array index beyond 2^31 is an invalid name', () => {
    const [error] = parseQuery('attacks[99999999999999999999].tactic.name=x').errors;
    expect(error?.code).toBe('field.invalid_name');
    expect(parseQuery('attacks[2147483647].tactic.name=x').errors).toEqual([]);
  });

  test('display names may have any letters and emoji', () => {
    expect(parseQuery('| stats count as "Anzahl Länge 😀" by host').errors).toEqual([]);
  });

  test('invalid time bound carries its own position', () => {
    const [error] = parseQuery('earliest=yesterday latest=now x').errors;
    expect(error).toMatchObject({ code: 'time.invalid', column: 1 });
    expect(error?.message).toContain('epoch seconds');
    const [later] = parseQuery('earliest=-1d latest=soon x').errors;
    // The position covers the value too, `latest=soon`.
    expect(later).toMatchObject({ code: 'time.invalid', column: 14, length: 11 });
  });

  test('unknown field carries its position', () => {
    const [error] = parseQuery('status_id=2\n  usr:admin').errors;
    expect(error).toMatchObject({
      code: 'field.unknown',
      offset: 14,
      line: 2,
      column: 3,
      suggestion: 'user',
    });
  });

  test('compileQuery throws QueryError', () => {
    const ast = {
      version: 1 as const,
      stages: [],
      filter: { op: 'eq' as const, field: 'a;b', value: 1 },
    };
    expect(() => compileQuery(ast, OPTIONS)).toThrow(QueryError);
    try {
      compileQuery(ast, OPTIONS);
    } catch (error) {
      expect((error as QueryError).diagnostics[0]?.code).toBe('field.invalid_name');
    }
  });
});
