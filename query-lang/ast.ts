/**
 * The query AST. Its JSON form (see `astToJson`) is the canonical query: the REST API accepts it
 * as an alternative to query text, and both compile to the same SQL.
 *
 * Field names are kept as written. The compiler resolves them against the field catalog, so a
 * name may be a promoted column, an alias, an OCSF dotted path or a field made by `eval`/`stats`.
 * Nodes parsed from text carry a `loc` with their position; `astToJson` drops it.
 */

import type { SourceLocation } from './errors.js';

/** Version of the canonical JSON form. */
export const QUERY_AST_VERSION = 1;

export interface QueryAst {
  version: typeof QUERY_AST_VERSION;
  /** Filter of the search part; absent means every event. */
  filter?: FilterNode;
  /** Inline `earliest=`/`latest=` of the search part, as written (relative, ISO or epoch ms). */
  timeRange?: TimeRange;
  stages: Stage[];
}

export interface TimeRange {
  earliest?: string;
  latest?: string;
  loc?: SourceLocation;
}

export type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte';
export type MatchOperator = 'contains' | 'startsWith' | 'endsWith';

/** A scalar in a filter: text or a number. Text is compared case-insensitively unless noted. */
export type FilterValue = string | number;

export type FilterNode =
  | { op: 'and'; args: FilterNode[] }
  | { op: 'or'; args: FilterNode[] }
  | { op: 'not'; arg: FilterNode }
  /** `*` alone: every event. */
  | { op: 'all' }
  /**
   * Free text over the free-text columns; `*` in `value` is a wildcard, `\*` a literal star.
   * `term` (Splunk's `TERM()` and `PREFIX()`) matches only a whole term, or its start.
   */
  | { op: 'text'; value: string; term?: 'whole' | 'prefix'; loc?: SourceLocation }
  | {
      op: ComparisonOperator;
      field: string;
      value: FilterValue;
      caseSensitive?: boolean;
      loc?: SourceLocation;
    }
  | {
      op: 'in';
      field: string;
      values: FilterValue[];
      caseSensitive?: boolean;
      loc?: SourceLocation;
    }
  | {
      op: MatchOperator;
      field: string;
      value: string;
      caseSensitive?: boolean;
      loc?: SourceLocation;
    }
  /** `*` is a wildcard in `pattern`, `\*` a literal star and `\\` a literal backslash. */
  | {
      op: 'wildcard';
      field: string;
      pattern: string;
      caseSensitive?: boolean;
      loc?: SourceLocation;
    }
  /** A regular expression in DuckDB (RE2) syntax, matched anywhere in the value. */
  | { op: 'regex'; field: string; pattern: string; loc?: SourceLocation }
  | { op: 'exists'; field: string; loc?: SourceLocation }
  /** An IPv4 CIDR range such as `10.0.0.0/8`. */
  | { op: 'cidr'; field: string; value: string; loc?: SourceLocation }
  /**
   * `[search ...]`: true when the row's fields equal those of one result row of the subsearch,
   * as Splunk's implicit `format` ANDs the fields of each row and ORs the rows.
   */
  | { op: 'subsearch'; search: Subsearch; loc?: SourceLocation };

/**
 * A search in square brackets: a search part and pipe stages, as a query has, run over the same
 * events and time range as the search around it.
 */
export interface Subsearch {
  filter?: FilterNode;
  /** Inline `earliest=`/`latest=`, which must lie within the time range of the outer search. */
  timeRange?: TimeRange;
  stages: Stage[];
  loc?: SourceLocation;
}

export type FilterOperator = FilterNode['op'];

export const AGGREGATE_FUNCTIONS = [
  'count',
  'dc',
  'sum',
  'avg',
  'min',
  'max',
  'values',
  'earliest',
  'latest',
  'median',
  'perc',
  'distinct_count',
  'mean',
  'first',
  'last',
  'list',
  'mode',
  'range',
  'stdev',
  'stdevp',
  'var',
  'varp',
  'estdc',
] as const;
export type AggregateFunction = (typeof AGGREGATE_FUNCTIONS)[number];

/** Splunk's other names for a percentile: `p95`, `exactperc95` and `upperperc95`. */
export const PERCENTILE_SPELLINGS = ['p', 'exactperc', 'upperperc'] as const;
export type PercentileSpelling = (typeof PERCENTILE_SPELLINGS)[number];

