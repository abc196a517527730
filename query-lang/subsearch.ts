/**
 * Subsearches: a search in square brackets, compiled into steps of the same statement over the
 * same events (`CompileOptions.source`) as the query around it. Three forms use one:
 *
 * - a search term, `index=main [search user=admin | fields src_ip]`: rows whose fields equal
 *   those of a subsearch row, as Splunk's implicit `format` writes one `f1=v1 AND f2=v2` term per
 *   row and joins the rows with OR. It compiles to `IN (SELECT ...)` over the subsearch's step;
 * - `join f1, f2 [...]`: the subsearch rows with equal fields joined to each row;
 * - `append [...]`: the subsearch rows after the rows so far.
 *
 * The subsearch's values stay in SQL; only its parameters and the compiler's names reach the text.
 */

import type { FilterNode, QueryAst, Stage, Subsearch } from './ast.js';
import { COLUMNS } from './catalog.js';
import {
  addStage,
  checkGeneratingStages,
  cloneScope,
  currentOrder,
  isPromoted,
  openSearch,
  orderTerms,
  type State,
  tableScope,
} from './compiler.js';
import { fail, QueryError, type SourceLocation } from './errors.js';
import {
  type ColumnInfo,
  type ResolvedField,
  resolveField,
  type Scope,
  typeOfColumn,
  type ValueType,
  valuesName,
} from './fields.js';
import { textOf } from './filter-compiler.js';
import { identifier, join, param, raw, type Sql, sql } from './sql.js';
import { invalidTimeMessage, parseRelativeTime } from './time.js';

/**
 * Rows of a subsearch that a search term matches: 10,000, Splunk's default for subsearches
 * ("About subsearches", Search Manual 10.0). The rows past it are left out, in the subsearch's
 * order, as Splunk truncates them.
 */
export const MAX_SUBSEARCH_ROWS = 10_000;

/**
 * Rows of the subsearch of `join` and `append`: 50,000, the maximum that Splunk's join reads by
 * default (Search Reference 9.4, join). `append` takes the same here.
 */
export const MAX_JOINED_ROWS = 50_000;

/**
 * Levels of subsearches inside subsearches that a query may have. Each level adds steps to one
 * statement. NOTE: this limit is chosen here, not taken from Splunk.
 */
export const MAX_SUBSEARCH_DEPTH = 3;

/** Fields of a subsearch row matched with one `IN` per combination of present fields. */
const MAX_HASHED_FIELDS = 4;

/** The column that numbers the rows of a subsearch in its order, from 1. */
const ROW_COLUMN = '__row';

type SubsearchTerm = Extract<FilterNode, { op: 'subsearch' }>;

/** The rows of a compiled subsearch: a step, numbered by `ROW_COLUMN` and capped. */
interface SubsearchRows {
  relation: string;
  scope: Scope;
  /** The fields of the rows, or undefined when they are events with every catalog field. */
  columns: ColumnInfo[] | undefined;
}

/** Returns every subsearch of a query, nested ones included. */
export function subsearchesOf(ast: Pick<QueryAst, 'filter' | 'stages'>): Subsearch[] {
  const found: Subsearch[] = [];
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if ('op' in value && value.op === 'subsearch' && 'search' in value) {
      found.push(value.search as Subsearch);
    } else if ('stage' in value && 'subsearch' in value) {
      found.push(value.subsearch as Subsearch);
    }
    for (const child of Object.values(value)) visit(child);
  };
  visit([ast.filter, ast.stages]);
  return found;
}

/**
 * Returns the time range of a subsearch: its own `earliest=`/`latest=`, or the outer range. Its
 * own must lie within the outer range, because the events of the query are read for that range.
 */
