import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assist } from './assist.js';
import { astFromJson, astToJson, type CompileOptions, compileQuery, parseQuery } from './index.js';
import { FIXTURE_EVENTS, NOW_MS, openFixtureDatabase, serviceRows } from './test-fixtures.js';

let connection: DuckDBConnection;
let close: () => void;

beforeAll(async () => {
  ({ connection, close } = await openFixtureDatabase());
});

afterAll(() => close());

const OPTIONS: CompileOptions = { source: 'events', nowMs: NOW_MS };

function parsed(text: string) {
  const result = parseQuery(text);
  if (result.ast === undefined) throw new Error(`${text}: ${JSON.stringify(result.errors)}`);
  return result.ast;
}

async function rows(text: string) {
  const compiled = compileQuery(parsed(text), OPTIONS);
  const reader = await connection.runAndReadAll(compiled.sql, compiled.params as never);
  return serviceRows(compiled, reader.columnNames(), reader.getRowObjectsJson());
}

/** Returns the first error of a query that must be rejected. */
function firstError(text: string) {
  const result = parseQuery(text);
  expect(result.ast).toBeUndefined();
  return result.errors[0];
}

/** Checks that the JSON form round-trips and compiles to the same SQL as the text. */
function expectJsonRoundTrip(text: string): void {
  const ast = parsed(text);
  const json = astToJson(ast);
  expect(astToJson(astFromJson(json))).toEqual(json);
  const fromText = compileQuery(ast, OPTIONS);
  const fromJson = compileQuery(astFromJson(JSON.parse(JSON.stringify(json))), OPTIONS);
  expect(fromJson.sql).toBe(fromText.sql);
  expect(fromJson.params).toEqual(fromText.params);
}

function labels(text: string): string[] {
  return assist(text, text.length).suggestions.map((suggestion) => suggestion.label);
}

