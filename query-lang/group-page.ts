/**
 * Reading a page of groups: a final `stats` whose aggregates keep a set of values per group
 * (`dc`, `values`, percentiles) hashes every (group, value) pair, and most of those pairs belong
 * to groups after the returned page. The first rows of the input tell where the page ends at the
 * latest: their distinct by fields are some of all the groups, so if `limit` of them come at or
 * before a value of the first by field, so do the page's groups. A first statement reads that
 * bound from those rows. When there is one, the aggregates read only the rows at or before it,
 * while every group is still counted for the total, in one scan. Groups after the bound get
 * wrong values, but the final order and limit cut them away. When the first rows hold fewer
 * than `limit` groups, there is no bound and the whole aggregation runs.
 */

import type { AggregateFunction } from './ast.js';
import type { Group } from './compiler.js';
import { identifier, join, param, raw, type Sql, sql } from './sql.js';

/** Aggregates whose state grows with the distinct values of each group. */
const SET_AGGREGATES: ReadonlySet<AggregateFunction> = new Set([
  'dc',
  'distinct_count',
  'estdc',
  'values',
  'list',
  'median',
  'perc',
  'mode',
]);

/** Rows of the input that the bound is read from. */
const BOUND_SAMPLE_ROWS = 100_000;

/** Placeholder for the bound among the parameters until the first statement has run. */
const BOUND = Symbol('bound');

/** The parts of a final `stats` stage that a bounded statement replaces, as `compileStats` sets them. */
export interface GroupPage {
  /** Index of the stats stage's CTE among the state's CTEs. */
  cte: number;
  /** The stats stage's select, its aggregates reading only the rows up to the bound. */
  bounded: Sql;
  /** Relation the stats stage reads. */
  input: string;
  groups: Group[];
}

/** Returns whether a stats stage with these aggregates and groups may read a page of groups. */
export function canPageGroups(functions: readonly AggregateFunction[], groups: Group[]): boolean {
  const first = groups[0];
  if (first === undefined || !functions.some((fn) => SET_AGGREGATES.has(fn))) return false;
  return first.column.type === 'string' || first.column.type === 'number';
}

/**
 * Returns the condition under which a row counts in the bounded aggregates: its first by field
 * is at or before the bound. Strings compare as text and numbers as DOUBLE, which keeps their
 * order where it rounds a large integer. The bound is passed as text, which keeps any value.
 */
export function withinBound(groups: Group[]): Sql {
  const first = groups[0] as Group;
  return sql`${comparable(first)} <= CAST(${param(BOUND)} AS ${comparableType(first)})`;
}

function comparableType(group: Group): Sql {
  return raw(group.column.type === 'number' ? 'DOUBLE' : 'VARCHAR');
}

function comparable(group: Group): Sql {
  return sql`CAST(${group.sql} AS ${comparableType(group)})`;
}

/**
 * Returns the statement that finds the bound, as text in the column `bound`: the first by
 * field of the `limit`-th group, in the final order, among the first rows of the input. It
 * returns no row when those rows hold fewer groups.
 */
export function boundStatement(page: GroupPage, ctes: readonly Sql[], limit: number): Sql {
  const keys = page.groups.map((_, index) => identifier(`k${index}`));
  const present = join(
    page.groups.map((group) => sql`${group.sql} IS NOT NULL`),
    ' AND ',
  );
  const distinct = join(
    page.groups.map((group, index) =>
      index === 0
        ? sql`${comparable(group)} AS ${keys[index]!}`
        : sql`${group.sql} AS ${keys[index]!}`,
    ),
    ', ',
  );
  const before = ctes.slice(0, page.cte);
  const withClause = before.length === 0 ? raw('') : sql`WITH ${join(before, ', ')} `;
  const sample = sql`SELECT * FROM ${raw(page.input)} WHERE ${present} LIMIT ${param(BOUND_SAMPLE_ROWS)}`;
  // Ordering by the first key alone is enough: groups with the same first key share the bound.
  // It orders by the value that the bound is compared as, not by its text.
  return sql`${withClause}SELECT CAST(${keys[0]!} AS VARCHAR) AS "bound" FROM (SELECT DISTINCT ${distinct} FROM (${sample})) ORDER BY ${keys[0]!} LIMIT 1 OFFSET ${param(limit - 1)}`;
}

/** Returns the CTEs of the final select with the stats stage's CTE in its bounded form. */
export function boundedCtes(page: GroupPage, ctes: readonly Sql[]): Sql[] {
  const bounded = [...ctes];
  bounded[page.cte] = sql`${raw(`s${page.cte}`)} AS (${page.bounded})`;
  return bounded;
}

/** Returns the positions of the bound among the parameters of the bounded statement. */
export function boundPositions(params: readonly unknown[]): number[] {
  return params.flatMap((value, index) => (value === BOUND ? [index] : []));
}