function subsearchRange(state: State, search: Subsearch): State['range'] {
  const outer = state.range;
  if (search.timeRange === undefined) return outer;
  const resolve = (text: string | undefined, fallback: number | undefined) => {
    if (text === undefined) return fallback;
    const ms = parseRelativeTime(text, state.context.nowMs);
    if (ms === undefined) fail('time.invalid', invalidTimeMessage(text), search.timeRange?.loc);
    return ms;
  };
  const earliestMs = resolve(search.timeRange.earliest, outer.earliestMs);
  const latestMs = resolve(search.timeRange.latest, outer.latestMs);
  const before =
    outer.earliestMs !== undefined && (earliestMs === undefined || earliestMs < outer.earliestMs);
  const after =
    outer.latestMs !== undefined && (latestMs === undefined || latestMs > outer.latestMs);
  if (before || after) {
    fail(
      'subsearch.time_range',
      'The time range of a subsearch must lie within that of the search: widen the search time range, or leave earliest= and latest= out of the subsearch to use the same range',
      search.timeRange.loc ?? search.loc,
    );
  }
  return {
    ...(earliestMs !== undefined && { earliestMs }),
    ...(latestMs !== undefined && { latestMs }),
  };
}

/**
 * Compiles a subsearch into steps of the statement and returns its first `maxRows` rows, in its
 * order. Throws a `QueryError` for a subsearch nested too deep or ending in `addtotals`.
 */
function compileSubsearchRows(state: State, search: Subsearch, maxRows: number): SubsearchRows {
  const depth = state.eventSource.depth + 1;
  if (depth > MAX_SUBSEARCH_DEPTH) {
    fail(
      'subsearch.too_deep',
      `Subsearches nest more than ${MAX_SUBSEARCH_DEPTH} levels deep: run the innermost search apart, or use a lookup table`,
      search.loc,
    );
  }
  checkGeneratingStages(search);
  if (search.filter === undefined && search.timeRange === undefined && search.stages.length === 0) {
    fail(
      'subsearch.empty',
      'The subsearch is empty: write a search in the brackets, as in [search user=admin | fields src_ip]',
      search.loc,
    );
  }

  const totals = search.stages.find((stage) => stage.stage === 'addtotals');
  if (totals !== undefined) {
    fail(
      'subsearch.result_stage',
      'addtotals runs on the rows a query returns, so a subsearch cannot end in it',
      (totals as Extract<Stage, { stage: 'addtotals' }>).loc ?? search.loc,
    );
  }

  const { state: inner } = openSearch(search, {
    nowMs: state.context.nowMs,
    ctes: state.ctes,
    lookups: state.lookups,
    range: subsearchRange(state, search),
    eventSource: { ...state.eventSource, depth },
  });

  const order = orderTerms(inner, currentOrder(inner));
  const window = order === undefined ? raw('') : sql`ORDER BY ${order}`;
  const numbered = sql`SELECT *, row_number() OVER (${window}) AS ${identifier(ROW_COLUMN)} FROM ${raw(inner.relation)}`;
  addStage(
    inner,
    sql`SELECT * FROM (${numbered}) WHERE ${identifier(ROW_COLUMN)} <= ${param(maxRows)}`,
    inner.scope,
    true,
  );
  const columns = inner.scope.eventShape
    ? undefined
    : [...inner.scope.columns.values()].filter((column) => !column.name.startsWith('__'));
  return { relation: inner.relation, scope: inner.scope, columns };
}

/** Returns the fields of subsearch rows, or raises an error when they are whole events. */
function namedFields(rows: SubsearchRows, usage: string, loc: SourceLocation | undefined) {
  if (rows.columns === undefined || (rows.columns.length === 0 && !rows.scope.openColumns)) {
    fail(
      'subsearch.no_fields',
      `${usage} reads the fields of the subsearch rows, and these rows are whole events: end the subsearch with | fields, | table or | stats, as in [search user=admin | fields src_ip]`,
      loc,
    );
  }
  return rows.columns;
}

// Search terms.

/** Expressions that compare one field of a row with one field of the subsearch rows. */
interface MatchKey {
  /** The row's value, or for a list field the list of its values. */
  outer: Sql;
  /** The subsearch value, over the column of the subsearch step. */
  inner: Sql;
  /** True when `outer` is a list, which matches when any of its values does. */
  list: boolean;
}

/**
 * Returns the keys that compare a row's field with a subsearch field as a search term would:
 * numbers by value, times as times, text without regard to case.
 */
