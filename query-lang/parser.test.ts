import { describe, expect, test } from 'vitest';
import {
  astFromJson,
  astToJson,
  compileQuery,
  parseQuery,
  parseQuerySyntax,
  QueryError,
} from './index.js';

function filterOf(text: string): unknown {
  const result = parseQuery(text);
  expect(result.errors).toEqual([]);
  return (astToJson(result.ast!) as { filter?: unknown }).filter;
}

/** Stages as parsed, before field names are checked. */
function stagesOf(text: string): unknown {
  const result = parseQuerySyntax(text);
  expect(result.errors).toEqual([]);
  return (astToJson(result.ast!) as { stages: unknown }).stages;
}

describe('search part', () => {
  test.each([
    ['user:admin', { op: 'eq', field: 'user', value: 'admin' }],
    ['user=admin', { op: 'eq', field: 'user', value: 'admin' }],
    ['user==admin', { op: 'eq', field: 'user', value: 'admin' }],
    ['user!=admin', { op: 'ne', field: 'user', value: 'admin' }],
    ['src_port>1024', { op: 'gt', field: 'src_port', value: '1024' }],
    ['src_port>=1024', { op: 'gte', field: 'src_port', value: '1024' }],
    ['src_port<1024', { op: 'lt', field: 'src_port', value: '1024' }],
    ['src_port<=1024', { op: 'lte', field: 'src_port', value: '1024' }],
    ['user="John Smith"', { op: 'eq', field: 'user', value: 'John Smith' }],
    ['message="say \\"hi\\""', { op: 'eq', field: 'message', value: 'say "hi"' }],
    ["user='o\\'brien'", { op: 'eq', field: 'user', value: "o'brien" }],
    ['user=CASE(Admin)', { op: 'eq', field: 'user', value: 'Admin', caseSensitive: true }],
    ['user=adm*', { op: 'startsWith', field: 'user', value: 'adm' }],
    ['user=*min', { op: 'endsWith', field: 'user', value: 'min' }],
    ['user=*dmi*', { op: 'contains', field: 'user', value: 'dmi' }],
    ['user=a*m*n', { op: 'wildcard', field: 'user', pattern: 'a*m*n' }],
    ['user=*', { op: 'exists', field: 'user' }],
    ['user=CASE(Adm*)', { op: 'startsWith', field: 'user', value: 'Adm', caseSensitive: true }],
    ['src_ip:10.0.0.0/8', { op: 'cidr', field: 'src_ip', value: '10.0.0.0/8' }],
    ['user IN (a, "b c", d)', { op: 'in', field: 'user', values: ['a', 'b c', 'd'] }],
    ['user IN (a b)', { op: 'in', field: 'user', values: ['a', 'b'] }],
    [
      'user IN (a, b*)',
      {
        op: 'or',
        args: [
          { op: 'eq', field: 'user', value: 'a' },
          { op: 'startsWith', field: 'user', value: 'b' },
        ],
      },
    ],
    ['*', { op: 'all' }],
    ['failed', { op: 'text', value: 'failed' }],
    ['"access denied"', { op: 'text', value: 'access denied' }],
    ['fail*', { op: 'text', value: 'fail*' }],
    ['TERM(203.0.113.20)', { op: 'text', value: '203.0.113.20', term: 'whole' }],
    ['PREFIX(acc:)', { op: 'text', value: 'acc:', term: 'prefix' }],
    [
      'a b',
      {
        op: 'and',
        args: [
          { op: 'text', value: 'a' },
          { op: 'text', value: 'b' },
        ],
      },
    ],
    [
      'a AND b OR c',
      {
        op: 'and',
        args: [
          { op: 'text', value: 'a' },
          {
            op: 'or',
            args: [
              { op: 'text', value: 'b' },
              { op: 'text', value: 'c' },
            ],
          },
        ],
      },
    ],
    [
      'a OR b c',
      {
        op: 'and',
        args: [
          {
            op: 'or',
            args: [
              { op: 'text', value: 'a' },
              { op: 'text', value: 'b' },
            ],
          },
          { op: 'text', value: 'c' },
        ],
      },
    ],
    [
      'NOT a b',
      {
        op: 'and',
        args: [
          { op: 'not', arg: { op: 'text', value: 'a' } },
          { op: 'text', value: 'b' },
        ],
      },
    ],
    [
      'NOT (a OR b)',
      {
        op: 'not',
        arg: {
          op: 'or',
          args: [
            { op: 'text', value: 'a' },
            { op: 'text', value: 'b' },
          ],
        },
      },
    ],
    [
      'user!=adm*',
      {
        op: 'and',
        args: [
          { op: 'exists', field: 'user' },
          { op: 'not', arg: { op: 'startsWith', field: 'user', value: 'adm' } },
        ],
      },
    ],
    [
      'and or',
      {
        op: 'and',
        args: [
          { op: 'text', value: 'and' },
          { op: 'text', value: 'or' },
        ],
      },
    ],
  ])('%s', (text, expected) => {
    expect(filterOf(text)).toEqual(expected);
  });

  test('inline earliest and latest', () => {
    const result = parseQuery('earliest=-24h latest=now user:a');
    expect(astToJson(result.ast!)).toEqual({
      version: 1,
      stages: [],
      filter: { op: 'eq', field: 'user', value: 'a' },
      timeRange: { earliest: '-24h', latest: 'now' },
    });
  });

  test('earliest under OR is rejected', () => {
    const [error] = parseQuery('a OR earliest=-1h').errors;
    expect(error?.code).toBe('time.misplaced_bound');
    expect(error?.offset).toBe(5);
  });

  test('nodes carry source positions', () => {
    const result = parseQuerySyntax('a\n  user:admin');
    const filter = result.ast?.filter as { args: { loc: unknown }[] };
    expect(filter.args[1]?.loc).toEqual({ offset: 4, length: 5, line: 2, column: 3 });
  });
});

