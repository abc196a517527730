/**
 * Compilation of the stages that add fields or reshape rows beyond the basic set: `bin`,
 * `eventstats`, `streamstats`, `fillnull`, `rex`, `spath`, `mvexpand`, `transaction` and
 * `lookup`. Each stage adds one or more common table expressions to the state of `compiler.ts`.
 */

import type { Stage, TransactionCondition } from './ast.js';
import { COLUMNS } from './catalog.js';
import {
  addColumn,
  addStage,
  aggregateName,
  cloneScope,
  compileAggregation,
  currentOrder,
  type Group,
  isPromoted,
  type LookupTable,
  type OrderKey,
  orderTerms,
  resolveGroups,
  type State,
  tableScope,
} from './compiler.js';
import { checkRegex, fail, QueryError, type SourceLocation } from './errors.js';
import { asCondition, compileExpression } from './expression-compiler.js';
import {
  type ColumnInfo,
  checkOutputName,
  jsonPathValue,
  outputName,
  type ResolvedField,
  resolveField,
  resolveTimeField,
  type Scope,
} from './fields.js';
import { compileFilter } from './filter-compiler.js';
import { identifier, join, numberParam, numberValue, param, raw, type Sql, sql } from './sql.js';
import { parseCalendarSpanMonths, parseSpanMillis } from './time.js';

type MoreStage = Extract<
  Stage,
  {
    stage:
      | 'bin'
      | 'eventstats'
      | 'streamstats'
      | 'fillnull'
      | 'rex'
      | 'spath'
      | 'mvexpand'
      | 'transaction'
      | 'lookup'
      | 'makeresults'
      | 'inputlookup'
      | 'makemv';
  }
>;

export function compileMoreStage(state: State, stage: Stage): void {
  const more = stage as MoreStage;
  switch (more.stage) {
    case 'bin':
      compileBin(state, more);
      return;
    case 'eventstats':
    case 'streamstats':
      compileWindowStats(state, more);
      return;
    case 'fillnull':
      compileFillnull(state, more);
      return;
    case 'rex':
      compileRex(state, more);
      return;
    case 'spath':
      compileSpath(state, more);
      return;
    case 'mvexpand':
      compileMvexpand(state, more);
      return;
    case 'transaction':
      compileTransaction(state, more);
      return;
    case 'lookup':
      compileLookup(state, more);
      return;
    case 'makeresults':
      compileMakeresults(state, more);
      return;
    case 'inputlookup':
      compileInputlookup(state, more);
      return;
    case 'makemv':
      compileMakemv(state, more);
      return;
  }
}

/**
 * `inputlookup`: the rows of a lookup table, every column text. When the query is only checked,
 * without its tables, later stages may name any column.
 */
function compileInputlookup(state: State, stage: Extract<Stage, { stage: 'inputlookup' }>): void {
  const table = findLookup(state, stage.table);
  if (table === undefined) {
    if (state.lookups !== undefined) unknownLookup(stage.table, stage.loc);
    addStage(state, sql`SELECT NULL AS "__none" WHERE FALSE`, {
      ...tableScope([]),
      openColumns: true,
    });
  } else {
    const columns = table.columns.filter((name) => LOOKUP_COLUMN.test(name));
    const select = join(
      columns.map((name) => identifier(name)),
      ', ',
    );
    addStage(
      state,
      sql`SELECT ${select} FROM ${raw(table.relation)}`,
      tableScope(columns.map((name) => ({ name, type: 'string' as const }))),
    );
  }
  state.aggregate = true;
}

/** Rows `makeresults` may make, so that a typo cannot fill the memory. */
export const MAX_MADE_RESULTS = 100_000;

function compileMakeresults(state: State, stage: Extract<Stage, { stage: 'makeresults' }>): void {
  if (stage.count > MAX_MADE_RESULTS) {
    fail(
      'value.invalid_count',
      `makeresults makes at most ${MAX_MADE_RESULTS} rows, not ${stage.count}`,
      stage.loc,
    );
  }
  // The search time, which now() also returns, so that now() - _time is 0 as in Splunk.
  const timeUs = Math.round(state.context.nowMs * 1000);
  addStage(
    state,
    sql`SELECT make_timestamp(CAST(${param(timeUs)} AS BIGINT)) AS "_time" FROM range(CAST(${param(stage.count)} AS BIGINT))`,
    tableScope([{ name: '_time', type: 'time' }]),
  );
  state.aggregate = true;
}

/** Microseconds from the Unix epoch to 2000-01-03, the origin of DuckDB's `time_bucket`. */
const BUCKET_ORIGIN_US = 946_857_600_000_000;

/**
 * Returns the start of the `spanMs` bucket of a timestamp, as DuckDB's `time_bucket` with its
 * default origin does for such a span, in integer arithmetic on the microseconds. Grouping by
 * it took 720 against 960 ms for `time_bucket` over 10 million events.
 */
