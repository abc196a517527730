/**
 * Commands that compute a field of each row from nearby rows or from ranges: `delta`, `accum`,
 * `autoregress` and `rangemap`. The first three read rows in their current order, as Splunk's
 * read results in search order (events newest first), through window functions.
 */

import type { Stage } from './ast.js';
import { addColumn, currentOrder, orderTerms, type State } from './compiler.js';
import { asNumber } from './expression-compiler.js';
import { checkOutputName, outputName, resolveField } from './fields.js';
import { join, numberParam, param, raw, type Sql, sql } from './sql.js';

export type RowCommand = Extract<Stage, { stage: 'delta' | 'accum' | 'autoregress' | 'rangemap' }>;

export function compileRowCommand(state: State, stage: RowCommand): void {
  switch (stage.stage) {
    case 'delta':
      compileDelta(state, stage);
      return;
    case 'accum':
      compileAccum(state, stage);
      return;
    case 'autoregress':
      compileAutoregress(state, stage);
      return;
    case 'rangemap':
      compileRangemap(state, stage);
      return;
  }
}

/**
 * Returns the field's value as a number, or null where it is not one. A time is epoch seconds,
 * as in arithmetic, so `delta _time` gives the seconds between events.
 */
function numberOf(state: State, name: string, stage: RowCommand): Sql {
  return asNumber(resolveField(state.scope, name, stage.loc));
}

/** Returns the OVER clause of the rows in their current order, up to `frame`. */
function over(state: State, frame = ''): Sql {
  const order = orderTerms(state, currentOrder(state));
  const orderClause = order === undefined ? raw('') : sql`ORDER BY ${order}`;
  return sql`OVER (${orderClause}${raw(frame)})`;
}

/** Returns `name` once it is checked as the name of a new field. */
function checkedName(name: string, stage: RowCommand): string {
  checkOutputName(name, stage.loc);
  return name;
}

/** Adds the field of `delta`: the value minus the value `p` rows before, where both are numbers. */
function compileDelta(state: State, stage: Extract<Stage, { stage: 'delta' }>): void {
  const value = numberOf(state, stage.field, stage);
  const name = checkedName(stage.as ?? `delta(${outputName(stage.field)})`, stage);
  const previous = sql`lag(${value}, ${numberParam(stage.p ?? 1)}) ${over(state)}`;
  addColumn(state, name, sql`${value} - ${previous}`, 'number');
}

/**
 * Adds the field of `accum`: the running total of the value over the rows so far, on the rows
 * where it is a number. Without `as`, the total replaces the field.
 */
function compileAccum(state: State, stage: Extract<Stage, { stage: 'accum' }>): void {
  const value = numberOf(state, stage.field, stage);
  const name = checkedName(stage.as ?? outputName(stage.field), stage);
  const total = sql`sum(${value}) ${over(state, ' ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW')}`;
  addColumn(state, name, sql`CASE WHEN ${value} IS NOT NULL THEN ${total} END`, 'number');
}

/**
 * Adds the fields of `autoregress`: copies of the value from `from` to `to` rows before, named
 * `<field>_p<n>`, or `as` when there is one copy.
 */
function compileAutoregress(state: State, stage: Extract<Stage, { stage: 'autoregress' }>): void {
  const field = resolveField(state.scope, stage.field, stage.loc);
  const base = outputName(stage.field);
  for (let rows = stage.from; rows <= stage.to; rows++) {
    const name = checkedName(stage.as ?? `${base}_p${rows}`, stage);
    const copy = sql`lag(${field.sql}, ${numberParam(rows)}) ${over(state)}`;
    addColumn(state, name, copy, field.type);
  }
}

/**
 * Adds the field `range` of `rangemap`: the name of the range (inclusive at both ends) that the
 * value lies in, or `default` (`None`) when it lies in none or is not a number. Where ranges
 * overlap, a value may lie in several, so `range` is then a list, as Splunk makes it a
 * multivalue field.
 */
function compileRangemap(state: State, stage: Extract<Stage, { stage: 'rangemap' }>): void {
  const value = numberOf(state, stage.field, stage);
  const fallback = param(stage.default ?? 'None');
  const inRange = (range: { low: number; high: number }) =>
    sql`${value} BETWEEN ${numberParam(range.low)} AND ${numberParam(range.high)}`;
  const overlapping = stage.ranges.some((range, index) =>
    stage.ranges
      .slice(index + 1)
      .some((other) => range.low <= other.high && other.low <= range.high),
  );
  if (!overlapping) {
    const cases = stage.ranges.map(
      (range) => sql`WHEN ${inRange(range)} THEN ${param(range.name)}`,
    );
    const body = cases.length === 0 ? fallback : sql`CASE ${join(cases, ' ')} ELSE ${fallback} END`;
    addColumn(state, 'range', body, 'string');
    return;
  }
  const names = stage.ranges.map(
    (range) => sql`CASE WHEN ${inRange(range)} THEN ${param(range.name)} END`,
  );
  const matched = sql`list_filter([${join(names, ', ')}], lambda v: v IS NOT NULL)`;
  addColumn(
    state,
    'range',
    sql`CASE WHEN len(${matched}) > 0 THEN ${matched} ELSE [${fallback}] END`,
    'list',
  );
}
