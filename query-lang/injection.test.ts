import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { astFromJson, type CompiledQuery, compileQuery, parseQuery, QueryError } from './index.js';
import { FIXTURE_EVENTS, NOW_MS, openFixtureDatabase, serviceRows } from './test-fixtures.js';

const HOSTILE_VALUES = [
  "'); DROP TABLE events; --",
  "' OR '1'='1",
  '"; DROP TABLE events; --',
  'x\\"); DELETE FROM events; --',
  "admin'--",
  '1; DROP TABLE events',
  "$.a') OR 1=1 --",
  '%_\\',
];

let connection: DuckDBConnection;
let close: () => void;

beforeAll(async () => {
  ({ connection, close } = await openFixtureDatabase());
});

afterAll(() => close());

function doubleQuoted(value: string): string {
  return `"${value.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}

async function eventCount(): Promise<number> {
  const reader = await connection.runAndReadAll('SELECT count(*) AS n FROM events');
  return Number(reader.getRowObjectsJson()[0]?.n);
}

async function runChecked(compiled: CompiledQuery, hostile: string) {
  expect(compiled.sql).not.toContain(hostile);
  expect(compiled.sql).not.toContain("'");
  expect(compiled.sql).not.toContain(';');
  const reader = await connection.runAndReadAll(compiled.sql, compiled.params as never);
  return reader.getRowObjectsJson();
}

function compileText(text: string): CompiledQuery {
  const parsed = parseQuery(text);
  expect(parsed.errors).toEqual([]);
  return compileQuery(parsed.ast!, { source: 'events', nowMs: NOW_MS });
}

describe('hostile values are bound parameters', () => {
  test.each(HOSTILE_VALUES)('%s', async (hostile) => {
    const quoted = doubleQuoted(hostile);
    const queries = [
      `user=${quoted}`,
      `user!=${quoted}`,
      `user IN (${quoted}, alice)`,
      `user=${quoted.slice(0, -1)}*"`,
      quoted,
      `metadata.product.name=${quoted}`,
      `| where user = ${quoted} or lower(host) like ${quoted}`,
      `| eval x = coalesce(user, ${quoted}) | stats count by x`,
      `| tstats count where user=${quoted} OR host=${quoted} by host`,
      `| strcat user ${quoted} host out | where out = ${quoted}`,
      `| foreach user host [eval <<FIELD>>_x = coalesce(<<FIELD>>, ${quoted}) | where <<FIELD>>_x != ${quoted}]`,
      `[search user=${quoted} | fields src_ip]`,
      `NOT [| makeresults | eval user=${quoted}, host=${quoted} | fields user, host]`,
      `| join type=left src_ip [search user=${quoted} | eval note=${quoted} | table src_ip, note]`,
      `| append [| makeresults | eval user=${quoted} | search user=${quoted}]`,
    ];
    for (const text of queries) {
      const result = await runChecked(compileText(text), hostile);
      expect(Array.isArray(result)).toBe(true);
    }
    expect(await eventCount()).toBe(FIXTURE_EVENTS.length);
  });

  test.each(HOSTILE_VALUES)('%s as an xyseries column name', async (hostile) => {
    const wide = `| eval v = ${doubleQuoted(hostile)} | stats count by v, host | xyseries host v count`;
    const queries = [
      wide,
      `${wide} | untable host v n`,
      `${wide} | untable host v n | stats count by v`,
    ];
    const results = [];
    for (const text of queries) {
      const compiled = compileText(text);
      expect(compiled.sql).not.toContain(hostile);
      const reader = await connection.runAndReadAll(compiled.sql, compiled.params as never);
      results.push(serviceRows(compiled, reader.columnNames(), reader.getRowObjectsJson()));
    }
    expect(results[0]?.[0]?.[hostile]).toBe('1');
    expect(results[1]?.[0]).toEqual({ host: 'dns01', v: hostile, n: '1' });
    expect(results[2]).toEqual([{ v: hostile, count: '7' }]);
    expect(await eventCount()).toBe(FIXTURE_EVENTS.length);
  });

  test('quote in a value matches the stored URL', async () => {
    const result = await runChecked(compileText(`url="/login?user=x'; DROP"`), "x'; DROP");
    expect(result.map((row) => row.id)).toEqual(['e10']);
    expect(await eventCount()).toBe(FIXTURE_EVENTS.length);
  });
});

describe('hostile field names are rejected', () => {
  test.each(HOSTILE_VALUES)('%s in text', (hostile) => {
    const texts = [
      `${hostile}:x`,
      `| table ${doubleQuoted(hostile)}`,
      `| table '${hostile.replace(/[\\']/g, (char) => `\\${char}`)}'`,
      `| eval ${hostile} = 1`,
      `| stats count as ${hostile}`,
      `| rename user as ${hostile}`,
      `| stats count by host | untable host ${hostile} value`,
      `| strcat user host ${hostile}`,
      `| foreach user [eval <<FIELD>>${hostile} = 1]`,
    ];
    for (const text of texts) {
      const result = parseQuery(text);
      expect(result.ast).toBeUndefined();
      expect(result.errors.length).toBeGreaterThan(0);
    }
  });

  test.each(HOSTILE_VALUES)('%s in JSON', (hostile) => {
    const asts = [
      { version: 1, filter: { op: 'eq', field: hostile, value: 'x' } },
      { version: 1, filter: { op: 'exists', field: `a.${hostile}` } },
      {
        version: 1,
        stages: [{ stage: 'stats', aggregations: [{ fn: 'count', as: hostile }], by: [] }],
      },
      {
        version: 1,
        stages: [{ stage: 'stats', aggregations: [{ fn: 'dc', field: hostile }], by: [] }],
      },
      {
        version: 1,
        stages: [
          { stage: 'eval', assignments: [{ name: hostile, value: { expr: 'literal', value: 1 } }] },
        ],
      },
      { version: 1, stages: [{ stage: 'rename', renames: [{ from: 'user', to: hostile }] }] },
      { version: 1, stages: [{ stage: 'sort', keys: [{ field: hostile, descending: true }] }] },
      {
        version: 1,
        stages: [{ stage: 'where', condition: { expr: 'call', fn: hostile, args: [] } }],
      },
    ];
    for (const json of asts) {
      expect(() => compileQuery(astFromJson(json), { source: 'events', nowMs: NOW_MS })).toThrow(
        QueryError,
      );
    }
  });

  test('JSON literal values stay parameters', async () => {
    const hostile = HOSTILE_VALUES[0]!;
    // DuckDB validates the regular expression when it runs, so the parenthesis is escaped.
    const pattern = hostile.replace(')', '\\)');
    const ast = astFromJson({
      version: 1,
      filter: {
        op: 'or',
        args: [
          { op: 'regex', field: 'user', pattern },
          { op: 'wildcard', field: 'host', pattern: `*${hostile}*` },
        ],
      },
      stages: [
        {
          stage: 'where',
          condition: {
            expr: 'binary',
            op: '=',
            left: { expr: 'field', name: 'user' },
            right: { expr: 'literal', value: hostile },
          },
        },
      ],
    });
    await runChecked(compileQuery(ast, { source: 'events', nowMs: NOW_MS }), hostile);
    expect(await eventCount()).toBe(FIXTURE_EVENTS.length);
  });
});