function matchKey(field: ResolvedField, type: ValueType, column: Sql): MatchKey {
  const text = sql`lower(CAST(${column} AS VARCHAR))`;
  if (field.type === 'list') {
    const values = sql`list_transform(${field.sql}, lambda __element: lower(CAST(__element AS VARCHAR)))`;
    return { outer: values, inner: text, list: true };
  }
  if (field.type === 'number' || (type === 'number' && field.type !== 'time')) {
    const outer =
      field.type === 'number'
        ? sql`CAST(${field.sql} AS DOUBLE)`
        : sql`TRY_CAST(${field.sql} AS DOUBLE)`;
    return { outer, inner: sql`TRY_CAST(${column} AS DOUBLE)`, list: false };
  }
  if (field.type === 'time' && type === 'time') {
    return { outer: field.sql, inner: column, list: false };
  }
  return { outer: sql`lower(${textOf(field)})`, inner: text, list: false };
}

/**
 * Compiles a subsearch search term: true for a row whose fields equal all the fields that one
 * subsearch row has, ignoring the fields that row lacks. A subsearch without rows matches
 * nothing, as Splunk's `format` then searches for `NOT ()`.
 */
export function compileSubsearchFilter(state: State, node: SubsearchTerm, scope: Scope): Sql {
  const rows = compileSubsearchRows(state, node.search, MAX_SUBSEARCH_ROWS);
  const columns = namedFields(rows, 'A subsearch in a search', node.loc);
  // Only a check without lookup tables gets here with no columns: `[| inputlookup t]`.
  if (columns.length === 0) return raw('FALSE');
  const fields = columns.map((column) => {
    try {
      return resolveField(scope, valuesName(column.name, scope), node.loc);
    } catch (error) {
      if (!(error instanceof QueryError)) throw error;
      return fail(
        'subsearch.unknown_field',
        `The subsearch returns the field '${column.name}', which the rows here do not have: keep only the fields to match, as in | fields src_ip`,
        node.loc,
      );
    }
  });
  const relation = expandListColumns(state, rows.relation, columns);
  const keys = fields.map((field, index) =>
    matchKey(field, columns[index]!.type, identifier(columns[index]!.name)),
  );
  const keyRelation = keyStep(state, relation, columns, keys);
  if (keys.length > MAX_HASHED_FIELDS || keys.some((key) => key.list)) {
    return correlatedMatch(keyRelation, keys);
  }
  return hashedMatch(keyRelation, keys);
}

/**
 * Adds steps that give a subsearch row one row per value of each list field, as Splunk's format
 * ORs the values of a multivalue field, and returns the last step.
 */
function expandListColumns(state: State, relation: string, columns: ColumnInfo[]): string {
  let current = relation;
  for (const column of columns) {
    if (column.type !== 'list') continue;
    const name = identifier(column.name);
    const body = sql`SELECT * REPLACE (unnest(coalesce(nullif(${name}, []), [NULL])) AS ${name}) FROM ${raw(current)}`;
    current = addSideStep(state, body);
  }
  return current;
}

/**
 * Adds a step that the current rows do not read, such as one of a subsearch, and returns its
 * name, keeping the state's relation and scope.
 */
function addSideStep(state: State, body: Sql, materialized = false): string {
  const { relation, scope } = state;
  addStage(state, body, scope, materialized);
  const name = state.relation;
  state.relation = relation;
  state.scope = scope;
  return name;
}

/**
 * Adds the step of the subsearch keys: `__k0`, `__k1`, ... the compared values, and `__p0`,
 * `__p1`, ... whether the row has each field. Keys under these names cannot be taken for the
 * columns of the outer rows in a correlated subquery.
 */
function keyStep(state: State, relation: string, columns: ColumnInfo[], keys: MatchKey[]): string {
  const select = columns.map(
    (column, index) =>
      sql`${keys[index]!.inner} AS ${keyName(index)}, ${identifier(column.name)} IS NOT NULL AS ${presentName(index)}`,
  );
  return addSideStep(state, sql`SELECT ${join(select, ', ')} FROM ${raw(relation)}`, true);
}