describe('stages', () => {
  test('stats forms', () => {
    expect(stagesOf('| stats count')).toEqual([
      { stage: 'stats', aggregations: [{ fn: 'count' }], by: [] },
    ]);
    expect(stagesOf('| stats count() as n, dc(user) avg(src_port) by host, src_ip')).toEqual([
      {
        stage: 'stats',
        aggregations: [
          { fn: 'count', as: 'n' },
          { fn: 'dc', field: 'user' },
          { fn: 'avg', field: 'src_port' },
        ],
        by: [{ name: 'host' }, { name: 'src_ip' }],
      },
    ]);
    expect(stagesOf('| STATS Count(user) BY .src_endpoint.ip')).toEqual([
      {
        stage: 'stats',
        aggregations: [{ fn: 'count', field: 'user' }],
        by: [{ name: '.src_endpoint.ip' }],
      },
    ]);
  });

  test('sort, head and tail', () => {
    expect(stagesOf('| sort -count, user | sort - src_port +host | head 5 | tail | head')).toEqual([
      {
        stage: 'sort',
        keys: [
          { field: 'count', descending: true },
          { field: 'user', descending: false },
        ],
      },
      {
        stage: 'sort',
        keys: [
          { field: 'src_port', descending: true },
          { field: 'host', descending: false },
        ],
      },
      { stage: 'head', count: 5 },
      { stage: 'tail', count: 10 },
      { stage: 'head', count: 10 },
    ]);
  });

  test('where expression precedence', () => {
    expect(stagesOf('| where a + 2 * 3 > 4 or not b = "x" and c like "y%"')).toEqual([
      {
        stage: 'where',
        condition: {
          expr: 'binary',
          op: 'or',
          left: {
            expr: 'binary',
            op: '>',
            left: {
              expr: 'binary',
              op: '+',
              left: { expr: 'field', name: 'a' },
              right: {
                expr: 'binary',
                op: '*',
                left: { expr: 'literal', value: 2 },
                right: { expr: 'literal', value: 3 },
              },
            },
            right: { expr: 'literal', value: 4 },
          },
          right: {
            expr: 'binary',
            op: 'and',
            left: {
              expr: 'not',
              arg: {
                expr: 'binary',
                op: '=',
                left: { expr: 'field', name: 'b' },
                right: { expr: 'literal', value: 'x' },
              },
            },
            right: {
              expr: 'binary',
              op: 'like',
              left: { expr: 'field', name: 'c' },
              right: { expr: 'literal', value: 'y%' },
            },
          },
        },
      },
    ]);
  });

  test('where in, not in and functions', () => {
    expect(stagesOf('| where x not in (1, 2) and cidrmatch("10.0.0.0/8", \'src_ip\')')).toEqual([
      {
        stage: 'where',
        condition: {
          expr: 'binary',
          op: 'and',
          left: {
            expr: 'not',
            arg: {
              expr: 'in',
              arg: { expr: 'field', name: 'x' },
              values: [
                { expr: 'literal', value: 1 },
                { expr: 'literal', value: 2 },
              ],
            },
          },
          right: {
            expr: 'call',
            fn: 'cidrmatch',
            args: [
              { expr: 'literal', value: '10.0.0.0/8' },
              { expr: 'field', name: 'src_ip' },
            ],
          },
        },
      },
    ]);
  });

  test('eval, rename, table, fields, dedup', () => {
    expect(
      stagesOf(
        '| eval a = -1, b = null | rename a as c, b as d | table c, d | fields - d | fields + c | dedup c',
      ),
    ).toEqual([
      {
        stage: 'eval',
        assignments: [
          { name: 'a', value: { expr: 'negate', arg: { expr: 'literal', value: 1 } } },
          { name: 'b', value: { expr: 'literal', value: null } },
        ],
      },
      {
        stage: 'rename',
        renames: [
          { from: 'a', to: 'c' },
          { from: 'b', to: 'd' },
        ],
      },
      { stage: 'table', fields: [{ name: 'c' }, { name: 'd' }] },
      { stage: 'fields', mode: 'exclude', fields: [{ name: 'd' }] },
      { stage: 'fields', mode: 'include', fields: [{ name: 'c' }] },
      { stage: 'dedup', fields: [{ name: 'c' }] },
    ]);
  });

  test('top, rare and timechart', () => {
    expect(
      stagesOf('| top limit=3 user by host | rare src_ip | timechart span=15m count by user'),
    ).toEqual([
      { stage: 'top', fields: [{ name: 'user' }], by: [{ name: 'host' }], limit: 3 },
      { stage: 'rare', fields: [{ name: 'src_ip' }], by: [], limit: 10 },
      {
        stage: 'timechart',
        spanMs: 900_000,
        aggregations: [{ fn: 'count' }],
        by: { name: 'user' },
      },
    ]);
    expect(stagesOf('| timechart')).toEqual([
      { stage: 'timechart', spanMs: 3_600_000, autoSpan: true, aggregations: [{ fn: 'count' }] },
    ]);
  });

  test('top and rare options after the fields, as SPL allows', () => {
    expect(stagesOf('| top user limit=3 | rare src_ip, dst_ip by host limit=2')).toEqual([
      { stage: 'top', fields: [{ name: 'user' }], by: [], limit: 3 },
      {
        stage: 'rare',
        fields: [{ name: 'src_ip' }, { name: 'dst_ip' }],
        by: [{ name: 'host' }],
        limit: 2,
      },
    ]);
    expect(parseQuery('| top user lmit=3').errors[0]).toMatchObject({
      code: 'stage.invalid_option',
      suggestion: 'limit',
    });
  });

  test('search stage after a pipe', () => {
    expect((stagesOf('| stats count by host | search count>5 host=web*') as unknown[])[1]).toEqual({
      stage: 'search',
      filter: {
        op: 'and',
        args: [
          { op: 'gt', field: 'count', value: '5' },
          { op: 'startsWith', field: 'host', value: 'web' },
        ],
      },
    });
    expect((stagesOf('| eval search = 1 | stats count by search') as unknown[])[1]).toMatchObject({
      stage: 'stats',
      by: [{ name: 'search' }],
    });
    expect(parseQuery('| search').errors[0]?.message).toMatch(/found end of query/);
    const ast = parseQuery('| search user:admin OR fail*').ast;
    expect(ast).toBeDefined();
    expect(astToJson(astFromJson(astToJson(ast!)))).toEqual(astToJson(ast!));
  });

  test('sort with a row count', () => {
    expect(stagesOf('| sort 5 -src_port, user')).toEqual([
      {
        stage: 'sort',
        keys: [
          { field: 'src_port', descending: true },
          { field: 'user', descending: false },
        ],
        limit: 5,
      },
    ]);
    expect(stagesOf('| sort 0 -time')).toEqual([
      { stage: 'sort', keys: [{ field: 'time', descending: true }] },
    ]);
  });

  test('sort by the output name of a stats function', () => {
    expect(stagesOf('| sort - dc(dst_ip), +count( src_ip )')).toEqual([
      {
        stage: 'sort',
        keys: [
          { field: 'dc(dst_ip)', descending: true },
          { field: 'count(src_ip)', descending: false },
        ],
      },
    ]);
    expect(parseQuery('| sort - dc(dst_ip').errors[0]?.message).toMatch(/'\)'/);
  });

  test('deep nesting is a clear error', () => {
    const deep = `${'('.repeat(20_000)}user=root${')'.repeat(20_000)}`;
    const result = parseQuery(deep);
    expect(result.errors[0]).toMatchObject({ code: 'syntax.too_deep' });
    expect(parseQuery(`${'NOT '.repeat(20_000)}x`).errors[0]?.message).toMatch(/nested too deeply/);
  });

  test('timechart series options', () => {
    const expected = {
      stage: 'timechart',
      spanMs: 300_000,
      aggregations: [{ fn: 'count' }],
      by: { name: 'host' },
      limit: 5,
      useOther: false,
    };
    expect(stagesOf('| timechart span=5m limit=5 useother=f count by host')).toEqual([expected]);
    expect(stagesOf('| timechart span=5m count by host limit=5 useOther=false')).toEqual([
      expected,
    ]);
    expect(parseQuery('| timechart limit=-1 count by host').errors[0]?.code).toBeDefined();
    expect(parseQuery('| timechart limit=x count by host').errors[0]?.code).toBe(
      'stage.invalid_limit',
    );
    expect(parseQuery('| timechart useother=maybe count by host').errors[0]?.code).toBe(
      'stage.invalid_option',
    );
    const ast = parseQuery('| timechart span=5m count by host limit=5 useother=f').ast;
    expect(ast).toBeDefined();
    expect(astFromJson(astToJson(ast!)).stages).toEqual([expected]);
  });

  test('stage keywords work as field names', () => {
    expect(stagesOf('| eval top = 1 | stats count by top')).toEqual([
      { stage: 'eval', assignments: [{ name: 'top', value: { expr: 'literal', value: 1 } }] },
      { stage: 'stats', aggregations: [{ fn: 'count' }], by: [{ name: 'top' }] },
    ]);
  });
});

