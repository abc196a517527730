/**
 * The result of a query that ends with `timechart` or `chart ... over ... by`, in Splunk's
 * shape. A timechart has one row per time bucket from the start to the end of the search's time
 * range, empty buckets included. With a series field (`by`), each series is a column. Splunk
 * draws a chart from this table, and analysts read it as one.
 *
 * SQL cannot name columns after values it has not read yet, so the final select returns the
 * series of each row as one list column (`SERIES_COLUMN`) and `widenSeries` spreads it into
 * columns after the query ran. Column names made from log text never reach the SQL.
 */

import type { AggregateFunction } from './ast.js';
import { fail } from './errors.js';
import { identifier, join, param, raw, type Sql, sql } from './sql.js';
import { calendarBucket, timeBucket } from './stages.js';

/** The list column that carries the series of each row in the final select. */
export const SERIES_COLUMN = '__series';

/** The column that carries the number of series in the final select. */
export const SERIES_COUNT_COLUMN = '__series_count';

/**
 * Maximum number of series that become columns. `limit=0` over a field with more values, such
 * as `timechart count by src_ip limit=0`, is an error, because the table would not fit.
 */
export const MAX_SERIES = 1000;

/**
 * Maximum number of buckets a timechart fills in. A range with more buckets, such as `span=1s` over a month,
 * is filled only from the first to the last bucket with events, and not at all beyond this.
 */
export const MAX_FILLED_BUCKETS = 10_000;

/** Aggregates whose value over no events is 0, which empty buckets and series show. */
const ZERO_WHEN_EMPTY: ReadonlySet<AggregateFunction> = new Set([
  'count',
  'dc',
  'distinct_count',
  'estdc',
]);

/** Maximum length of the series names that `otherstr=` and `nullstr=` give. */
export const MAX_SERIES_LABEL = 100;

/** Returns whether `label` can name the series of the other values or of the missing field. */
export function isSeriesLabel(label: string): boolean {
  return label.length > 0 && label.length <= MAX_SERIES_LABEL;
}

/** Names of the series of the events without the field and of the other values. */
export interface SeriesLabels {
  null: string;
  other: string;
}

export const DEFAULT_SERIES_LABELS: SeriesLabels = { null: 'NULL', other: 'OTHER' };

/** Layout of the series list that `widenSeries` spreads into columns. */
export interface SeriesLayout {
  /**
   * The aggregate columns in the order of the query, and whether a series without events shows
   * 0 for each (a count) or no value (an average).
   */
  aggregates: { name: string; zero: boolean }[];
  /** Series that come after the values, in this order; `DEFAULT_SERIES_LABELS` when absent. */
  last?: string[];
}

/** A final `timechart` or `chart` as the final select needs it. */
export interface SeriesOutput {
  /** Column of the rows: `_time` for a timechart, the `over` field for a chart. */
  index: string;
  /** Time buckets of a timechart, which the select fills in across the time range. */
  buckets?: { spanMs: number; spanMonths?: number };
  /** Column of the series field. */
  series: string;
  /** The value columns; `fn` is absent for values copied as they are, as by `xyseries`. */
  aggregates: { name: string; fn?: AggregateFunction }[];
  labels: SeriesLabels;
}

/**
 * Returns the final select of a query that ends with `timechart` or `chart`, over `relation`
 * (its rows of index, series and aggregates), and adds the steps it reads to `addStep`. The
 * select counts its rows in `totalColumn`.
 */
