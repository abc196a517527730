/**
 * Splunk's `xyseries` and `untable`, which turn rows into columns and back. Column names that
 * come from values cannot be named in SQL, so `xyseries` returns its series as a list that
 * `widenSeries` spreads into columns, as a final `chart ... over x by y` does. `untable` runs on
 * those columns in `result-stages.ts`. Over rows whose columns the query names, it is DuckDB's
 * `UNPIVOT`.
 */

import type { Stage } from './ast.js';
import {
  addStage,
  checkUnique,
  type Group,
  resolveGroups,
  type State,
  tableScope,
} from './compiler.js';
import { fail } from './errors.js';
import { type ColumnInfo, checkOutputName, resolveField } from './fields.js';
import { RESULT_STAGES } from './result-stages.js';
import { DEFAULT_SERIES_LABELS, type SeriesOutput } from './series-output.js';
import { identifier, join, param, raw, type Sql, sql } from './sql.js';

type XyseriesStage = Extract<Stage, { stage: 'xyseries' }>;
type UntableStage = Extract<Stage, { stage: 'untable' }>;

/**
 * Rejects an `xyseries` followed by a stage that reads rows in SQL. Its columns are named after
 * values only once the query has run, so only the stages of `RESULT_STAGES` may follow it, or
 * an `untable` right after it, which reads its rows before they become columns.
 */
export function checkXyseriesFollowers(stages: readonly Stage[]): void {
  stages.forEach((stage, index) => {
    if (stage.stage !== 'xyseries') return;
    const later = stages.slice(index + 1);
    if (later[0]?.stage === 'untable') return;
    const blocking = later.find((next) => !RESULT_STAGES.has(next.stage));
    if (blocking === undefined) return;
    const names = [...RESULT_STAGES].filter((name) => name !== 'untable');
    fail(
      'stage.not_last',
      `xyseries names its columns after values, so only ${names.join(', ')} or untable may follow it, not ${blocking.stage}`,
      stage.loc,
    );
  });
}

/** Checks the names of the fields that `untable` writes. */
export function checkUntableNames(stage: UntableStage): void {
  const written = [stage.x, stage.name, stage.value];
  for (const field of written) checkOutputName(field.name, field.loc ?? stage.loc);
  const columns = written.map((field): ColumnInfo => ({ name: field.name, type: 'string' }));
  checkUnique(
    columns,
    written.map((field) => field.loc),
  );
}

/**
 * Compiles `xyseries`: the rows that have both `x` and `y`, whose values the final select lists
 * per value of `x`, one series per value of `y`.
 */
export function compileXyseries(state: State, stage: XyseriesStage): void {
  const groups = resolveGroups(state, [stage.x, stage.y, ...stage.values]);
  checkUnique(
    groups.map((group) => group.column),
    [stage.x, stage.y, ...stage.values].map((field) => field.loc),
  );
  const [x, y] = groups as [Group, Group];
  const select = join(
    groups.map((group) => sql`${group.sql} AS ${identifier(group.column.name)}`),
    ', ',
  );
  addStage(
    state,
    sql`SELECT ${select} FROM ${raw(state.relation)} WHERE ${x.sql} IS NOT NULL AND ${y.sql} IS NOT NULL`,
    tableScope(groups.map((group) => group.column)),
  );
  state.aggregate = true;
  state.order = [{ name: x.column.name, descending: false }];
  state.seriesOutput = {
    index: x.column.name,
    series: y.column.name,
    aggregates: groups.slice(2).map((group) => ({ name: group.column.name })),
    labels: DEFAULT_SERIES_LABELS,
  };
}

/**
 * Compiles `untable` where it reads rows in SQL. After a `timechart`, `chart` or `xyseries`, its
 * series are still rows (long form), which are renamed. Over other rows, every column but `x`
 * is unpivoted.
 */
