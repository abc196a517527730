/** Compilation of `where` and `eval` expressions to SQL. */

import { EXPRESSION_FUNCTIONS, type Expr } from './ast.js';
import { checkRegex, fail, nearestName, type SourceLocation } from './errors.js';
import {
  jsonPathValue,
  outputName,
  resolveField,
  type Scope,
  type ValueType,
  valuesName,
} from './fields.js';
import { type CompileContext, cidrCondition, timeValue } from './filter-compiler.js';
import { join, numberParam, numberValue, param, raw, type Sql, sql } from './sql.js';
import { parseSpanMillis, parseTimeSteps } from './time.js';
import { likePieces, wildcardCondition } from './wildcards.js';

export interface TypedSql {
  sql: Sql;
  type: ValueType;
}

const ARITHMETIC = new Set(['+', '-', '*', '/', '%']);
const COMPARISON = new Set(['=', '!=', '<', '<=', '>', '>=']);

/** Compiles an expression over the rows of `scope`. */
export function compileExpression(expr: Expr, scope: Scope, context: CompileContext): TypedSql {
  switch (expr.expr) {
    case 'field': {
      const field = resolveField(scope, expr.name, expr.loc);
      return { sql: field.sql, type: field.type };
    }
    case 'literal':
      return literal(expr.value);
    case 'not':
      return {
        sql: sql`(NOT ${asCondition(compileExpression(expr.arg, scope, context))})`,
        type: 'boolean',
      };
    case 'negate':
      return {
        sql: sql`(- ${asNumber(compileExpression(expr.arg, scope, context))})`,
        type: 'number',
      };
    case 'in': {
      const arg = compileValues(expr.arg, scope, context);
      const values = expr.values.map((value) => compileExpression(value, scope, context));
      // Mixed lists compare as text, so DuckDB never has to cast a word to a number.
      const numeric = values.every((value) => value.type === 'number');
      const list = join(
        values.map((value) => (numeric ? value.sql : asText(value))),
        ', ',
      );
      // A list is in the values when any element is, as a multivalue field in Splunk.
      if (arg.type === 'list') {
        const element: TypedSql = { sql: raw(LIST_ELEMENT), type: 'string' };
        const left = numeric ? asNumber(element) : asText(element);
        return {
          sql: anyElement(arg.sql, sql`${left} IN (${list})`),
          type: 'boolean',
        };
      }
      const left = numeric ? asNumber(arg) : asText(arg);
      return { sql: sql`(${left} IN (${list}))`, type: 'boolean' };
    }
    case 'binary':
      return compileBinary(expr, scope, context);
    case 'call':
      return compileCall(expr, scope, context);
  }
}

function literal(value: string | number | boolean | null): TypedSql {
  if (value === null) return { sql: raw('NULL'), type: 'unknown' };
  if (typeof value === 'boolean') return { sql: raw(value ? 'TRUE' : 'FALSE'), type: 'boolean' };
  if (typeof value === 'number') {
    // Whole numbers are 64-bit, so that 100000*100000 does not overflow 32 bits.
    if (Number.isSafeInteger(value))
      return { sql: sql`CAST(${param(value)} AS BIGINT)`, type: 'number' };
    return { sql: numberParam(numberValue(value) ?? 0), type: 'number' };
  }
  return { sql: param(value), type: 'string' };
}

/** Returns the value as a number: a time is epoch seconds, text that is no number gives none. */
export function asNumber(value: TypedSql): Sql {
  if (value.type === 'number') return value.sql;
  // Epoch seconds with a fraction, as Splunk's `_time` is.
  if (value.type === 'time') return sql`(epoch_ms(${value.sql}) / 1000.0)`;
  return sql`TRY_CAST(${value.sql} AS DOUBLE)`;
}

/** Returns the value as a timestamp: numbers are epoch seconds, as Splunk's `_time` is. */
function asTime(value: TypedSql): Sql {
  if (value.type === 'time') return value.sql;
  if (value.type === 'number')
    return sql`make_timestamp(TRY_CAST(round(CAST(${value.sql} AS DOUBLE) * 1000000) AS BIGINT))`;
  // Text that is a number is epoch seconds, as a time that rex or spath extracted is.
  const seconds = sql`make_timestamp(TRY_CAST(round(TRY_CAST(${value.sql} AS DOUBLE) * 1000000) AS BIGINT))`;
  return sql`coalesce(TRY_CAST(${value.sql} AS TIMESTAMP), ${seconds})`;
}

/** Returns a value whose elements are text: a list of text, or a single value as text. */
function textElements(value: TypedSql): TypedSql {
  if (value.type === 'list' || value.type === 'string') return value;
  return { sql: asText(value), type: 'string' };
}

/** Returns the value as a list; a single value becomes a list of one. */
function asList(value: TypedSql): Sql {
  return value.type === 'list' ? value.sql : sql`[${value.sql}]`;
}

function asText(value: TypedSql): Sql {
  if (value.type === 'string') return value.sql;
  if (value.type === 'time') {
    // Epoch seconds, with milliseconds when there are any, as Splunk writes `_time` as text.
    const ms = sql`epoch_ms(${value.sql})`;
    return sql`CASE WHEN ${ms} % 1000 = 0 THEN CAST(${ms} // 1000 AS VARCHAR) ELSE printf('%.3f', ${ms} / 1000.0) END`;
  }
  return sql`CAST(${value.sql} AS VARCHAR)`;
}

