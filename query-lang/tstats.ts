/**
 * Splunk's `tstats`. Splunk reads it from indexed fields and data model summaries. Here every
 * field is in the event store, so `| tstats count where index=main by host` is the search
 * `index=main` followed by `| stats count by host`, and `by _time span=1h` adds `| bin _time
 * span=1h` before the `stats`.
 */

import type { QueryAst, Stage } from './ast.js';
import { autoSpan, compileStage, type State } from './compiler.js';
import { fail } from './errors.js';

type TstatsStage = Extract<Stage, { stage: 'tstats' }>;

/** The span of `by _time` without `span=` over all time, as a timechart uses. */
const ALL_TIME_SPAN_MS = 3_600_000;

/** True for `_time` and `time`, the names of the event time. */
export function isTimeName(name: string): boolean {
  return /^_?time$/i.test(name);
}

/**
 * Returns the query with the search of a starting `tstats` as its search part, so that the
 * search is compiled, pruned and time-bounded as the search part is. Rejects a `tstats` that
 * does not start the query.
 */
export function liftTstatsSearch(ast: QueryAst): QueryAst {
  const index = ast.stages.findIndex((stage) => stage.stage === 'tstats');
  if (index < 0) return ast;
  const stage = ast.stages[index] as TstatsStage;
  if (index > 0 || ast.filter !== undefined || ast.timeRange !== undefined) {
    fail(
      'stage.not_first',
      'tstats reads events itself, so it must start the query: write the search after its where, as in | tstats count where index=main by host',
      stage.loc,
    );
  }
  const later = ast.stages.slice(1).find((other) => other.stage === 'tstats');
  if (later !== undefined) {
    fail(
      'stage.not_first',
      'tstats must start the query, so a query has one tstats',
      (later as TstatsStage).loc,
    );
  }
  const lifted: QueryAst = { ...ast };
  if (stage.filter !== undefined) lifted.filter = stage.filter;
  if (stage.timeRange !== undefined) lifted.timeRange = stage.timeRange;
  return lifted;
}

/**
 * Compiles `tstats` over the events of its search, which `liftTstatsSearch` made the search
 * part: `bin _time` when `_time` is a by field, then `stats`. Without `span=`, `_time` is
 * rounded to the span a timechart picks for the time range.
 */
export function compileTstats(state: State, stage: TstatsStage): void {
  const byTime = stage.by.some((field) => isTimeName(field.name));
  if (stage.span !== undefined && !byTime) {
    fail(
      'stage.invalid_option',
      `span= sets the width of the _time buckets, so _time must be a by field, as in tstats count by _time span=${stage.span}`,
      stage.loc,
    );
  }
  if (byTime) {
    const auto = autoSpan(state);
    const span =
      auto?.spanMonths === undefined
        ? `${auto?.spanMs ?? ALL_TIME_SPAN_MS}ms`
        : `${auto.spanMonths}mon`;
    const bin: Stage = { stage: 'bin', field: '_time', span: stage.span ?? span };
    if (stage.loc !== undefined) bin.loc = stage.loc;
    compileStage(state, bin);
  }
  compileStage(state, { stage: 'stats', aggregations: stage.aggregations, by: stage.by });
}