export function timeBucket(spanMs: number, time: Sql): Sql {
  const width = sql`(CAST(${param(spanMs)} AS BIGINT) * 1000)`;
  // The remainder keeps the sign of the dividend, so it is brought into [0, width) first.
  const offset = sql`((epoch_us(${time}) - ${raw(String(BUCKET_ORIGIN_US))}) % ${width} + ${width}) % ${width}`;
  return sql`make_timestamp(epoch_us(${time}) - ${offset})`;
}

/**
 * Returns the start of the calendar bucket of `months` months of a timestamp, counted from
 * 2000-01-01 (DuckDB's origin for such spans), so that 3 months are quarters and 12 are years.
 */
export function calendarBucket(months: number, time: Sql): Sql {
  return sql`time_bucket(to_months(CAST(${param(months)} AS INTEGER)), CAST(${time} AS TIMESTAMP))`;
}

/** Returns the bucket of a time for a span (`1h`, `1mon`), or undefined when it is invalid. */
export function spanBucket(span: string, time: Sql): Sql | undefined {
  const spanMs = parseSpanMillis(span);
  if (spanMs !== undefined) return timeBucket(spanMs, time);
  const months = parseCalendarSpanMonths(span);
  return months === undefined ? undefined : calendarBucket(months, time);
}

/** Returns the name a stage writes back to: the physical column, or the field name when it is one. */
function targetName(field: ResolvedField, name: string, loc: SourceLocation | undefined): string {
  if (field.columns.length === 1 && field.sql.text === `"${field.columns[0]}"`) {
    return field.columns[0]!;
  }
  const target = outputName(name);
  checkOutputName(target, loc);
  return target;
}

function compileBin(state: State, stage: Extract<Stage, { stage: 'bin' }>): void {
  const field = resolveField(state.scope, stage.field, stage.loc);
  const target = stage.as ?? targetName(field, stage.field, stage.loc);
  checkOutputName(target, stage.loc);
  if (field.type === 'time') {
    const bucket = spanBucket(stage.span, field.sql);
    if (bucket === undefined) {
      fail(
        'stage.invalid_span',
        `Invalid span '${stage.span}': use a duration such as 5m, 1h, 1d, 1mon or 1y, up to 1000y`,
        stage.loc,
      );
    }
    addColumn(state, target, bucket, 'time');
    return;
  }
  const span = numberValue(stage.span);
  if (span === undefined || Number(span) <= 0) {
    fail(
      'stage.invalid_span',
      `Invalid span '${stage.span}' for a number: use a positive number such as 100`,
      stage.loc,
    );
  }
  const numeric = field.type === 'number' ? field.sql : sql`TRY_CAST(${field.sql} AS DOUBLE)`;
  const value = numberParam(Number(span));
  addColumn(state, target, sql`floor(${numeric} / ${value}) * ${value}`, 'number');
}

function compileWindowStats(
  state: State,
  stage: Extract<Stage, { stage: 'eventstats' | 'streamstats' }>,
): void {
  const groups = resolveGroups(state, stage.by);
  // As in Splunk, rows that lack a by field get no value, rather than forming a group of their own.
  const present =
    groups.length === 0
      ? undefined
      : join(
          groups.map((group) => sql`${group.sql} IS NOT NULL`),
          ' AND ',
        );
  let window = partitionBy(groups.map((group) => group.sql));
  let helpers: string[] = [];
  if (stage.stage === 'streamstats') {
    ({ window, helpers } = streamWindow(state, stage, groups, present));
  }
  const columns = stage.aggregations.map((aggregation) => {
    const compiled = compileAggregation(state, aggregation, window);
    const value =
      present === undefined ? compiled.sql : sql`CASE WHEN ${present} THEN ${compiled.sql} END`;
    return { name: aggregateName(aggregation), sql: value, type: compiled.type };
  });
  for (const column of columns) addColumn(state, column.name, column.sql, column.type);
  if (helpers.length > 0) {
    const excluded = join(
      helpers.map((name) => identifier(name)),
      ', ',
    );
    addStage(state, sql`SELECT * EXCLUDE (${excluded}) FROM ${raw(state.relation)}`);
  }
}

/** Returns `PARTITION BY` of window terms, or nothing without terms. */
function partitionBy(terms: readonly Sql[]): Sql {
  return terms.length === 0 ? raw('') : sql`PARTITION BY ${join(terms, ', ')}`;
}

/**
 * Returns the window of the `streamstats` aggregates. `reset_on_change` and `time_window` first
 * add steps with helper columns, which `helpers` names for the caller to drop afterwards.
 */