/**
 * Brings the results of `if`, `case` or `coalesce` to one type. Values of different types, such as
 * text and a number (`coalesce(user, 0)`), become text, as all values are in Splunk; DuckDB would
 * fail to mix them.
 */
function unify(results: readonly TypedSql[]): { values: Sql[]; type: ValueType } {
  const types = new Set(results.map((result) => result.type).filter((type) => type !== 'unknown'));
  if (types.size <= 1) {
    return { values: results.map((result) => result.sql), type: [...types][0] ?? 'unknown' };
  }
  if (types.has('list')) {
    return { values: results.map((result) => asList(result)), type: 'list' };
  }
  return { values: results.map((result) => asText(result)), type: 'string' };
}

/** Returns the value as a condition; text such as "true" converts and other text is NULL. */
export function asCondition(value: TypedSql): Sql {
  return value.type === 'boolean' ? value.sql : sql`TRY_CAST(${value.sql} AS BOOLEAN)`;
}

/** DuckDB's `date_trunc` part for each snap unit of a relative time. */
const SNAP_PARTS: Readonly<Record<'s' | 'm' | 'h' | 'd' | 'mon' | 'y', string>> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  mon: 'month',
  y: 'year',
};

/**
 * Compiles Splunk's `relative_time(t, "-1d@d")`: the steps of the modifier (offsets, and snaps
 * to a unit or to a weekday with `@w0` to `@w6`) applied in SQL to `time`, in UTC.
 */
function relativeTime(time: Sql, modifier: string, loc: SourceLocation | undefined): Sql {
  const text = modifier.trim();
  if (text === '' || text.toLowerCase() === 'now') return time;
  const steps = parseTimeSteps(text);
  if (steps === undefined) {
    return fail(
      'function.invalid_argument',
      `Invalid time modifier '${modifier}': use offsets and snaps such as -1d@d, -15m or @w1`,
      loc,
    );
  }
  let result = time;
  for (const step of steps) {
    if (step.kind === 'weekday') {
      result = sql`(date_trunc('day', ${result}) - to_days(CAST((dayofweek(${result}) - ${param(step.day)} + 7) % 7 AS INTEGER)))`;
    } else if (step.kind === 'snap') {
      result = sql`date_trunc(${param(SNAP_PARTS[step.unit])}, ${result})`;
    } else if (step.unit === 'mon' || step.unit === 'y') {
      const add = raw(step.unit === 'mon' ? 'to_months' : 'to_years');
      result = sql`(${result} + ${add}(CAST(${param(step.amount)} AS INTEGER)))`;
    } else {
      const ms = step.amount * (parseSpanMillis(`1${step.unit}`) ?? 1);
      result = sql`(${result} + to_milliseconds(CAST(${param(ms)} AS BIGINT)))`;
    }
  }
  return result;
}

/** Splunk's time format specifiers that DuckDB spells differently. */
const SPLUNK_TIME_SPECIFIERS: Readonly<Record<string, string>> = {
  F: '%Y-%m-%d',
  T: '%H:%M:%S',
  '3N': '%g',
  '6N': '%f',
  '9N': '%n',
  e: '%-d',
  k: '%-H',
};

/** Specifiers of a time format that give the year. */
const YEAR_SPECIFIER = /%-?[YyFcx]/;

/** Specifiers that DuckDB's strftime and strptime take, after `%` and an optional `-`. */
const DUCKDB_TIME_SPECIFIERS = new Set('aAwdbBmyYHIpMSfgnzZjUWcxX%'.split(''));

/**
 * Rewrites a Splunk time format for DuckDB: `%F`, `%T`, `%3N` and the like become DuckDB's
 * forms, and `%s` (epoch seconds, allowed only when `epochSeconds`) is kept for the caller.
 * Raises `function.invalid_format` for a specifier that neither DuckDB nor Splunk has.
 */
function timeFormat(format: string, epochSeconds: boolean, loc: SourceLocation | undefined) {
  return format.replace(/%(-?)(\d?[A-Za-z%])/g, (whole, dash: string, name: string) => {
    const splunk = SPLUNK_TIME_SPECIFIERS[name];
    if (splunk !== undefined && dash === '') return splunk;
    // Times are UTC, so a formatted zone is UTC, written as Splunk writes it.
    if (epochSeconds && name === 'Z' && dash === '') return 'UTC';
    if (epochSeconds && name === 'z' && dash === '') return '+0000';
    if (name === 's' && epochSeconds && dash === '') return whole;
    if (name.length === 1 && DUCKDB_TIME_SPECIFIERS.has(name)) return whole;
    return fail(
      'function.invalid_format',
      `Unknown time format specifier '${whole}': use %Y %m %d %H %M %S %F %T %3N %z and the like`,
      loc,
    );
  });
}