export interface Aggregation {
  fn: AggregateFunction;
  /** Argument field; absent only for `count`, or when `expr` is given. */
  field?: string;
  /** Splunk's `eval(...)` argument, as in `count(eval(status="failed")) as failures`. */
  expr?: Expr;
  /** For `perc`: the percentile, 0 to 100 (`perc95(x)` and `p95(x)` are 95). */
  percentile?: number;
  /**
   * For `perc`: the name it was written with when not `perc`, such as `p` in `p95(x)`, which
   * names the column as Splunk does.
   */
  spelling?: PercentileSpelling;
  /** Output column name given with `as`. */
  as?: string;
  loc?: SourceLocation;
}

/** Maximum number of copies one `autoregress` makes (`p=1-100`). */
export const MAX_AUTOREGRESS_COPIES = 100;

/** A range of `rangemap`, inclusive at both ends, and the name it gives. */
export interface NamedRange {
  name: string;
  low: number;
  high: number;
}

export interface FieldRef {
  name: string;
  loc?: SourceLocation;
}

export interface SortKey {
  field: string;
  descending: boolean;
  loc?: SourceLocation;
}

export type BinaryOperator =
  | '+'
  | '-'
  /** Text concatenation. */
  | '.'
  | '*'
  | '/'
  | '%'
  | '='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'and'
  | 'or'
  | 'like';

/** An expression of `where` and `eval`. */
export type Expr =
  | { expr: 'field'; name: string; loc?: SourceLocation }
  | { expr: 'literal'; value: string | number | boolean | null }
  | { expr: 'binary'; op: BinaryOperator; left: Expr; right: Expr; loc?: SourceLocation }
  | { expr: 'not'; arg: Expr }
  | { expr: 'negate'; arg: Expr }
  | { expr: 'in'; arg: Expr; values: Expr[] }
  | { expr: 'call'; fn: string; args: Expr[]; loc?: SourceLocation };

export interface Assignment {
  name: string;
  value: Expr;
  loc?: SourceLocation;
}

export interface Rename {
  from: string;
  to: string;
  loc?: SourceLocation;
}

/**
 * Series options of `timechart ... by` and `chart ... over ... by`. Splunk's defaults apply where
 * an option is absent.
 */
export interface SeriesOptions {
  /** Series kept, the largest by the sum of the first aggregate; 0 keeps all (default 10). */
  limit?: number;
  /** Whether the other series are summed up as one `OTHER` series (default true). */
  useOther?: boolean;
  /** Whether events without the `by` field form a `NULL` series (default true). */
  useNull?: boolean;
  /** Name of the series of the other values (`otherstr=`); `OTHER` when absent. */
  otherLabel?: string;
  /** Name of the series of the events without the `by` field (`nullstr=`); `NULL` when absent. */
  nullLabel?: string;
}