function streamWindow(
  state: State,
  stage: Extract<Stage, { stage: 'streamstats' }>,
  groups: readonly Group[],
  present: Sql | undefined,
): { window: Sql; helpers: string[] } {
  const end = raw(stage.current === false ? '1 PRECEDING' : 'CURRENT ROW');
  // Rows before the current one that `window` reaches. The window counts the current row unless
  // current=f leaves it out.
  const windowRows =
    stage.window === undefined ? undefined : stage.window - (stage.current === false ? 0 : 1);
  const keys = currentOrder(state);
  const order = orderTerms(state, keys);
  if (!stage.resetOnChange && stage.timeWindowMs === undefined) {
    // Running values follow the rows in their current order, as Splunk's streamstats does.
    const orderClause = order === undefined ? raw('') : sql` ORDER BY ${order}`;
    const start = windowRows === undefined ? raw('UNBOUNDED') : param(windowRows);
    const partition = partitionBy(groups.map((group) => group.sql));
    return {
      window: sql`${partition}${orderClause} ROWS BETWEEN ${start} PRECEDING AND ${end}`,
      helpers: [],
    };
  }

  const time = stage.timeWindowMs === undefined ? undefined : timeOrder(state, keys, stage.loc);
  // Numbers the rows once, so that every later window orders ties the same way.
  const numbering = order === undefined ? raw('') : sql`ORDER BY ${order}`;
  addStage(
    state,
    sql`SELECT *, row_number() OVER (${numbering}) AS "__order" FROM ${raw(state.relation)}`,
  );
  const helpers = ['__order'];
  let partition = groups.map((group) => group.sql);
  if (stage.resetOnChange) {
    partition = [resetRuns(state, groups, present, stage.loc)];
    helpers.push('__change', '__run');
  }
  const by = partitionBy(partition);
  let start = windowRows === undefined ? undefined : sql`CAST(${param(windowRows)} AS BIGINT)`;
  if (time !== undefined && stage.timeWindowMs !== undefined) {
    // Finds the first row of each row's time window by a range over the time. The frame then
    // runs from that row to the current one in rows, so `window` and `current` stay exact.
    addStage(
      state,
      sql`SELECT *, row_number() OVER (${by} ORDER BY "__order") AS "__row" FROM ${raw(state.relation)}`,
    );
    const direction = raw(time.descending ? 'DESC' : 'ASC');
    // The far edge is open: a row exactly time_window before is outside, as in Splunk.
    const reach = sql`CAST(${param(stage.timeWindowMs * 1000)} AS BIGINT) - 1`;
    addStage(
      state,
      sql`SELECT *, min("__row") OVER (${by} ORDER BY epoch_us(${time.sql}) ${direction} RANGE BETWEEN ${reach} PRECEDING AND CURRENT ROW) AS "__first" FROM ${raw(state.relation)}`,
    );
    helpers.push('__row', '__first');
    const rows = raw('("__row" - "__first")');
    start = start === undefined ? rows : sql`least(${start}, ${rows})`;
  }
  const frameStart = start ?? raw('UNBOUNDED');
  return {
    window: sql`${by} ORDER BY "__order" ROWS BETWEEN ${frameStart} PRECEDING AND ${end}`,
    helpers,
  };
}

/**
 * Adds the steps of `reset_on_change` and returns the run of each row. Only rows with every by
 * field count, and a run ends where their by values differ from the row before. As in Splunk,
 * every aggregate restarts there, not only those of the new values.
 */
function resetRuns(
  state: State,
  groups: readonly Group[],
  present: Sql | undefined,
  loc: SourceLocation | undefined,
): Sql {
  if (present === undefined) {
    fail(
      'stage.invalid_option',
      'reset_on_change=t restarts the aggregates when the by fields change, so it needs them, as in streamstats reset_on_change=t count by user',
      loc,
    );
  }
  const among = sql`PARTITION BY (${present}) ORDER BY "__order"`;
  const changed = join(
    groups.map((group) => sql`lag(${group.sql}) OVER (${among}) IS DISTINCT FROM ${group.sql}`),
    ' OR ',
  );
  addStage(
    state,
    sql`SELECT *, CASE WHEN ${present} THEN ${changed} END AS "__change" FROM ${raw(state.relation)}`,
  );
  addStage(
    state,
    sql`SELECT *, CASE WHEN ${present} THEN sum(CASE WHEN "__change" THEN 1 ELSE 0 END) OVER (${among} ROWS UNBOUNDED PRECEDING) END AS "__run" FROM ${raw(state.relation)}`,
  );
  return raw('"__run"');
}

/**
 * Returns the time of the rows and whether it descends, when the rows are in time order as
 * `time_window` needs, and raises otherwise.
 */
function timeOrder(
  state: State,
  keys: readonly OrderKey[] | undefined,
  loc: SourceLocation | undefined,
): { sql: Sql; descending: boolean } {
  const time = resolveTimeField(state.scope, loc, 'streamstats time_window');
  const first = keys?.[0];
  if (first !== undefined) {
    const field = resolveField(state.scope, first.name, first.loc);
    if (field.sql.text === time.sql.text) return { sql: time.sql, descending: first.descending };
  }
  return fail(
    'stage.needs_time_order',
    'streamstats time_window needs the rows in time order, as in Splunk: sort by _time before it (sort _time or sort -_time)',
    loc,
  );
}