function keyName(index: number): Sql {
  return identifier(`__k${index}`);
}

function presentName(index: number): Sql {
  return identifier(`__p${index}`);
}

/**
 * Matches with one `IN (SELECT ...)` per combination of the fields a subsearch row has, which
 * DuckDB runs as hash joins: `(a, b) IN (rows with a and b) OR a IN (rows with only a) ...`.
 */
function hashedMatch(relation: string, keys: MatchKey[]): Sql {
  const terms: Sql[] = [];
  for (let mask = 1; mask < 2 ** keys.length; mask++) {
    const used = keys.map((_, index) => index).filter((index) => (mask >> index) & 1);
    const shape = keys.map((_, index) =>
      used.includes(index)
        ? sql`${presentName(index)} AND ${keyName(index)} IS NOT NULL`
        : sql`NOT ${presentName(index)}`,
    );
    const inner = join(
      used.map((index) => keyName(index)),
      ', ',
    );
    const outer = join(
      used.map((index) => keys[index]!.outer),
      ', ',
    );
    const tuple = (list: Sql) => (used.length === 1 ? list : sql`(${list})`);
    terms.push(
      sql`${tuple(outer)} IN (SELECT ${inner} FROM ${raw(relation)} WHERE ${join(shape, ' AND ')})`,
    );
  }
  return terms.length === 1 ? terms[0]! : sql`(${join(terms, ' OR ')})`;
}

/**
 * Matches with one correlated `EXISTS`, for list fields and for rows of many fields: a row
 * matches a subsearch row when each field that row has is equal.
 */
function correlatedMatch(relation: string, keys: MatchKey[]): Sql {
  const any = join(
    keys.map((_, index) => presentName(index)),
    ' OR ',
  );
  const each = keys.map((key, index) => {
    const equal = key.list
      ? sql`list_contains(${key.outer}, ${keyName(index)})`
      : sql`${keyName(index)} = ${key.outer}`;
    return sql`(NOT ${presentName(index)} OR coalesce(${equal}, FALSE))`;
  });
  return sql`EXISTS (SELECT 1 FROM ${raw(relation)} WHERE (${any}) AND ${join(each, ' AND ')})`;
}

// join

/** Returns the column of subsearch rows that a name refers to, ignoring case. */
function columnNamed(columns: ColumnInfo[], name: string): ColumnInfo | undefined {
  const lowered = name.toLowerCase();
  return columns.find((column) => column.name.toLowerCase() === lowered);
}

/** Returns a field's current value, or undefined when the rows do not have it. */
function currentField(scope: Scope, name: string): ResolvedField | undefined {
  try {
    return resolveField(scope, name, undefined);
  } catch (error) {
    if (error instanceof QueryError) return undefined;
    throw error;
  }
}

/** Returns the key that joins on a field as Splunk's join compares: numbers by value, else text. */
function joinKey(value: Sql, type: ValueType, otherType: ValueType): Sql {
  if (type === 'number' && otherType === 'number') return sql`CAST(${value} AS DOUBLE)`;
  return sql`CAST(${value} AS VARCHAR)`;
}

/**
 * `join`: each row with the subsearch rows whose join fields are equal (case-sensitive, as in
 * Splunk), at most `max` of them in the subsearch's order. Fields of the subsearch replace those of
 * the row unless `overwrite=f`. A subsearch row without a field keeps the row's value.
 */
