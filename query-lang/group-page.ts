/**
 * Reading a page of groups: a final `stats` whose aggregates keep a set of values per group
 * (`dc`, `values`, percentiles) hashes every (group, value) pair, and most of those pairs belong
 * to groups after the returned page. So the query runs in two statements. The first reads only
 * the by fields, counts the groups and finds the lowest and highest first by field among the
 * page's groups. The second aggregates only the rows whose first by field lies between those
 * two, a range that a column scan checks cheaply, and the final order and limit cut the result
 * to the same page as one statement returns.
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

/** The parts of a final `stats` stage that `pagedGroups` rewrites, recorded by `compileStats`. */
export interface GroupPage {
  /** Relation the stats stage reads. */
  input: string;
  /** Index of the stats stage's CTE among the state's CTEs. */
  cte: number;
  groups: Group[];
  /** The stats select list: the by fields, then the aggregates, each with its name. */
  select: Sql;
}

/** Returns whether a stats stage with these aggregates and groups runs a page at a time. */
export function canPageGroups(functions: readonly AggregateFunction[], groups: Group[]): boolean {
  const first = groups[0];
  if (first === undefined || !functions.some((fn) => SET_AGGREGATES.has(fn))) return false;
  return first.column.type === 'string' || first.column.type === 'number';
}

/** Placeholders for `low` and `high` among the parameters until the first statement has run. */
const LOW = Symbol('low');
const HIGH = Symbol('high');

/**
 * Builds the statement that finds the groups and, as `ctes`, the CTEs of the rows statement:
 * the state's CTEs with the stats stage's replaced by one that reads only the page's range.
 * `order` is the ORDER BY clause of the final select, over the stats output's names.
 */
export function pagedGroups(
  page: GroupPage,
  ctes: readonly Sql[],
  order: Sql,
  limit: number,
): { groups: Sql; ctes: Sql[] } {
  const first = page.groups[0] as Group;
  // Strings compare as text; numbers as DOUBLE, which keeps their order where it rounds a large
  // integer. The bounds are passed as text, which keeps any value exactly, NaN and infinities too.
  const type = raw(first.column.type === 'number' ? 'DOUBLE' : 'VARCHAR');
  const comparable = (value: Sql) => sql`CAST(${value} AS ${type})`;
  const present = page.groups.map((group) => sql`${group.sql} IS NOT NULL`);
  const byFields = join(
    page.groups.map((group) => sql`${group.sql} AS ${identifier(group.column.name)}`),
    ', ',
  );
  const groupBy = raw(page.groups.map((_, index) => String(index + 1)).join(', '));
  const firstName = identifier(first.column.name);
  const groups = sql`WITH ${join(
    [
      ...ctes.slice(0, page.cte),
      sql`page_groups AS (SELECT ${byFields} FROM ${raw(page.input)} WHERE ${join(present, ' AND ')} GROUP BY ${groupBy})`,
      sql`page AS (SELECT * FROM page_groups${order} LIMIT ${param(limit)})`,
    ],
    ', ',
  )} SELECT CAST(min(${comparable(firstName)}) AS VARCHAR) AS "low", CAST(max(${comparable(firstName)}) AS VARCHAR) AS "high", (SELECT count(*) FROM page_groups) AS "total" FROM page`;

  const inRange = sql`${comparable(first.sql)} BETWEEN CAST(${param(LOW)} AS ${type}) AND CAST(${param(HIGH)} AS ${type})`;
  const body = sql`SELECT ${page.select} FROM ${raw(page.input)} WHERE ${join([...present, inRange], ' AND ')} GROUP BY ${groupBy}`;
  const rowCtes = [...ctes];
  rowCtes[page.cte] = sql`${raw(`s${page.cte}`)} AS (${body})`;
  return { groups, ctes: rowCtes };
}

/** Returns the positions of `low` and `high` among the parameters of the rows statement. */
export function boundPositions(params: readonly unknown[]): [number, number] {
  return [params.indexOf(LOW), params.indexOf(HIGH)];
}