describe('syntax errors', () => {
  test('missing value reports expected tokens', () => {
    expect(parseQuery('user:').errors).toEqual([
      {
        code: 'syntax.unexpected_token',
        message:
          "Expected one of 'CASE(', word, ':', double-quoted string, single-quoted string but found end of query",
        offset: 5,
        line: 1,
        column: 6,
        length: 0,
        expected: ["'CASE('", 'word', "':'", 'double-quoted string', 'single-quoted string'],
      },
    ]);
  });

  test('unknown command comes before a later bad character', () => {
    const [error] = parseQuery('| fieldsummary * ~x').errors;
    expect(error).toMatchObject({ code: 'syntax.unknown_command', column: 3, length: 12 });
    expect(parseQuery('| stats count ~').errors[0]?.code).toBe('syntax.unexpected_character');
  });

  test('unknown command suggests nearest', () => {
    const [error] = parseQuery('a\n| stast count').errors;
    expect(error).toMatchObject({
      code: 'syntax.unknown_command',
      line: 2,
      column: 3,
      offset: 4,
      length: 5,
      suggestion: 'stats',
    });
    expect(error?.message).toBe("Unknown command 'stast'; did you mean 'stats'?");
    expect(error?.expected).toContain("'stats'");
  });

  test('search macros', () => {
    expect(parseQuery('`security_content_ctime(firstTime)` user=a').errors[0]?.code).toBe(
      'syntax.macro',
    );
    expect(parseQuery('`mymacro`').errors[0]?.message).toContain('`mymacro` are not supported');
    expect(parseQuery('| stats count | `m`').errors[0]?.code).toBe('syntax.macro');
  });

  test('comments between backticks', () => {
    const commented = parseQuery('```failed logins``` status_id=2 | stats ```per\nuser``` count');
    expect(commented.errors).toEqual([]);
    expect(astToJson(commented.ast!)).toEqual(
      astToJson(parseQuery('status_id=2 | stats count').ast!),
    );
    expect(parseQuery('| stats count ```open').errors[0]).toMatchObject({
      code: 'syntax.unterminated_comment',
      column: 15,
    });
  });

  test('unterminated string', () => {
    expect(parseQuery('user="abc').errors).toEqual([
      {
        code: 'syntax.unterminated_string',
        message: 'String starting with " has no closing quote',
        offset: 5,
        line: 1,
        column: 6,
        length: 4,
        expected: ['closing "'],
      },
    ]);
  });

  test('unexpected character', () => {
    const [error] = parseQuery('a | where x = !').errors;
    expect(error).toMatchObject({
      code: 'syntax.unexpected_character',
      offset: 14,
      column: 15,
      length: 1,
    });
  });

  test('a quoted [search is searched for', () => {
    expect(parseQuery('"[search" foo').errors).toEqual([]);
  });

  test('unbalanced parenthesis', () => {
    const [error] = parseQuery('(a OR b').errors;
    expect(error).toMatchObject({ code: 'syntax.unexpected_token', offset: 7, expected: ["')'"] });
    const [extra] = parseQuery('a)').errors;
    expect(extra).toMatchObject({
      code: 'syntax.unexpected_input',
      offset: 1,
      message: "Unexpected ')'",
    });
  });

  test('missing field after by', () => {
    const [error] = parseQuery('| stats count by').errors;
    expect(error).toMatchObject({ code: 'syntax.unexpected_token', offset: 16 });
    expect(error?.expected).toContain('field name');
  });

  test('unknown aggregate suggests nearest', () => {
    const [error] = parseQuery('| stats cuont by user').errors;
    expect(error).toMatchObject({
      code: 'aggregate.unknown',
      offset: 8,
      length: 5,
      suggestion: 'count',
    });
    expect(error?.message).toBe("Unknown aggregate function 'cuont'; did you mean 'count'?");
  });

  test.each([
    ['| stats cnt by user', 'count'],
    ['| stats dcount(src_ip)', 'dc'],
    ['| stats stddev(src_port)', 'stdev'],
  ])('%s suggests the SPL aggregate', (text, suggestion) => {
    expect(parseQuery(text).errors[0]?.suggestion).toBe(suggestion);
  });

  test('aggregate without field', () => {
    expect(parseQuery('| stats avg').errors[0]?.code).toBe('aggregate.missing_field');
  });

  test('invalid head count and span', () => {
    expect(parseQuery('| head 0').errors[0]?.code).toBe('value.invalid_count');
    expect(parseQuery('| timechart span=1x count').errors[0]?.code).toBe('stage.invalid_span');
    expect(parseQuery('| transaction user maxspan=abc').errors[0]).toMatchObject({
      code: 'stage.invalid_span',
      column: 28,
      length: 3,
    });
    expect(parseQuery('| timechart spam=1h count').errors[0]).toMatchObject({
      code: 'stage.invalid_option',
      suggestion: 'span',
    });
    expect(parseQuery('| top lmit=3 user').errors[0]).toMatchObject({
      code: 'stage.invalid_option',
      suggestion: 'limit',
    });
  });

  test('invalid field name characters', () => {
    expect(parseQuery('a-b:1').errors[0]?.code).toBe('field.invalid_name');
    expect(parseQuery("| table 'a\"b'").errors[0]?.code).toBe('field.invalid_name');
  });
});

