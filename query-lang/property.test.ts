/**
 * Property test with fast-check: generated queries of every construct, and random mutations of
 * them, never crash the parser or the compiler, fail only with structured diagnostics, and in
 * generated queries no user value reaches the SQL text outside a bound parameter.
 * `FUZZ_RUNS` sets the number of runs (2,000 by default; 100,000 for a long run).
 */

import fc from 'fast-check';
import { expect, test } from 'vitest';
import { compileQuery, parseQuery, QueryError } from './index.js';
import { NOW_MS } from './test-fixtures.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const MARK = 'zq';

/** A user value: the marker, then text that may hold quotes, SQL and regex characters. */
const userValue = fc
  .tuple(
    fc.stringMatching(/^[A-Za-z0-9]{1,6}$/),
    fc.constantFrom('', "'; DROP TABLE events; --", '" OR 1=1', '%_', '\\', '$.x', '--', '*/'),
  )
  .map(([word, tail]) => `${MARK}${word}${tail}`);

const quoted = userValue.map((value) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
const bare = fc.stringMatching(/^[A-Za-z0-9]{1,6}$/).map((word) => `${MARK}${word}`);
const value = fc.oneof(
  quoted,
  bare,
  bare.map((word) => `${word}*`),
  bare.map((word) => `*${word}`),
);

const field = fc.constantFrom(
  'user',
  'src_ip',
  'dest',
  'host',
  'sourcetype',
  'class_uid',
  'status_id',
  'raw',
  'traffic.bytes',
  'attacks{}.technique.uid',
  'attacks[0].tactic.name',
);
const operator = fc.constantFrom(':', '=', '!=', '>', '>=', '<', '<=');

const term = fc.oneof(
  fc.tuple(field, operator, value).map(([name, op, text]) => `${name}${op}${text}`),
  fc
    .tuple(field, fc.array(value, { minLength: 1, maxLength: 3 }))
    .map(([name, values]) => `${name} IN (${values.join(', ')})`),
  quoted,
  bare,
  fc.constantFrom('src_ip:10.0.0.0/8', 'src_ip:fe80::/10', 'sourcetype:aws:cloudtrail', '*'),
);

const search = fc
  .array(fc.tuple(fc.constantFrom(' ', ' AND ', ' OR ', ' NOT '), term), {
    minLength: 0,
    maxLength: 4,
  })
  .map((parts) =>
    parts.map(([joiner, text], index) => (index === 0 ? text : joiner + text)).join(''),
  );

const expression = fc.oneof(
  fc.tuple(field, quoted).map(([name, text]) => `${name} = ${text}`),
  fc
    .tuple(field, quoted)
    .map(([name, text]) => `like(${name}, ${text})`.replace(/^like\((.*), (.*)\)$/, '$1 like $2')),
  fc.tuple(field, quoted).map(([name, text]) => `match(${name}, ${text})`),
  fc.tuple(field, quoted).map(([name, text]) => `if(isnull(${name}), ${text}, lower(${name}))`),
  fc.tuple(field, quoted).map(([name, text]) => `cidrmatch(${text}, ${name})`),
);

const aggregate = fc.constantFrom(
  'count',
  'dc(user)',
  'values(host)',
  'perc95(status_id)',
  'p50(severity_id)',
  'median(traffic.bytes)',
  'earliest(user)',
);

const stage = fc.oneof(
  expression.map((text) => `where ${text}`),
  expression.map((text) => `eval out = ${text}`),
  fc.tuple(aggregate, field).map(([agg, by]) => `stats ${agg} by ${by}`),
  fc.tuple(aggregate, field).map(([agg, by]) => `eventstats ${agg} by ${by}`),
  aggregate.map((agg) => `streamstats window=3 ${agg}`),
  fc
    .tuple(aggregate, field)
    .map(([agg, by]) => `streamstats current=f reset_on_change=t time_window=5m ${agg} by ${by}`),
  fc.tuple(aggregate, field, field).map(([agg, over, by]) => `chart ${agg} over ${over} by ${by}`),
  field.map((name) => `top limit=3 ${name}`),
  fc.constantFrom('bin _time span=5m', 'bucket status_id span=10', 'sort - time', 'head 5'),
  fc.tuple(quoted, field).map(([text, name]) => `fillnull value=${text} ${name}`),
  userValue.map(
    (text) => `rex field=raw "${text.replace(/[\\"()[\]{}*+?.|^$]/g, '')}(?<grp>[a-z]+)"`,
  ),
  bare.map((text) => `spath input=raw path=${text}.a output=extracted`),
  fc
    .tuple(term, expression)
    .map(
      ([search, condition]) =>
        `transaction host startswith="${search.replace(/[\\"]/g, '\\$&')}" endswith=eval(${condition}) maxevents=3`,
    ),
  term.map((search) => `transaction user startswith=(${search}) maxpause=5m`),
  fc.constantFrom(
    'mvexpand user',
    'transaction host maxpause=5m',
    'dedup host',
    'table time, user',
    'reverse',
    'addtotals col=t',
  ),
  fc.tuple(quoted, field).map(([text, name]) => `makemv delim=${text} ${name}`),
  field.map((name) => `delta ${name} p=2`),
  field.map((name) => `accum ${name} as running`),
  field.map((name) => `autoregress ${name} p=1-2`),
  fc
    .tuple(quoted, field)
    .map(([text, name]) => `rangemap field=${name} low=0-10 high=5-20 default=${text}`),
  fc
    .tuple(fc.constantFrom('', 'allrequired=t ', 'allrequired=f '), field, quoted, field)
    .map(([option, left, text, right]) => `strcat ${option}${left} ${text} ${right} joined`),
  fc
    .tuple(field, field, fc.constantFrom('', ' | untable x y count', ' | fillnull value=0'))
    .map(([x, y, after]) => `stats count by ${x}, ${y} | xyseries ${x} ${y} count${after}`),
  fc.tuple(field, field).map(([x, y]) => `stats count by ${x} ${y} | untable ${x} field value`),
  fc
    .tuple(fc.constantFrom('user host', 'src_*', '*'), quoted)
    .map(
      ([fields, text]) =>
        `foreach ${fields} [eval <<FIELD>>_copy = coalesce(<<FIELD>>, ${text}) | where <<FIELD>>_copy != ${text}]`,
    ),
);

/** `tstats`, which starts a query, with the search of the search part after its `where`. */
const tstats = fc
  .tuple(aggregate, search, field, fc.constantFrom('', ' _time span=1h', ' _time'))
  .map(([agg, where, by, time]) => `| tstats ${agg} where ${where} by ${by}${time}`);

/** The end of a subsearch: the fields whose values the outer rows match or join on. */
const subsearchEnd = fc.oneof(
  field.map((name) => `fields ${name}`),
  fc.tuple(field, field).map(([first, second]) => `table ${first}, ${second}`),
  field.map((name) => `stats count by ${name} | fields ${name}`),
  field.map((name) => `dedup ${name} | head 3 | fields ${name}`),
  field.map((name) => `rename ${name} as src_ip | fields src_ip`),
);

const subsearch = fc.oneof(
  fc
    .tuple(fc.constantFrom('[search ', '[ '), search, subsearchEnd)
    .map(([open, body, end]) => `${open}${body} | ${end}]`),
  quoted.map((text) => `[| makeresults | eval user=${text} | fields user]`),
);

const subsearchStage = fc.oneof(
  fc.tuple(search, subsearch).map(([head, inner]) => `search ${head} ${inner}`),
  fc
    .tuple(
      fc.constantFrom('', 'type=left ', 'type=outer max=0 ', 'max=2 overwrite=f '),
      field,
      subsearch,
    )
    .map(([options, name, inner]) => `join ${options}${name} ${inner}`),
  subsearch.map((inner) => `append ${inner}`),
);

/** A search, with a subsearch term after it or not. */
const searchPart = fc
  .tuple(
    search,
    fc.option(fc.tuple(fc.constantFrom(' ', ' NOT ', ' OR '), subsearch), { nil: undefined }),
  )
  .map(([head, inner]) => (inner === undefined ? head : `${head}${inner[0]}${inner[1]}`));

const query = fc
  .tuple(fc.oneof(searchPart, tstats), fc.array(fc.oneof(stage, subsearchStage), { maxLength: 3 }))
  .map(([head, stages]) => [head, ...stages].join(' | '));

const mutated = fc
  .tuple(
    query,
    fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.string({ maxLength: 3 })), { maxLength: 4 }),
  )
  .map(([text, edits]) =>
    edits.reduce((current, [position, removed, inserted]) => {
      const at = current.length === 0 ? 0 : position % current.length;
      return current.slice(0, at) + inserted + current.slice(at + removed);
    }, text),
  );

