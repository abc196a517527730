/**
 * The compiler: `QueryAst` to parameterized DuckDB SQL.
 *
 * Each stage becomes one common table expression reading the previous one, so later stages can
 * refer to the columns that `eval`, `stats` or `rename` created:
 *
 *   WITH s0 AS (SELECT * FROM events WHERE <time range> AND <search filter>),
 *        s1 AS (SELECT ... FROM s0 ...), ...
 *   SELECT * EXCLUDE ("ocsf") FROM sN ORDER BY "time" DESC LIMIT ?
 */

import type {
  Aggregation,
  Assignment,
  Expr,
  FieldRef,
  QueryAst,
  Rename,
  SortKey,
  Stage,
} from './ast.js';
import { COLUMNS, LOCATION_FILE_COLUMN, LOCATION_ROW_COLUMN } from './catalog.js';
import {
  checkUntableNames,
  checkXyseriesFollowers,
  compileCommandStage,
  isTimeName,
  liftTstatsSearch,
} from './command-stages.js';
import { diagnosticAt, fail, QueryError, type SourceLocation } from './errors.js';
import { asCondition, compileExpression } from './expression-compiler.js';
import {
  type ColumnInfo,
  checkOutputName,
  eventScope,
  outputName,
  type ResolvedField,
  resolveField,
  resolveTimeField,
  type Scope,
  type ValueType,
  valuesName,
} from './fields.js';
import { type CompileContext, compileFilter } from './filter-compiler.js';
import {
  boundedCtes,
  boundPositions,
  boundStatement,
  canPageGroups,
  type GroupPage,
  withinBound,
} from './group-page.js';
import { namesInternalIndex, PUBLIC_INDEX_CONDITION } from './internal-indexes.js';
import { exactNeedlesOf, exactWordsOf, type Needle, needlesOf } from './needles.js';
import { checkNesting } from './nesting.js';
import { RESULT_STAGES, type ResultStage } from './result-stages.js';
import { compileRowCommand } from './row-commands.js';
import {
  DEFAULT_SERIES_LABELS,
  fillTimeBuckets,
  type SeriesLabels,
  type SeriesLayout,
  type SeriesOutput,
  seriesSelect,
} from './series-output.js';
import { identifier, join, param, raw, type Sql, sql } from './sql.js';
import { calendarBucket, compileMoreStage, timeBucket } from './stages.js';
import { compileAppend, compileJoin, compileSubsearchFilter, subsearchesOf } from './subsearch.js';
import { invalidTimeMessage, parseRelativeTime } from './time.js';

export interface CompileOptions {
  /** SQL FROM-item supplied by storage, such as `events` or `(SELECT ... UNION ALL ...)`; trusted. */
  source: string;
  /**
   * The same events as `source` plus the location columns (`LOCATION_FILE_COLUMN`,
   * `LOCATION_ROW_COLUMN`); trusted. Given, a search without stages also compiles to `keys`.
   */
  keyedSource?: string;
  earliestMs?: number;
  latestMs?: number;
  nowMs: number;
  /** Maximum number of rows returned; 1000 when absent. */
  limit?: number;
  /**
   * Finds an uploaded lookup table by the name written in `lookup`. The relation is trusted SQL
   * (an identifier the appliance made); absent while checking a query without storage.
   */
  lookups?: (name: string) => LookupTable | undefined;
  /**
   * Keyset pagination of event searches in the default order (newest first): the final select
   * adds `__cursor_us` (the event time in epoch microseconds) and, given `after`, starts below it.
   */
  page?: { after?: PageKey };
  /**
   * The times of the first and last events the search matches (`CompiledQuery.eventRange`). A
   * `timechart` without `span=` over all time fits its buckets to this range; without it, the
   * span is an hour.
   */
  matchedRange?: { earliestMs: number; latestMs: number };
  /**
   * Adds a condition that leaves out the events of internal indexes unless the search part
   * names one (`internal-indexes.ts`), for sources that may hold them, such as the files of
   * offline mode. The appliance leaves them out of its snapshots instead.
   */
  hideInternalIndexes?: boolean;
}

/** The position of the last event of a page: its time in epoch microseconds and its id. */
export interface PageKey {
  timeUs: string;
  id: string;
}

/** The column that carries the page key of each row when `page` applies. */
export const CURSOR_COLUMN = '__cursor_us';

/** The column that carries the number of result rows before the limit, in aggregate results. */
export const TOTAL_COLUMN = '__total';

/**
 * Rows that a query returns whatever the limit when its series become columns (a final
 * `timechart`, `chart ... over ... by` or `xyseries`) or stages run on the returned rows
 * (`CompiledQuery.resultStages`): both need every row, and the caller cuts the page afterwards.
 */
export const WHOLE_RESULT_ROWS = 10_000;

export interface LookupTable {
  /** Trusted SQL FROM-item, such as `"lookup_3"`. */
  relation: string;
  /** Column names, each a plain identifier. */
  columns: string[];
}

export interface CompiledQuery {
  sql: string;
  params: unknown[];
  /** For event searches: the number of events matching the same filter, with no row limit. */
  countSql?: string;
  countParams?: unknown[];
  kind: 'events' | 'aggregate';
  /** True when the rows carry `CURSOR_COLUMN` and the page continues with `PageKey`. */
  paged?: boolean;
  /** Effective time range after inline `earliest=`/`latest=`. */
  earliestMs?: number;
  latestMs?: number;
  /**
   * For a search without stages over a keyed source: one statement that returns the match
   * count (`count`) and, as `keys`, the newest `limit` matches as `EventKey` structs, reading
   * only the filter, time and id columns. Storage then fetches the whole rows by location, which
   * is much cheaper than sorting every column of every match.
   */
  keys?: { sql: string; params: unknown[] };
  /**
   * For a query over all time with a stage that picks its span from the time range
   * (`picksSpanFromRange`): the statement that returns the times of the first and last events
   * the search part matches (`first`, `last`), which `CompileOptions.matchedRange` then takes.
   */
  eventRange?: { sql: string; params: unknown[] };
  /**
   * For a final `stats` with set aggregates (`group-page.ts`): the statement that finds the bound
   * of the returned page's groups, and the statement to run in place of `sql` when it returns
   * one. The bound (text) goes at the positions `boundAt` among its parameters.
   */
  groupPage?: {
    boundSql: string;
    boundParams: unknown[];
    sql: string;
    params: unknown[];
    boundAt: number[];
  };
  /**
   * Conditions the filter puts on indexed columns; storage may narrow the sources to the
   * rows its term index names before the query runs (`needles.ts`).
   */
  needles?: Needle[];
  /**
   * Set when a search without stages matches exactly the events that meet all these needles
   * within the time range, so that the term index alone can count and find matches.
   */
  exactNeedles?: Needle[];
  /**
   * Set when a search without stages matches exactly the events whose raw or message text
   * contains all these words (lowercase), so that the token index alone can count and find
   * matches.
   */
  exactWords?: string[];
  /** True when the search part names an internal index, so the source must contain them. */
  internalIndexes?: boolean;
  /** Set when the rows carry `SERIES_COLUMN`, which `widenSeries` spreads into columns. */
  series?: SeriesLayout;
  /** Stages that `runResultStages` runs on the returned rows, such as a final `addtotals`. */
  resultStages?: ResultStage[];
}

/** The fields of the rows after some stages, as content assist offers them. */
export interface StageFields {
  /** True while rows are events, which have every catalog field except `hidden`. */
  events: boolean;
  /** Fields the stages made while rows are events, or else every field, in the order made. */
  fields: ColumnInfo[];
  /** Catalog fields that `fields -` or `rename` removed; lower case. */
  hidden: string[];
}

/**
 * Returns the fields that rows have after the stages of `ast`, by compiling them. Throws a
 * `QueryError` where compiling would.
 */
export function fieldsAfterStages(ast: QueryAst, lookups?: CompileOptions['lookups']): StageFields {
  const state: State = {
    scope: eventScope(),
    relation: 's0',
    ctes: [],
    aggregate: false,
    context: { nowMs: Date.now() },
    lookups,
    windowStageFollows: false,
    range: {},
    eventSource: { source: 'events', hideInternalIndexes: false, depth: 0 },
  };
  state.context.subsearch = (node, scope) => compileSubsearchFilter(state, node, scope);
  for (const stage of ast.stages) compileStage(state, stage);
  const { scope } = state;
  return {
    events: scope.eventShape,
    fields: [...scope.columns.values()].filter((column) => !column.name.startsWith('__')),
    hidden: [...scope.hidden],
  };
}

/** A matching event found by `CompiledQuery.keys`: time in epoch microseconds, id, location. */
export interface EventKey {
  t: number | string;
  i: string;
  f: string | null;
  r: number | string;
}

export const DEFAULT_LIMIT = 1000;

/**
 * Maximum number of pipe stages in one query. Each stage nests the statement one level deeper, and DuckDB
 * stops binding at about a thousand levels; real searches use a few dozen.
 */
const MAX_STAGES = 200;

/**
 * Maximum number of steps (common table expressions) in one statement. Stages such as
 * `transaction` take several and each `eval` assignment takes one. DuckDB 1.5 failed to bind
 * 1,000 of them ("Max expression depth limit of 1000 exceeded") and bound 600.
 */
const MAX_STEPS = 500;

export interface OrderKey {
  name: string;
  descending: boolean;
  loc?: SourceLocation;
  /** True for the keys of `sort`, which orders text that is a number by its value, as SPL does. */
  numbersInText?: boolean;
}