describe('subsearches', () => {
  const fieldsSrcIp = { stage: 'fields', mode: 'include', fields: [{ name: 'src_ip' }] };

  test.each([
    ['[search user=admin | fields src_ip]'],
    ['[ user=admin | fields src_ip ]'],
    ['[SEARCH user=admin | fields src_ip]'],
    ['[search\n  user=admin\n  | fields src_ip\n]'],
  ])('subsearch term %j', (text) => {
    expect(filterOf(text)).toEqual({
      op: 'subsearch',
      search: { filter: { op: 'eq', field: 'user', value: 'admin' }, stages: [fieldsSrcIp] },
    });
  });

  test('subsearch beside other terms', () => {
    expect(
      filterOf('index=main [search user=admin failed | fields src_ip] NOT host=web01'),
    ).toEqual({
      op: 'and',
      args: [
        { op: 'eq', field: 'index', value: 'main' },
        {
          op: 'subsearch',
          search: {
            filter: {
              op: 'and',
              args: [
                { op: 'eq', field: 'user', value: 'admin' },
                { op: 'text', value: 'failed' },
              ],
            },
            stages: [fieldsSrcIp],
          },
        },
        { op: 'not', arg: { op: 'eq', field: 'host', value: 'web01' } },
      ],
    });
  });

  test('subsearch starting with a pipe', () => {
    const filter = filterOf('[| makeresults | eval src_ip="10.0.0.5" | fields src_ip]') as {
      search: { filter?: unknown; stages: { stage: string }[] };
    };
    expect(filter.search.filter).toBeUndefined();
    expect(filter.search.stages.map((stage) => stage.stage)).toEqual([
      'makeresults',
      'eval',
      'fields',
    ]);
  });

  test('subsearch after search stage', () => {
    expect(stagesOf('* | search [search user=root | fields src_ip] host=web02')).toEqual([
      {
        stage: 'search',
        filter: {
          op: 'and',
          args: [
            {
              op: 'subsearch',
              search: { filter: { op: 'eq', field: 'user', value: 'root' }, stages: [fieldsSrcIp] },
            },
            { op: 'eq', field: 'host', value: 'web02' },
          ],
        },
      },
    ]);
  });

  test('subsearch time range', () => {
    const filter = filterOf('[search earliest=-1h user=root | fields src_ip]') as {
      search: { timeRange?: unknown };
    };
    expect(filter.search.timeRange).toEqual({ earliest: '-1h' });
  });

  test('subsearch location', () => {
    const parsed = parseQuery('a [search user=root | fields src_ip]');
    const filter = parsed.ast?.filter as { args: { loc?: unknown }[] };
    expect(filter.args[1]?.loc).toEqual({ offset: 2, length: 34, line: 1, column: 3 });
  });

  test('brackets inside words stay words', () => {
    expect(filterOf('attacks[0].tactic.name=x')).toEqual({
      op: 'eq',
      field: 'attacks[0].tactic.name',
      value: 'x',
    });
    expect(filterOf('a]b')).toEqual({ op: 'text', value: 'a]b' });
    expect(filterOf('[search attacks[0].tactic.name=x | fields src_ip]')).toMatchObject({
      search: { filter: { field: 'attacks[0].tactic.name', value: 'x' } },
    });
  });

  test('nested subsearches', () => {
    const filter = filterOf(
      '[search [search user=root | fields src_ip] | fields host] | stats count',
    ) as { search: { filter: unknown } };
    expect(filter.search.filter).toEqual({
      op: 'subsearch',
      search: { filter: { op: 'eq', field: 'user', value: 'root' }, stages: [fieldsSrcIp] },
    });
  });

  test('join with options', () => {
    expect(
      stagesOf(
        '| join type=left max=0 overwrite=f src_ip, host [search user=root | table src_ip, host, user]',
      ),
    ).toEqual([
      {
        stage: 'join',
        fields: [{ name: 'src_ip' }, { name: 'host' }],
        subsearch: {
          filter: { op: 'eq', field: 'user', value: 'root' },
          stages: [
            { stage: 'table', fields: [{ name: 'src_ip' }, { name: 'host' }, { name: 'user' }] },
          ],
        },
        type: 'left',
        max: 0,
        overwrite: false,
      },
    ]);
  });

  test('join defaults', () => {
    expect(stagesOf('| join user [| makeresults]')).toEqual([
      {
        stage: 'join',
        fields: [{ name: 'user' }],
        subsearch: { stages: [{ stage: 'makeresults', count: 1 }] },
      },
    ]);
  });

  test('append', () => {
    expect(stagesOf('| stats count | append [search host=web01 | stats count by host]')).toEqual([
      { stage: 'stats', aggregations: [{ fn: 'count' }], by: [] },
      {
        stage: 'append',
        subsearch: {
          filter: { op: 'eq', field: 'host', value: 'web01' },
          stages: [{ stage: 'stats', aggregations: [{ fn: 'count' }], by: [{ name: 'host' }] }],
        },
      },
    ]);
  });

  test('missing closing bracket', () => {
    const [error] = parseQuery('a [search b | fields src_ip').errors;
    expect(error).toMatchObject({
      code: 'syntax.unexpected_token',
      offset: 27,
      line: 1,
      column: 28,
      expected: ["']'"],
    });
    expect(error?.message).toBe("Expected ']' but found end of query");
  });

  test('missing closing bracket before a pipe', () => {
    const [error] = parseQuery('| join src_ip [search b | fields src_ip | stats count').errors;
    expect(error).toMatchObject({ code: 'syntax.unexpected_token', expected: ["']'"] });
  });

  test('stray closing bracket in a stage', () => {
    const [error] = parseQuery('| stats count by host]').errors;
    expect(error).toMatchObject({ code: 'syntax.unexpected_character', offset: 21 });
  });

  test('join without fields', () => {
    const [error] = parseQuery('| join [search user=root | fields src_ip]').errors;
    expect(error).toMatchObject({ code: 'stage.missing_field', column: 3 });
  });

  test.each([
    ['| join type=right src_ip [search a | fields src_ip]', 'stage.invalid_option'],
    ['| join max=-1 src_ip [search a | fields src_ip]', 'syntax.unexpected_token'],
    ['| join max=x src_ip [search a | fields src_ip]', 'value.invalid_count'],
    ['| join overwrite=maybe src_ip [search a | fields src_ip]', 'stage.invalid_option'],
    ['| join usetime=t src_ip [search a | fields src_ip]', 'stage.invalid_option'],
  ])('join option error %j', (text, code) => {
    expect(parseQuery(text).errors[0]?.code).toBe(code);
  });

  test('subsearch errors from the compiler', () => {
    expect(parseQuery('[search user=root]').errors[0]).toMatchObject({
      code: 'subsearch.no_fields',
      offset: 0,
      length: 18,
    });
    const display = '[search user=root | stats count as "Failed Logins" by src_ip]';
    expect(parseQuery(display).errors[0]?.code).toBe('subsearch.unknown_field');
    expect(parseQuery('[search user=root | stats dc(host) by src_ip]').errors[0]).toMatchObject({
      code: 'subsearch.unknown_field',
    });
    expect(parseQuery('| join src_ip [search a | fields host]').errors[0]).toMatchObject({
      code: 'join.unknown_field',
      column: 8,
    });
  });

  test('subsearch nested too deep', () => {
    const text =
      'a [search b [search c [search d [search e | fields x] | fields x] | fields x] | fields x]';
    const [error] = parseQuery(text).errors;
    expect(error).toMatchObject({ code: 'subsearch.too_deep', column: 33 });
  });

  test('subsearch time range outside the search', () => {
    const ast = parseQuerySyntax('earliest=-1h [search earliest=-1d | fields src_ip]').ast!;
    expect(() => compileQuery(ast, { source: 'events', nowMs: 0 })).toThrow(QueryError);
    try {
      compileQuery(ast, { source: 'events', nowMs: Date.UTC(2024, 0, 1) });
    } catch (error) {
      expect((error as QueryError).diagnostics[0]?.code).toBe('subsearch.time_range');
    }
  });

  test('addtotals in a subsearch', () => {
    expect(parseQuery('[search a | stats count by host | addtotals]').errors[0]?.code).toBe(
      'subsearch.result_stage',
    );
  });

  test('canonical JSON round trip', () => {
    for (const text of [
      'index=main [search user=admin failed | fields src_ip]',
      'NOT [search earliest=-1h user=root | stats count by src_ip | fields src_ip]',
      '| join type=outer max=3 overwrite=false user [search class_uid=3002 | stats count as n by user]',
      '| append [| makeresults count=2 | eval src_ip="10.0.0.5"]',
    ]) {
      const ast = parseQuery(text).ast!;
      const json = astToJson(ast);
      expect(astToJson(astFromJson(JSON.parse(JSON.stringify(json))))).toEqual(json);
      const options = { source: 'events', nowMs: Date.UTC(2024, 0, 1) };
      expect(compileQuery(astFromJson(json), options)).toEqual(compileQuery(ast, options));
    }
  });

  test.each([
    [{ op: 'subsearch' }, '$.filter.search'],
    [{ op: 'subsearch', search: { stages: 'x' } }, '$.filter.search.stages'],
  ])('invalid subsearch JSON %j', (filter, path) => {
    expect(() => astFromJson({ version: 1, filter, stages: [] })).toThrow(path);
  });

  test.each([
    [{ stage: 'join', fields: [{ name: 'a' }] }, '$.stages[0].subsearch'],
    [
      { stage: 'join', fields: [{ name: 'a' }], subsearch: { stages: [] }, type: 'right' },
      '$.stages[0].type',
    ],
    [
      { stage: 'join', fields: [{ name: 'a' }], subsearch: { stages: [] }, max: -1 },
      '$.stages[0].max',
    ],
    [{ stage: 'append', subsearch: [] }, '$.stages[0].subsearch'],
  ])('invalid join or append JSON %j', (stage, path) => {
    expect(() => astFromJson({ version: 1, stages: [stage] })).toThrow(path);
  });
});