/** Formats a time with a Splunk format; a literal format may use `%s` for epoch seconds. */
function formatTime(
  time: Sql,
  formatExpr: Expr,
  format: Sql,
  loc: SourceLocation | undefined,
): Sql {
  if (formatExpr.expr !== 'literal' || typeof formatExpr.value !== 'string') {
    return sql`strftime(${time}, ${format})`;
  }
  const parts = timeFormat(formatExpr.value, true, loc).split(/(?<!%)%s/);
  const pieces = parts.map((part) =>
    part === '' ? undefined : sql`strftime(${time}, ${param(part)})`,
  );
  const epoch = sql`CAST(floor(epoch_ms(${time}) / 1000) AS BIGINT)`;
  const joined: Sql[] = [];
  pieces.forEach((piece, index) => {
    if (index > 0) joined.push(sql`CAST(${epoch} AS VARCHAR)`);
    if (piece !== undefined) joined.push(piece);
  });
  if (joined.length === 0) return param('');
  return joined.length === 1 ? joined[0]! : sql`(${join(joined, ' || ')})`;
}

/**
 * True for text that `+` joins, as Splunk's does: a quoted string that is not a number, or a
 * concatenation, so that `user + "@" + host` is text throughout.
 */
function isText(expr: Expr): boolean {
  if (expr.expr === 'literal') {
    return typeof expr.value === 'string' && numberValue(expr.value) === undefined;
  }
  if (expr.expr !== 'binary') return false;
  return expr.op === '.' || (expr.op === '+' && (isText(expr.left) || isText(expr.right)));
}

function compileBinary(
  expr: Extract<Expr, { expr: 'binary' }>,
  scope: Scope,
  context: CompileContext,
): TypedSql {
  // Comparisons and `like` read a multivalue field as its values, the left side of `like` only.
  const values = COMPARISON.has(expr.op);
  const left = (values || expr.op === 'like' ? compileValues : compileExpression)(
    expr.left,
    scope,
    context,
  );
  const right = (values ? compileValues : compileExpression)(expr.right, scope, context);
  if (expr.op === '.' || (expr.op === '+' && isText(expr))) {
    // As in Splunk, text joined with a missing value is missing.
    return { sql: sql`(${asText(left)} || ${asText(right)})`, type: 'string' };
  }
  if (expr.op === '*') {
    // A product is a double, as Splunk's numbers are, so that 3000000000*4000000000 does not
    // overflow 64-bit integers. NOTE: products above 2^53 are no longer exact whole numbers.
    return { sql: sql`(CAST(${asNumber(left)} AS DOUBLE) * ${asNumber(right)})`, type: 'number' };
  }
  if (expr.op === '/') {
    // As in Splunk, a division by zero gives no value; DuckDB would give infinity or NaN.
    return {
      sql: sql`(${asNumber(left)} / nullif(${asNumber(right)}, 0))`,
      type: 'number',
    };
  }
  if (ARITHMETIC.has(expr.op)) {
    return { sql: sql`(${asNumber(left)} ${raw(expr.op)} ${asNumber(right)})`, type: 'number' };
  }
  if (expr.op === 'and' || expr.op === 'or') {
    const operator = raw(expr.op.toUpperCase());
    return { sql: sql`(${asCondition(left)} ${operator} ${asCondition(right)})`, type: 'boolean' };
  }
  if (expr.op === 'like') return { sql: likeCondition(left, right, expr.right), type: 'boolean' };
  if (!COMPARISON.has(expr.op))
    fail('expression.invalid_operator', `Unknown operator '${expr.op}'`, expr.loc);
  const operator = raw(expr.op === '!=' ? '<>' : expr.op);
  if ((left.type === 'list') !== (right.type === 'list')) {
    // A list compares true when any element does, as a multivalue field in Splunk.
    const element: TypedSql = { sql: raw(LIST_ELEMENT), type: 'string' };
    const test =
      left.type === 'list'
        ? comparison(element, right, operator, expr, context)
        : comparison(left, element, operator, expr, context);
    const list = left.type === 'list' ? left.sql : right.sql;
    return { sql: anyElement(list, test), type: 'boolean' };
  }
  return { sql: comparison(left, right, operator, expr, context), type: 'boolean' };
}

/**
 * Compiles a comparison. Two values of text that both read as numbers, such as digits that
 * `rex` or `spath` extracted, compare as numbers, as Splunk compares them, so "10" > "9".
 */
function comparison(
  left: TypedSql,
  right: TypedSql,
  operator: Sql,
  expr: Extract<Expr, { expr: 'binary' }>,
  context: CompileContext,
): Sql {
  const [leftSql, rightSql] = comparable(left, right, expr, context);
  const quoted = (node: Expr) => node.expr === 'literal' && typeof node.value === 'string';
  if (
    left.type !== 'string' ||
    right.type !== 'string' ||
    quoted(expr.left) ||
    quoted(expr.right)
  ) {
    return sql`(${leftSql} ${operator} ${rightSql})`;
  }
  const leftNumber = asNumber(left);
  const rightNumber = asNumber(right);
  return sql`(CASE WHEN ${leftNumber} IS NOT NULL AND ${rightNumber} IS NOT NULL THEN ${leftNumber} ${operator} ${rightNumber} ELSE ${leftSql} ${operator} ${rightSql} END)`;
}

/** The lambda parameter that stands for each element of a list in a comparison. */
const LIST_ELEMENT = '__item';

/** Returns whether any element of a list meets a condition on `LIST_ELEMENT`. */
function anyElement(list: Sql, condition: Sql): Sql {
  return sql`(len(list_filter(${list}, lambda ${raw(LIST_ELEMENT)}: ${condition})) > 0)`;
}