export interface State {
  scope: Scope;
  relation: string;
  ctes: Sql[];
  /** Order the next row-limiting stage and the final select apply; undefined for the default. */
  order?: OrderKey[];
  aggregate: boolean;
  context: CompileContext;
  lookups: CompileOptions['lookups'];
  /** True while a later stage uses a window function (`dedup`, `top`, `rare`). */
  windowStageFollows: boolean;
  /** The effective time range of the query. */
  range: { earliestMs?: number; latestMs?: number };
  /** `CompileOptions.matchedRange`. */
  matchedRange?: { earliestMs: number; latestMs: number };
  /** Set by `timechart` and `chart` until the next stage: their rows as the final select returns them. */
  seriesOutput?: SeriesOutput;
  /** The `seriesOutput` of the stage before, which `untable` reads in long form. */
  previousSeries?: SeriesOutput;
  /** Set by a `stats` whose groups the final select may read a page at a time (`group-page.ts`). */
  groupPage?: GroupPage;
  /** The events of the query, which its subsearches read too. */
  eventSource: EventSource;
}

/** The events a search reads, and how deep in subsearches it is. */
export interface EventSource {
  /** Trusted SQL FROM-item, `CompileOptions.source`. */
  source: string;
  /** `CompileOptions.hideInternalIndexes`. */
  hideInternalIndexes: boolean;
  /** 0 for the query, 1 for its subsearches, 2 for theirs and so on. */
  depth: number;
}

const WINDOW_STAGES: ReadonlySet<string> = new Set([
  'delta',
  'accum',
  'autoregress',
  'dedup',
  'top',
  'rare',
  'eventstats',
  'streamstats',
  'transaction',
]);

/** Events newest first; the id orders events of one time, so that every run gives one order. */
const DEFAULT_EVENT_ORDER: OrderKey[] = [
  { name: 'time', descending: true },
  { name: 'id', descending: true },
];

/** Compiles a query. Throws `QueryError` on semantic errors such as unknown fields. */
export function compileQuery(ast: QueryAst, options: CompileOptions): CompiledQuery {
  const limit = options.limit ?? DEFAULT_LIMIT;
  if (!Number.isSafeInteger(limit) || limit <= 0) {
    throw new RangeError(`limit must be a positive integer, got ${options.limit}`);
  }
  if (ast.stages.length > MAX_STAGES) {
    fail(
      'query.too_many_stages',
      `The query has ${ast.stages.length} pipe stages; at most ${MAX_STAGES} are allowed`,
      undefined,
    );
  }
  ast = liftTstatsSearch(ast);
  checkNesting(ast);
  const { earliestMs, latestMs } = effectiveTimeRange(ast, options);
  checkGeneratingStages(ast);
  checkXyseriesFollowers(ast.stages);
  const resultStart = resultStagesStart(ast.stages);
  const stages = ast.stages.slice(0, resultStart);
  const resultStages = ast.stages.slice(resultStart) as ResultStage[];
  for (const stage of resultStages) checkResultStage(stage);
  const subsearches = subsearchesOf(ast);
  const internalIndexes = [ast, ...subsearches].some((search) => namesInternalIndex(search.filter));
  const range = {
    ...(earliestMs !== undefined && { earliestMs }),
    ...(latestMs !== undefined && { latestMs }),
  };
  const eventSource: EventSource = {
    source: options.source,
    hideInternalIndexes: options.hideInternalIndexes === true,
    depth: 0,
  };
  const { state, where, filterSteps } = openSearch(
    { ...(ast.filter !== undefined && { filter: ast.filter }), stages },
    {
      nowMs: options.nowMs,
      ctes: [],
      lookups: options.lookups,
      range,
      eventSource,
      ...(options.matchedRange !== undefined && { matchedRange: options.matchedRange }),
    },
  );

  // A timechart or chart that ends the query has Splunk's shape: every bucket, a column per series.
  const seriesOutput =
    state.seriesOutput === undefined
      ? undefined
      : seriesSelect(
          state.seriesOutput,
          state.relation,
          { ...fillRange(state), totalColumn: TOTAL_COLUMN },
          (body) => {
            addStage(state, body);
            return state.relation;
          },
        );
  const withClause = sql`WITH ${join(state.ctes, ', ')} `;
  const from = raw(`FROM ${state.relation}`);
  const columns =
    state.scope.eventShape && !state.scope.hidden.has('ocsf')
      ? raw('* EXCLUDE ("ocsf")')
      : raw('*');
  const paged =
    options.page !== undefined &&
    !state.aggregate &&
    state.order === undefined &&
    hasEventTime(state.scope) &&
    !state.scope.hidden.has('id');
  let query: Sql;
  let groupPage: CompiledQuery['groupPage'];
  // Series become columns, and result stages such as `sort` run on the returned rows: both need
  // every row, and the caller cuts the page from them afterwards.
  const wholeResult = seriesOutput !== undefined || resultStages.length > 0;
  const rowLimit = wholeResult ? Math.max(limit, WHOLE_RESULT_ROWS) : limit;
  if (paged) {
    const after = options.page?.after;
    const below =
      after === undefined
        ? raw('')
        : sql` WHERE (epoch_us("time") < CAST(${param(after.timeUs)} AS BIGINT) OR (epoch_us("time") = CAST(${param(after.timeUs)} AS BIGINT) AND "id" < ${param(after.id)}))`;
    query = sql`${withClause}SELECT ${columns}, epoch_us("time") AS ${identifier(CURSOR_COLUMN)} ${from}${below} ORDER BY "time" DESC, "id" DESC LIMIT ${param(limit)}`;
  } else if (seriesOutput !== undefined) {
    query = sql`${withClause}${seriesOutput.select} LIMIT ${param(rowLimit)}`;
  } else if (state.aggregate) {
    // The window counts every result row before the limit cuts them, in the same pass.
    const rest = sql`SELECT ${columns}, count(*) OVER () AS ${identifier(TOTAL_COLUMN)} ${from}${orderBy(state, state.order)} LIMIT ${param(rowLimit)}`;
    query = sql`${withClause}${rest}`;
    if (state.groupPage !== undefined) {
      const bound = boundStatement(state.groupPage, state.ctes, rowLimit);
      const bounded = sql`WITH ${join(boundedCtes(state.groupPage, state.ctes), ', ')} ${rest}`;
      groupPage = {
        boundSql: bound.text,
        boundParams: bound.params,
        sql: bounded.text,
        params: bounded.params,
        boundAt: boundPositions(bounded.params),
      };
    }
  } else {
    query = sql`${withClause}SELECT ${columns} ${from}${orderBy(state, state.order)} LIMIT ${param(rowLimit)}`;
  }

  const compiled: CompiledQuery = {
    sql: query.text,
    params: query.params,
    kind: state.aggregate ? 'aggregate' : 'events',
  };
  if (seriesOutput !== undefined) compiled.series = seriesOutput.layout;
  if (groupPage !== undefined) compiled.groupPage = groupPage;
  if (resultStages.length > 0) compiled.resultStages = resultStages;
  if (paged) compiled.paged = true;
  if (options.keyedSource !== undefined && ast.stages.length === 0 && subsearches.length === 0) {
    // Ordering by (time, id) matches the pages' keyset order.
    const order = raw(`{'t': epoch_us("time"), 'i': "id"}`);
    const key = raw(
      `{'t': epoch_us("time"), 'i': "id", 'f': ${identifier(LOCATION_FILE_COLUMN).text}, 'r': ${identifier(LOCATION_ROW_COLUMN).text}}`,
    );
    const after = paged ? options.page?.after : undefined;
    const below =
      after === undefined
        ? raw('')
        : sql` FILTER (WHERE epoch_us("time") < CAST(${param(after.timeUs)} AS BIGINT) OR (epoch_us("time") = CAST(${param(after.timeUs)} AS BIGINT) AND "id" < ${param(after.id)}))`;
    const keys = sql`WITH s0 AS (SELECT * FROM ${raw(options.keyedSource)}${where}) SELECT count(*) AS "count", max_by(${key}, ${order}, CAST(${param(limit)} AS BIGINT))${below} AS "keys" FROM s0`;
    compiled.keys = { sql: keys.text, params: keys.params };
  }
  if (!state.aggregate) {
    const count = sql`${withClause}SELECT count(*) AS "count" ${from}`;
    compiled.countSql = count.text;
    compiled.countParams = count.params;
  }
  if (picksSpanFromRange(ast) && (earliestMs === undefined || earliestMs <= 0)) {
    // The steps before the search's own are those of its subsearches, which `where` reads.
    const steps = state.ctes.slice(0, filterSteps);
    const withSteps = steps.length === 0 ? raw('') : sql`WITH ${join(steps, ', ')} `;
    const statement = sql`${withSteps}SELECT epoch_ms(min("time")) AS "first", epoch_ms(max("time")) AS "last" FROM ${raw(options.source)}${where}`;
    compiled.eventRange = { sql: statement.text, params: statement.params };
  }
  if (earliestMs !== undefined) compiled.earliestMs = earliestMs;
  if (latestMs !== undefined) compiled.latestMs = latestMs;
  if (internalIndexes) compiled.internalIndexes = true;
  // Needles narrow the source to the rows the outer filter can match, which a subsearch, reading
  // the same source, must not be limited to.
  const needles = subsearches.length === 0 ? needlesOf(ast.filter, eventScope()) : [];
  if (needles.length > 0) compiled.needles = needles;
  if (ast.stages.length === 0) {
    const exact = exactNeedlesOf(ast.filter, eventScope());
    if (exact !== undefined) compiled.exactNeedles = exact;
    const words = exactWordsOf(ast.filter);
    if (words !== undefined) compiled.exactWords = words;
  }
  return compiled;
}

/** The inputs of a search besides its text: options of `compileQuery` and the steps so far. */
export interface SearchInput {
  nowMs: number;
  /** The steps of the whole statement, which the search adds to. */
  ctes: Sql[];
  lookups: CompileOptions['lookups'];
  /** The effective time range of the search. */
  range: State['range'];
  eventSource: EventSource;
  /** `CompileOptions.matchedRange`. */
  matchedRange?: State['matchedRange'];
}