describe('tstats', () => {
  test('count by sourcetype matches search and stats', async () => {
    const result = await rows('| tstats count where index=main by sourcetype');
    expect(result).toEqual(await rows('index=main | stats count by sourcetype'));
    expect(result).toContainEqual({ sourcetype: 'linux_secure', count: '4' });
  });

  test('without where counts every event', async () => {
    expect(await rows('| tstats count')).toEqual([{ count: String(FIXTURE_EVENTS.length) }]);
  });

  test('by _time with span buckets time', async () => {
    const result = await rows(
      '| tstats dc(src_ip) as sources where sourcetype=linux_secure by host _time span=1h',
    );
    expect(result).toEqual([
      { host: 'web01', _time: '2024-05-01 11:00:00', sources: '2' },
      { host: 'web02', _time: '2024-05-01 11:00:00', sources: '2' },
    ]);
    expect(result).toEqual(
      await rows(
        'sourcetype=linux_secure | bin _time span=1h | stats dc(src_ip) as sources by host _time',
      ),
    );
  });

  test('by _time without span over all time uses 1h', async () => {
    expect(await rows('| tstats count by _time')).toEqual(
      await rows('| tstats count by _time span=1h'),
    );
  });

  test('earliest and latest inside where', async () => {
    const ast = parsed('| tstats count where earliest=-30m latest=now sourcetype=* by sourcetype');
    expect(ast.stages[0]).toMatchObject({
      stage: 'tstats',
      timeRange: { earliest: '-30m', latest: 'now' },
      filter: { op: 'exists', field: 'sourcetype' },
    });
    const compiled = compileQuery(ast, OPTIONS);
    expect(compiled.earliestMs).toBe(NOW_MS - 30 * 60_000);
    expect(compiled.latestMs).toBe(NOW_MS);
    expect(await rows('| tstats count where earliest=-30m by sourcetype')).toEqual([
      { sourcetype: 'linux_secure', count: '4' },
      { sourcetype: 'telhawk:alert', count: '1' },
    ]);
  });

  test('where takes search syntax', async () => {
    const result = await rows(
      '| tstats count where (user:admin OR user=alice) NOT src_ip:10.0.0.0/8 BY user',
    );
    // Equality ignores case, as in Splunk.
    expect(result).toEqual([
      { user: 'Admin', count: '1' },
      { user: 'admin', count: '1' },
    ]);
    // A colon in a value, as the search part reads it.
    expect(await rows('| tstats count where sourcetype=pan:traffic by host')).toEqual([
      { host: 'fw01', count: '2' },
    ]);
  });

  test('later stages read its columns', async () => {
    const result = await rows('| tstats count by host | where count > 2 | sort - count');
    expect(result).toEqual([{ host: 'web01', count: '4' }]);
  });

  test('rejects tstats after the start', () => {
    for (const text of ['user=x | tstats count', '| stats count | tstats count']) {
      const error = firstError(text);
      expect(error?.code).toBe('stage.not_first');
      expect(text.slice(error!.offset, error!.offset + error!.length)).toBe('tstats');
    }
  });

  test('rejects span without _time', () => {
    const error = firstError('| tstats count by host span=1h');
    expect(error?.code).toBe('stage.invalid_option');
    expect(error?.column).toBe(29);
  });

  test('rejects an invalid span', () => {
    expect(firstError('| tstats count by _time span=1x')?.code).toBe('stage.invalid_span');
  });

  test('rejects data models and prestats', () => {
    const model = firstError('| tstats count from datamodel=Network_Traffic where index=main');
    expect(model?.code).toBe('stage.unsupported');
    expect(model?.column).toBe(16);
    expect(firstError('| tstats prestats=t count')?.code).toBe('stage.unsupported');
    expect(parseQuery('| tstats summariesonly=t count').errors).toEqual([]);
  });

  test('reports unknown options and aggregates with suggestions', () => {
    const option = firstError('| tstats summariesonyl=t count');
    expect(option?.code).toBe('stage.invalid_option');
    expect(option?.suggestion).toBe('summariesonly');
    const aggregate = firstError('| tstats cont by host');
    expect(aggregate?.code).toBe('aggregate.unknown');
    expect(aggregate?.suggestion).toBe('count');
    expect(firstError('| tstat count')?.suggestion).toBe('tstats');
  });

  test('syntax errors list the expected tokens', () => {
    const error = firstError('| tstats count where index=main by');
    expect(error?.code).toBe('syntax.unexpected_token');
    expect(error?.offset).toBe(34);
    expect(error?.expected).toContain('field name');
  });

  test('unknown fields are reported where written', () => {
    const error = firstError('| tstats count where nosuchfield=1');
    expect(error?.code).toBe('field.unknown');
    expect(error?.column).toBe(22);
  });

  test('JSON round trip compiles to the same SQL', () => {
    expectJsonRoundTrip(
      '| tstats count, dc(src_ip) as sources where earliest=-1h index=main by host',
    );
    expectJsonRoundTrip('| tstats count by _time span=1mon');
    expect(astToJson(parsed('| tstats count where index=main by host _time span=5m'))).toEqual({
      version: 1,
      stages: [
        {
          stage: 'tstats',
          aggregations: [{ fn: 'count' }],
          filter: { op: 'eq', field: 'index', value: 'main' },
          by: [{ name: 'host' }, { name: '_time' }],
          span: '5m',
        },
      ],
    });
  });

  test('content assist offers the command and options', () => {
    expect(labels('| tst')).toEqual(['tstats']);
    expect(labels('| tstats ')).toContain('summariesonly=');
    expect(labels('| tstats count ')).toEqual(expect.arrayContaining(['where', 'by']));
    expect(labels('| tstats count where index=main ')).toContain('by');
    expect(labels('| tstats count by _time ')).toContain('span=');
    expect(labels('| tstats count by host | table ')).toEqual(['host', 'count']);
  });
});