export type Stage =
  | { stage: 'search'; filter: FilterNode }
  | { stage: 'where'; condition: Expr }
  | { stage: 'eval'; assignments: Assignment[] }
  | { stage: 'stats'; aggregations: Aggregation[]; by: FieldRef[] }
  | ({
      stage: 'timechart';
      /** Bucket width in milliseconds. */
      spanMs: number;
      /** Calendar bucket width in months (`span=1mon`, `1q`, `1y`); replaces `spanMs` when set. */
      spanMonths?: number;
      /**
       * True when no span was given: the span then fits about 100 buckets into the time range,
       * and is `spanMs` for a search over all time.
       */
      autoSpan?: boolean;
      /** False (`cont=f`) when only buckets with events are returned, with no empty ones. */
      cont?: boolean;
      aggregations: Aggregation[];
      by?: FieldRef;
    } & SeriesOptions)
  | {
      stage: 'top' | 'rare';
      fields: FieldRef[];
      by: FieldRef[];
      limit: number;
      /** False drops the `count` column (`showcount=f`). */
      showCount?: boolean;
      /** False drops the `percent` column (`showperc=f`). */
      showPercent?: boolean;
      /** Name of the count column in place of `count`. */
      countField?: string;
      /** Name of the percent column in place of `percent`. */
      percentField?: string;
    }
  | {
      stage: 'sort';
      keys: SortKey[];
      /** Rows kept after sorting, as Splunk's `sort N`; absent or 0 keeps all. */
      limit?: number;
    }
  | { stage: 'head' | 'tail'; count: number }
  | { stage: 'table'; fields: FieldRef[] }
  | { stage: 'fields'; mode: 'include' | 'exclude'; fields: FieldRef[] }
  | {
      stage: 'dedup';
      fields: FieldRef[];
      /** Rows kept per value, as Splunk's `dedup 3 user`; absent keeps one. */
      count?: number;
      /** Order within each value that picks the rows kept (`sortby -_time`). */
      sortBy?: SortKey[];
      /** `consecutive=true`: removes a row only when the row before it has the same values. */
      consecutive?: boolean;
      /** `keepempty=true`: keeps every row that lacks one of the fields. */
      keepEmpty?: boolean;
    }
  | { stage: 'rename'; renames: Rename[] }
  /** `bin`/`bucket`: rounds a time down to `span` (a duration such as `1h`) or a number to a multiple of it. */
  | { stage: 'bin'; field: string; span: string; as?: string; loc?: SourceLocation }
  /** `chart <aggs> over <field> by <field>`: aggregates in long form, one row per pair. */
  | ({
      stage: 'chart';
      aggregations: Aggregation[];
      over?: FieldRef;
      by?: FieldRef;
    } & SeriesOptions)
  /** `delta`: the field's value minus its value `p` rows before (1 by default). */
  | { stage: 'delta'; field: string; as?: string; p?: number; loc?: SourceLocation }
  /** `accum`: the running total of a numeric field, replacing it unless `as` names another. */
  | { stage: 'accum'; field: string; as?: string; loc?: SourceLocation }
  /** `autoregress`: copies of a field's value from `from` to `to` rows before. */
  | {
      stage: 'autoregress';
      field: string;
      as?: string;
      from: number;
      to: number;
      loc?: SourceLocation;
    }
  /** `rangemap`: the field `range`, named after the numeric ranges the field's value lies in. */
  | {
      stage: 'rangemap';
      field: string;
      ranges: NamedRange[];
      /** Name for a value in no range; `None` when absent. */
      default?: string;
      loc?: SourceLocation;
    }
  /** `eventstats`: aggregates added to every row of its group. */
  | { stage: 'eventstats'; aggregations: Aggregation[]; by: FieldRef[] }
  /** `streamstats`: running aggregates in the current row order; `window` limits the rows. */
  | {
      stage: 'streamstats';
      aggregations: Aggregation[];
      by: FieldRef[];
      window?: number;
      /** False (`current=f`) leaves the row out of its own aggregates. */
      current?: boolean;
      /** `reset_on_change=t`: every aggregate restarts when the `by` values change. */
      resetOnChange?: boolean;
      /** Span of `time_window=5m` in milliseconds. Only rows less than this before the row count. */
      timeWindowMs?: number;
      loc?: SourceLocation;
    }
  /** `fillnull`: replaces missing values; every column of a table when `fields` is empty. */
  | { stage: 'fillnull'; value: string | number; fields: FieldRef[]; loc?: SourceLocation }
  /** `rex`: named groups of a regular expression become fields; `field` defaults to `_raw`. */
  | {
      stage: 'rex';
      field: string;
      pattern: string;
      /** Matches read with `max_match=N`: each group becomes a list of N values, 0 for all. */
      maxMatch?: number;
      /** `mode=sed`: the pattern is a sed expression (`s/re/with/g`) that rewrites the field. */
      mode?: 'sed';
      loc?: SourceLocation;
      /** Position of the field that `field=` names, for errors about it. */
      fieldLoc?: SourceLocation;
    }
  /**
   * `spath`: a value out of JSON text; `input` defaults to `_raw`, `output` to the path. Without
   * a path, later stages read any name that resolves to nothing else out of the JSON.
   */
  | {
      stage: 'spath';
      input: string;
      path?: string;
      output?: string;
      loc?: SourceLocation;
      /** Position of the field that `input=` names, for errors about it. */
      inputLoc?: SourceLocation;
    }
  /** `mvexpand`: one row per element of a list field or JSON array. */
  | { stage: 'mvexpand'; field: string; loc?: SourceLocation }
  /** `transaction`: groups events into sessions per value of `fields`. */
  | {
      stage: 'transaction';
      fields: FieldRef[];
      maxspanMs?: number;
      maxpauseMs?: number;
      /** Events that start a new transaction (`startswith=`). */
      startswith?: TransactionCondition;
      /** Events that end their transaction (`endswith=`). */
      endswith?: TransactionCondition;
      /** Maximum number of events in one transaction: 1000 when absent, as in Splunk, and -1 for none. */
      maxevents?: number;
      loc?: SourceLocation;
    }
  /**
   * `makeresults count=N`: N rows whose only field, `_time`, is the search time. It reads no
   * events, so it must start the query.
   */
  | { stage: 'makeresults'; count: number; loc?: SourceLocation }
  /** `inputlookup <table>`: the rows of an uploaded lookup table. It must start the query. */
  | { stage: 'inputlookup'; table: string; loc?: SourceLocation }
  /**
   * `addtotals [row=t] [col=f] [fieldname=Total] [labelfield=f] [label=Total] [fields]`: the
   * sum of each row's numeric fields, and with `col=t` a last row of column sums. It runs on
   * the returned rows, so only the stages of `RESULT_STAGES` may follow it.
   */
  | {
      stage: 'addtotals';
      fields: FieldRef[];
      row: boolean;
      col: boolean;
      fieldname: string;
      labelfield?: string;
      label: string;
      loc?: SourceLocation;
    }
  /** `reverse`: the rows in the opposite order. */
  | { stage: 'reverse'; loc?: SourceLocation }
  /**
   * `tstats <aggs> [where <search>] [by f... [span=S]]`: `stats` over the events that a search
   * finds, with `_time` in `by` rounded down to `span`. It reads events itself, so it must start
   * the query.
   */
  | {
      stage: 'tstats';
      aggregations: Aggregation[];
      /** The search after `where`, without its `earliest=` and `latest=`. */
      filter?: FilterNode;
      /** `earliest=` and `latest=` of the search after `where`. */
      timeRange?: TimeRange;
      by: FieldRef[];
      /** Width of the `_time` buckets, as `bin` takes it (`1h`, `1mon`). */
      span?: string;
      loc?: SourceLocation;
    }
  /**
   * `strcat [allrequired=t] a "-" b out`: the text of fields and quoted strings joined into the
   * field `output`. A missing field is empty text, unless `allRequired`, where it leaves
   * `output` as it was.
   */
  | {
      stage: 'strcat';
      parts: StrcatPart[];
      output: string;
      allRequired?: boolean;
      loc?: SourceLocation;
    }
  /**
   * `xyseries x y v...`: one row per value of `x` with a column per value of `y`, holding `v`,
   * as `chart ... over x by y` lays out its series. It runs last, or before the stages of
   * `RESULT_STAGES` and `untable`.
   */
  | { stage: 'xyseries'; x: FieldRef; y: FieldRef; values: FieldRef[]; loc?: SourceLocation }
  /**
   * `untable x name value`: the opposite of `xyseries`, one row per value of every column but
   * `x`, with the column's name in `name` and its value in `value`.
   */
  | { stage: 'untable'; x: FieldRef; name: FieldRef; value: FieldRef; loc?: SourceLocation }
  /**
   * `foreach f1 f2* [eval <<FIELD>>_kb = <<FIELD>> / 1024]`: the stages once for each field,
   * with `<<FIELD>>` the field's name, `<<MATCHSTR>>` the text the wildcards matched and
   * `<<MATCHSEG1>>`, `<<MATCHSEG2>>`... the text of each wildcard. A pattern with `*` names
   * the fields it matches among those the earlier stages leave.
   */
  | { stage: 'foreach'; fields: FieldRef[]; stages: Stage[]; loc?: SourceLocation }
  /**
   * `makemv [delim=","] [tokenizer="re"] [allowempty=t] f`: the text of `f` as a list, split at
   * the delimiter (a space by default) or made of the first group of each tokenizer match.
   */
  | {
      stage: 'makemv';
      field: string;
      delim?: string;
      tokenizer?: string;
      allowEmpty?: boolean;
      loc?: SourceLocation;
    }
  /**
   * `join [type=inner|left|outer] [max=N] [overwrite=f] f1, f2 [subsearch]`: adds the fields of
   * the subsearch rows whose `fields` equal those of the row. `left` and `outer` keep the rows
   * without a match.
   */
  | {
      stage: 'join';
      fields: FieldRef[];
      subsearch: Subsearch;
      /** `inner` when absent, as in Splunk; `outer` is Splunk's other name for `left`. */
      type?: 'inner' | 'left' | 'outer';
      /** Subsearch rows joined to one row: 1 when absent, as in Splunk, and 0 for all. */
      max?: number;
      /** False (`overwrite=f`) keeps the row's own value of a field the subsearch also has. */
      overwrite?: boolean;
      loc?: SourceLocation;
    }
  /** `append [subsearch]`: the subsearch's rows after the rows so far, fields merged by name. */
  | { stage: 'append'; subsearch: Subsearch; loc?: SourceLocation }
  /** `lookup <table> <field> [as <event field>] [output <column> [as <name>], ...]`. */
  | {
      stage: 'lookup';
      table: string;
      match: LookupField[];
      outputs: LookupField[];
      /** `outputnew`: fields that have a value keep it, as in Splunk. */
      outputNew?: boolean;
      loc?: SourceLocation;
    };