/**
 * Compiles the search part and the stages of a query or a subsearch into steps of `input.ctes`.
 * Returns the state after the last stage, the condition of the first step, and the number of
 * steps before that step (those of the subsearches in the condition).
 */
export function openSearch(
  search: Pick<QueryAst, 'filter' | 'stages'>,
  input: SearchInput,
): { state: State; where: Sql; filterSteps: number } {
  const { earliestMs, latestMs } = input.range;
  const state: State = {
    scope: eventScope(),
    relation: '',
    ctes: input.ctes,
    aggregate: false,
    context: { nowMs: input.nowMs },
    lookups: input.lookups,
    windowStageFollows: false,
    range: input.range,
    eventSource: input.eventSource,
    ...(input.matchedRange !== undefined && { matchedRange: input.matchedRange }),
  };
  state.context.subsearch = (node, scope) => compileSubsearchFilter(state, node, scope);

  const conditions: Sql[] = [];
  if (earliestMs !== undefined) {
    conditions.push(sql`"time" >= epoch_ms(CAST(${param(earliestMs)} AS BIGINT))`);
  }
  if (latestMs !== undefined) {
    conditions.push(sql`"time" < epoch_ms(CAST(${param(latestMs)} AS BIGINT))`);
  }
  if (input.eventSource.hideInternalIndexes && !namesInternalIndex(search.filter)) {
    conditions.push(PUBLIC_INDEX_CONDITION);
  }
  if (search.filter !== undefined) {
    conditions.push(compileFilter(search.filter, state.scope, state.context));
  }
  const where = conditions.length === 0 ? raw('') : sql` WHERE ${join(conditions, ' AND ')}`;
  const filterSteps = state.ctes.length;
  addStage(state, sql`SELECT * FROM ${raw(input.eventSource.source)}${where}`);

  const { stages } = search;
  stages.forEach((stage, index) => {
    state.windowStageFollows = stages
      .slice(index + 1)
      .some((later) => WINDOW_STAGES.has(later.stage));
    state.previousSeries = state.seriesOutput;
    state.seriesOutput = undefined;
    state.groupPage = undefined;
    compileStage(state, stage);
    checkSteps(state, undefined);
  });
  return { state, where, filterSteps };
}

/** Rejects a query that has grown past `MAX_STEPS` steps. */
function checkSteps(state: State, loc: SourceLocation | undefined): void {
  if (state.ctes.length < MAX_STEPS) return;
  fail(
    'query.too_many_stages',
    `The query needs more than ${MAX_STEPS} steps (an eval assignment or a rex group can each be one): use fewer stages, assignments or groups`,
    loc,
  );
}

/**
 * Rejects `makeresults` and `inputlookup` anywhere but at the start of a query without a search
 * part.
 */
export function checkGeneratingStages(
  ast: Pick<QueryAst, 'filter' | 'timeRange' | 'stages'>,
): void {
  ast.stages.forEach((stage, index) => {
    if (stage.stage !== 'makeresults' && stage.stage !== 'inputlookup') return;
    if (index > 0 || ast.filter !== undefined || ast.timeRange !== undefined) {
      fail(
        'stage.not_first',
        `${stage.stage} makes its own rows, so it must start the query: | ${stage.stage}`,
        stage.loc,
      );
    }
  });
}

function effectiveTimeRange(
  ast: QueryAst,
  options: CompileOptions,
): { earliestMs?: number; latestMs?: number } {
  const resolve = (text: string | undefined, fallback: number | undefined) => {
    if (text === undefined) return fallback;
    const ms = parseRelativeTime(text, options.nowMs);
    if (ms === undefined) {
      fail('time.invalid', invalidTimeMessage(text), ast.timeRange?.loc);
    }
    return ms;
  };
  const earliestMs = resolve(ast.timeRange?.earliest, options.earliestMs);
  const latestMs = resolve(ast.timeRange?.latest, options.latestMs);
  const range: { earliestMs?: number; latestMs?: number } = {};
  if (earliestMs !== undefined) range.earliestMs = earliestMs;
  if (latestMs !== undefined) range.latestMs = latestMs;
  // A range with a start and no end ends now, as Splunk's time ranges do. All time (no start, or
  // earliest=0) has no end, so that it holds the events stamped ahead of the clock too.
  if (earliestMs !== undefined && earliestMs > 0 && latestMs === undefined) {
    range.latestMs = options.nowMs;
  }
  return range;
}

export function addStage(
  state: State,
  body: Sql,
  scope: Scope = state.scope,
  materialized = false,
): void {
  const name = `s${state.ctes.length}`;
  const keyword = raw(materialized ? ' MATERIALIZED' : '');
  state.ctes.push(sql`${raw(name)} AS${keyword} (${body})`);
  state.relation = name;
  state.scope = scope;
}

/**
 * Returns whether rows are events with their time, which orders and pages them: an `eval` or
 * `lookup` may have replaced the `time` column with other values.
 */
function hasEventTime(scope: Scope): boolean {
  if (!scope.eventShape || scope.hidden.has('time')) return false;
  return (scope.columns.get('time')?.type ?? 'time') === 'time';
}

export function currentOrder(state: State): OrderKey[] | undefined {
  if (state.order !== undefined) return state.order;
  if (hasEventTime(state.scope)) {
    return state.scope.hidden.has('id') ? DEFAULT_EVENT_ORDER.slice(0, 1) : DEFAULT_EVENT_ORDER;
  }
  return undefined;
}

export function orderTerms(state: State, keys: OrderKey[] | undefined): Sql | undefined {
  if (keys === undefined || keys.length === 0) return undefined;
  const terms = keys.map((key) => {
    const field = resolveField(state.scope, key.name, key.loc);
    const direction = raw(key.descending ? 'DESC' : 'ASC');
    if (field.type !== 'string' || !key.numbersInText) return sql`${field.sql} ${direction}`;
    // As SPL sorts text: numbers by value before other text, which goes in lexical order (the
    // other way round when descending), and nulls last either way.
    const number = sql`TRY_CAST(${field.sql} AS DOUBLE)`;
    const rank = key.descending
      ? sql`CASE WHEN ${field.sql} IS NULL THEN 2 WHEN ${number} IS NULL THEN 0 ELSE 1 END`
      : sql`CASE WHEN ${field.sql} IS NULL THEN 2 WHEN ${number} IS NULL THEN 1 ELSE 0 END`;
    return sql`${rank}, ${number} ${direction}, ${field.sql} ${direction}`;
  });
  return join(terms, ', ');
}

export function orderBy(state: State, keys: OrderKey[] | undefined): Sql {
  const terms = orderTerms(state, keys ?? currentOrder(state));
  return terms === undefined ? raw('') : sql` ORDER BY ${terms}`;
}

export function compileStage(state: State, stage: Stage): void {
  switch (stage.stage) {
    case 'search': {
      const condition = compileFilter(stage.filter, state.scope, state.context);
      const body = sql`SELECT * FROM ${raw(state.relation)} WHERE ${condition}`;
      addStage(state, body, state.scope, state.windowStageFollows);
      return;
    }
    case 'where': {
      const condition = asCondition(compileExpression(stage.condition, state.scope, state.context));
      // NOTE: DuckDB 1.5.6 fails with an internal "expression type mismatch" when its filter
      // pushdown moves a two-sided TRY_CAST range from here past a window function, so this
      // select is kept apart when a window stage follows.
      const body = sql`SELECT * FROM ${raw(state.relation)} WHERE ${condition}`;
      addStage(state, body, state.scope, state.windowStageFollows);
      return;
    }
    case 'eval':
      compileEval(state, stage.assignments);
      return;
    case 'stats':
      compileStats(state, stage.aggregations, stage.by);
      return;
    case 'timechart':
      compileTimechart(state, stage);
      return;
    case 'top':
    case 'rare':
      compileTop(state, stage);
      return;
    case 'sort':
      for (const key of stage.keys) resolveField(state.scope, key.field, key.loc);
      state.order = sortOrder(stage.keys);
      if (stage.limit !== undefined) compileHeadTail(state, 'head', stage.limit);
      return;
    case 'head':
    case 'tail':
      compileHeadTail(state, stage.stage, stage.count);
      return;
    case 'reverse': {
      const order = currentOrder(state);
      if (order !== undefined) {
        state.order = order.map((key) => ({ ...key, descending: !key.descending }));
        return;
      }
      // Rows in no defined order, such as those of makeresults or inputlookup, turn around as
      // DuckDB returns them. NOTE: that order is the one DuckDB keeps while it can, not a sort.
      addStage(state, sql`SELECT *, row_number() OVER () AS "__row" FROM ${raw(state.relation)}`);
      addStage(
        state,
        sql`SELECT * EXCLUDE ("__row") FROM ${raw(state.relation)} ORDER BY "__row" DESC`,
      );
      return;
    }
    case 'table':
      compileProjection(state, stage.fields);
      return;
    case 'fields':
      if (stage.mode === 'include') compileProjection(state, stage.fields);
      else compileExclusion(state, stage.fields);
      return;
    case 'dedup':
      compileDedup(state, stage);
      return;
    case 'rename':
      for (const rename of stage.renames) {
        for (const [from, to] of renamedPairs(state, rename)) {
          compileRename(state, from, to, rename.loc);
        }
      }
      return;
    case 'chart':
      compileChart(state, stage);
      return;
    case 'tstats':
    case 'strcat':
    case 'xyseries':
    case 'untable':
    case 'foreach':
      compileCommandStage(state, stage);
      return;
    case 'delta':
    case 'accum':
    case 'autoregress':
    case 'rangemap':
      compileRowCommand(state, stage);
      return;
    case 'join':
      compileJoin(state, stage);
      return;
    case 'append':
      compileAppend(state, stage);
      return;
    default:
      compileMoreStage(state, stage);
  }
}