function compileFillnull(state: State, stage: Extract<Stage, { stage: 'fillnull' }>): void {
  let names = stage.fields.map((field) => field.name);
  if (names.length === 0) {
    // Every column that can be empty: a time is kept a time, as Splunk leaves `_time` alone.
    names = [...state.scope.columns.values()]
      .filter((column) => column.type !== 'time')
      .map((column) => column.name);
    if (names.length === 0) {
      fail(
        'stage.missing_fields',
        'fillnull on events needs the fields to fill, as in fillnull value=0 user',
        stage.loc,
      );
    }
  }
  for (const [index, name] of names.entries()) {
    const loc = stage.fields[index]?.loc;
    const field = resolveField(state.scope, name, loc);
    const target = targetName(field, name, loc);
    const numeric = typeof stage.value === 'number' && field.type === 'number';
    const value = numeric
      ? sql`coalesce(${field.sql}, ${param(stage.value)})`
      : sql`coalesce(CAST(${field.sql} AS VARCHAR), ${param(String(stage.value))})`;
    addColumn(state, target, value, numeric ? 'number' : 'string');
  }
}

interface RegexGroup {
  name: string;
  index: number;
}

/** Converts `(?<name>` to RE2's `(?P<name>` and numbers the capturing groups. */
export function namedGroups(pattern: string): {
  re2: string;
  groups: RegexGroup[];
  groupCount: number;
} {
  const groups: RegexGroup[] = [];
  let re2 = '';
  let index = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '\\') {
      re2 += pattern.slice(i, i + 2);
      i++;
      continue;
    }
    if (inClass) {
      if (char === ']') inClass = false;
      re2 += char;
      continue;
    }
    if (char === '[') {
      inClass = true;
      re2 += char;
      continue;
    }
    if (char === '(') {
      const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(pattern.slice(i));
      if (named) {
        index++;
        groups.push({ name: named[1]!, index });
        re2 += `(?P<${named[1]}>`;
        i += named[0].length - 1;
        continue;
      }
      if (pattern[i + 1] !== '?') index++;
    }
    re2 += char;
  }
  return { re2, groups, groupCount: index };
}

function compileRex(state: State, stage: Extract<Stage, { stage: 'rex' }>): void {
  const field = resolveField(state.scope, stage.field, stage.fieldLoc ?? stage.loc);
  if (stage.mode === 'sed') {
    compileSed(state, stage, field);
    return;
  }
  const { re2, groups } = namedGroups(stage.pattern);
  checkRegex(stage.pattern, 'rex.invalid_regex', stage.loc);
  if (groups.length === 0) {
    fail(
      'rex.no_groups',
      'rex needs at least one named group, as in "user=(?<user>\\w+)"',
      stage.loc,
    );
  }
  const text = field.type === 'string' ? field.sql : sql`CAST(${field.sql} AS VARCHAR)`;
  for (const group of groups) {
    checkOutputName(group.name, stage.loc);
    const index = raw(String(group.index));
    if (stage.maxMatch === undefined) {
      const value = sql`nullif(regexp_extract(${text}, ${param(re2)}, ${index}), '')`;
      addColumn(state, group.name, value, 'string');
      continue;
    }
    // max_match: the group of each match, the first N of them, as a list.
    const all = sql`list_filter(regexp_extract_all(${text}, ${param(re2)}, ${index}), lambda v: v <> '')`;
    const first = stage.maxMatch === 0 ? all : sql`list_slice(${all}, 1, ${param(stage.maxMatch)})`;
    addColumn(state, group.name, sql`nullif(${first}, [])`, 'list');
  }
}

/**
 * `rex mode=sed`: rewrites a field with a sed expression. `s/re/with/` replaces the first match
 * and `s/re/with/g` every match, with `\1` for a group; `y/abc/xyz/` swaps characters.
 */
function compileSed(
  state: State,
  stage: Extract<Stage, { stage: 'rex' }>,
  field: ResolvedField,
): void {
  const expression = parseSed(stage.pattern);
  if (expression === undefined) {
    fail(
      'rex.invalid_sed',
      'mode=sed takes s/regex/replacement/ with an optional g, or y/from/to/, as in "s/\\d{4}-/XXXX-/g"',
      stage.loc,
    );
  }
  const target = field.json ? outputName(stage.field) : targetName(field, stage.field, stage.loc);
  const text = field.type === 'string' ? field.sql : sql`CAST(${field.sql} AS VARCHAR)`;
  if (expression.command === 'y') {
    if ([...expression.from].length !== [...expression.to].length) {
      fail('rex.invalid_sed', 'y/from/to/ needs as many characters in to as in from', stage.loc);
    }
    const value = sql`translate(${text}, ${param(expression.from)}, ${param(expression.to)})`;
    addColumn(state, target, value, 'string');
    return;
  }
  checkRegex(expression.from, 'rex.invalid_regex', stage.loc);
  const { re2 } = namedGroups(expression.from);
  const options = expression.global ? raw(", 'g'") : raw('');
  const value = sql`regexp_replace(${text}, ${param(re2)}, ${param(expression.to)}${options})`;
  addColumn(state, target, value, 'string');
}