describe('options after aggregates', () => {
  test.each([
    ['| timechart count limit=5', { limit: 5 }],
    ['| timechart count, avg(src_port) useother=f', { useOther: false }],
    ['| chart count over host limit=3', { limit: 3 }],
  ])('%s', (text, options) => {
    const { ast, errors } = parseQuery(text);
    expect(errors).toEqual([]);
    expect(ast?.stages[0]).toMatchObject(options);
  });
});

describe('brackets of subsearches and foreach', () => {
  test.each([
    '[search user=admin | foreach src_port [eval <<FIELD>>_z = 1] | fields src_ip] | stats count',
    '| foreach src_port [eval <<FIELD>>_y = 2] | join type=left src_ip [search class_uid=4001 | fields src_ip]',
    'index=main [search user=admin | fields src_ip] | foreach src_port dst_port [eval <<FIELD>>_x = <<FIELD>> + 1]',
    '| foreach src_* [eval <<FIELD>>_t = "]" | where <<FIELD>>_t = "["]',
  ])('%s parses', (text) => {
    expect(parseQuery(text).errors).toEqual([]);
  });

  test('foreach takes thousands of fields before its stages', () => {
    const fields = Array.from({ length: 1500 }, (_, index) => `f${index}`).join(' ');
    expect(parseQuery(`| makeresults | foreach ${fields} [eval <<FIELD>>_x = 1]`).errors).toEqual(
      [],
    );
  });

  test('the stages of foreach stay stages, and a subsearch a search', () => {
    const { ast } = parseQuery('[search user=admin | fields src_ip] | foreach src_port [eval x=1]');
    expect(ast?.filter?.op).toBe('subsearch');
    expect(ast?.stages[0]).toMatchObject({ stage: 'foreach', stages: [{ stage: 'eval' }] });
  });
});