export function seriesSelect(
  output: SeriesOutput,
  relation: string,
  range: { earliestMs?: number; latestMs?: number; totalColumn: string },
  addStep: (body: Sql) => string,
): { select: Sql; layout: SeriesLayout } {
  const index = identifier(output.index);
  const rows =
    output.buckets === undefined
      ? addStep(sql`SELECT DISTINCT ${index} FROM ${raw(relation)}`)
      : addStep(bucketsSelect(output.buckets, relation, range, addStep));

  const total = sql`count(*) OVER () AS ${identifier(range.totalColumn)}`;
  const key = identifier(output.series);
  const count = addStep(
    sql`SELECT count(*) AS "n" FROM (SELECT DISTINCT ${key} FROM ${raw(relation)})`,
  );
  const seriesCount = sql`(SELECT "n" FROM ${raw(count)})`;
  const fields = join(
    output.aggregates.map(
      (aggregate, position) => sql`'v${raw(String(position))}': "r".${identifier(aggregate.name)}`,
    ),
    ', ',
  );
  // Each row lists the series it has; widenSeries orders them and fills in the rest. Past
  // MAX_SERIES the lists stay empty, so that a huge table is never built.
  const label = sql`CASE WHEN "r".${key} IS NULL THEN ${param(output.labels.null)} ELSE CAST("r".${key} AS VARCHAR) END`;
  const cells = sql`list({'s': ${label}, 'n': TRY_CAST("r".${key} AS DOUBLE), ${fields}}) FILTER (WHERE "r".${index} IS NOT NULL AND ${seriesCount} <= ${param(MAX_SERIES)})`;
  return {
    select: sql`SELECT "b".${index} AS ${index}, coalesce(${cells}, []) AS ${identifier(SERIES_COLUMN)}, ${seriesCount} AS ${identifier(SERIES_COUNT_COLUMN)}, ${total} FROM ${raw(rows)} AS "b" LEFT JOIN ${raw(relation)} AS "r" ON "r".${index} = "b".${index} GROUP BY 1 ORDER BY 1`,
    layout: {
      aggregates: output.aggregates.map((aggregate) => ({
        name: aggregate.name,
        zero: aggregate.fn !== undefined && ZERO_WHEN_EMPTY.has(aggregate.fn),
      })),
      last: [output.labels.null, output.labels.other],
    },
  };
}

/**
 * Adds the steps that fill in the empty buckets of a timechart without series, and returns the
 * filled relation. Its rows, in `relation`, are joined to every bucket of the range. A bucket
 * without events gets 0 for a count and no value for an average.
 */
export function fillTimeBuckets(
  span: { spanMs: number; spanMonths?: number },
  relation: string,
  aggregates: readonly { name: string; fn: AggregateFunction }[],
  range: { earliestMs?: number; latestMs?: number },
  addStep: (body: Sql) => string,
): string {
  const buckets = addStep(bucketsSelect(span, relation, range, addStep));
  const values = join(
    aggregates.map((aggregate) => {
      const column = sql`"r".${identifier(aggregate.name)}`;
      const value = ZERO_WHEN_EMPTY.has(aggregate.fn) ? sql`coalesce(${column}, 0)` : column;
      return sql`${value} AS ${identifier(aggregate.name)}`;
    }),
    ', ',
  );
  return addStep(
    sql`SELECT "b"."_time" AS "_time", ${values} FROM ${raw(buckets)} AS "b" LEFT JOIN ${raw(relation)} AS "r" ON "r"."_time" = "b"."_time"`,
  );
}

/**
 * Returns a select of every time bucket from the start to the end of the time range, or
 * without one from the first bucket with events to the last, and the buckets with events.
 */
function bucketsSelect(
  span: { spanMs: number; spanMonths?: number },
  relation: string,
  range: { earliestMs?: number; latestMs?: number },
  addStep: (body: Sql) => string,
): Sql {
  const bucketOf = (time: Sql) =>
    span.spanMonths === undefined
      ? timeBucket(span.spanMs, time)
      : calendarBucket(span.spanMonths, time);
  const countBetween = (from: Sql, to: Sql) =>
    span.spanMonths === undefined
      ? sql`((epoch_us(${to}) - epoch_us(${from})) // (CAST(${param(span.spanMs)} AS BIGINT) * 1000))`
      : sql`(datediff('month', ${from}, ${to}) // CAST(${param(span.spanMonths)} AS BIGINT))`;
  const step =
    span.spanMonths === undefined
      ? sql`to_microseconds(CAST(${param(span.spanMs)} AS BIGINT) * 1000)`
      : sql`to_months(CAST(${param(span.spanMonths)} AS INTEGER))`;

  // The time range is [earliest, latest), so its last bucket contains the microsecond before latest.
  const first =
    range.earliestMs === undefined
      ? raw('min("_time")')
      : bucketOf(sql`make_timestamp(CAST(${param(range.earliestMs * 1000)} AS BIGINT))`);
  const last =
    range.latestMs === undefined
      ? raw('max("_time")')
      : bucketOf(sql`make_timestamp(CAST(${param(range.latestMs * 1000 - 1)} AS BIGINT))`);
  const bounds = addStep(
    sql`SELECT ${first} AS "lo", ${last} AS "hi", min("_time") AS "data_lo", max("_time") AS "data_hi" FROM ${raw(relation)}`,
  );

  const cap = sql`CAST(${param(MAX_FILLED_BUCKETS)} AS BIGINT)`;
  const rangeFits = sql`${countBetween(raw('"lo"'), raw('"hi"'))} < ${cap}`;
  const dataFits = sql`${countBetween(raw('"data_lo"'), raw('"data_hi"'))} < ${cap}`;
  // Buckets with events are always there, also when the range is too long to fill.
  return sql`SELECT unnest(generate_series(CASE WHEN ${rangeFits} THEN "lo" ELSE "data_lo" END, CASE WHEN ${rangeFits} THEN "hi" WHEN ${dataFits} THEN "data_hi" ELSE "data_lo" END, ${step})) AS "_time" FROM ${raw(bounds)} WHERE "data_lo" IS NOT NULL UNION SELECT "_time" FROM ${raw(relation)}`;
}