function orderKey(name: string, descending: boolean, loc: SourceLocation | undefined): OrderKey {
  return loc === undefined ? { name, descending } : { name, descending, loc };
}

/** Converts the keys of `sort` or `dedup ... sortby` to an order that sorts numbers in text by value. */
function sortOrder(keys: SortKey[]): OrderKey[] {
  return keys.map((key) => ({
    ...orderKey(key.field, key.descending, key.loc),
    numbersInText: true,
  }));
}

/** A column that `eval` or another stage adds or replaces. */
interface NewColumn {
  name: string;
  value: Sql;
  type: ValueType;
}

/** Adds or replaces a column, as `eval` does. */
export function addColumn(state: State, name: string, value: Sql, type: ValueType): void {
  addColumns(state, [{ name, value, type }]);
}

/** Adds or replaces columns in one step; no value may read a column of the others. */
function addColumns(state: State, columns: readonly NewColumn[]): void {
  const scope = cloneScope(state.scope);
  const replaced: Sql[] = [];
  const added: Sql[] = [];
  for (const { name, value, type } of columns) {
    const lowered = name.toLowerCase();
    const exists = scope.columns.has(lowered) || (scope.eventShape && isPromoted(scope, lowered));
    (exists ? replaced : added).push(sql`${value} AS ${identifier(name)}`);
    const previous = scope.columns.get(lowered);
    scope.columns.set(lowered, { name: previous?.name ?? name, type });
  }
  const replace = replaced.length === 0 ? raw('') : sql` REPLACE (${join(replaced, ', ')})`;
  const add = added.length === 0 ? raw('') : sql`, ${join(added, ', ')}`;
  addStage(state, sql`SELECT *${replace}${add} FROM ${raw(state.relation)}`, scope);
}

/**
 * Compiles `eval` assignments into as few steps as it can. An assignment that reads or writes a
 * field an earlier one of the step wrote starts a new step, because a select reads only the
 * columns of its input. Hundreds of steps of one column each used up DuckDB's memory limit.
 */
function compileEval(state: State, assignments: readonly Assignment[]): void {
  let step: NewColumn[] = [];
  const written = new Set<string>();
  const flush = () => {
    if (step.length > 0) addColumns(state, step);
    step = [];
    written.clear();
  };
  for (const assignment of assignments) {
    checkOutputName(assignment.name, assignment.loc);
    const lowered = assignment.name.toLowerCase();
    if (written.has(lowered) || readsAny(state.scope, assignment.value, written)) flush();
    if (step.length === 0) checkSteps(state, assignment.loc);
    const value = compileExpression(assignment.value, state.scope, state.context);
    const time = timeTarget(state.scope, lowered);
    if (time === undefined) {
      step.push({ name: assignment.name, value: value.sql, type: value.type });
    } else {
      step.push({ name: time, value: asTime(value.sql, value.type), type: 'time' });
    }
    written.add(lowered);
    if (time !== undefined) written.add(time.toLowerCase());
  }
  flush();
}

/**
 * Returns the column of the time that `_time` or `time` names, when it is a time: assigning to
 * it keeps it a time, as Splunk keeps `_time` one after `eval _time=_time+3600`.
 */
function timeTarget(scope: Scope, lowered: string): string | undefined {
  if (lowered !== '_time' && lowered !== 'time') return undefined;
  try {
    const field = resolveField(scope, lowered, undefined);
    return field.type === 'time' && field.columns.length === 1 ? field.columns[0] : undefined;
  } catch (error) {
    if (error instanceof QueryError) return undefined;
    throw error;
  }
}

/** Converts a value to a time: numbers are epoch seconds and text is parsed, else null. */
function asTime(value: Sql, type: ValueType): Sql {
  if (type === 'time') return value;
  if (type === 'number') {
    return sql`make_timestamp(TRY_CAST(round(${value} * 1000000) AS BIGINT))`;
  }
  // Text that is a number is epoch seconds.
  const seconds = sql`make_timestamp(TRY_CAST(round(TRY_CAST(${value} AS DOUBLE) * 1000000) AS BIGINT))`;
  return sql`coalesce(TRY_CAST(${value} AS TIMESTAMP), ${seconds})`;
}

/** Returns whether `expr` reads one of the columns `names` (lower case), through an alias too. */
function readsAny(scope: Scope, expr: Expr, names: ReadonlySet<string>): boolean {
  if (names.size === 0) return false;
  switch (expr.expr) {
    case 'field': {
      if (names.has(expr.name.toLowerCase())) return true;
      try {
        const field = resolveField(scope, expr.name, undefined);
        // A path is read from the JSON of the `ocsf` or `fields` column.
        if (field.json) return names.has('ocsf') || names.has('fields');
        return field.columns.some((column) => names.has(column.toLowerCase()));
      } catch (error) {
        // The expression's own compilation reports the unknown field.
        if (error instanceof QueryError) return false;
        throw error;
      }
    }
    case 'literal':
      return false;
    case 'binary':
      return readsAny(scope, expr.left, names) || readsAny(scope, expr.right, names);
    case 'not':
    case 'negate':
      return readsAny(scope, expr.arg, names);
    case 'in':
      return [expr.arg, ...expr.values].some((value) => readsAny(scope, value, names));
    case 'call':
      return expr.args.some((arg) => readsAny(scope, arg, names));
  }
}

export function isPromoted(scope: Scope, lowered: string): boolean {
  return !scope.hidden.has(lowered) && CATALOG_NAMES.has(lowered);
}

export function cloneScope(scope: Scope): Scope {
  return {
    eventShape: scope.eventShape,
    columns: new Map(scope.columns),
    hidden: new Set(scope.hidden),
    openColumns: scope.openColumns,
    jsonText: scope.jsonText,
  };
}

export function tableScope(columns: ColumnInfo[]): Scope {
  return {
    eventShape: false,
    columns: new Map(columns.map((column) => [column.name.toLowerCase(), column])),
    hidden: new Set(),
  };
}

/**
 * Rejects output columns of the same name. `loc` is the position of every column or of the
 * stage; the error is reported at the second column of the name.
 */
export function checkUnique(
  columns: ColumnInfo[],
  loc: SourceLocation | undefined | readonly (SourceLocation | undefined)[],
): void {
  const locationOf = (index: number): SourceLocation | undefined =>
    isLocationList(loc) ? (loc[index] ?? loc.find((location) => location !== undefined)) : loc;
  const seen = new Set<string>();
  columns.forEach((column, index) => {
    const lowered = column.name.toLowerCase();
    if (seen.has(lowered)) {
      fail(
        'name.duplicate',
        `Field '${column.name}' appears twice in the output; rename one with 'as'`,
        locationOf(index),
      );
    }
    seen.add(lowered);
  });
}

function isLocationList(
  loc: SourceLocation | undefined | readonly (SourceLocation | undefined)[],
): loc is readonly (SourceLocation | undefined)[] {
  return Array.isArray(loc);
}

export function aggregateName(aggregation: Aggregation): string {
  if (aggregation.as !== undefined) {
    checkOutputName(aggregation.as, aggregation.loc);
    return aggregation.as;
  }
  const perc = aggregation.spelling ?? 'perc';
  const fn = aggregation.fn === 'perc' ? `${perc}${aggregation.percentile}` : aggregation.fn;
  if (aggregation.expr !== undefined) {
    fail(
      'aggregate.needs_name',
      `${fn}(eval(...)) needs a name: add as NAME, as Splunk requires`,
      aggregation.loc,
    );
  }
  if (aggregation.field === undefined) return fn;
  return `${fn}(${outputName(aggregation.field)})`;
}