/** Brings both sides of a comparison to one type: time, number or text. */
function comparable(
  left: TypedSql,
  right: TypedSql,
  expr: Extract<Expr, { expr: 'binary' }>,
  context: CompileContext,
): [Sql, Sql] {
  if (left.type === 'time' || right.type === 'time') {
    const toTime = (side: TypedSql, node: Expr): Sql => {
      if (side.type === 'time') return side.sql;
      if (
        node.expr === 'literal' &&
        (typeof node.value === 'string' || typeof node.value === 'number')
      ) {
        return timeValue(node.value, expr.loc, context);
      }
      return asTime(side);
    };
    return [toTime(left, expr.left), toTime(right, expr.right)];
  }
  if (left.type === 'number' || right.type === 'number') return [asNumber(left), asNumber(right)];
  return [left.sql, right.sql];
}

/** Prefixes DuckDB reads in text it casts to an integer, for the bases `tonumber` takes. */
const BASE_PREFIXES: Readonly<Record<number, string>> = { 2: '0b', 16: '0x' };

/** Compiles Splunk's `tonumber(text, base)` for bases 2, 10 and 16. */
function toNumberInBase(value: TypedSql, baseExpr: Expr, loc: SourceLocation | undefined) {
  const base = baseExpr.expr === 'literal' ? baseExpr.value : undefined;
  if (base === 10) return { sql: asNumber(value), type: 'number' as const };
  const prefix = typeof base === 'number' ? BASE_PREFIXES[base] : undefined;
  if (prefix === undefined) {
    return fail('function.invalid_argument', 'tonumber() takes base 2, 10 or 16', loc);
  }
  // Splunk reads hexadecimal with or without its 0x, and binary with or without 0b.
  const written = `^0[${prefix[1]}${prefix[1]!.toUpperCase()}]`;
  const digits = sql`regexp_replace(trim(${asText(value)}), ${param(written)}, ${param('')})`;
  return {
    sql: sql`TRY_CAST((${param(prefix)} || ${digits}) AS BIGINT)`,
    type: 'number' as const,
  };
}

/** Compiles Splunk's `tostring(number, "hex" | "commas" | "duration")`. */
function toStringAs(value: TypedSql, formatExpr: Expr, loc: SourceLocation | undefined) {
  const format = formatExpr.expr === 'literal' ? String(formatExpr.value).toLowerCase() : '';
  const number = asNumber(value);
  const whole = sql`TRY_CAST(round(${number}) AS BIGINT)`;
  switch (format) {
    case 'hex':
      return { sql: sql`printf(${param('0x%X')}, ${whole})`, type: 'string' as const };
    case 'commas':
      // Splunk shows two decimals at most, and none for whole numbers.
      return {
        sql: sql`CASE WHEN ${number} = floor(${number}) THEN format(${param('{:,}')}, ${whole}) ELSE format(${param('{:,.2f}')}, ${number}) END`,
        type: 'string' as const,
      };
    case 'duration': {
      // Seconds as [-][D+]HH:MM:SS, as Splunk writes durations.
      const seconds = sql`TRY_CAST(floor(abs(${number})) AS BIGINT)`;
      const days = sql`(${seconds} // 86400)`;
      const clock = sql`printf(${param('%02d:%02d:%02d')}, (${seconds} % 86400) // 3600, (${seconds} % 3600) // 60, ${seconds} % 60)`;
      const sign = sql`CASE WHEN ${number} < 0 THEN ${param('-')} ELSE ${param('')} END`;
      return {
        sql: sql`${sign} || CASE WHEN ${days} > 0 THEN CAST(${days} AS VARCHAR) || ${param('+')} || ${clock} ELSE ${clock} END`,
        type: 'string' as const,
      };
    }
    default:
      return fail(
        'function.invalid_argument',
        'tostring() takes the format "hex", "commas" or "duration"',
        loc,
      );
  }
}

/**
 * Functions whose first argument is true for a list when it is for any element, as `match` and
 * `like` are for a multivalue field in Splunk.
 */
const ANY_VALUE_FUNCTIONS: ReadonlySet<string> = new Set(['match', 'like']);

/** Functions of multivalue fields, which read an HEC indexed field as the list of its values. */
const MULTIVALUE_FUNCTIONS: ReadonlySet<string> = new Set([
  'mvcount',
  'mvindex',
  'mvjoin',
  'mvappend',
  'mvdedup',
  'mvsort',
  'mvfind',
  'mvzip',
]);

/**
 * Compiles an expression, reading an HEC indexed field such as `fields.tags` as the list of its
 * values, as `fields.tags{}` reads it: a multivalue field in Splunk counts its values and
 * compares equal when any value does.
 */
function compileValues(expr: Expr, scope: Scope, context: CompileContext): TypedSql {
  if (expr.expr !== 'field') return compileExpression(expr, scope, context);
  return compileExpression({ ...expr, name: valuesName(expr.name, scope) }, scope, context);
}