describe('streamstats options', () => {
  test('parse into the stage', () => {
    expect(
      stagesOf(
        '| streamstats current=f reset_on_change=true time_window=90s window=5 count by host',
      ),
    ).toEqual([
      {
        stage: 'streamstats',
        aggregations: [{ fn: 'count' }],
        by: [{ name: 'host' }],
        window: 5,
        current: false,
        resetOnChange: true,
        timeWindowMs: 90_000,
      },
    ]);
    // The defaults leave the options out.
    expect(stagesOf('| streamstats current=t reset_on_change=0 count')).toEqual([
      { stage: 'streamstats', aggregations: [{ fn: 'count' }], by: [] },
    ]);
  });

  test.each([
    ['| streamstats current=maybe count', 'stage.invalid_option', 23, 5],
    ['| streamstats reset_on_change=yes count by host', 'stage.invalid_option', 31, 3],
    ['| streamstats reset_on_change=t count', 'stage.invalid_option', 15, 15],
    ['| streamstats time_window=5 count', 'stage.invalid_span', 27, 1],
    ['| streamstats time_window=1mon count', 'stage.invalid_span', 27, 4],
    ['| streamstats time_window=abc count', 'stage.invalid_span', 27, 3],
  ])('%s is rejected', (query, code, column, length) => {
    const [error] = parseQuery(query).errors;
    expect(error?.code).toBe(code);
    expect(error?.column).toBe(column);
    expect(error?.length).toBe(length);
  });

  test('misspelled option suggests the name', () => {
    expect(parseQuery('| streamstats time_windw=5m count').errors[0]).toMatchObject({
      code: 'stage.invalid_option',
      suggestion: 'time_window',
    });
    expect(parseQuery('| streamstats reset_on_chnage=t count by host').errors[0]).toMatchObject({
      suggestion: 'reset_on_change',
    });
  });

  test('reset_on_change from JSON needs by', () => {
    const ast = astFromJson({
      version: 1,
      stages: [{ stage: 'streamstats', aggregations: [{ fn: 'count' }], resetOnChange: true }],
    });
    expect(() => compileQuery(ast, { source: 'events', nowMs: 0 })).toThrow(QueryError);
    try {
      compileQuery(ast, { source: 'events', nowMs: 0 });
    } catch (error) {
      expect((error as QueryError).diagnostics[0]?.code).toBe('stage.invalid_option');
    }
  });
});