/** Splits a sed expression into its parts, or returns undefined when it is not one. */
function parseSed(
  text: string,
): { command: 's' | 'y'; from: string; to: string; global: boolean } | undefined {
  const command = text[0];
  if ((command !== 's' && command !== 'y') || text[1] !== '/') return undefined;
  // The parts end at slashes that no backslash escapes; `\/` stands for a slash.
  const parts: string[] = [''];
  for (let i = 2; i < text.length; i++) {
    const char = text[i]!;
    if (char === '\\' && text[i + 1] === '/') {
      parts[parts.length - 1] += '/';
      i++;
    } else if (char === '/') {
      parts.push('');
    } else {
      parts[parts.length - 1] += char;
    }
  }
  if (parts.length !== 3) return undefined;
  const [from, to, flags] = parts as [string, string, string];
  if (from === '' || !/^g?$/.test(flags) || (command === 'y' && flags !== '')) return undefined;
  return { command, from, to, global: flags === 'g' };
}

const SPATH = /^[A-Za-z0-9_]+(\[\d+\]|\{\})*(\.[A-Za-z0-9_]+(\[\d+\]|\{\})*)*$/;

function compileSpath(state: State, stage: Extract<Stage, { stage: 'spath' }>): void {
  const input = resolveField(state.scope, stage.input, stage.inputLoc ?? stage.loc);
  const text = input.type === 'string' ? input.sql : sql`CAST(${input.sql} AS VARCHAR)`;
  if (stage.path === undefined || stage.output === undefined) {
    // Splunk's bare spath extracts every field: later stages read unknown names from the JSON.
    state.scope = { ...cloneScope(state.scope), jsonText: text };
    return;
  }
  if (!SPATH.test(stage.path)) {
    fail(
      'spath.invalid_path',
      `Invalid spath path '${stage.path}': use names, [0] and {} joined by dots`,
      stage.loc,
    );
  }
  checkOutputName(stage.output, stage.loc);
  const value = jsonPathValue(text, stage.path);
  addColumn(state, stage.output, value.sql, value.type);
}

function compileMvexpand(state: State, stage: Extract<Stage, { stage: 'mvexpand' }>): void {
  const field = resolveField(state.scope, stage.field, stage.loc);
  // A path such as `fields.tags{}` names the expanded column, which later stages then read.
  const target = field.json ? outputName(stage.field) : targetName(field, stage.field, stage.loc);
  let list: Sql;
  if (field.type === 'list') {
    list = field.sql;
  } else {
    // JSON array text expands to its elements; any other value stays one row.
    const text = field.type === 'string' ? field.sql : sql`CAST(${field.sql} AS VARCHAR)`;
    list = sql`CASE WHEN json_valid(${text}) AND json_type(${text}) = 'ARRAY' THEN json_extract_string(${text}, '$[*]') ELSE [${text}] END`;
  }
  addColumn(state, target, sql`unnest(${list})`, 'string');
}

/** `makemv`: the text of a field as a list, split at a delimiter or made by a tokenizer. */
function compileMakemv(state: State, stage: Extract<Stage, { stage: 'makemv' }>): void {
  const field = resolveField(state.scope, stage.field, stage.loc);
  if (field.type === 'list') return;
  const target = field.json ? outputName(stage.field) : targetName(field, stage.field, stage.loc);
  const text = field.type === 'string' ? field.sql : sql`CAST(${field.sql} AS VARCHAR)`;
  let list: Sql;
  if (stage.tokenizer !== undefined) {
    checkRegex(stage.tokenizer, 'makemv.invalid_regex', stage.loc);
    // Each match gives its first group, or the whole match when the tokenizer has no group.
    const { re2, groupCount } = namedGroups(stage.tokenizer);
    list = sql`regexp_extract_all(${text}, ${param(re2)}, ${raw(groupCount > 0 ? '1' : '0')})`;
  } else {
    list = sql`string_split(${text}, ${param(stage.delim ?? ' ')})`;
  }
  if (stage.allowEmpty !== true) list = sql`list_filter(${list}, lambda v: v <> '')`;
  addColumn(state, target, list, 'list');
}