export function compileAggregation(
  state: State,
  aggregation: Aggregation,
  window?: Sql,
  rowFilter?: Sql,
): { sql: Sql; type: ValueType } {
  // `FILTER` and `OVER` follow the aggregate call, inside any function that wraps it.
  const only = (condition?: Sql): Sql => {
    const conditions = [condition, rowFilter].filter((part) => part !== undefined);
    return conditions.length === 0 ? raw('') : sql` FILTER (WHERE ${join(conditions, ' AND ')})`;
  };
  const over = sql`${only()}${overWindow(window)}`;
  if (aggregation.field === undefined && aggregation.expr === undefined) {
    if (aggregation.fn !== 'count') {
      fail('aggregate.missing_field', `${aggregation.fn}() needs a field`, aggregation.loc);
    }
    return { sql: sql`count(*)${over}`, type: 'number' };
  }
  const field =
    aggregation.expr !== undefined
      ? evalArgument(state, aggregation.expr)
      : resolveField(state.scope, aggregation.field!, aggregation.loc);
  const numeric = field.type === 'number' ? field.sql : sql`TRY_CAST(${field.sql} AS DOUBLE)`;
  switch (aggregation.fn) {
    case 'count':
      return { sql: sql`count(${field.sql})${over}`, type: 'number' };
    case 'dc':
    case 'distinct_count':
    // Splunk's estimate is exact here: DuckDB's approx_count_distinct was 8 to 17 percent off
    // for 1,015 to 20,000 addresses, too far to stand in for it.
    case 'estdc':
      return { sql: sql`count(DISTINCT ${field.sql})${over}`, type: 'number' };
    case 'sum':
      return { sql: sql`sum(${numeric})${over}`, type: 'number' };
    case 'avg':
    case 'mean':
      return { sql: sql`avg(${numeric})${over}`, type: 'number' };
    case 'stdev':
    case 'stdevp':
    case 'var':
    case 'varp': {
      const fn = { stdev: 'stddev_samp', stdevp: 'stddev_pop', var: 'var_samp', varp: 'var_pop' }[
        aggregation.fn
      ];
      return { sql: sql`${raw(fn)}(${numeric})${over}`, type: 'number' };
    }
    case 'range':
      return { sql: sql`(max(${numeric})${over} - min(${numeric})${over})`, type: 'number' };
    case 'mode':
      return { sql: sql`mode(${field.sql})${over}`, type: field.type };
    case 'list': {
      // As Splunk's list(): every value, duplicates too, newest event first, at most 100. The
      // values of a list field count one by one.
      const present = sql`${field.sql} IS NOT NULL`;
      const all = sql`list(${field.sql}${newestFirst(state)})${only(present)}${overWindow(window)}`;
      const values = field.type === 'list' ? sql`flatten(${all})` : all;
      return { sql: sql`list_slice(${values}, 1, 100)`, type: 'list' };
    }
    case 'first':
    case 'last': {
      // Splunk's first() is the value of the first event in search order, newest first.
      const time = timeColumn(state);
      if (time === undefined) {
        return { sql: sql`${raw(aggregation.fn)}(${field.sql})${over}`, type: field.type };
      }
      const fn = raw(aggregation.fn === 'first' ? 'arg_max' : 'arg_min');
      return { sql: sql`${fn}(${field.sql}, ${time})${over}`, type: field.type };
    }
    case 'median':
      return { sql: sql`quantile_cont(${numeric}, 0.5)${over}`, type: 'number' };
    case 'perc': {
      const percentile = aggregation.percentile;
      if (percentile === undefined || !(percentile >= 0 && percentile <= 100)) {
        fail(
          'aggregate.invalid_percentile',
          'A percentile is between 0 and 100, as in perc95(x)',
          aggregation.loc,
        );
      }
      return {
        sql: sql`quantile_cont(${numeric}, ${param(percentile / 100)})${over}`,
        type: 'number',
      };
    }
    case 'min':
    case 'max': {
      if (field.type !== 'string') {
        return { sql: sql`${raw(aggregation.fn)}(${field.sql})${over}`, type: field.type };
      }
      // As SPL: the value that is least or greatest as a number when every value is a number,
      // such as digits that rex extracted, and in lexical order otherwise.
      const number = sql`TRY_CAST(${field.sql} AS DOUBLE)`;
      const byNumber = raw(aggregation.fn === 'min' ? 'arg_min' : 'arg_max');
      return {
        sql: sql`CASE WHEN count(${number})${over} = count(${field.sql})${over} THEN ${byNumber}(${field.sql}, ${number})${over} ELSE ${raw(aggregation.fn)}(${field.sql})${over} END`,
        type: field.type,
      };
    }
    case 'values':
      if (field.type === 'list') {
        // The values of a list field count one by one, as those of a multivalue field in Splunk.
        const present = sql`${field.sql} IS NOT NULL`;
        const lists = sql`list(${field.sql})${only(present)}${overWindow(window)}`;
        return {
          sql: sql`list_sort(list_distinct(flatten(${lists})))`,
          type: 'list',
        };
      }
      return {
        sql: sql`list_sort(list(DISTINCT ${field.sql})${only(sql`${field.sql} IS NOT NULL`)}${overWindow(window)})`,
        type: 'list',
      };
    case 'earliest':
    case 'latest': {
      const time = resolveTimeField(state.scope, aggregation.loc, `${aggregation.fn}()`);
      const fn = raw(aggregation.fn === 'earliest' ? 'arg_min' : 'arg_max');
      return { sql: sql`${fn}(${field.sql}, ${time.sql})${over}`, type: field.type };
    }
  }
}

/** Returns the OVER clause of a window, or nothing without one. */
function overWindow(window: Sql | undefined): Sql {
  return window === undefined ? raw('') : sql` OVER (${window})`;
}

/**
 * Compiles the `eval(...)` argument of an aggregate. A condition counts only where it is true,
 * as `count(eval(status="failed"))` does in Splunk.
 */
function evalArgument(state: State, expr: Expr): ResolvedField {
  const value = compileExpression(expr, state.scope, state.context);
  const valueSql = value.type === 'boolean' ? sql`CASE WHEN ${value.sql} THEN TRUE END` : value.sql;
  return { sql: valueSql, type: value.type, json: false, columns: [] };
}

/** Returns the event time of the current rows, or undefined after stages that dropped it. */
function timeColumn(state: State): Sql | undefined {
  try {
    return resolveTimeField(state.scope, undefined, 'ordering').sql;
  } catch (error) {
    if (error instanceof QueryError) return undefined;
    throw error;
  }
}

/** Orders an aggregate's input newest first when the rows have their time. */
function newestFirst(state: State): Sql {
  const time = timeColumn(state);
  return time === undefined ? raw('') : sql` ORDER BY ${time} DESC`;
}

export interface Group {
  sql: Sql;
  column: ColumnInfo;
}

export function resolveGroups(state: State, fields: FieldRef[]): Group[] {
  return fields.map((field) => {
    const resolved = resolveField(state.scope, field.name, field.loc);
    return { sql: resolved.sql, column: { name: outputName(field.name), type: resolved.type } };
  });
}

/**
 * Turns each list field among `fields` (`fields.tags{}`, `values()` results) into one row per
 * element, so that grouping by it counts each value, as Splunk groups by a multivalue field.
 */
function expandLists(state: State, fields: readonly FieldRef[]): void {
  for (const field of fields) {
    const resolved = resolveField(state.scope, valuesName(field.name, state.scope), field.loc);
    if (resolved.type !== 'list') continue;
    // An event without a value stays as one row with null, as `timechart` counts it in NULL.
    const elements = sql`unnest(coalesce(nullif(${resolved.sql}, []), [NULL]))`;
    addColumn(state, outputName(field.name), elements, 'string');
  }
}

/**
 * Adds a step that counts, per `by` group, the events that have every field of `top` or `rare`
 * when one of the fields is a list, and returns the step's name. `percent` is then a share of
 * events, as in Splunk, so the shares of a multivalue field's values add up to more than 100.
 */
function countTopEvents(
  state: State,
  by: Group[],
  fields: readonly FieldRef[],
): string | undefined {
  const resolved = fields.map((field) =>
    resolveField(state.scope, valuesName(field.name, state.scope), field.loc),
  );
  if (!resolved.some((field) => field.type === 'list')) return undefined;
  const present = join(
    resolved.map((field) =>
      field.type === 'list' ? sql`len(${field.sql}) > 0` : sql`${field.sql} IS NOT NULL`,
    ),
    ' AND ',
  );
  const groups = by.map((group) => sql`${group.sql} AS ${identifier(group.column.name)}, `);
  const events = state.relation;
  const scope = state.scope;
  addStage(
    state,
    sql`SELECT ${join(groups, '')}count(*) AS "__events" FROM ${raw(events)} WHERE ${present}${groupBy(by.length)}`,
  );
  const totals = state.relation;
  state.relation = events;
  state.scope = scope;
  return totals;
}

export function groupBy(count: number): Sql {
  if (count === 0) return raw('');
  const ordinals = Array.from({ length: count }, (_, index) => String(index + 1));
  return raw(` GROUP BY ${ordinals.join(', ')}`);
}

function compileStats(state: State, aggregations: Aggregation[], by: FieldRef[]): void {
  expandLists(state, by);
  const groups = resolveGroups(state, by);
  const aggregates = aggregations.map((aggregation) => {
    const compiled = compileAggregation(state, aggregation);
    return { sql: compiled.sql, column: { name: aggregateName(aggregation), type: compiled.type } };
  });
  const outputs = [...groups, ...aggregates];
  checkUnique(
    outputs.map((output) => output.column),
    [...by.map((field) => field.loc), ...aggregations.map((aggregation) => aggregation.loc)],
  );
  // As in Splunk, rows that lack a by field are left out.
  const present =
    groups.length === 0
      ? raw('')
      : sql` WHERE ${join(
          groups.map((group) => sql`${group.sql} IS NOT NULL`),
          ' AND ',
        )}`;
  const select = join(
    outputs.map((output) => sql`${output.sql} AS ${identifier(output.column.name)}`),
    ', ',
  );
  const body = sql`SELECT ${select} FROM ${raw(state.relation)}${present}${groupBy(groups.length)}`;
  const functions = aggregations.map((aggregation) => aggregation.fn);
  let page: GroupPage | undefined;
  if (canPageGroups(functions, groups)) {
    const bound = withinBound(groups);
    const bounded = aggregations.map((aggregation, index) => {
      const compiled = compileAggregation(state, aggregation, undefined, bound);
      return sql`${compiled.sql} AS ${identifier(aggregates[index]!.column.name)}`;
    });
    const keys = groups.map((group) => sql`${group.sql} AS ${identifier(group.column.name)}`);
    page = {
      cte: state.ctes.length,
      bounded: sql`SELECT ${join([...keys, ...bounded], ', ')} FROM ${raw(state.relation)}${present}${groupBy(groups.length)}`,
      input: state.relation,
      groups,
    };
  }
  addStage(state, body, tableScope(outputs.map((output) => output.column)));
  state.groupPage = page;
  state.aggregate = true;
  state.order = groups.map((group) => ({ name: group.column.name, descending: false }));
}

/**
 * Returns the index of the first stage that runs on the returned rows (`result-stages.ts`), or
 * the number of stages when none does. After a final `timechart` or `chart ... over ... by`,
 * those are the stages that read its series as columns; elsewhere, `addtotals` and the stages
 * after it.
 */