function compileCall(
  expr: Extract<Expr, { expr: 'call' }>,
  scope: Scope,
  context: CompileContext,
): TypedSql {
  const arity = EXPRESSION_FUNCTIONS[expr.fn];
  if (arity === undefined) {
    const suggestion = nearestName(expr.fn, Object.keys(EXPRESSION_FUNCTIONS));
    const extra = suggestion === undefined ? {} : { suggestion };
    return fail('function.unknown', `Unknown function '${expr.fn}'`, expr.loc, extra);
  }
  if (expr.args.length < arity.min || expr.args.length > arity.max) {
    const count = arity.min === arity.max ? `${arity.min}` : `${arity.min} to ${arity.max}`;
    const noun = arity.max === 1 ? 'argument' : 'arguments';
    fail(
      'function.arity',
      `${expr.fn}() takes ${count} ${noun}, found ${expr.args.length}`,
      expr.loc,
    );
  }
  if (expr.fn === 'cidrmatch') return compileCidrMatch(expr, scope, expr.loc);
  const pattern = expr.args[1];
  if (expr.fn === 'spath' || expr.fn === 'json_extract') {
    return compileSpathFunction(expr, scope, context);
  }
  if (expr.fn === 'mvfilter') return compileMvfilter(expr, scope, context);
  if (
    (expr.fn === 'match' || expr.fn === 'replace' || expr.fn === 'mvfind') &&
    pattern?.expr === 'literal'
  ) {
    checkRegex(String(pattern.value), 'function.invalid_regex', expr.loc);
  }
  const args = expr.args.map((arg, index) => {
    const values =
      MULTIVALUE_FUNCTIONS.has(expr.fn) || (index === 0 && ANY_VALUE_FUNCTIONS.has(expr.fn));
    return (values ? compileValues : compileExpression)(arg, scope, context);
  });
  const [first, second, third] = args as [TypedSql, TypedSql | undefined, TypedSql | undefined];
  switch (expr.fn) {
    case 'if': {
      const { values, type } = unify([second!, third!]);
      return {
        sql: sql`CASE WHEN ${asCondition(first)} THEN ${values[0]!} ELSE ${values[1]!} END`,
        type,
      };
    }
    case 'case': {
      if (args.length % 2 !== 0) {
        fail('function.arity', 'case() takes pairs of condition and value', expr.loc);
      }
      const results = unify(args.filter((_, index) => index % 2 === 1));
      const branches: Sql[] = [];
      for (let index = 0; index < args.length; index += 2) {
        branches.push(sql`WHEN ${asCondition(args[index]!)} THEN ${results.values[index / 2]!}`);
      }
      return { sql: sql`CASE ${join(branches, ' ')} END`, type: results.type };
    }
    case 'coalesce': {
      const { values, type } = unify(args);
      return { sql: sql`coalesce(${join(values, ', ')})`, type };
    }
    case 'lower':
    case 'upper':
      return { sql: sql`${raw(expr.fn)}(${asText(first)})`, type: 'string' };
    case 'len':
      return { sql: sql`length(${asText(first)})`, type: 'number' };
    case 'substr': {
      const length = third === undefined ? raw('') : sql`, ${asNumber(third)}`;
      return {
        sql: sql`substr(${asText(first)}, TRY_CAST(${asNumber(second!)} AS BIGINT)${length})`,
        type: 'string',
      };
    }
    case 'isnull':
      return { sql: sql`(${first.sql} IS NULL)`, type: 'boolean' };
    case 'isnotnull':
      return { sql: sql`(${first.sql} IS NOT NULL)`, type: 'boolean' };
    case 'tonumber':
      if (second !== undefined) return toNumberInBase(first, expr.args[1]!, expr.loc);
      return {
        sql: asNumber({ sql: first.sql, type: first.type === 'number' ? 'number' : 'string' }),
        type: 'number',
      };
    case 'tostring':
      if (second !== undefined) return toStringAs(first, expr.args[1]!, expr.loc);
      return { sql: asText(first), type: 'string' };
    case 'random':
      // As Splunk's random(): a whole number from 0 to 2^31 - 1.
      return { sql: raw('CAST(floor(random() * 2147483648) AS BIGINT)'), type: 'number' };
    case 'round': {
      const digits =
        second === undefined
          ? raw('0')
          : sql`TRY_CAST(least(greatest(${asNumber(second)}, -20), 20) AS INTEGER)`;
      return { sql: sql`round(${asNumber(first)}, ${digits})`, type: 'number' };
    }
    case 'abs':
      return { sql: sql`abs(${asNumber(first)})`, type: 'number' };
    case 'match':
      if (first.type === 'list') {
        const element = raw(LIST_ELEMENT);
        return {
          sql: anyElement(first.sql, sql`regexp_matches(${element}, ${asText(second!)})`),
          type: 'boolean',
        };
      }
      return { sql: sql`regexp_matches(${asText(first)}, ${asText(second!)})`, type: 'boolean' };
    case 'like':
      return { sql: likeCondition(first, second!, expr.args[1]!), type: 'boolean' };
    case 'trim':
    case 'ltrim':
    case 'rtrim': {
      // Splunk's second argument is the set of characters to remove, white space by default.
      const characters = second === undefined ? raw('') : sql`, ${asText(second)}`;
      return { sql: sql`${raw(expr.fn)}(${asText(first)}${characters})`, type: 'string' };
    }
    case 'replace':
      return {
        sql: sql`regexp_replace(${asText(first)}, ${asText(second!)}, ${asText(third!)}, 'g')`,
        type: 'string',
      };
    case 'split':
      return { sql: sql`string_split(${asText(first)}, ${asText(second!)})`, type: 'list' };
    case 'mvcount':
      // A single value counts as a list of one, as in Splunk.
      return first.type === 'list'
        ? { sql: sql`len(${first.sql})`, type: 'number' }
        : { sql: sql`CASE WHEN ${first.sql} IS NULL THEN NULL ELSE 1 END`, type: 'number' };
    case 'mvindex': {
      // Splunk counts from 0 and from the end with negative indexes; DuckDB counts from 1.
      const position = (index: TypedSql) =>
        sql`TRY_CAST(CASE WHEN ${asNumber(index)} < 0 THEN ${asNumber(index)} ELSE ${asNumber(index)} + 1 END AS BIGINT)`;
      if (third === undefined) {
        return { sql: sql`list_extract(${asList(first)}, ${position(second!)})`, type: 'unknown' };
      }
      // With an end, the values from start to end, both included.
      return {
        sql: sql`list_slice(${asList(textElements(first))}, ${position(second!)}, ${position(third)})`,
        type: 'list',
      };
    }
    case 'mvjoin':
      return { sql: sql`array_to_string(${asList(first)}, ${asText(second!)})`, type: 'string' };
    case 'mvappend': {
      // Values and lists joined into one list, missing values left out, as Splunk does.
      const lists = args.map((arg) => sql`coalesce(${asList(textElements(arg))}, [])`);
      const joined = sql`flatten([${join(lists, ', ')}])`;
      return {
        sql: sql`list_filter(${joined}, lambda v: v IS NOT NULL)`,
        type: 'list',
      };
    }
    case 'min':
    case 'max': {
      // As Splunk's eval min() and max(): numbers by value when every argument is a number,
      // else text in lexical order; missing values are ignored.
      const numeric = args.every((arg) => arg.type === 'number');
      const values = args.map((arg) => (numeric ? arg.sql : asText(arg)));
      const fn = raw(expr.fn === 'min' ? 'least' : 'greatest');
      return { sql: sql`${fn}(${join(values, ', ')})`, type: numeric ? 'number' : 'string' };
    }
    case 'floor':
    case 'ceil':
    case 'exp':
      return { sql: sql`${raw(expr.fn)}(${asNumber(first)})`, type: 'number' };
    case 'sqrt':
      // Null outside the domain, as in Splunk, where DuckDB would fail the whole query.
      return {
        sql: sql`CASE WHEN ${asNumber(first)} >= 0 THEN sqrt(${asNumber(first)}) END`,
        type: 'number',
      };
    case 'pow':
      return { sql: sql`pow(${asNumber(first)}, ${asNumber(second!)})`, type: 'number' };
    case 'log':
      // Splunk's log(x, base) defaults to base 10; DuckDB's log takes the base first.
      if (second === undefined) {
        return {
          sql: sql`CASE WHEN ${asNumber(first)} > 0 THEN log10(${asNumber(first)}) END`,
          type: 'number',
        };
      }
      return {
        sql: sql`CASE WHEN ${asNumber(first)} > 0 AND ${asNumber(second)} > 0 AND ${asNumber(second)} <> 1 THEN log(${asNumber(second)}, ${asNumber(first)}) END`,
        type: 'number',
      };
    case 'time':
      // The time the query ran, with milliseconds, as Splunk's time() is the wall-clock time.
      return { sql: sql`epoch_ms(CAST(${param(context.nowMs)} AS BIGINT))`, type: 'time' };
    case 'mvrange': {
      // Numbers from start up to but not including end, as text. Past MAX_RANGE values there
      // is no list, so that a typo cannot fill the memory.
      const step =
        third === undefined ? sql`CAST(1 AS BIGINT)` : sql`TRY_CAST(${asNumber(third)} AS BIGINT)`;
      const start = sql`TRY_CAST(${asNumber(first)} AS BIGINT)`;
      const end = sql`TRY_CAST(${asNumber(second!)} AS BIGINT)`;
      return {
        sql: sql`CASE WHEN ${step} <> 0 AND (${end} - ${start}) / ${step} <= ${param(MAX_RANGE)} THEN list_transform(range(${start}, ${end}, ${step}), lambda v: CAST(v AS VARCHAR)) END`,
        type: 'list',
      };
    }
    case 'now':
      // Whole seconds, as Splunk's now() is the search's start time in epoch seconds.
      return {
        sql: sql`epoch_ms(CAST(${param(Math.floor(context.nowMs / 1000) * 1000)} AS BIGINT))`,
        type: 'time',
      };
    case 'strftime':
      return {
        sql: formatTime(asTime(first), expr.args[1]!, asText(second!), expr.loc),
        type: 'string',
      };
    case 'relative_time': {
      const spec = expr.args[1]!;
      if (spec.expr !== 'literal' || typeof spec.value !== 'string') {
        return fail(
          'function.invalid_argument',
          'relative_time needs a quoted time modifier, as in relative_time(_time, "-1d@d")',
          expr.loc,
        );
      }
      return { sql: relativeTime(asTime(first), spec.value, expr.loc), type: 'time' };
    }
    case 'strptime': {
      const format = expr.args[1]!;
      if (format.expr !== 'literal' || typeof format.value !== 'string') {
        return { sql: sql`try_strptime(${asText(first)}, ${asText(second!)})`, type: 'time' };
      }
      const parsed = sql`try_strptime(${asText(first)}, ${param(timeFormat(format.value, false, expr.loc))})`;
      if (YEAR_SPECIFIER.test(format.value)) return { sql: parsed, type: 'time' };
      // A time without a year is in the current year, as syslog times are, not in 1900.
      const years = new Date(context.nowMs).getUTCFullYear() - 1900;
      return { sql: sql`(${parsed} + to_years(CAST(${param(years)} AS INTEGER)))`, type: 'time' };
    }
    case 'md5':
    case 'sha1':
    case 'sha256':
      return { sql: sql`${raw(expr.fn)}(${asText(first)})`, type: 'string' };
    case 'urldecode':
      return { sql: sql`url_decode(${asText(first)})`, type: 'string' };
    case 'isnum':
      return { sql: sql`(${asNumber(first)} IS NOT NULL)`, type: 'boolean' };
    case 'isint': {
      const number = asNumber(first);
      return { sql: sql`coalesce(${number} = floor(${number}), false)`, type: 'boolean' };
    }
    case 'isstr':
      // Text that reads as a number is a number, as Splunk types the fields of events.
      return first.type === 'string'
        ? { sql: sql`(${first.sql} IS NOT NULL AND ${asNumber(first)} IS NULL)`, type: 'boolean' }
        : { sql: raw('false'), type: 'boolean' };
    case 'typeof':
      return { sql: typeName(first), type: 'string' };
    case 'nullif': {
      const { values, type } = unify([first, second!]);
      return { sql: sql`nullif(${values[0]!}, ${values[1]!})`, type };
    }
    case 'printf':
      return { sql: compilePrintf(expr, args), type: 'string' };
    case 'mvdedup':
      // The first of each value, in list order.
      return {
        sql: sql`list_filter(${asList(textElements(first))}, lambda v, i: list_position(${asList(textElements(first))}, v) = i)`,
        type: 'list',
      };
    case 'mvsort':
      return { sql: sql`list_sort(${asList(textElements(first))})`, type: 'list' };
    case 'mvfind':
      // The index from 0 of the first value that the regex matches, or null.
      return {
        sql: sql`nullif(list_position(list_transform(${asList(textElements(first))}, lambda v: regexp_matches(v, ${asText(second!)})), true), 0) - 1`,
        type: 'number',
      };
    case 'mvzip': {
      const separator = third === undefined ? raw("','") : asText(third);
      return {
        sql: sql`list_transform(list_zip(${asList(textElements(first))}, ${asList(textElements(second!))}), lambda p: p[1] || ${separator} || p[2])`,
        type: 'list',
      };
    }
    case 'ln':
      return {
        sql: sql`CASE WHEN ${asNumber(first)} > 0 THEN ln(${asNumber(first)}) END`,
        type: 'number',
      };
    case 'pi':
      return { sql: raw('pi()'), type: 'number' };
    case 'ceiling':
      return { sql: sql`ceil(${asNumber(first)})`, type: 'number' };
    case 'exact':
      return first;
    default:
      return fail('function.unknown', `Unknown function '${expr.fn}'`, expr.loc);
  }
}