export function compileJoin(state: State, stage: Extract<Stage, { stage: 'join' }>): void {
  const rows = compileSubsearchRows(state, stage.subsearch, MAX_JOINED_ROWS);
  const columns = namedFields(rows, 'join', stage.loc);
  const keys = stage.fields.map((field) => {
    const outer = resolveField(state.scope, field.name, field.loc);
    const inner = columnNamed(columns, field.name);
    if (inner === undefined && !rows.scope.openColumns) {
      fail(
        'join.unknown_field',
        `The subsearch of join has no field '${field.name}' to match; it has ${columns.map((column) => column.name).join(', ')}`,
        field.loc,
      );
    }
    const innerColumn = inner ?? { name: field.name, type: 'string' as const };
    return {
      outer: joinKey(outer.sql, outer.type, innerColumn.type),
      inner: joinKey(identifier(innerColumn.name), innerColumn.type, outer.type),
      column: innerColumn,
    };
  });
  const matched = new Set(keys.map((key) => key.column.name.toLowerCase()));
  const added = columns.filter((column) => !matched.has(column.name.toLowerCase()));
  const before = added.map((column) => currentField(state.scope, column.name));

  // The row's keys and the values the subsearch may replace, under names no field has.
  const outerColumns = [
    ...keys.map((key, index) => sql`${key.outer} AS ${identifier(`__jk${index}`)}`),
    ...before.flatMap((field, index) =>
      field === undefined ? [] : [sql`${field.sql} AS ${identifier(`__jv${index}`)}`],
    ),
  ];
  const outer = addSideStep(
    state,
    sql`SELECT *, ${join(outerColumns, ', ')} FROM ${raw(state.relation)}`,
  );
  const innerKeys = join(
    keys.map((key, index) => sql`${key.inner} AS ${identifier(`__jk${index}`)}`),
    ', ',
  );
  const partition = join(
    keys.map((_, index) => identifier(`__jk${index}`)),
    ', ',
  );
  const max = stage.max ?? 1;
  const ranked = sql`SELECT *, ${innerKeys} FROM ${raw(rows.relation)}`;
  const inner =
    max === 0
      ? ranked
      : sql`${ranked} QUALIFY row_number() OVER (PARTITION BY ${partition} ORDER BY ${identifier(ROW_COLUMN)}) <= ${param(max)}`;

  const scope = cloneScope(state.scope);
  const excluded = [
    ...keys.map((_, index) => identifier(`__jk${index}`)),
    ...before.flatMap((field, index) => (field === undefined ? [] : [identifier(`__jv${index}`)])),
  ];
  const picked = added.map((column, index) => {
    const lowered = column.name.toLowerCase();
    const existing = scope.columns.get(lowered);
    if (existing !== undefined) excluded.push(identifier(existing.name));
    else if (scope.eventShape && isPromoted(scope, lowered)) excluded.push(identifier(lowered));
    const found = sql`"j".${identifier(column.name)}`;
    const field = before[index];
    if (field === undefined) {
      scope.columns.set(lowered, { name: column.name, type: column.type });
      return sql`${found} AS ${identifier(column.name)}`;
    }
    const own = sql`"o".${identifier(`__jv${index}`)}`;
    const same = field.type === column.type;
    const [first, second] = stage.overwrite === false ? [own, found] : [found, own];
    const value = same
      ? sql`coalesce(${first}, ${second})`
      : sql`coalesce(CAST(${first} AS VARCHAR), CAST(${second} AS VARCHAR))`;
    scope.columns.set(lowered, {
      name: existing?.name ?? column.name,
      type: same ? column.type : 'string',
    });
    return sql`${value} AS ${identifier(existing?.name ?? column.name)}`;
  });
  const kind = raw(stage.type === undefined || stage.type === 'inner' ? 'JOIN' : 'LEFT JOIN');
  const on = join(
    keys.map(
      (_, index) => sql`"o".${identifier(`__jk${index}`)} = "j".${identifier(`__jk${index}`)}`,
    ),
    ' AND ',
  );
  const select = join([sql`"o".* EXCLUDE (${join(excluded, ', ')})`, ...picked], ', ');
  addStage(
    state,
    sql`SELECT ${select} FROM ${raw(outer)} AS "o" ${kind} (${inner}) AS "j" ON ${on}`,
    scope,
  );
}

// append

/** Returns the fields of rows: the stage-made columns, and while rows are events, the catalog's. */
function fieldsOfRows(scope: Scope): ColumnInfo[] {
  const made = [...scope.columns.values()].filter((column) => !column.name.startsWith('__'));
  if (!scope.eventShape) return made;
  const names = new Set(made.map((column) => column.name.toLowerCase()));
  const catalog = COLUMNS.filter(
    (column) => column.name !== 'ocsf' && !scope.hidden.has(column.name) && !names.has(column.name),
  ).map((column) => ({ name: column.name, type: typeOfColumn(column.type) }));
  return [...made, ...catalog];
}