function resultStagesStart(stages: readonly Stage[]): number {
  const isResult = (stage: Stage) => RESULT_STAGES.has(stage.stage);
  const last = stages.findLastIndex(
    (stage) =>
      stage.stage === 'timechart' ||
      stage.stage === 'xyseries' ||
      (stage.stage === 'chart' && stage.over !== undefined && stage.by !== undefined),
  );
  if (last >= 0 && stages.slice(last + 1).every(isResult)) return last + 1;
  const totals = stages.findIndex((stage) => stage.stage === 'addtotals');
  if (totals < 0) return stages.length;
  const blocking = stages.slice(totals).find((stage) => !isResult(stage));
  if (blocking !== undefined) {
    const names = [...RESULT_STAGES];
    const allowed = `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
    fail(
      'stage.not_last',
      `addtotals runs on the returned rows, so only ${allowed} may follow it, not ${blocking.stage}`,
      (stages[totals] as Extract<Stage, { stage: 'addtotals' }>).loc,
    );
  }
  return totals;
}

/** Checks the names a stage on the returned rows writes. */
function checkResultStage(stage: ResultStage): void {
  if (stage.stage === 'addtotals') {
    checkOutputName(stage.fieldname, stage.loc);
    if (stage.labelfield !== undefined) checkOutputName(stage.labelfield, stage.loc);
  }
  if (stage.stage === 'rename') {
    for (const rename of stage.renames) checkOutputName(rename.to.replaceAll('*', 'x'), rename.loc);
  }
  if (stage.stage === 'untable') checkUntableNames(stage);
}

/**
 * `chart`: `stats` by its fields, and with `over` and `by`, one row per `over` value with a
 * series per `by` value, limited and labelled as `timechart` does.
 */
function compileChart(state: State, stage: Extract<Stage, { stage: 'chart' }>): void {
  if (stage.over === undefined || stage.by === undefined) {
    const by = [stage.over, stage.by].filter((field) => field !== undefined);
    compileStats(state, stage.aggregations, by);
    return;
  }
  expandLists(state, [stage.over, stage.by]);
  const events = state.relation;
  const eventScopeBefore = state.scope;
  const [index, series] = resolveGroups(state, [stage.over, stage.by]) as [Group, Group];
  const aggregates = stage.aggregations.map((aggregation) => {
    const compiled = compileAggregation(state, aggregation);
    return { sql: compiled.sql, column: { name: aggregateName(aggregation), type: compiled.type } };
  });
  const outputs = [index, series, ...aggregates];
  checkUnique(
    outputs.map((output) => output.column),
    [stage.over.loc, stage.by.loc, ...stage.aggregations.map((aggregation) => aggregation.loc)],
  );
  // Rows without the over field are left out. Without the by field, they form the series NULL
  // unless usenull=f.
  const present =
    stage.useNull === false
      ? sql` WHERE ${index.sql} IS NOT NULL AND ${series.sql} IS NOT NULL`
      : sql` WHERE ${index.sql} IS NOT NULL`;
  const select = join(
    outputs.map((output) => sql`${output.sql} AS ${identifier(output.column.name)}`),
    ', ',
  );
  const body = sql`SELECT ${select} FROM ${raw(state.relation)}${present}${groupBy(2)}`;
  addStage(state, body, tableScope(outputs.map((output) => output.column)));
  state.aggregate = true;
  state.order = [index, series].map((group) => ({ name: group.column.name, descending: false }));
  const labels = seriesLabelsOf(stage);
  state.seriesOutput = {
    index: index.column.name,
    series: series.column.name,
    aggregates: stage.aggregations.map((aggregation, position) => ({
      name: aggregates[position]!.column.name,
      fn: aggregation.fn,
    })),
    labels,
  };

  limitSeries(state, stage, {
    events,
    eventScope: eventScopeBefore,
    index,
    series,
    columns: aggregates.map((aggregate) => aggregate.column),
  });
}

/**
 * Returns the time range whose buckets a timechart fills in. A search from a time on runs up to
 * now, as Splunk fills the buckets up to now, and a search over all time over its events.
 */
function fillRange(state: State): { earliestMs?: number; latestMs?: number } {
  const { earliestMs, latestMs } = state.range;
  // A search over all time, also written earliest=0, fills from the first event to the last.
  if (earliestMs === undefined || earliestMs <= 0) return {};
  return { earliestMs, latestMs: latestMs ?? state.context.nowMs };
}

/**
 * Spans a timechart without `span=` picks from: the first that makes at most 100 buckets. Past
 * a week, months, quarters and years, which start on the first of a month as Splunk's do.
 */
const AUTO_SPANS_MS: readonly number[] = [
  1, 5, 10, 30, 60, 300, 600, 1800, 3600, 10_800, 43_200, 86_400, 604_800,
].map((seconds) => seconds * 1000);
const AUTO_SPAN_MONTHS: readonly number[] = [1, 3, 12];
const MONTH_MS = 30.44 * 86_400_000;

/**
 * Returns the span that fits about 100 buckets into the time range, as Splunk picks a span
 * when none is given: a duration, or calendar months. Over all time the range is that of the
 * events the search matches, when known.
 */
export function autoSpan(state: State): { spanMs: number; spanMonths?: number } | undefined {
  const { range, matchedRange } = state;
  // earliest=0 is all time too, as for the buckets a timechart fills in.
  const allTime = range.earliestMs === undefined || range.earliestMs <= 0;
  if (allTime && matchedRange === undefined) return undefined;
  const width = allTime
    ? (matchedRange?.latestMs ?? 0) - (matchedRange?.earliestMs ?? 0)
    : (range.latestMs ?? state.context.nowMs) - (range.earliestMs ?? 0);
  const spanMs = AUTO_SPANS_MS.find((span) => width / span <= 100);
  if (spanMs !== undefined) return { spanMs };
  const months =
    AUTO_SPAN_MONTHS.find((count) => width / (count * MONTH_MS) <= 100) ?? AUTO_SPAN_MONTHS.at(-1)!;
  return { spanMs: Math.round(months * MONTH_MS), spanMonths: months };
}

/**
 * Returns whether a stage picks its time span from the time range (`autoSpan`): a `timechart`
 * without `span=`, or `tstats` by `_time` without one. Over all time it needs
 * `CompileOptions.matchedRange` for that.
 */
export function picksSpanFromRange(ast: QueryAst): boolean {
  return ast.stages.some(
    (stage) =>
      (stage.stage === 'timechart' && stage.autoSpan === true && stage.spanMonths === undefined) ||
      (stage.stage === 'tstats' &&
        stage.span === undefined &&
        stage.by.some((field) => isTimeName(field.name))),
  );
}

/** Returns the names of a timechart's or chart's series of the missing field and other values. */
function seriesLabelsOf(stage: Extract<Stage, { stage: 'timechart' | 'chart' }>): SeriesLabels {
  return {
    null: stage.nullLabel ?? DEFAULT_SERIES_LABELS.null,
    other: stage.otherLabel ?? DEFAULT_SERIES_LABELS.other,
  };
}

/** Series that `timechart ... by` and `chart ... over ... by` keep without `limit=`, as in Splunk. */
export const DEFAULT_SERIES_LIMIT = 10;

/** Function that combines the per-series values of an aggregate into the `OTHER` series. */
const COMBINE_SERIES: Partial<Record<Aggregation['fn'], string>> = {
  count: 'sum',
  sum: 'sum',
  min: 'min',
  max: 'max',
};

function compileTimechart(state: State, stage: Extract<Stage, { stage: 'timechart' }>): void {
  const auto =
    stage.autoSpan === true && stage.spanMonths === undefined ? autoSpan(state) : undefined;
  const spanMs = auto?.spanMs ?? stage.spanMs;
  const spanMonths = stage.spanMonths ?? auto?.spanMonths;
  if (stage.by !== undefined) expandLists(state, [stage.by]);
  const events = state.relation;
  const eventScopeBefore = state.scope;
  const time = resolveTimeField(state.scope, undefined, 'timechart');
  const bucket =
    spanMonths === undefined ? timeBucket(spanMs, time.sql) : calendarBucket(spanMonths, time.sql);
  const groups: Group[] = [{ sql: bucket, column: { name: '_time', type: 'time' } }];
  if (stage.by !== undefined) groups.push(...resolveGroups(state, [stage.by]));
  const aggregates = stage.aggregations.map((aggregation) => {
    const compiled = compileAggregation(state, aggregation);
    return { sql: compiled.sql, column: { name: aggregateName(aggregation), type: compiled.type } };
  });
  const outputs = [...groups, ...aggregates];
  checkUnique(
    outputs.map((output) => output.column),
    stage.aggregations[0]?.loc,
  );
  const select = join(
    outputs.map((output) => sql`${output.sql} AS ${identifier(output.column.name)}`),
    ', ',
  );
  // usenull=f leaves out the events without the by field, which otherwise form a NULL series.
  const withoutNull =
    stage.useNull === false && groups[1] !== undefined
      ? sql` WHERE ${groups[1].sql} IS NOT NULL`
      : raw('');
  const body = sql`SELECT ${select} FROM ${raw(state.relation)}${withoutNull}${groupBy(groups.length)}`;
  addStage(state, body, tableScope(outputs.map((output) => output.column)));
  state.aggregate = true;
  state.order = groups.map((group) => ({ name: group.column.name, descending: false }));
  const series = groups[1];
  const span = spanMonths === undefined ? { spanMs } : { spanMs, spanMonths: spanMonths };
  const named = stage.aggregations.map((aggregation, index) => ({
    name: aggregates[index]!.column.name,
    fn: aggregation.fn,
  }));
  if (series === undefined) {
    // Without series, the empty buckets are rows for later stages too: | where count=0 finds them.
    if (stage.cont === false) return;
    const addStep = (body: Sql) => {
      addStage(state, body);
      return state.relation;
    };
    fillTimeBuckets(span, state.relation, named, fillRange(state), addStep);
    return;
  }
  const labels = seriesLabelsOf(stage);
  state.seriesOutput = {
    index: '_time',
    series: series.column.name,
    ...(stage.cont !== false && { buckets: span }),
    aggregates: named,
    labels,
  };

  limitSeries(state, stage, {
    events,
    eventScope: eventScopeBefore,
    index: groups[0]!,
    series,
    columns: aggregates.map((aggregate) => aggregate.column),
  });
}

/**
 * Keeps the `limit` series with the largest sum of the first aggregate over all buckets. The
 * rest are dropped, or with `useOther` become one series named `OTHER`: combined from the
 * per-series rows when every aggregate adds up (count, sum, min, max), otherwise aggregated
 * again from the events. With `OTHER` the series column is text, and the events without the
 * field are the series `NULL`. That series is kept outside the limit.
 */
function limitSeries(
  state: State,
  stage: Extract<Stage, { stage: 'timechart' | 'chart' }>,
  rows: {
    events: string;
    eventScope: Scope;
    /** The rows' group: the time bucket of a timechart, the `over` field of a chart. */
    index: Group;
    series: Group;
    /** The aggregate columns, in the order of `stage.aggregations`. */
    columns: ColumnInfo[];
  },
): void {
  const limit = stage.limit ?? DEFAULT_SERIES_LIMIT;
  if (limit === 0) return;
  const plan = {
    ...rows,
    aggregates: stage.aggregations.map((aggregation, position) => ({
      aggregation,
      column: rows.columns[position]!,
    })),
    limit,
    useOther: stage.useOther ?? true,
    labels: seriesLabelsOf(stage),
  };
  const perSeries = state.relation;
  const scope = state.scope;
  const key = identifier(plan.series.column.name);
  const index = identifier(plan.index.column.name);

  // Ranks the series, then joins the ranks back to the per-series rows.
  const first = identifier(plan.aggregates[0]!.column.name);
  addStage(
    state,
    sql`SELECT ${key} AS "__series_key", row_number() OVER (ORDER BY sum(${first}) DESC NULLS LAST, ${key}) AS "__series_rank" FROM ${raw(perSeries)} WHERE ${key} IS NOT NULL GROUP BY 1`,
    scope,
  );
  const ranks = state.relation;
  const joined = sql`${raw(perSeries)} AS "p" LEFT JOIN ${raw(ranks)} AS "r" ON "p".${key} = "r"."__series_key"`;
  if (!plan.useOther) {
    // A text series column names the events without the field NULL, as with OTHER.
    const series =
      plan.series.column.type === 'string'
        ? sql`coalesce("p".${key}, ${param(plan.labels.null)}) AS ${key}`
        : sql`"p".${key}`;
    addStage(
      state,
      sql`SELECT "p".${index}, ${series}, ${join(
        plan.aggregates.map((aggregate) => sql`"p".${identifier(aggregate.column.name)}`),
        ', ',
      )} FROM ${joined} WHERE "r"."__series_rank" <= ${param(plan.limit)} OR "p".${key} IS NULL`,
      scope,
    );
    return;
  }

  const { null: nullLabel, other: otherLabel } = plan.labels;
  const label = sql`CASE WHEN "p".${key} IS NULL THEN ${param(nullLabel)} WHEN "r"."__series_rank" <= ${param(plan.limit)} THEN CAST("p".${key} AS VARCHAR) ELSE ${param(otherLabel)} END`;
  const additive = plan.aggregates.every(
    (aggregate) => COMBINE_SERIES[aggregate.aggregation.fn] !== undefined,
  );
  const textScope = tableScope(
    [...scope.columns.values()].map((column) =>
      column.name === plan.series.column.name ? { ...column, type: 'string' as const } : column,
    ),
  );
  if (additive) {
    const combined = join(
      plan.aggregates.map(
        (aggregate) =>
          sql`${raw(COMBINE_SERIES[aggregate.aggregation.fn]!)}("p".${identifier(aggregate.column.name)}) AS ${identifier(aggregate.column.name)}`,
      ),
      ', ',
    );
    addStage(
      state,
      sql`SELECT "p".${index} AS ${index}, ${label} AS ${key}, ${combined} FROM ${joined} GROUP BY 1, 2`,
      textScope,
    );
    return;
  }
  // Averages, distinct counts and percentiles do not combine, so OTHER is computed from events.
  const eventState: State = { ...state, scope: plan.eventScope, relation: plan.events };
  const again = join(
    plan.aggregates.map(
      (aggregate) =>
        sql`${compileAggregation(eventState, aggregate.aggregation).sql} AS ${identifier(aggregate.column.name)}`,
    ),
    ', ',
  );
  const eventsJoined = sql`${raw(plan.events)} LEFT JOIN ${raw(ranks)} AS "r" ON ${plan.series.sql} = "r"."__series_key"`;
  const eventLabel = sql`CASE WHEN ${plan.series.sql} IS NULL THEN ${param(nullLabel)} WHEN "r"."__series_rank" <= ${param(plan.limit)} THEN CAST(${plan.series.sql} AS VARCHAR) ELSE ${param(otherLabel)} END`;
  addStage(
    state,
    sql`SELECT ${plan.index.sql} AS ${index}, ${eventLabel} AS ${key}, ${again} FROM ${eventsJoined} WHERE ${plan.index.sql} IS NOT NULL GROUP BY 1, 2`,
    textScope,
  );
}

/** `top` and `rare`: the most or least common values with `count` and `percent` columns. */
function compileTop(state: State, stage: Extract<Stage, { stage: 'top' | 'rare' }>): void {
  expandLists(state, stage.by);
  const totals = countTopEvents(state, resolveGroups(state, stage.by), stage.fields);
  expandLists(state, stage.fields);
  const by = resolveGroups(state, stage.by);
  const fields = resolveGroups(state, stage.fields);
  const columns = [
    ...by.map((group) => group.column),
    ...fields.map((group) => group.column),
    { name: 'count', type: 'number' as const },
    { name: 'percent', type: 'number' as const },
  ];
  checkUnique(columns, stage.fields[0]?.loc);

  // Counting and ranking are two steps, so the window functions refer to output columns and not
  // to expressions whose JSON path parameters DuckDB would not match with the grouped ones.
  const groups = [...by, ...fields];
  const select = join(
    groups.map((group) => sql`${group.sql} AS ${identifier(group.column.name)}`),
    ', ',
  );
  const present = join(
    fields.map((group) => sql`${group.sql} IS NOT NULL`),
    ' AND ',
  );
  addStage(
    state,
    sql`SELECT ${select}, count(*) AS "count" FROM ${raw(state.relation)} WHERE ${present}${groupBy(groups.length)}`,
  );

  const columnList = (list: Group[]) =>
    join(
      list.map((group) => identifier(group.column.name)),
      ', ',
    );
  const partition = by.length === 0 ? undefined : sql`PARTITION BY ${columnList(by)}`;
  const direction = raw(stage.stage === 'top' ? 'DESC' : 'ASC');
  const rankOrder = sql`ORDER BY "count" ${direction}, ${columnList(fields)}`;
  const rankWindow = partition === undefined ? rankOrder : sql`${partition} ${rankOrder}`;
  let percent = sql`100.0 * "count" / sum("count") OVER (${partition ?? raw('')}) AS "percent"`;
  if (totals !== undefined) {
    const joined =
      by.length === 0
        ? sql`${raw(state.relation)} AS "c" CROSS JOIN ${raw(totals)} AS "t"`
        : sql`${raw(state.relation)} AS "c" JOIN ${raw(totals)} AS "t" ON ${join(
            by.map(
              (group) =>
                sql`"c".${identifier(group.column.name)} IS NOT DISTINCT FROM "t".${identifier(group.column.name)}`,
            ),
            ' AND ',
          )}`;
    addStage(state, sql`SELECT "c".*, "t"."__events" FROM ${joined}`);
    percent = sql`100.0 * "count" / "__events" AS "percent"`;
  }
  // Without groups a plain top-N is enough, and DuckDB runs it faster than a ranking window.
  const all = raw(totals === undefined ? '*' : '* EXCLUDE ("__events")');
  const body =
    partition === undefined
      ? sql`SELECT ${all}, ${percent} FROM ${raw(state.relation)} ${rankOrder} LIMIT ${param(stage.limit)}`
      : sql`SELECT ${all}, ${percent} FROM ${raw(state.relation)} QUALIFY row_number() OVER (${rankWindow}) <= ${param(stage.limit)}`;
  addStage(state, body, tableScope(columns));
  state.aggregate = true;
  state.order = [
    ...by.map((group) => ({ name: group.column.name, descending: false })),
    { name: 'count', descending: stage.stage === 'top' },
    ...fields.map((group) => ({ name: group.column.name, descending: false })),
  ];
  showTopColumns(state, stage);
}

/** Applies `countfield`, `percentfield`, `showcount=f` and `showperc=f` of `top` and `rare`. */
function showTopColumns(state: State, stage: Extract<Stage, { stage: 'top' | 'rare' }>): void {
  const loc = stage.fields[0]?.loc;
  let countName = 'count';
  let percentName = 'percent';
  if (stage.countField !== undefined && stage.countField !== countName) {
    compileRename(state, countName, stage.countField, loc);
    countName = stage.countField;
  }
  if (stage.percentField !== undefined && stage.percentField !== percentName) {
    compileRename(state, percentName, stage.percentField, loc);
    percentName = stage.percentField;
  }
  const hidden: FieldRef[] = [];
  if (stage.showCount === false) hidden.push({ name: countName, loc });
  if (stage.showPercent === false) hidden.push({ name: percentName, loc });
  if (hidden.length > 0) compileExclusion(state, hidden);
}

function compileHeadTail(state: State, kind: 'head' | 'tail', count: number): void {
  const order = currentOrder(state);
  if (kind === 'head') {
    addStage(
      state,
      sql`SELECT * FROM ${raw(state.relation)}${orderBy(state, order)} LIMIT ${param(count)}`,
    );
    return;
  }
  if (order === undefined) {
    fail(
      'stage.tail_needs_order',
      'tail needs a defined order: add a sort stage before it',
      undefined,
    );
  }
  // Splunk's tail returns the last rows in reverse order.
  const reversed = order.map((key) => ({ ...key, descending: !key.descending }));
  addStage(
    state,
    sql`SELECT * FROM ${raw(state.relation)}${orderBy(state, reversed)} LIMIT ${param(count)}`,
  );
  state.order = reversed;
}

function compileDedup(state: State, stage: Extract<Stage, { stage: 'dedup' }>): void {
  const keys = stage.fields.map((field) => resolveField(state.scope, field.name, field.loc).sql);
  const sortBy = stage.sortBy === undefined ? undefined : sortOrder(stage.sortBy);
  // Rows that tie on the sortby keys keep the current order, newest first by default.
  const current = currentOrder(state) ?? [];
  const order = orderTerms(state, sortBy === undefined ? current : [...sortBy, ...current]);
  const rowNumberLimit = stage.count === undefined ? raw('= 1') : sql`<= ${param(stage.count)}`;
  const orderClause = order === undefined ? raw('') : sql` ORDER BY ${order}`;
  const present = join(
    keys.map((key) => sql`${key} IS NOT NULL`),
    ' AND ',
  );
  const tuple = sql`row(${join(keys, ', ')})`;
  const keepRow = stage.consecutive
    ? sql`${tuple} IS DISTINCT FROM lag(${tuple}) OVER (${orderClause})`
    : sql`row_number() OVER (PARTITION BY ${join(keys, ', ')}${orderClause}) ${rowNumberLimit}`;
  // As in Splunk, rows that lack a field are dropped unless keepempty=true.
  const body = stage.keepEmpty
    ? sql`SELECT * FROM ${raw(state.relation)} QUALIFY NOT (${present}) OR ${keepRow}`
    : sql`SELECT * FROM ${raw(state.relation)} WHERE ${present} QUALIFY ${keepRow}`;
  addStage(state, body);
  // As in Splunk, the rows come out in the sortby order.
  if (sortBy !== undefined) state.order = sortBy;
}

/** Returns the names of the current columns, which `*` patterns match. */
export function currentColumnNames(state: State): string[] {
  if (!state.scope.eventShape)
    return [...state.scope.columns.values()].map((column) => column.name);
  return [
    ...[...state.scope.columns.values()].map((column) => column.name),
    ...COLUMNS.map((column) => column.name).filter(
      (name) => name !== 'ocsf' && !state.scope.hidden.has(name),
    ),
  ];
}

/** Builds a case-insensitive regular expression for a `*` pattern, each `*` a group. */
function namePattern(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.[\]{}()+?^$|\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('(.*)')}$`, 'i');
}