describe('strcat', () => {
  test('joins fields and quoted text', async () => {
    const result = await rows('class_uid=3002 | strcat user "@" host login | table login');
    expect(result.map((row) => row.login)).toEqual([
      'alice@web01',
      'admin@web01',
      'Admin@web02',
      'root@web02',
    ]);
  });

  test('missing fields are empty text', async () => {
    const result = await rows('host=fw01 | strcat user "@" host login | table login');
    expect(result).toEqual([{ login: '@fw01' }, { login: '@fw01' }]);
  });

  test('numbers and times join as text', async () => {
    const result = await rows('user=alice | strcat src_port "/" _time out | table out');
    expect(result).toEqual([{ out: `50000/${(NOW_MS - 10 * 60_000) / 1000}` }]);
  });

  test('allrequired=t skips rows missing a field', async () => {
    const added = await rows(
      'host IN (fw01, web01) | strcat allrequired=t user "@" host login | stats count(login) as n',
    );
    expect(added).toEqual([{ n: '2' }]);
    // An existing field keeps its value where a part is missing.
    const kept = await rows(
      'host IN (fw01, web01) | strcat allrequired=t user "@" host host | stats count by host',
    );
    expect(kept).toEqual([
      { host: 'admin@web01', count: '1' },
      { host: 'alice@web01', count: '1' },
      { host: 'fw01', count: '2' },
      { host: 'web01', count: '2' },
    ]);
  });

  test('single quotes name a field', async () => {
    const result = await rows(
      `user=alice | strcat 'user' "-" 'host' 'user host' | table "user host"`,
    );
    expect(result).toEqual([{ 'user host': 'alice-web01' }]);
  });

  test('rejects a missing output field', () => {
    const alone = firstError('| strcat host');
    expect(alone?.code).toBe('stage.missing_field');
    const quoted = firstError('| strcat host "-"');
    expect(quoted?.code).toBe('stage.invalid');
    expect(quoted?.column).toBe(15);
  });

  test('reports unknown fields and options where written', () => {
    const field = firstError('| strcat host nosuch out');
    expect(field?.code).toBe('field.unknown');
    expect(field?.column).toBe(15);
    const option = firstError('| strcat allrequire=t host out');
    expect(option?.code).toBe('stage.invalid_option');
    expect(option?.suggestion).toBe('allrequired');
    expect(firstError('| strcat allrequired=maybe host out')?.code).toBe('stage.invalid_option');
    expect(firstError('| strcta host out')?.suggestion).toBe('strcat');
  });

  test('JSON round trip compiles to the same SQL', () => {
    expectJsonRoundTrip('| strcat allrequired=t user "-" host out');
    expect(astToJson(parsed('| strcat user "-" host out'))).toEqual({
      version: 1,
      stages: [
        {
          stage: 'strcat',
          parts: [{ field: 'user' }, { text: '-' }, { field: 'host' }],
          output: 'out',
        },
      ],
    });
    expect(() =>
      astFromJson({ version: 1, stages: [{ stage: 'strcat', parts: [{}], output: 'x' }] }),
    ).toThrow('Invalid query JSON at $.stages[0].parts[0]');
  });

  test('content assist offers the command and option', () => {
    expect(labels('| strc')).toEqual(['strcat']);
    expect(labels('| strcat ')).toContain('allrequired=');
  });
});