function isDiagnostic(value: unknown): boolean {
  const diagnostic = value as Record<string, unknown>;
  return (
    typeof diagnostic.code === 'string' &&
    typeof diagnostic.message === 'string' &&
    typeof diagnostic.offset === 'number' &&
    typeof diagnostic.length === 'number'
  );
}

/** Parses and compiles; returns the SQL texts, or undefined when the query was rejected. */
function check(text: string): string[] | undefined {
  const parsed = parseQuery(text);
  expect(parsed.errors.every(isDiagnostic)).toBe(true);
  if (parsed.ast === undefined) {
    expect(parsed.errors.length).toBeGreaterThan(0);
    return undefined;
  }
  try {
    const compiled = compileQuery(parsed.ast, { source: 'events', nowMs: NOW_MS });
    return [compiled.sql, compiled.countSql ?? ''];
  } catch (error) {
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).diagnostics.every(isDiagnostic)).toBe(true);
    return undefined;
  }
}

test(`generated queries keep every user value in parameters (${RUNS} runs)`, () => {
  let compiled = 0;
  fc.assert(
    fc.property(query, (text) => {
      const sql = check(text);
      if (sql === undefined) return;
      compiled++;
      for (const statement of sql) expect(statement.toLowerCase()).not.toContain(MARK);
    }),
    { numRuns: RUNS },
  );
  // Most generated queries are valid, so the property says something about SQL.
  expect(compiled).toBeGreaterThan(RUNS / 4);
}, 600_000);

test(`mutated queries fail only with diagnostics (${RUNS} runs)`, () => {
  fc.assert(
    fc.property(mutated, (text) => {
      check(text);
    }),
    { numRuns: RUNS },
  );
}, 600_000);