/**
 * Returns the renames that `rename` makes. With `*` in the name, each current column that matches
 * is renamed, and the text each `*` matched takes the place of a `*` in the new name, as in
 * Splunk's `rename src_* as source_*`.
 */
function renamedPairs(state: State, rename: Rename): [string, string][] {
  const stars = rename.from.split('*').length - 1;
  if (stars === 0) return [[rename.from, rename.to]];
  if (rename.to.split('*').length - 1 !== stars) {
    fail(
      'rename.invalid_pattern',
      `rename ${rename.from} as ${rename.to}: the new name needs as many * as the old one, as in rename src_* as source_*`,
      rename.loc,
    );
  }
  const pattern = namePattern(rename.from);
  const pairs: [string, string][] = [];
  for (const name of currentColumnNames(state)) {
    const match = pattern.exec(name);
    if (match === null) continue;
    let index = 1;
    pairs.push([name, rename.to.replace(/\*/g, () => match[index++] ?? '')]);
  }
  if (pairs.length === 0) fail('field.no_match', `No field matches '${rename.from}'`, rename.loc);
  return pairs;
}

/**
 * Replaces each field name with a `*` by the current columns that match it (case-insensitive),
 * once each and in column order, as Splunk's `table src_*` does. A pattern that matches nothing
 * adds nothing; when no field is left, the stage fails.
 */
