/**
 * Reading a page of groups: a final `stats` whose aggregates keep a set of values per group
 * (`dc`, `values`, percentiles) hashes every (group, value) pair, and most of those pairs belong
 * to groups after the returned page. The first rows of the input tell where the page ends at the
 * latest: their distinct by fields are some of all the groups, so if `limit` of them come at or
 * before a value of the first by field, so do the page's groups. The aggregates then read only
 * the rows at or before that bound, while every group is still counted for the total, all in
 * one statement. Groups after the bound get wrong values, but the final order and limit cut
 * them away. When the first rows hold fewer than `limit` groups, there is no bound.
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

/** Name of the CTE that contains the bound. */
const BOUND_RELATION = 'page_bound';

/** The parts of a final `stats` stage that the final select may replace, as `compileStats` sets them. */
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
 * Returns the condition under which a row counts in the aggregates: its first by field is at or
 * before the bound, or there is none. Strings compare as text and numbers as DOUBLE, which keeps
 * their order where it rounds a large integer.
 */
export function withinBound(groups: Group[]): Sql {
  const first = groups[0] as Group;
  const bound = sql`(SELECT "bound" FROM ${raw(BOUND_RELATION)})`;
  return sql`(${bound} IS NULL OR ${comparable(first)} <= ${bound})`;
}

function comparable(group: Group): Sql {
  const type = raw(group.column.type === 'number' ? 'DOUBLE' : 'VARCHAR');
  return sql`CAST(${group.sql} AS ${type})`;
}

/**
 * Returns the CTEs of the final select, with the stats stage's CTE replaced by its bounded form.
 * The CTE of the bound comes before it: the first by field of the `limit`-th group, in the final
 * order, among the first rows of the input.
 */
export function pagedGroupCtes(page: GroupPage, ctes: readonly Sql[], limit: number): Sql[] {
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
  // Ordering by the first key alone is enough: groups with the same first key share the bound.
  const sample = sql`SELECT * FROM ${raw(page.input)} WHERE ${present} LIMIT ${param(BOUND_SAMPLE_ROWS)}`;
  const bound = sql`${raw(BOUND_RELATION)} AS (SELECT ${keys[0]!} AS "bound" FROM (SELECT DISTINCT ${distinct} FROM (${sample})) ORDER BY 1 LIMIT 1 OFFSET ${param(limit - 1)})`;
  const paged = [...ctes];
  paged[page.cte] = sql`${raw(`s${page.cte}`)} AS (${page.bounded})`;
  paged.splice(page.cte, 0, bound);
  return paged;
}