function compileTransaction(state: State, stage: Extract<Stage, { stage: 'transaction' }>): void {
  const time = resolveTimeField(state.scope, stage.loc, 'transaction');
  const groups = resolveGroups(state, stage.fields);
  const keys = groups.map((_, index) => identifier(`__k${index}`));
  const keyColumns = groups.map((group, index) => sql`${group.sql} AS ${keys[index]!}`);
  const present = groups.map((group) => sql`${group.sql} IS NOT NULL`);
  const where = present.length === 0 ? raw('') : sql` WHERE ${join(present, ' AND ')}`;
  const carried = carriedFields(state.scope, groups);
  const groupTerms = groups.map((group) => group.sql);
  const byGroup = groupTerms.length === 0 ? raw('') : sql`PARTITION BY ${join(groupTerms, ', ')} `;
  const conditions: Sql[] = [];
  if (stage.startswith !== undefined) {
    conditions.push(sql`${transactionCondition(state, stage.startswith)} AS "__start"`);
  }
  if (stage.endswith !== undefined) {
    conditions.push(sql`${transactionCondition(state, stage.endswith)} AS "__end"`);
  }
  const selected = join(
    [
      ...keyColumns,
      sql`${time.sql} AS "__t"`,
      // One numbering of the events of each value, so that every later window orders events
      // of the same time the same way.
      sql`row_number() OVER (${byGroup}ORDER BY ${time.sql}) AS "__n"`,
      ...conditions,
      ...carried.map((field, index) => sql`${field.sql} AS ${identifier(`__f${index}`)}`),
    ],
    ', ',
  );
  addStage(state, sql`SELECT ${selected} FROM ${raw(state.relation)}${where}`);

  const partition = keys.length === 0 ? raw('') : sql`PARTITION BY ${join(keys, ', ')} `;
  const starts = join(transactionStarts(stage, partition), ', ');
  addStage(state, sql`SELECT *, ${starts} FROM ${raw(state.relation)}`, state.scope, true);
  addStage(
    state,
    sql`SELECT *, sum("__gap") OVER (${partition}ORDER BY "__n" ROWS UNBOUNDED PRECEDING) AS "__s" FROM ${raw(state.relation)}`,
  );
  const session = join([...keys, raw('"__s"')], ', ');
  // NOTE: maxspan cuts a session into fixed windows counted from its first event, so a later
  // transaction starts at a window edge and not at its own first event as in Splunk.
  const part =
    stage.maxspanMs === undefined
      ? raw('0')
      : sql`floor((epoch_ms("__t") - epoch_ms(min("__t") OVER (PARTITION BY ${session}))) / ${param(stage.maxspanMs)})`;
  const kept =
    stage.startswith === undefined
      ? raw('')
      : sql`, bool_or("__gap" = 1 AND "__opened") OVER (PARTITION BY ${session}) AS "__kept"`;
  addStage(state, sql`SELECT *, ${part} AS "__p"${kept} FROM ${raw(state.relation)}`);
  const transactionKeys = [...keys, raw('"__s"'), raw('"__p"')];
  const maxevents = stage.maxevents ?? DEFAULT_MAX_EVENTS;
  if (maxevents !== -1) transactionKeys.push(limitEvents(state, transactionKeys, maxevents));

  const outputs: ColumnInfo[] = [
    ...groups.map((group) => group.column),
    { name: '_time', type: 'time' },
    { name: 'end_time', type: 'time' },
    { name: 'duration', type: 'number' },
    { name: 'eventcount', type: 'number' },
    ...carried.map((field) => ({ name: field.name, type: field.type })),
  ];
  const keyOutputs = groups.map(
    (group, index) => sql`${keys[index]!} AS ${identifier(group.column.name)}`,
  );
  // The other fields of the events, as Splunk's transaction keeps them: the distinct values of
  // each as a list, and the raw texts one per line in time order.
  const carriedOutputs = carried.map((field, index) => {
    const column = identifier(`__f${index}`);
    const value =
      field.type === 'string'
        ? sql`string_agg(${column}, chr(10) ORDER BY "__t")`
        : sql`nullif(list_sort(list_distinct(flatten(list(${column})))), [])`;
    return sql`${value} AS ${identifier(field.name)}`;
  });
  const select = join(
    [
      ...keyOutputs,
      raw('min("__t") AS "_time"'),
      raw('max("__t") AS "end_time"'),
      raw('(epoch_ms(max("__t")) - epoch_ms(min("__t"))) / 1000.0 AS "duration"'),
      raw('count(*) AS "eventcount"'),
      ...carriedOutputs,
    ],
    ', ',
  );
  const keptOnly = stage.startswith === undefined ? raw('') : raw(' WHERE "__kept"');
  addStage(
    state,
    sql`SELECT ${select} FROM ${raw(state.relation)}${keptOnly} GROUP BY ${join(transactionKeys, ', ')}`,
    tableScope(outputs),
  );
  state.aggregate = true;
  state.order = [{ name: '_time', descending: true }];
}

/**
 * Maximum number of events in one transaction without `maxevents`: Splunk's default, as its
 * transactiontypes.conf.spec gives it.
 */
const DEFAULT_MAX_EVENTS = 1000;

/**
 * Returns the columns of a `transaction` step that mark the first event of each transaction
 * (`__gap`) and, with startswith, the first events that keep their transaction (`__opened`).
 * `partition` is the window's PARTITION BY of the keys.
 */