function expandPatterns(state: State, fields: FieldRef[]): FieldRef[] {
  if (!fields.some((field) => field.name.includes('*'))) return fields;
  const columns = currentColumnNames(state);
  const seen = new Set<string>();
  const expanded: FieldRef[] = [];
  const add = (name: string, loc: SourceLocation | undefined) => {
    if (seen.has(name.toLowerCase())) return;
    seen.add(name.toLowerCase());
    expanded.push(loc === undefined ? { name } : { name, loc });
  };
  for (const field of fields) {
    if (!field.name.includes('*')) {
      add(field.name, field.loc);
      continue;
    }
    const pattern = namePattern(field.name);
    for (const name of columns) if (pattern.test(name)) add(name, field.loc);
  }
  if (expanded.length === 0) {
    fail(
      'field.no_match',
      `No field matches ${fields.map((field) => `'${field.name}'`).join(', ')}`,
      fields[0]?.loc,
    );
  }
  return expanded;
}

/** `table` and `fields +`: keep the listed fields, in that order. */
function compileProjection(state: State, listed: FieldRef[]): void {
  const fields = expandPatterns(state, listed);
  const groups = resolveGroups(state, fields);
  const columns = groups.map((group) => group.column);
  checkUnique(columns, fields[0]?.loc);
  const select = join(
    groups.map((group) => sql`${group.sql} AS ${identifier(group.column.name)}`),
    ', ',
  );
  const order = currentOrder(state);
  const kept = new Set(columns.map((column) => column.name.toLowerCase()));
  const orderSurvives = order?.every((key) => kept.has(key.name.toLowerCase())) ?? true;
  // When the projection drops a sort key, sort here; DuckDB keeps that order through the final
  // select because insertion order is preserved by default.
  const orderClause = orderSurvives ? raw('') : orderBy(state, order);
  addStage(
    state,
    sql`SELECT ${select} FROM ${raw(state.relation)}${orderClause}`,
    tableScope(columns),
  );
  state.order = orderSurvives ? order : undefined;
}

/** `fields -`: drop the listed fields. */
function compileExclusion(state: State, listed: FieldRef[]): void {
  const fields = expandPatterns(state, listed);
  const scope = cloneScope(state.scope);
  const dropped = new Set<string>();
  for (const field of fields) {
    const resolved = resolveField(state.scope, field.name, field.loc);
    if (resolved.columns.length === 0) {
      fail(
        'field.not_a_column',
        `Field '${field.name}' is read from the OCSF JSON and cannot be removed; list the fields to keep with 'table'`,
        field.loc,
      );
    }
    for (const column of resolved.columns) dropped.add(column);
  }
  for (const column of dropped) {
    const lowered = column.toLowerCase();
    if (!scope.columns.delete(lowered)) scope.hidden.add(lowered);
  }
  const names = join(
    [...dropped].map((column) => identifier(column)),
    ', ',
  );
  const promotedLeft = scope.eventShape
    ? COLUMNS.filter((column) => column.name !== 'ocsf' && !scope.hidden.has(column.name)).length
    : 0;
  if (scope.columns.size + promotedLeft === 0) {
    fail(
      'stage.no_fields_left',
      'fields - would remove every field: list the fields to keep with table or fields +',
      fields[0]?.loc,
    );
  }
  const order = currentOrder(state);
  const orderSurvives = order?.every((key) => !dropped.has(key.name)) ?? true;
  const orderClause = orderSurvives ? raw('') : orderBy(state, order);
  addStage(
    state,
    sql`SELECT * EXCLUDE (${names}) FROM ${raw(state.relation)}${orderClause}`,
    scope,
  );
  if (!orderSurvives) state.order = [];
}

function compileRename(
  state: State,
  from: string,
  to: string,
  loc: SourceLocation | undefined,
): void {
  checkOutputName(to, loc);
  const resolved = resolveField(state.scope, from, loc);

  // The source column goes away when it is a plain column; an existing column named like the
  // target is replaced, as Splunk's rename overwrites it.
  const excluded = new Set<string>();
  if (resolved.columns.length === 1 && resolved.sql.text === `"${resolved.columns[0]}"`) {
    excluded.add(resolved.columns[0]!);
  }
  const scope = cloneScope(state.scope);
  const target = to.toLowerCase();
  if (scope.columns.has(target) || (scope.eventShape && isPromoted(scope, target))) {
    excluded.add(to);
  }
  for (const column of excluded) {
    const lowered = column.toLowerCase();
    if (!scope.columns.delete(lowered)) scope.hidden.add(lowered);
  }
  scope.columns.set(target, { name: to, type: resolved.type });

  const excludedList = join(
    [...excluded].map((column) => identifier(column)),
    ', ',
  );
  const columns = excluded.size === 0 ? raw('*') : sql`* EXCLUDE (${excludedList})`;
  const order = currentOrder(state)?.map((key) =>
    key.name.toLowerCase() === from.toLowerCase() ? { ...key, name: to } : key,
  );
  const relation = raw(state.relation);
  addStage(
    state,
    sql`SELECT ${columns}, ${resolved.sql} AS ${identifier(to)} FROM ${relation}`,
    scope,
  );
  if (order !== undefined) state.order = order;
}

const CATALOG_NAMES: ReadonlySet<string> = new Set(COLUMNS.map((column) => column.name));

/** Runs `compileQuery` for its checks only, returning its diagnostics. */
export function checkQuery(ast: QueryAst, nowMs: number) {
  try {
    compileQuery(ast, { source: 'events', nowMs });
    return [];
  } catch (error) {
    if (error instanceof QueryError) return error.diagnostics;
    return [diagnosticAt('internal.error', `Query check failed: ${String(error)}`, undefined)];
  }
}
