import { expect, test } from 'vitest';
import { compileQuery, parseQuery } from './index.js';
import { NOW_MS, openFixtureDatabase } from './test-fixtures.js';

const FRAGMENTS = [
  'user',
  ':',
  '=',
  '!=',
  '>=',
  '<',
  'admin',
  '*',
  'adm*',
  '"quoted text"',
  "'single'",
  '"',
  "'",
  '(',
  ')',
  ',',
  'AND',
  'OR',
  'NOT',
  'IN',
  'CASE(',
  '10.0.0.0/8',
  '-24h',
  'earliest=',
  '|',
  'stats',
  'count',
  'dc(user)',
  'by',
  'as',
  'sort',
  '-',
  '+',
  'head',
  '10',
  'tail',
  'where',
  'eval',
  'x',
  'if(',
  'cidrmatch(',
  'table',
  'fields',
  'dedup',
  'top',
  'limit=',
  'rare',
  'timechart',
  'span=1h',
  'tstats',
  'strcat',
  'xyseries',
  'untable',
  'allrequired=t',
  'foreach',
  '[',
  ']',
  '<<FIELD>>',
  '<<MATCHSTR>>_x',
  'rename',
  '.src_endpoint.ip',
  'traffic.bytes',
  '\\',
  '\n',
  ' ',
  ';',
  '%',
  '/',
  '@',
  '#',
  '!',
  '==',
  'like',
  'null',
  'true',
  '3.5',
  '1e9',
  '\u00e9',
  '\u{1F600}',
  '[',
  ']',
  '[search',
  'join',
  'append',
  'type=left',
  'max=0',
];

const SEED_QUERIES = [
  'user:admin src_ip:10.0.0.0/8 | stats count by host | sort -count | head 5',
  '| where class_uid > 1 and lower(host) = "x" | eval y = if(class_uid > 1, "a", "b") | table y, host',
  'earliest=-1h NOT (process=*shell* OR cmd="a \\"b\\"") | top limit=3 user by host',
  'class_uid=3002 | eval n = len(user) | stats avg(n) as a, values(host) by status_id | where a > 1 | rename a as b | sort b',
  '| timechart span=30m count by host | head 3',
  '| dedup host | fields - raw | rename src_ip as s | tail 2',
  '| eval a = time, b = src_port + 1, c = traffic.bytes * 2, d = user | where a > "2024-01-01" and b in (1, "x") or not d | stats sum(c), min(a), max(d), dc(b) by d',
  '| stats count, earliest(time) as first, latest(src_ip) by sourcetype | eval z = first + 1 | sort -z | table z, count',
  '| top limit=2 src_endpoint.location.country by host | eval p = round(percent, 2) | where p > 10 | fields - count',
  '| where cidrmatch("10.0.0.0/8", src_ip) | eval s = substr(raw, 1, 5), l = len(s) | dedup l | head 3',
  '| tstats count, dc(src_ip) where earliest=-1h index=main user:admin* by host, _time span=5m',
  '| strcat allrequired=t user "@" host login | stats count by host user | xyseries host user count | untable host user n',
  '| foreach src_* dst_port [eval <<FIELD>>_t = "<<MATCHSTR>>" . <<FIELD>> | where isnotnull(<<FIELD>>_t)] | table *_t',
  'index=main [search user=admin failed | fields src_ip] NOT [ host=web01 | stats count by user | fields user ]',
  'class_uid=3002 | join type=left max=0 src_ip [search class_uid=4001 | table src_ip, dst_ip] | append [| makeresults | eval user="x"] | stats count by user',
];

/** A deterministic pseudo-random generator (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function generate(next: () => number): string {
  if (next() < 0.5) {
    const parts = Array.from(
      { length: 1 + Math.floor(next() * 12) },
      () => FRAGMENTS[Math.floor(next() * FRAGMENTS.length)],
    );
    return parts.join(next() < 0.7 ? ' ' : '');
  }
  let text = SEED_QUERIES[Math.floor(next() * SEED_QUERIES.length)]!;
  for (let edits = 1 + Math.floor(next() * 4); edits > 0; edits--) {
    const at = Math.floor(next() * (text.length + 1));
    const choice = next();
    if (choice < 0.4) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 4));
    else if (choice < 0.8)
      text = text.slice(0, at) + FRAGMENTS[Math.floor(next() * FRAGMENTS.length)] + text.slice(at);
    else text = text.slice(0, at) + String.fromCharCode(Math.floor(next() * 128)) + text.slice(at);
  }
  return text;
}

test('parseQuery never throws on generated input', () => {
  const next = random(20240501);
  let failures = 0;
  for (let index = 0; index < 3000; index++) {
    const text = generate(next);
    let result: ReturnType<typeof parseQuery>;
    try {
      result = parseQuery(text);
    } catch (error) {
      throw new Error(`parseQuery threw on ${JSON.stringify(text)}: ${String(error)}`);
    }
    if (result.ast !== undefined) {
      expect(result.errors, text).toEqual([]);
      continue;
    }
    failures++;
    expect(result.errors.length, text).toBeGreaterThan(0);
    for (const error of result.errors) {
      expect(error.code, text).toMatch(/^[a-z]+\.[a-z_]+$/);
      expect(error.code, text).not.toBe('internal.error');
      expect(error.offset, text).toBeGreaterThanOrEqual(0);
      expect(error.offset + error.length, text).toBeLessThanOrEqual(text.length);
      expect(error.line, text).toBeGreaterThanOrEqual(1);
      expect(error.column, text).toBeGreaterThanOrEqual(1);
      expect(typeof error.message, text).toBe('string');
    }
  }
  // Both outcomes must occur, or the generator is not exercising the parser.
  expect(failures).toBeGreaterThan(100);
  expect(failures).toBeLessThan(3000);
});

test('generated valid queries run on DuckDB', async () => {
  const { connection, close } = await openFixtureDatabase();
  const next = random(1714566896);
  let executed = 0;
  for (let index = 0; index < 1500; index++) {
    const text = generate(next);
    const parsed = parseQuery(text);
    if (parsed.ast === undefined) continue;
    const compiled = compileQuery(parsed.ast, { source: 'events', nowMs: NOW_MS });
    try {
      await connection.runAndReadAll(compiled.sql, compiled.params as never);
      if (compiled.countSql !== undefined) {
        await connection.runAndReadAll(compiled.countSql, compiled.countParams as never);
      }
    } catch (error) {
      throw new Error(`DuckDB rejected ${JSON.stringify(text)}: ${String(error)}`);
    }
    executed++;
  }
  close();
  expect(executed).toBeGreaterThan(100);
});