export function compileUntable(state: State, stage: UntableStage): void {
  checkUntableNames(stage);
  if (state.previousSeries !== undefined) {
    untableSeries(state, stage, state.previousSeries);
    return;
  }
  if (state.scope.eventShape) {
    fail(
      'stage.invalid',
      'untable turns the columns of a results table into rows, so it needs a stage such as stats, chart, timechart or table before it',
      stage.loc,
    );
  }
  unpivotTable(state, stage);
}

/** Compiles `untable` over a table with DuckDB's `UNPIVOT`, which leaves out empty values. */
function unpivotTable(state: State, stage: UntableStage): void {
  const x = resolveField(state.scope, stage.x.name, stage.x.loc);
  const columns = [...state.scope.columns.values()].map((column) => column.name);
  const others = columns.filter(
    (name) => name.toLowerCase() !== stage.x.name.toLowerCase() && !name.startsWith('__'),
  );
  if (others.length === 0) {
    fail(
      'stage.invalid',
      `untable has no columns besides ${stage.x.name} to turn into rows`,
      stage.loc,
    );
  }

  // Values of every column become text, because UNPIVOT needs one type.
  const casts = join(
    others.map((name) => sql`CAST(${identifier(name)} AS VARCHAR) AS ${identifier(name)}`),
    ', ',
  );
  const input = sql`SELECT ${x.sql} AS "__untable_x", ${casts} FROM ${raw(state.relation)}`;
  const unpivoted = join(
    others.map((name) => identifier(name)),
    ', ',
  );
  const body = sql`SELECT "__untable_x" AS ${identifier(stage.x.name)}, "__untable_name" AS ${identifier(stage.name.name)}, "__untable_value" AS ${identifier(stage.value.name)} FROM (UNPIVOT (${input}) ON ${unpivoted} INTO NAME "__untable_name" VALUE "__untable_value")`;
  addStage(
    state,
    body,
    tableScope([
      { name: stage.x.name, type: x.type },
      { name: stage.name.name, type: 'string' },
      { name: stage.value.name, type: 'string' },
    ]),
  );
  state.order = undefined;
}

/**
 * Compiles `untable` over the long-form rows of a series stage: one row per (index, series)
 * already, so the index becomes `x`, the series label `name` and the value `value`. With several
 * values, the label is `value: series`, as `widenSeries` names those columns.
 */
function untableSeries(state: State, stage: UntableStage, series: SeriesOutput): void {
  if (stage.x.name.toLowerCase() !== series.index.toLowerCase()) {
    fail(
      'stage.invalid',
      `untable after this stage keeps its rows by ${series.index}: write untable ${series.index} ${stage.name.name} ${stage.value.name}`,
      stage.x.loc ?? stage.loc,
    );
  }
  const label = sql`coalesce(CAST(${identifier(series.series)} AS VARCHAR), ${param('NULL')})`;
  const several = series.aggregates.length > 1;
  const selects: Sql[] = series.aggregates.map((aggregate) => {
    const name = several ? sql`${param(`${aggregate.name}: `)} || ${label}` : label;
    const value = identifier(aggregate.name);
    const cell = several ? sql`CAST(${value} AS VARCHAR)` : value;
    return sql`SELECT ${identifier(series.index)} AS ${identifier(stage.x.name)}, ${name} AS ${identifier(stage.name.name)}, ${cell} AS ${identifier(stage.value.name)} FROM ${raw(state.relation)} WHERE ${value} IS NOT NULL`;
  });
  const scope = state.scope;
  const indexType = scope.columns.get(series.index.toLowerCase())?.type ?? 'string';
  const valueType = several
    ? 'string'
    : (scope.columns.get(series.aggregates[0]!.name.toLowerCase())?.type ?? 'string');
  addStage(
    state,
    join(selects, ' UNION ALL '),
    tableScope([
      { name: stage.x.name, type: indexType },
      { name: stage.name.name, type: 'string' },
      { name: stage.value.name, type: valueType },
    ]),
  );
  state.order = [
    { name: stage.x.name, descending: false },
    { name: stage.name.name, descending: false },
  ];
}