/**
 * Merges the fields of two sets of rows by name, in order of first appearance. A field with a
 * different type on each side becomes text on both.
 */
function mergeFields(first: ColumnInfo[], second: ColumnInfo[]) {
  const merged = new Map<string, ColumnInfo>();
  const clashes = new Set<string>();
  for (const column of [...first, ...second]) {
    const lowered = column.name.toLowerCase();
    const seen = merged.get(lowered);
    if (seen === undefined) merged.set(lowered, column);
    else if (seen.type !== column.type) {
      merged.set(lowered, { name: seen.name, type: 'string' });
      clashes.add(lowered);
    }
  }
  return { merged, clashes };
}

/**
 * Returns the select list of one side of `append`: every column, text where the types clash, and
 * for a side of events under a table shape, every column but `ocsf`.
 */
function appendSide(
  scope: Scope,
  clashes: ReadonlySet<string>,
  keepOcsf: boolean,
  dropped: string[],
): Sql {
  const cast = fieldsOfRows(scope)
    .filter((column) => clashes.has(column.name.toLowerCase()))
    .map(
      (column) => sql`CAST(${identifier(column.name)} AS VARCHAR) AS ${identifier(column.name)}`,
    );
  const excluded = [...dropped];
  if (scope.eventShape && !keepOcsf && !scope.hidden.has('ocsf')) excluded.push('ocsf');
  const names = join(
    excluded.map((name) => identifier(name)),
    ', ',
  );
  const exclude = excluded.length === 0 ? raw('') : sql` EXCLUDE (${names})`;
  const replace = cast.length === 0 ? raw('') : sql` REPLACE (${join(cast, ', ')})`;
  return sql`*${exclude}${replace}`;
}

/**
 * `append`: the subsearch rows after the rows so far, each part in its own order, with the fields
 * merged by name (DuckDB's `UNION ALL BY NAME`). Rows that are events on both sides stay events.
 */
export function compileAppend(state: State, stage: Extract<Stage, { stage: 'append' }>): void {
  const rows = compileSubsearchRows(state, stage.subsearch, MAX_JOINED_ROWS);
  const outerFields = fieldsOfRows(state.scope);
  const innerFields = fieldsOfRows(rows.scope);
  const { merged, clashes } = mergeFields(outerFields, innerFields);
  const events = state.scope.eventShape && rows.scope.eventShape;

  const order = orderTerms(state, currentOrder(state));
  const window = order === undefined ? raw('') : sql`ORDER BY ${order}`;
  const first = sql`SELECT ${appendSide(state.scope, clashes, events, [])}, 0 AS "__part", row_number() OVER (${window}) AS "__position" FROM ${raw(state.relation)}`;
  const second = sql`SELECT ${appendSide(rows.scope, clashes, events, [ROW_COLUMN])}, 1 AS "__part", ${identifier(ROW_COLUMN)} AS "__position" FROM ${raw(rows.relation)}`;
  const union = sql`SELECT * FROM (${first}) UNION ALL BY NAME SELECT * FROM (${second})`;
  // DuckDB keeps this order through the later steps, as a projection that drops a sort key does.
  const body = sql`SELECT * EXCLUDE ("__part", "__position") FROM (${union}) ORDER BY "__part", "__position"`;

  if (events) {
    const scope = cloneScope(state.scope);
    scope.columns = new Map(
      [...merged.entries()].filter(
        ([lowered]) => state.scope.columns.has(lowered) || rows.scope.columns.has(lowered),
      ),
    );
    scope.hidden = new Set([...state.scope.hidden].filter((name) => rows.scope.hidden.has(name)));
    if (rows.scope.openColumns) scope.openColumns = true;
    addStage(state, body, scope);
    // The appended rows follow the others, so the default order (newest first) no longer holds.
    state.order = [];
    return;
  }
  addStage(state, body, tableScope([...merged.values()]));
  state.order = undefined;
  state.aggregate = true;
}