/**
 * A condition of `transaction startswith=` or `endswith=`: a search (`"login"`) or an eval
 * expression (`eval(status="closed")`).
 */
export type TransactionCondition = { filter: FilterNode } | { condition: Expr };

/** A part of `strcat`: a field, or text written in double quotes. */
export type StrcatPart = { field: string; loc?: SourceLocation } | { text: string };

/** A lookup table column and the event field it maps to (`column as field`). */
export interface LookupField {
  column: string;
  field: string;
}

export type StageName = Stage['stage'];

export const STAGE_NAMES: readonly StageName[] = [
  'search',
  'where',
  'eval',
  'stats',
  'timechart',
  'top',
  'rare',
  'sort',
  'head',
  'tail',
  'table',
  'fields',
  'dedup',
  'rename',
  'bin',
  'chart',
  'eventstats',
  'streamstats',
  'fillnull',
  'rex',
  'spath',
  'mvexpand',
  'transaction',
  'lookup',
  'makeresults',
  'inputlookup',
  'reverse',
  'makemv',
  'addtotals',
  'delta',
  'accum',
  'autoregress',
  'rangemap',
  'tstats',
  'strcat',
  'xyseries',
  'untable',
  'foreach',
  'join',
  'append',
];

/** Functions accepted in `where` and `eval` expressions, with their argument counts. */
export const EXPRESSION_FUNCTIONS: Readonly<Record<string, { min: number; max: number }>> = {
  if: { min: 3, max: 3 },
  case: { min: 2, max: 64 },
  coalesce: { min: 1, max: 64 },
  lower: { min: 1, max: 1 },
  upper: { min: 1, max: 1 },
  len: { min: 1, max: 1 },
  substr: { min: 2, max: 3 },
  cidrmatch: { min: 2, max: 2 },
  isnull: { min: 1, max: 1 },
  isnotnull: { min: 1, max: 1 },
  tonumber: { min: 1, max: 2 },
  tostring: { min: 1, max: 2 },
  round: { min: 1, max: 2 },
  abs: { min: 1, max: 1 },
  match: { min: 2, max: 2 },
  like: { min: 2, max: 2 },
  trim: { min: 1, max: 2 },
  ltrim: { min: 1, max: 2 },
  rtrim: { min: 1, max: 2 },
  replace: { min: 3, max: 3 },
  split: { min: 2, max: 2 },
  mvcount: { min: 1, max: 1 },
  mvindex: { min: 2, max: 3 },
  mvjoin: { min: 2, max: 2 },
  mvappend: { min: 1, max: 64 },
  min: { min: 1, max: 64 },
  max: { min: 1, max: 64 },
  floor: { min: 1, max: 1 },
  ceil: { min: 1, max: 1 },
  sqrt: { min: 1, max: 1 },
  pow: { min: 2, max: 2 },
  exp: { min: 1, max: 1 },
  log: { min: 1, max: 2 },
  now: { min: 0, max: 0 },
  random: { min: 0, max: 0 },
  strftime: { min: 2, max: 2 },
  strptime: { min: 2, max: 2 },
  relative_time: { min: 2, max: 2 },
  md5: { min: 1, max: 1 },
  sha1: { min: 1, max: 1 },
  sha256: { min: 1, max: 1 },
  urldecode: { min: 1, max: 1 },
  isnum: { min: 1, max: 1 },
  isint: { min: 1, max: 1 },
  isstr: { min: 1, max: 1 },
  typeof: { min: 1, max: 1 },
  nullif: { min: 2, max: 2 },
  printf: { min: 1, max: 64 },
  mvdedup: { min: 1, max: 1 },
  mvsort: { min: 1, max: 1 },
  mvfind: { min: 2, max: 2 },
  mvzip: { min: 2, max: 3 },
  spath: { min: 2, max: 2 },
  ln: { min: 1, max: 1 },
  pi: { min: 0, max: 0 },
  ceiling: { min: 1, max: 1 },
  exact: { min: 1, max: 1 },
  mvfilter: { min: 1, max: 1 },
  mvrange: { min: 2, max: 3 },
  json_extract: { min: 2, max: 2 },
  time: { min: 0, max: 0 },
};