describe('transaction options', () => {
  test('parse into the stage', () => {
    expect(
      stagesOf(
        '| transaction host startswith="Accepted password" endswith=eval(status_id=2) maxevents=10',
      ),
    ).toEqual([
      {
        stage: 'transaction',
        fields: [{ name: 'host' }],
        startswith: {
          filter: {
            op: 'and',
            args: [
              { op: 'text', value: 'Accepted' },
              { op: 'text', value: 'password' },
            ],
          },
        },
        endswith: {
          condition: {
            expr: 'binary',
            op: '=',
            left: { expr: 'field', name: 'status_id' },
            right: { expr: 'literal', value: 2 },
          },
        },
        maxevents: 10,
      },
    ]);
  });

  test('searches in quotes, parentheses or a word', () => {
    const filterOf = (text: string) =>
      (stagesOf(`| transaction user startswith=${text}`) as { startswith: unknown }[])[0]
        ?.startswith;
    expect(filterOf('"user=\\"bob smith\\""')).toEqual({
      filter: { op: 'eq', field: 'user', value: 'bob smith' },
    });
    expect(filterOf('"\\"failed password\\""')).toEqual({
      filter: { op: 'text', value: 'failed password' },
    });
    expect(filterOf('(status_id=2 OR NOT host=web01)')).toEqual({
      filter: {
        op: 'or',
        args: [
          { op: 'eq', field: 'status_id', value: '2' },
          { op: 'not', arg: { op: 'eq', field: 'host', value: 'web01' } },
        ],
      },
    });
    expect(filterOf('(src_ip=10.0.0.0/8)')).toEqual({
      filter: { op: 'cidr', field: 'src_ip', value: '10.0.0.0/8' },
    });
    expect(filterOf('login')).toEqual({ filter: { op: 'text', value: 'login' } });
  });

  test('-1 turns limits off', () => {
    expect(stagesOf('| transaction host maxspan=-1 maxpause=-1 maxevents=-1')).toEqual([
      { stage: 'transaction', fields: [{ name: 'host' }], maxevents: -1 },
    ]);
  });

  test.each([
    ['| transaction host startswith=5', 'stage.invalid_option', 31, 1],
    ["| transaction host startswith='x'", 'stage.invalid_option', 31, 3],
    ['| transaction host maxevents=0', 'value.invalid_count', 30, 1],
    ['| transaction host maxevents=1.5', 'value.invalid_count', 30, 3],
    ['| transaction host maxevents=eval(1)', 'stage.invalid_option', 30, 4],
    ['| transaction host maxspan=-2', 'stage.invalid_span', 29, 1],
    ['| transaction host startswith="user IN"', 'syntax.unexpected_token', 39, 1],
    ['| transaction host startswith=""', 'syntax.unexpected_token', 32, 1],
    ['| transaction host startswith="a | stats count"', 'syntax.unexpected_token', 34, 1],
    ['| transaction host startswith="a ! b"', 'syntax.unexpected_character', 34, 1],
    ['| transaction host startswith="user=\'x"', 'syntax.unterminated_string', 37, 2],
    ['| transaction host startswith=(user=)', 'syntax.unexpected_token', 37, 1],
    ['| transaction host startswith="nosuch=1"', 'field.unknown', 32, 7],
    ['| transaction host startswith=(nosuch=1)', 'field.unknown', 32, 7],
    ['| transaction host endswith=eval(nosuch=1)', 'field.unknown', 34, 6],
  ])('%s is rejected', (query, code, column, length) => {
    const [error] = parseQuery(query).errors;
    expect(error?.code).toBe(code);
    expect(error?.column).toBe(column);
    expect(error?.length).toBe(length);
  });

  test('misspelled option suggests the name', () => {
    expect(parseQuery('| transaction host startwith="a"').errors[0]).toMatchObject({
      code: 'stage.invalid_option',
      suggestion: 'startswith',
    });
  });

  test('invalid conditions from JSON', () => {
    const stage = (extra: object) => ({
      version: 1,
      stages: [{ stage: 'transaction', fields: [{ name: 'host' }], ...extra }],
    });
    const pathOf = (json: unknown) => {
      try {
        astFromJson(json);
        return undefined;
      } catch (error) {
        return (error as QueryError).diagnostics[0]?.message;
      }
    };
    expect(pathOf(stage({ startswith: {} }))).toContain('$.stages[0].startswith:');
    expect(
      pathOf(stage({ endswith: { filter: { op: 'all' }, condition: { expr: 'literal' } } })),
    ).toContain('$.stages[0].endswith:');
    expect(pathOf(stage({ startswith: { filter: { op: 'xor' } } }))).toContain(
      '$.stages[0].startswith.filter.op',
    );
    expect(pathOf(stage({ maxevents: 0 }))).toContain('$.stages[0].maxevents:');
    expect(pathOf(stage({ maxevents: -2 }))).toContain('$.stages[0].maxevents:');
    expect(pathOf(stage({ maxevents: -1 }))).toBeUndefined();
  });
});