const PRINTF_SPEC = /%[-+ #0]*\d*(?:\.\d+)?([a-zA-Z%])/g;

/**
 * Compiles `printf(format, ...)`. With a quoted format, each value is converted to what its
 * specifier reads, so that `%s` prints a number and `%d` a number in text, which DuckDB's printf
 * rejects.
 */
function compilePrintf(expr: Extract<Expr, { expr: 'call' }>, args: readonly TypedSql[]): Sql {
  const [format, ...values] = args as [TypedSql, ...TypedSql[]];
  const literal = expr.args[0];
  if (literal?.expr !== 'literal' || typeof literal.value !== 'string') {
    return sql`printf(${join([asText(format), ...values.map(asText)], ', ')})`;
  }
  const conversions = [...literal.value.matchAll(PRINTF_SPEC)]
    .map((match) => match[1]!)
    .filter((letter) => letter !== '%');
  if (conversions.length !== values.length) {
    fail(
      'function.arity',
      `printf() format has ${conversions.length} conversions for ${values.length} values`,
      expr.loc,
    );
  }
  const converted = values.map((value, index) => {
    const letter = conversions[index]!;
    if (letter === 's') return asText(value);
    if ('dioxXc'.includes(letter)) return sql`TRY_CAST(${asNumber(value)} AS BIGINT)`;
    if ('fFeEgG'.includes(letter)) return asNumber(value);
    return fail(
      'function.invalid_format',
      `printf() does not know the conversion %${letter}: use %s, %d, %i, %o, %x, %X, %c, %f, %e or %g`,
      expr.loc,
    );
  });
  return sql`printf(${join([format.sql, ...converted], ', ')})`;
}

/**
 * Returns the `typeof()` name of a value: Splunk's Number, String, Boolean or Invalid (null), and
 * Multivalue for a list.
 */
function typeName(value: TypedSql): Sql {
  if (value.type === 'boolean')
    return sql`CASE WHEN ${value.sql} IS NULL THEN 'Invalid' ELSE 'Boolean' END`;
  if (value.type === 'number' || value.type === 'time') {
    return sql`CASE WHEN ${value.sql} IS NULL THEN 'Invalid' ELSE 'Number' END`;
  }
  if (value.type === 'list')
    return sql`CASE WHEN ${value.sql} IS NULL THEN 'Invalid' ELSE 'Multivalue' END`;
  const text = asText(value);
  return sql`CASE WHEN ${text} IS NULL THEN 'Invalid' WHEN TRY_CAST(${text} AS DOUBLE) IS NOT NULL THEN 'Number' ELSE 'String' END`;
}

const SPATH_PATH = /^[A-Za-z0-9_]+(\[\d+\]|\{\})*(\.[A-Za-z0-9_]+(\[\d+\]|\{\})*)*$/;

/**
 * Compiles `spath(text, "path")`, the eval form of the `spath` stage: the value at the path of
 * JSON text, or a list for a path with `{}`. The path must be a string literal.
 */
/** Values `mvrange` makes at most. */
const MAX_RANGE = 100_000;

/**
 * Compiles Splunk's `mvfilter(condition)`: the values of the one field the condition names for
 * which it is true, as in `mvfilter(match(email, "net$"))`.
 */
function compileMvfilter(
  expr: Extract<Expr, { expr: 'call' }>,
  scope: Scope,
  context: CompileContext,
): TypedSql {
  const condition = expr.args[0]!;
  const names = new Set<string>();
  collectFieldNames(condition, names);
  if (names.size !== 1) {
    fail(
      'function.invalid_argument',
      `mvfilter() takes a condition on one field, as in mvfilter(match(email, "net$")); found ${names.size}`,
      expr.loc,
    );
  }
  const [name] = names as Set<string>;
  const values = compileValues({ expr: 'field', name: name!, loc: expr.loc }, scope, context);
  // The condition reads the field as each value in turn.
  const columns = new Map(scope.columns);
  columns.set(outputName(name!), { name: LIST_ELEMENT, type: 'string' });
  const test = compileExpression(condition, { ...scope, columns }, context);
  return {
    sql: sql`list_filter(${asList(textElements(values))}, lambda ${raw(LIST_ELEMENT)}: coalesce(${asCondition(test)}, false))`,
    type: 'list',
  };
}

/** Adds the lower-case names of the fields an expression reads to `names`. */
function collectFieldNames(expr: Expr, names: Set<string>): void {
  switch (expr.expr) {
    case 'field':
      names.add(outputName(expr.name.toLowerCase()));
      return;
    case 'literal':
      return;
    case 'not':
    case 'negate':
      collectFieldNames(expr.arg, names);
      return;
    case 'in':
      collectFieldNames(expr.arg, names);
      for (const value of expr.values) collectFieldNames(value, names);
      return;
    case 'binary':
      collectFieldNames(expr.left, names);
      collectFieldNames(expr.right, names);
      return;
    case 'call':
      for (const arg of expr.args) collectFieldNames(arg, names);
  }
}

function compileSpathFunction(
  expr: Extract<Expr, { expr: 'call' }>,
  scope: Scope,
  context: CompileContext,
): TypedSql {
  const [input, path] = expr.args as [Expr, Expr];
  if (path.expr !== 'literal' || typeof path.value !== 'string' || !SPATH_PATH.test(path.value)) {
    fail(
      'function.invalid_path',
      `${expr.fn}() takes a quoted path of names, [0] and {} joined by dots, as in ${expr.fn}(raw, "user.name")`,
      expr.loc,
    );
  }
  return jsonPathValue(asText(compileExpression(input, scope, context)), path.value);
}

/**
 * Compiles `text LIKE pattern` to a test in linear time: a quoted pattern as `wildcards.ts`
 * does, and a pattern that is a field's value as a regular expression made from it row by row,
 * because DuckDB's LIKE backtracks on patterns with `_`.
 */
function likeCondition(text: TypedSql, pattern: TypedSql, patternExpr: Expr): Sql {
  if (text.type === 'list') {
    const element: TypedSql = { sql: raw(LIST_ELEMENT), type: 'string' };
    return anyElement(text.sql, likeCondition(element, pattern, patternExpr));
  }
  if (patternExpr.expr === 'literal' && typeof patternExpr.value === 'string') {
    return wildcardCondition(asText(text), likePieces(patternExpr.value), true);
  }
  // regexp_escape writes `%` as `\%` and leaves `_` alone.
  const regex = sql`'(?s)' || replace(replace(regexp_escape(${asText(pattern)}), '\\%', '.*'), '_', '.')`;
  return sql`regexp_full_match(${asText(text)}, ${regex})`;
}

/** `cidrmatch("10.0.0.0/8", field)`, as in Splunk: the range must be a string literal. */
function compileCidrMatch(
  expr: Extract<Expr, { expr: 'call' }>,
  scope: Scope,
  loc: SourceLocation | undefined,
): TypedSql {
  const [range, value] = expr.args as [Expr, Expr];
  if (range.expr !== 'literal' || typeof range.value !== 'string') {
    fail(
      'function.invalid_argument',
      'cidrmatch() takes a quoted CIDR range first, as in cidrmatch("10.0.0.0/8", src_ip)',
      loc,
    );
  }
  const field = compileExpression(value, scope, { nowMs: 0 });
  return { sql: cidrCondition(asText(field), range.value, loc), type: 'boolean' };
}