describe('xyseries and untable', () => {
  const LONG = '| stats count by host user';

  test('xyseries makes a column per value', async () => {
    const result = await rows(`${LONG} | xyseries host user count`);
    expect(result.map((row) => row.host)).toEqual(['web01', 'web02', 'win01', 'win02']);
    expect(result[0]).toEqual({
      host: 'web01',
      Admin: null,
      admin: '1',
      alice: '1',
      bob: null,
      carol: null,
      root: null,
    });
  });

  test('xyseries names columns per value field', async () => {
    const result = await rows(`${LONG} | eval n = 2 * count | xyseries host, user, count, n`);
    expect(result.find((row) => row.host === 'win01')).toMatchObject({
      'count: bob': '2',
      'n: bob': 4,
      'count: alice': null,
    });
  });

  test('result stages read the columns', async () => {
    const result = await rows(
      `${LONG} | xyseries host user count | fillnull value=0 | table host, a* | head 2`,
    );
    expect(result).toEqual([
      { host: 'web01', admin: '1', alice: '1' },
      { host: 'web02', admin: 0, alice: 0 },
    ]);
  });

  test('untable reverses xyseries', async () => {
    const result = await rows(`${LONG} | xyseries host user count | untable host user count`);
    const long = await rows(LONG);
    expect(result).toEqual(long);
  });

  test('untable after xyseries feeds stats', async () => {
    const result = await rows(
      `${LONG} | xyseries host user count | untable host user n | stats sum(n) as total by user`,
    );
    expect(result).toContainEqual({ user: 'bob', total: '2' });
    expect(result).toHaveLength(6);
  });

  test('untable after a final timechart', async () => {
    const result = await rows(
      '| timechart span=1h count by sourcetype | untable _time sourcetype count',
    );
    expect(result).toContainEqual({
      _time: '2024-05-01 11:00:00',
      sourcetype: 'linux_secure',
      count: '4',
    });
    // Empty buckets count 0, as the timechart shows them.
    expect(result).toContainEqual({
      _time: '2024-05-01 11:00:00',
      sourcetype: 'bind',
      count: 0,
    });
  });

  test('untable after timechart feeds stats', async () => {
    const result = await rows(
      '| timechart span=1h count by sourcetype | untable _time sourcetype count | stats sum(count) as total by sourcetype',
    );
    expect(result).toEqual(await rows('| stats count as total by sourcetype'));
  });

  test('untable unpivots table columns', async () => {
    const result = await rows(
      `${LONG} | where host="web02" | untable host field value | sort field, value`,
    );
    expect(result).toEqual([
      { host: 'web02', field: 'count', value: '1' },
      { host: 'web02', field: 'count', value: '1' },
      { host: 'web02', field: 'user', value: 'Admin' },
      { host: 'web02', field: 'user', value: 'root' },
    ]);
  });

  test('rejects xyseries before SQL stages', () => {
    const error = firstError(`${LONG} | xyseries host user count | where count > 1`);
    expect(error?.code).toBe('stage.not_last');
    expect(error?.column).toBe(30);
  });

  test('rejects untable over events', () => {
    expect(firstError('| untable host name value')?.code).toBe('stage.invalid');
  });

  test('rejects missing and repeated fields', () => {
    expect(firstError('| stats count by host user | xyseries host user')?.code).toBe(
      'stage.missing_field',
    );
    expect(firstError(`${LONG} | untable host user`)?.code).toBe('stage.invalid');
    const twice = firstError(`${LONG} | untable host host count`);
    expect(twice?.code).toBe('name.duplicate');
    expect(firstError(`${LONG} | xyseries host user nosuch`)?.code).toBe('field.unknown');
    const index = firstError('| timechart count by host | untable host a b | stats count by a');
    expect(index?.code).toBe('stage.invalid');
    expect(index?.message).toContain('untable _time a b');
  });

  test('JSON round trip compiles to the same SQL', () => {
    expectJsonRoundTrip(`${LONG} | xyseries host user count | untable host user count`);
    expectJsonRoundTrip(`${LONG} | untable host name value`);
    expect(astToJson(parsed(`${LONG} | xyseries host user count`))).toMatchObject({
      stages: [
        {},
        {
          stage: 'xyseries',
          x: { name: 'host' },
          y: { name: 'user' },
          values: [{ name: 'count' }],
        },
      ],
    });
  });

  test('content assist offers the commands', () => {
    expect(labels(`${LONG} | xys`)).toEqual(['xyseries']);
    expect(labels(`${LONG} | unt`)).toEqual(['untable']);
    expect(labels(`${LONG} | xyseries `)).toEqual(['host', 'user', 'count']);
  });
});