function transactionStarts(stage: Extract<Stage, { stage: 'transaction' }>, partition: Sql): Sql[] {
  const previous = (column: string) => sql`lag(${raw(column)}) OVER (${partition}ORDER BY "__n")`;
  const pause =
    stage.maxpauseMs === undefined
      ? undefined
      : sql`epoch_ms("__t") - epoch_ms(${previous('"__t"')}) > ${param(stage.maxpauseMs)}`;
  // A transaction starts at the first event of a value, after a pause longer than maxpause,
  // at an event that startswith matches and after one that endswith matches.
  const starts = [sql`${previous('"__t"')} IS NULL`];
  if (pause !== undefined) starts.push(pause);
  if (stage.startswith !== undefined) starts.push(raw('"__start"'));
  if (stage.endswith !== undefined) starts.push(previous('"__end"'));
  const columns = [sql`CASE WHEN ${join(starts, ' OR ')} THEN 1 ELSE 0 END AS "__gap"`];
  if (stage.startswith !== undefined) {
    // With startswith, Splunk returns only the transactions it closes (keepevicted=false).
    // Reading events newest first, it closes one at a startswith event or at a longer pause
    // than maxpause before it.
    const afterPause = pause === undefined ? raw('') : sql` OR coalesce(${pause}, FALSE)`;
    columns.push(sql`"__start"${afterPause} AS "__opened"`);
  }
  return columns;
}

/**
 * Adds the step that numbers the groups of at most `maxevents` events in each transaction, and
 * returns its column. As Splunk reads events newest first, the count starts at the newest
 * event, and the oldest group of a transaction may have fewer events.
 */
function limitEvents(state: State, transactionKeys: readonly Sql[], maxevents: number): Sql {
  const rank = sql`row_number() OVER (PARTITION BY ${join(transactionKeys, ', ')} ORDER BY "__n" DESC)`;
  addStage(
    state,
    sql`SELECT *, (${rank} - 1) // CAST(${param(maxevents)} AS BIGINT) AS "__e" FROM ${raw(state.relation)}`,
  );
  return raw('"__e"');
}

/** Compiles a `startswith` or `endswith` condition to a boolean that is never null. */
function transactionCondition(state: State, condition: TransactionCondition): Sql {
  const value =
    'filter' in condition
      ? compileFilter(condition.filter, state.scope, state.context)
      : asCondition(compileExpression(condition.condition, state.scope, state.context));
  return sql`coalesce(${value}, FALSE)`;
}

/**
 * Columns that `transaction` does not carry: its own outputs, and columns such as `id` that
 * identify one event.
 */
const NOT_CARRIED: ReadonlySet<string> = new Set([
  '_time',
  'time',
  'end_time',
  'duration',
  'eventcount',
  'id',
  'ocsf',
  'fields',
  'ingest_time',
  'token_id',
  'channel',
]);

/**
 * Returns the fields `transaction` carries into its rows besides the keys: the raw text joined
 * (`string`), and every other field as a list of its values (`list`), including `user`.
 */
function carriedFields(scope: Scope, groups: readonly { column: ColumnInfo }[]): CarriedField[] {
  const keys = new Set(groups.map((group) => group.column.name.toLowerCase()));
  const names = scope.eventShape
    ? [...COLUMNS.map((column) => column.name), 'user', ...scope.columns.keys()]
    : [...scope.columns.values()].map((column) => column.name);
  const carried: CarriedField[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    const lowered = name.toLowerCase();
    if (keys.has(lowered) || NOT_CARRIED.has(lowered) || seen.has(lowered)) continue;
    if (lowered.startsWith('__') || scope.hidden.has(lowered)) continue;
    seen.add(lowered);
    const field = resolveField(scope, name, undefined);
    if (field.type === 'time') continue;
    if (lowered === 'raw') {
      carried.push({ name, sql: field.sql, type: 'string' });
      continue;
    }
    const text = field.type === 'string' ? field.sql : sql`CAST(${field.sql} AS VARCHAR)`;
    carried.push({ name, sql: field.type === 'list' ? field.sql : sql`[${text}]`, type: 'list' });
  }
  return carried;
}

interface CarriedField {
  name: string;
  sql: Sql;
  type: 'string' | 'list';
}

const LOOKUP_COLUMN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Returns the lookup table of a name, also when the name ends in `.csv` as Splunk users write the
 * file of a lookup (`inputlookup assets.csv`).
 */
function findLookup(state: State, name: string): LookupTable | undefined {
  const table = state.lookups?.(name);
  if (table !== undefined || !/\.csv$/i.test(name)) return table;
  return state.lookups?.(name.slice(0, -'.csv'.length));
}

function unknownLookup(table: string, loc: SourceLocation | undefined): never {
  return fail(
    'lookup.unknown',
    `Unknown lookup table '${table}': upload it first with POST /api/v1/lookups`,
    loc,
  );
}