describe('canonical JSON', () => {
  const QUERIES = [
    'user:admin src_ip:10.0.0.0/8 NOT fail* earliest=-1h',
    'user IN (a, b) OR (process=*shell* dst_port>=1024) | stats count, dc(user) as users by host | sort -count | head 5',
    '| where cidrmatch("10.0.0.0/8", src_ip) and len(user) > 3 | eval x = if(status_id = 2, "fail", "ok") | table x, user',
    '| top limit=3 user by host',
    'user=CASE(Admin) | timechart span=5m count by class_uid',
    'a | rename user as u | fields - raw | dedup u | tail 3',
    '| streamstats current=f reset_on_change=t time_window=5m window=3 avg(src_port) by host',
    '| transaction user startswith="Accepted" endswith=eval(status_id=2) maxevents=5 maxpause=1h',
    '| transaction host startswith=(user=admin OR "failed password") maxevents=-1',
  ];

  test.each(QUERIES)('%s compiles the same from JSON', (text) => {
    const parsed = parseQuery(text);
    expect(parsed.errors).toEqual([]);
    const json = JSON.parse(JSON.stringify(astToJson(parsed.ast!)));
    const options = { source: 'events', nowMs: 1_700_000_000_000 };
    expect(compileQuery(astFromJson(json), options)).toEqual(compileQuery(parsed.ast!, options));
  });

  test('regex operator from JSON', () => {
    const ast = astFromJson({
      version: 1,
      filter: { op: 'regex', field: 'user', pattern: '^a.+e$' },
    });
    const compiled = compileQuery(ast, { source: 'events', nowMs: 0 });
    expect(compiled.sql).toContain('regexp_matches(coalesce("user_name", "actor_user"), ?)');
    expect(compiled.params).toEqual(['^a.+e$', 1000]);
  });

  test.each([
    [null, '$'],
    [{ version: 2 }, '$.version'],
    [{ version: 1, filter: { op: 'xor' } }, '$.filter.op'],
    [{ version: 1, filter: { op: 'eq', field: 'a', value: {} } }, '$.filter.value'],
    [{ version: 1, stages: [{ stage: 'head', count: -1 }] }, '$.stages[0].count'],
    [
      { version: 1, stages: [{ stage: 'streamstats', aggregations: [], current: 'f' }] },
      '$.stages[0].current',
    ],
    [
      { version: 1, stages: [{ stage: 'streamstats', aggregations: [], timeWindowMs: 0 }] },
      '$.stages[0].timeWindowMs',
    ],
    [
      { version: 1, stages: [{ stage: 'stats', aggregations: [{ fn: 'median2' }] }] },
      '$.stages[0].aggregations[0].fn',
    ],
    [
      {
        version: 1,
        stages: [{ stage: 'where', condition: { expr: 'binary', op: ';', left: {}, right: {} } }],
      },
      '$.stages[0].condition.op',
    ],
  ])('invalid JSON %#', (json, path) => {
    try {
      astFromJson(json);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(QueryError);
      const diagnostic = (error as QueryError).diagnostics[0];
      expect(diagnostic?.code).toBe('json.invalid');
      expect(diagnostic?.message).toContain(`at ${path}:`);
    }
  });
});