describe('foreach', () => {
  test('repeats eval for listed fields', async () => {
    const result = await rows(
      'user=alice | foreach src_port dst_port [eval <<FIELD>>_k = <<FIELD>> / 1000] | table src_port_k dst_port_k',
    );
    expect(result).toEqual([{ src_port_k: 50, dst_port_k: null }]);
  });

  test('wildcards match the current fields', async () => {
    const result = await rows(
      '| makeresults | eval bytes_in = 2048, bytes_out = 4096, other = 1 | foreach bytes_* [eval <<FIELD>>_kb = <<FIELD>> / 1024, total_<<MATCHSTR>> = <<FIELD>>] | fields - _time',
    );
    // DuckDB returns whole-number literals as BIGINT, which JSON reads as text.
    expect(result).toEqual([
      {
        bytes_in: '2048',
        bytes_out: '4096',
        other: '1',
        bytes_in_kb: 2,
        total_in: '2048',
        bytes_out_kb: 4,
        total_out: '4096',
      },
    ]);
  });

  test('match segments of each wildcard', async () => {
    const result = await rows(
      '| makeresults | eval a_x_1 = 1, a_y_2 = 2 | foreach a_*_* [eval n<<MATCHSEG2>>_<<MATCHSEG1>> = <<FIELD>>] | table n1_x n2_y',
    );
    expect(result).toEqual([{ n1_x: '1', n2_y: '2' }]);
  });

  test('wildcards skip internal fields', async () => {
    const result = await rows('| makeresults | foreach * [eval <<FIELD>>_seen = 1] | table *');
    expect(Object.keys(result[0]!)).toEqual(['_time']);
  });

  test('works over stats columns', async () => {
    const result = await rows(
      '| stats count, dc(src_ip) as ips by host | foreach count ips [eval <<FIELD>> = <<FIELD>> * 10] | where host="win01"',
    );
    // The Windows events have no src_ip.
    expect(result).toEqual([{ host: 'win01', count: 20, ips: 0 }]);
  });

  test('templates in text and several stages', async () => {
    const result = await rows(
      'class_uid=3002 | foreach user [eval <<FIELD>>_label = "<<FIELD>>: " . <<FIELD>> | where <<FIELD>>_label != "user: root"] | table user_label',
    );
    expect(result.map((row) => row.user_label)).toEqual([
      'user: alice',
      'user: admin',
      'user: Admin',
    ]);
  });

  test('compiles as the eval it repeats', () => {
    const repeated = compileQuery(
      parsed('| foreach src_port dst_port [eval <<FIELD>>_k = <<FIELD>> / 1000]'),
      OPTIONS,
    );
    const written = compileQuery(
      parsed('| eval src_port_k = src_port / 1000, dst_port_k = dst_port / 1000'),
      OPTIONS,
    );
    expect(repeated.sql).toBe(written.sql);
    expect(repeated.params).toEqual(written.params);
  });

  test('rejects stages that do not keep rows', () => {
    const error = firstError('| foreach user [stats count]');
    expect(error?.code).toBe('stage.invalid');
    expect(error?.message).toContain('not stats');
  });

  test('rejects unknown templates', () => {
    const error = firstError('| foreach user [eval x_<<FOO>> = 1]');
    expect(error?.code).toBe('stage.invalid');
    expect(error?.message).toContain('<<FOO>>');
  });

  test('reports errors inside the brackets', () => {
    const unknown = firstError('| foreach nosuch [eval <<FIELD>>_k = <<FIELD>> / 1000]');
    expect(unknown?.code).toBe('field.unknown');
    expect(unknown?.column).toBe(38);
    const syntax = firstError('| foreach src_port [eval <<FIELD>>_k = ]');
    expect(syntax?.code).toBe('syntax.unexpected_token');
    expect(syntax?.column).toBe(40);
    expect(firstError('| foreach src_port eval x = 1')?.expected).toContain(
      "'[' before the stages of foreach",
    );
    const outside = firstError('| eval <<FIELD>>_x = 1');
    expect(outside?.code).toBe('syntax.template');
    expect(outside?.column).toBe(8);
  });

  test('JSON round trip compiles to the same SQL', () => {
    expectJsonRoundTrip(
      '| foreach src_* [eval <<FIELD>>_n = <<FIELD>> . "" | fillnull value=0 <<FIELD>>_n]',
    );
    expect(astToJson(parsed('| foreach a b* [eval <<FIELD>>_x = 1]'))).toEqual({
      version: 1,
      stages: [
        {
          stage: 'foreach',
          fields: [{ name: 'a' }, { name: 'b*' }],
          stages: [
            {
              stage: 'eval',
              assignments: [{ name: '<<FIELD>>_x', value: { expr: 'literal', value: 1 } }],
            },
          ],
        },
      ],
    });
    const nested = {
      version: 1,
      stages: [
        {
          stage: 'foreach',
          fields: [{ name: 'a' }],
          stages: [{ stage: 'stats', aggregations: [{ fn: 'count' }], by: [] }],
        },
      ],
    };
    expect(() => compileQuery(astFromJson(nested), OPTIONS)).toThrow('foreach repeats stages');
  });

  test('content assist offers the command and stages', () => {
    expect(labels('| forea')).toEqual(['foreach']);
    expect(labels('| foreach src_port ')).toContain('[');
    const inside = labels('| foreach src_port [');
    expect(inside).toContain('eval');
    expect(inside).not.toContain('stats');
  });
});