/**
 * Spreads the series list of each row into columns: one per series named by its value, or with
 * several aggregates one per aggregate and series, named as Splunk names them (`count: web01`).
 */
export function widenSeries(
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
  layout: SeriesLayout,
): { columns: string[]; rows: Record<string, unknown>[] } {
  const count = Number(rows[0]?.[SERIES_COUNT_COLUMN] ?? 0);
  if (count > MAX_SERIES) {
    fail(
      'stage.too_many_series',
      `The by field has ${count} values, and at most ${MAX_SERIES} can be columns: keep fewer series with limit=N (10 by default), or group by a field with fewer values`,
      undefined,
    );
  }
  const plainColumns = columns.filter(
    (column) => column !== SERIES_COLUMN && column !== SERIES_COUNT_COLUMN,
  );
  const labels = seriesLabels(rows, layout.last ?? DEFAULT_LAST);
  const usedNames = new Set(plainColumns);
  const names = layout.aggregates.map(({ name: aggregate }) =>
    labels.map((label) => {
      const plain = layout.aggregates.length === 1 ? label : `${aggregate}: ${label}`;
      // A series named like another column, such as `_time`, gets its aggregate's name too.
      let name = usedNames.has(plain) ? `${aggregate}: ${label}` : plain;
      for (let copy = 2; usedNames.has(name); copy++) name = `${aggregate}: ${label} (${copy})`;
      usedNames.add(name);
      return name;
    }),
  );
  const widened = rows.map((row) => {
    const entries: [string, unknown][] = plainColumns.map((column) => [column, row[column]]);
    const cells = new Map(seriesOf(row).map((cell) => [String(cell.s), cell]));
    layout.aggregates.forEach(({ zero }, index) => {
      labels.forEach((label, position) => {
        const value = cells.get(label)?.[`v${index}`] ?? null;
        entries.push([names[index]![position]!, value === null && zero ? 0 : value]);
      });
    });
    // fromEntries defines each name as an own property, `__proto__` included.
    return Object.fromEntries(entries);
  });
  return { columns: [...plainColumns, ...names.flat()], rows: widened };
}

/**
 * Returns the series of all rows in order: by value (numbers by number), then the events without
 * the field (`NULL`), then the rest (`OTHER`).
 */
function seriesLabels(rows: readonly Record<string, unknown>[], last: readonly string[]): string[] {
  const numbers = new Map<string, number | undefined>();
  for (const row of rows) {
    for (const cell of seriesOf(row)) {
      const number = cell.n === null || cell.n === undefined ? undefined : Number(cell.n);
      numbers.set(String(cell.s), number);
    }
  }
  return [...numbers.keys()].sort((a, b) => {
    const byRank = last.indexOf(a) - last.indexOf(b);
    if (byRank !== 0) return byRank;
    const [x, y] = [numbers.get(a), numbers.get(b)];
    if (x !== undefined && y !== undefined && x !== y) return x - y;
    if (a === b) return 0;
    return a < b ? -1 : 1;
  });
}

/** Series that come after the values by default, in this order; -1 (any other) sorts first. */
const DEFAULT_LAST: readonly string[] = [DEFAULT_SERIES_LABELS.null, DEFAULT_SERIES_LABELS.other];

function seriesOf(row: Record<string, unknown> | undefined): Record<string, unknown>[] {
  const cells = row?.[SERIES_COLUMN];
  return Array.isArray(cells) ? (cells as Record<string, unknown>[]) : [];
}