/** Returns a field's value as text before a stage replaces it, or undefined when it has none. */
function currentValue(scope: Scope, name: string): Sql | undefined {
  try {
    const field = resolveField(scope, name, undefined);
    return field.type === 'string' ? field.sql : sql`CAST(${field.sql} AS VARCHAR)`;
  } catch (error) {
    if (error instanceof QueryError) return undefined;
    throw error;
  }
}

function compileLookup(state: State, stage: Extract<Stage, { stage: 'lookup' }>): void {
  const table = findLookup(state, stage.table);
  if (state.lookups !== undefined && table === undefined) unknownLookup(stage.table, stage.loc);
  const columns = table?.columns ?? [
    ...stage.match.map((field) => field.column),
    ...stage.outputs.map((field) => field.column),
  ];
  const known = new Set(columns.map((column) => column.toLowerCase()));
  const column = (name: string) => {
    if (!LOOKUP_COLUMN.test(name) || !known.has(name.toLowerCase())) {
      fail(
        'lookup.unknown_column',
        `Lookup '${stage.table}' has no column '${name}'; it has ${columns.join(', ')}`,
        stage.loc,
      );
    }
    return columns.find((candidate) => candidate.toLowerCase() === name.toLowerCase())!;
  };
  const matchColumns = stage.match.map((field) => column(field.column));
  const matched = new Set(matchColumns.map((name) => name.toLowerCase()));
  const outputs =
    stage.outputs.length > 0
      ? stage.outputs.map((field) => ({ column: column(field.column), field: field.field }))
      : columns
          .filter((name) => !matched.has(name.toLowerCase()))
          .map((name) => ({ column: name, field: name }));

  const eventKeys = stage.match.map((field) => {
    try {
      return resolveField(state.scope, field.field, stage.loc);
    } catch (error) {
      if (!(error instanceof QueryError) || field.field !== field.column) throw error;
      // `lookup assets ip` matches the lookup column `ip` with the event field of that name.
      return fail(
        'lookup.unknown_field',
        `Unknown field '${field.field}' to match column '${field.column}' of lookup '${stage.table}': name the event field with as, as in lookup ${stage.table} ${field.column} as src_ip`,
        stage.loc,
      );
    }
  });
  const keyNames = eventKeys.map((_, index) => identifier(`__lk${index}`));
  const text = (value: Sql) => sql`lower(CAST(${value} AS VARCHAR))`;
  const withKeys = join(
    eventKeys.map((key, index) => sql`${text(key.sql)} AS ${keyNames[index]!}`),
    ', ',
  );
  addStage(state, sql`SELECT *, ${withKeys} FROM ${raw(state.relation)}`);

  const scope = cloneScope(state.scope);
  if (table === undefined && stage.outputs.length === 0) scope.openColumns = true;
  const excluded = [...keyNames];
  // With `outputnew`, the value a field has before the lookup wins.
  const previousValues: (Sql | undefined)[] = [];
  for (const output of outputs) {
    checkOutputName(output.field, stage.loc);
    const lowered = output.field.toLowerCase();
    previousValues.push(stage.outputNew ? currentValue(state.scope, output.field) : undefined);
    const existing = scope.columns.get(lowered);
    if (existing !== undefined) excluded.push(identifier(existing.name));
    else if (scope.eventShape && isPromoted(scope, lowered)) excluded.push(identifier(lowered));
    scope.columns.set(lowered, { name: output.field, type: 'string' });
  }
  const lookupKeys = join(
    matchColumns.map((name, index) => sql`${text(identifier(name))} AS ${keyNames[index]!}`),
    ', ',
  );
  const lookupOutputs = outputs.map(
    (output, index) => sql`${identifier(output.column)} AS ${identifier(`__lo${index}`)}`,
  );
  // Without the `lookups` option (as when only checking a query) the SQL names a table that
  // does not exist, so it compiles but cannot run.
  const relation = raw(table?.relation ?? '"lookup_unavailable"');
  const firstPerKey = sql`SELECT ${join([lookupKeys, ...lookupOutputs], ', ')} FROM ${relation} QUALIFY row_number() OVER (PARTITION BY ${join(keyNames, ', ')}) = 1`;
  const on = join(
    keyNames.map((key) => sql`s.${key} = l.${key}`),
    ' AND ',
  );
  const picked = outputs.map((output, index) => {
    const found = sql`l.${identifier(`__lo${index}`)}`;
    const before = previousValues[index];
    const value = before === undefined ? found : sql`coalesce(${before}, ${found})`;
    return sql`${value} AS ${identifier(output.field)}`;
  });
  const select = join([sql`s.* EXCLUDE (${join(excluded, ', ')})`, ...picked], ', ');
  addStage(
    state,
    sql`SELECT ${select} FROM ${raw(state.relation)} AS s LEFT JOIN (${firstPerKey}) AS l ON ${on}`,
    scope,
  );
}
