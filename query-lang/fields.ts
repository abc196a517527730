/**
 * Field resolution: from a name in a query to a SQL expression over the current relation.
 *
 * While rows are events (the search part and the stages that keep event rows), a name is tried
 * in this order: a field made by `eval` or `rename`, a promoted column, an alias, the OCSF path
 * of a promoted column. Any other OCSF path, and a top-level OCSF attribute written without a
 * dot, is read from the `ocsf` JSON column. After a stage
 * that builds new rows (`stats`, `top`, `table`, ...) only the columns it produced exist.
 */

import {
  ALIASES,
  COLUMN_BY_NAME,
  COLUMN_BY_OCSF_PATH,
  COLUMNS,
  type ColumnType,
  DATE_FIELDS,
  PATH_ALIASES,
} from './catalog.js';
import { fail, nearestName, QueryError, type SourceLocation } from './errors.js';
import { OCSF_EVENT_ATTRIBUTES, OCSF_OBJECTS } from './ocsf-fields.js';
import { identifier, join, param, raw, type Sql, sql } from './sql.js';

/** `list` is a DuckDB list, as `values()`, `{}` paths and `rex` on many matches give. */
export type ValueType = 'string' | 'number' | 'time' | 'boolean' | 'list' | 'unknown';

export interface ResolvedField {
  sql: Sql;
  type: ValueType;
  /** True when the value is read from the OCSF JSON and is therefore text. */
  json: boolean;
  /** Physical columns of the relation behind the field. */
  columns: string[];
}

export interface ColumnInfo {
  name: string;
  type: ValueType;
}

/** The columns of the relation a stage reads. */
export interface Scope {
  /** True while rows are events: every promoted column and `ocsf` exist, except `hidden` ones. */
  eventShape: boolean;
  /** Columns added by stages, or every column once rows are no longer events; keyed lower case. */
  columns: Map<string, ColumnInfo>;
  /** Promoted columns removed by `fields -` or `rename`; lower case. */
  hidden: Set<string>;
  /**
   * True after a `lookup` without `output` whose table is not known, as when a query is checked
   * without its lookup tables: any plain name may be one of the table's columns.
   */
  openColumns?: boolean;
  /**
   * After a bare `spath`: JSON text from which a name that resolves to nothing else is read, as
   * Splunk's spath extracts every field of the event.
   */
  jsonText?: Sql;
}

const FIELD_NAME = /^\.?[A-Za-z0-9_]+(\[\d+\]|\{\})*(\.[A-Za-z0-9_]+(\[\d+\]|\{\})*)*$/;
const OUTPUT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * An HEC indexed field whose name has colons or hyphens, as Splunk's metric fields
 * (`metric_name:cpu.idle`): the name can be written in single quotes in expressions.
 */
const INDEXED_FIELD_NAME = /^fields\.[A-Za-z0-9_.:-]+(\{\})?$/i;
/**
 * A name given in quotes after `as`, as Splunk allows (`stats count as "Failed Logins"`):
 * letters of any script, digits, symbols such as emoji, spaces and common punctuation, at most
 * 100 characters.
 */
const DISPLAY_NAME = /^(?=.*[^ ])[\p{L}\p{M}\p{N}\p{S}_.()[\]{} %\-/:#+&,@!?*=<>$^~|]{1,100}$/u;

export function eventScope(): Scope {
  return { eventShape: true, columns: new Map(), hidden: new Set() };
}

export function typeOfColumn(type: ColumnType): ValueType {
  if (type === 'VARCHAR') return 'string';
  if (type === 'TIMESTAMP') return 'time';
  return 'number';
}

/** Rejects a name that `eval`, `rename` or `as` would create unless it is a plain or display name. */
export function checkOutputName(name: string, loc: SourceLocation | undefined): void {
  if (!OUTPUT_NAME.test(name) && !DISPLAY_NAME.test(name)) {
    fail(
      'name.invalid',
      `Invalid field name '${name}': use letters, digits and underscores, or a name in quotes of up to 100 letters, digits, spaces and punctuation other than quotes, semicolons and backslashes`,
      loc,
    );
  }
}

/** Checks the characters of a field name (letters, digits, underscores and dots). */
export function checkFieldName(name: string, loc: SourceLocation | undefined): void {
  if (!FIELD_NAME.test(name) && !INDEXED_FIELD_NAME.test(name)) {
    fail(
      'field.invalid_name',
      `Invalid field name '${name}': a field is a name or a dotted OCSF path of letters, digits and underscores`,
      loc,
    );
  }
  for (const [, index] of name.matchAll(/\[(\d+)\]/g)) {
    if (Number(index) > MAX_ARRAY_INDEX) {
      fail(
        'field.invalid_name',
        `Invalid array index [${index}] in '${name}': use an index up to ${MAX_ARRAY_INDEX}, or {} for any element`,
        loc,
      );
    }
  }
}

/** Largest `[n]` index a path may have; DuckDB rejects JSON paths with indexes beyond 64 bits. */
const MAX_ARRAY_INDEX = 2_147_483_647;

function knownNames(scope: Scope): string[] {
  const derived = [...scope.columns.values()].map((column) => column.name);
  if (!scope.eventShape) return derived;
  const promoted = COLUMNS.map((column) => column.name).filter((name) => !scope.hidden.has(name));
  return [
    ...derived,
    ...promoted,
    ...Object.keys(ALIASES),
    ...Object.keys(PATH_ALIASES),
    ...Object.keys(DATE_FIELDS),
    ...Object.keys(OCSF_EVENT_ATTRIBUTES),
  ];
}

/** True when `lowered` names a promoted column, an alias or a top-level OCSF attribute. */
function isKnownName(scope: Scope, lowered: string): boolean {
  if (!scope.eventShape) return false;
  return (
    promoted(scope, lowered) !== undefined ||
    Object.hasOwn(ALIASES, lowered) ||
    Object.hasOwn(PATH_ALIASES, lowered) ||
    Object.hasOwn(DATE_FIELDS, lowered) ||
    Object.hasOwn(OCSF_EVENT_ATTRIBUTES, lowered)
  );
}

function physical(name: string, type: ValueType): ResolvedField {
  return { sql: identifier(name), type, json: false, columns: [name] };
}

function promoted(scope: Scope, name: string): ResolvedField | undefined {
  const column = COLUMN_BY_NAME.get(name);
  if (column === undefined || scope.hidden.has(name)) return undefined;
  return physical(column.name, typeOfColumn(column.type));
}

/**
 * Resolves the time of the rows: the event time, or the `_time` or `time` column that an earlier
 * stage kept (`table _time`, `makeresults`, `timechart`). Throws a `QueryError` when the rows
 * have no time.
 */
export function resolveTimeField(
  scope: Scope,
  loc: SourceLocation | undefined,
  stage: string,
): ResolvedField {
  for (const name of ['_time', 'time']) {
    try {
      const field = resolveField(scope, name, loc);
      if (field.type === 'time') return field;
    } catch (error) {
      if (!(error instanceof QueryError)) throw error;
    }
  }
  return fail(
    'stage.needs_time',
    `${stage} needs the time of the rows, which an earlier stage removed: keep _time, as in table _time, user`,
    loc,
  );
}

/** Resolves a field name against the scope, or throws a `QueryError` with a suggestion. */
export function resolveField(
  scope: Scope,
  name: string,
  loc: SourceLocation | undefined,
): ResolvedField {
  const lowered = name.toLowerCase();
  // Columns that stages made, such as `dc(user)`, may have any name; others are checked.
  const derived = scope.columns.get(outputName(lowered));
  if (derived !== undefined) return physical(derived.name, derived.type);
  if (scope.columns.size > 0 && !FIELD_NAME.test(name) && DISPLAY_NAME.test(name)) {
    // A name in quotes that an earlier `as` could have given, such as "Failed Logins".
    const columns = [...scope.columns.values()].map((column) => column.name).join(', ');
    fail('field.unknown', `Unknown field '${name}': earlier stages made ${columns}`, loc);
  }
  checkFieldName(name, loc);
  if (scope.openColumns && OUTPUT_NAME.test(name) && !isKnownName(scope, lowered)) {
    return physical(name, 'string');
  }
  if (!scope.eventShape) {
    const suggestion = nearestName(name, knownNames(scope));
    const message = `Unknown field '${name}': after the previous stage the fields are ${[...scope.columns.values()].map((column) => column.name).join(', ')}`;
    return fail('field.unknown', message, loc, suggestion === undefined ? {} : { suggestion });
  }
  if (scope.jsonText !== undefined && !SPATH_KEEPS.has(lowered) && !lowered.startsWith('fields.')) {
    return resolveAfterSpath(scope, scope.jsonText, name, loc);
  }
  const column = promoted(scope, lowered);
  if (column !== undefined) return column;
  const alias = ALIASES[lowered];
  if (alias !== undefined) return resolveAlias(scope, name, alias, loc);
  const pathAlias = PATH_ALIASES[lowered];
  if (pathAlias !== undefined) return resolvePath(scope, pathAlias, loc);
  if (lowered.startsWith('fields.')) return resolveIndexedField(scope, name, loc);
  if (name.includes('.')) {
    const path = name.replace(/^\./, '');
    const written = defaultSpathOutput(path);
    if (scope.columns.has(written.toLowerCase())) {
      // `spath a.b` writes `a_b`, because a dotted name reads an OCSF path.
      fail(
        'field.unknown',
        `Unknown field '${name}': spath wrote this path as '${written}', because a dotted name reads an OCSF path`,
        loc,
        { suggestion: written },
      );
    }
    checkOcsfRoot(path, loc);
    return resolvePath(scope, path, loc);
  }
  // A top-level OCSF attribute, such as `activity_name`, may be written without a leading dot.
  if (Object.hasOwn(OCSF_EVENT_ATTRIBUTES, lowered)) return resolvePath(scope, lowered, loc);
  const date = DATE_FIELDS[lowered];
  if (date !== undefined) return resolveDateField(scope, date, loc);
  const suggestion = nearestName(name, knownNames(scope));
  // Splunk reads fields of the original event and HEC indexed fields by their bare names, which
  // are not known in advance here.
  const hint =
    suggestion === undefined
      ? `; read a field of the original event after | spath (JSON) or | rex, and an HEC indexed field as fields.${name}`
      : `; did you mean '${suggestion}'?`;
  return fail(
    'field.unknown',
    `Unknown field '${name}'${hint}`,
    loc,
    suggestion === undefined ? {} : { suggestion },
  );
}

/** Returns whether the first name of `path` is an attribute of some OCSF event. */
function isOcsfRoot(path: string): boolean {
  return Object.hasOwn(OCSF_EVENT_ATTRIBUTES, (path.split(/[.[{]/)[0] ?? '').toLowerCase());
}

/**
 * Fields that a bare `spath` leaves as they are, because they describe the stored event rather
 * than its content: its time, id, index, source, sourcetype and raw text.
 */
const SPATH_KEEPS: ReadonlySet<string> = new Set([
  '_time',
  'time',
  'id',
  'index',
  'source',
  'sourcetype',
  '_raw',
  'raw',
  'ocsf',
  'ingest_time',
  ...Object.keys(DATE_FIELDS),
]);

/**
 * Resolves a name after a bare `spath` to the value of that key of the JSON text where it has
 * one, and otherwise to the field the name has without `spath`. Splunk's spath, too, extracts
 * every key over fields of the same name. The value is text, because a key may hold anything.
 */
function resolveAfterSpath(
  scope: Scope,
  text: Sql,
  name: string,
  loc: SourceLocation | undefined,
): ResolvedField {
  const fromJson = jsonField(text, name);
  let known: ResolvedField;
  try {
    known = resolveField({ ...scope, jsonText: undefined }, name, loc);
  } catch (error) {
    if (error instanceof QueryError) return fromJson;
    throw error;
  }
  if (known.type === 'list' || fromJson.type === 'list') {
    return known.type === fromJson.type
      ? { ...fromJson, sql: sql`coalesce(${fromJson.sql}, ${known.sql})` }
      : fromJson;
  }
  // An object or array under the key is not a value, as Splunk's spath makes `user.name` of
  // {"user": {"name": ...}} but no `user`.
  const scalar = jsonPathValue(text, name, true);
  const knownText = known.type === 'string' ? known.sql : sql`CAST(${known.sql} AS VARCHAR)`;
  return {
    sql: sql`coalesce(${scalar.sql}, ${knownText})`,
    type: 'string',
    json: true,
    columns: known.columns,
  };
}

/**
 * Returns the value at `path` of JSON text (`a.b`, `a[0]`, `tags{}` for every element), null where
 * the text is no JSON. A dotted path also reads a key with the dots in its name, as Zeek writes
 * `id.orig_h`, when the text has such a key.
 */
export function jsonPathValue(
  text: Sql,
  path: string,
  scalarsOnly = false,
): { sql: Sql; type: 'string' | 'list' } {
  const plain = path.replace(/^\./, '');
  const type = plain.includes('{}') ? 'list' : 'string';
  const read = (jsonPath: string) => {
    const value = sql`json_extract_string(${text}, ${param(jsonPath)})`;
    if (!scalarsOnly || type === 'list') return value;
    return sql`CASE WHEN json_type(${text}, ${param(jsonPath)}) NOT IN ('OBJECT', 'ARRAY') THEN ${value} END`;
  };
  const nested = read(`$.${plain.replace(/\{\}/g, '[*]')}`);
  const dottedKey = plain.includes('.') && !/[[{]/.test(plain);
  const value = dottedKey ? sql`coalesce(${read(`$."${plain}"`)}, ${nested})` : nested;
  return { sql: sql`CASE WHEN json_valid(${text}) THEN ${value} END`, type };
}

/** Returns the field `spath` writes when no output is given: the path with other characters as `_`. */
export function defaultSpathOutput(path: string): string {
  const name = path
    .replace(/\{\}|\[\d+\]/g, '')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return /^[A-Za-z_]/.test(name) ? name : `f_${name}`;
}

/** Resolves a name after a bare `spath` as that path of the JSON text. */
function jsonField(text: Sql, name: string): ResolvedField {
  return { ...jsonPathValue(text, name), json: true, columns: [] };
}

/**
 * Rejects a path whose first name is no attribute of any OCSF event, such as Suricata's
 * `alert.signature`: it would read nothing, because events are stored as OCSF. Over the corpus,
 * every top-level name the normalizers wrote was such an attribute.
 */
function checkOcsfRoot(path: string, loc: SourceLocation | undefined): void {
  if (isOcsfRoot(path)) return;
  const root = (path.split(/[.[{]/)[0] ?? '').toLowerCase();
  const nearest = nearestName(root, Object.keys(OCSF_EVENT_ATTRIBUTES));
  const hint =
    nearest === undefined
      ? `A field of the original event is read with spath, as in | spath path=${path}`
      : `Did you mean '${nearest}'? A field of the original event is read with spath`;
  fail(
    'field.unknown',
    `Unknown field '${path}': '${root}' is not an OCSF attribute. ${hint}`,
    loc,
    nearest === undefined ? {} : { suggestion: `${nearest}${path.slice(root.length)}` },
  );
}

/** Resolves one of Splunk's date fields (`DATE_FIELDS`) from the time of the event. */
function resolveDateField(
  scope: Scope,
  date: (typeof DATE_FIELDS)[string],
  loc: SourceLocation | undefined,
): ResolvedField {
  const time = resolveField(scope, 'time', loc);
  if (time.type !== 'time') {
    fail('field.unknown', 'Date fields such as date_hour need the event time', loc);
  }
  const part = sql`${raw(date.sql)}(${time.sql})`;
  return {
    sql: date.type === 'string' ? sql`lower(${part})` : part,
    type: date.type,
    json: false,
    columns: time.columns,
  };
}

function resolveAlias(
  scope: Scope,
  name: string,
  targets: readonly string[],
  loc: SourceLocation | undefined,
): ResolvedField {
  const columns = targets.map((target) => promoted(scope, target));
  const present = columns.filter((column) => column !== undefined);
  if (present.length === 0) {
    fail('field.removed', `Field '${name}' was removed by an earlier fields or rename stage`, loc);
  }
  if (present.length === 1) return present[0]!;
  return {
    sql: sql`coalesce(${join(
      present.map((column) => column.sql),
      ', ',
    )})`,
    type: present[0]!.type,
    json: false,
    columns: present.flatMap((column) => column.columns),
  };
}

/** Resolves `fields.NAME` to the value of NAME in the HEC indexed fields of the event. */
function resolveIndexedField(
  scope: Scope,
  name: string,
  loc: SourceLocation | undefined,
): ResolvedField {
  const column = promoted(scope, 'fields');
  if (column === undefined) {
    fail('field.removed', `Field '${name}' was removed by an earlier fields or rename stage`, loc);
  }
  const key = name.slice('fields.'.length);
  // HEC indexed fields are flat, so the whole rest is one key, dots included (`fields.dot.ted`).
  const multivalue = key.endsWith('{}');
  const plain = multivalue ? key.slice(0, -2) : key;
  if (/[{}[\]]/.test(plain)) {
    fail('field.invalid_name', `Invalid field '${name}': use fields.NAME or fields.NAME{}`, loc);
  }
  const path = `$."${plain}"`;
  const value = sql`json_extract_string(${column.sql}, ${param(path)})`;
  if (!multivalue) return { sql: value, type: 'string', json: true, columns: [] };
  // `fields.tags{}` reads every value of a multivalue field, as a list. A field sent with one
  // value is a list of that value, as Splunk treats it.
  return {
    sql: sql`CASE WHEN json_type(${column.sql}, ${param(path)}) = 'ARRAY' THEN json_extract_string(${column.sql}, ${param(`${path}[*]`)}) WHEN ${value} IS NOT NULL THEN [${value}] END`,
    type: 'list',
    json: true,
    columns: [],
  };
}

function resolvePath(scope: Scope, path: string, loc: SourceLocation | undefined): ResolvedField {
  const column = COLUMN_BY_OCSF_PATH.get(path.toLowerCase());
  if (column !== undefined) {
    const resolved = promoted(scope, column.name);
    if (resolved !== undefined) return resolved;
  }
  if (scope.hidden.has('ocsf')) {
    fail(
      'field.removed',
      `Field '${path}' is read from the ocsf column, which an earlier stage removed`,
      loc,
    );
  }
  // `a{}.b` reads `b` of every element of the array `a`, as a list.
  const any = path.includes('{}');
  const text = sql`json_extract_string("ocsf", ${param(`$.${path.replace(/\{\}/g, '[*]')}`)})`;
  // A number of the schema compares, sorts and aggregates as a number: max(traffic.bytes) is
  // the largest count of bytes, not the greatest string.
  if (!any && NUMERIC_TYPES.has(ocsfTypeOf(path) ?? '')) {
    return { sql: sql`TRY_CAST(${text} AS DOUBLE)`, type: 'number', json: true, columns: [] };
  }
  return { sql: text, type: any ? 'list' : 'string', json: true, columns: [] };
}

/** OCSF scalar types that hold numbers. */
const NUMERIC_TYPES: ReadonlySet<string> = new Set([
  'integer_t',
  'long_t',
  'float_t',
  'port_t',
  'timestamp_t',
]);

/**
 * Returns the OCSF type of an attribute path such as `traffic.bytes` or `attacks[0].tactic.name`,
 * following the schema's objects, or undefined for a path the schema does not have.
 */
function ocsfTypeOf(path: string): string | undefined {
  const [first, ...rest] = path
    .toLowerCase()
    .replace(/\[\d+\]/g, '')
    .split('.');
  let type = OCSF_EVENT_ATTRIBUTES[first ?? '']?.[0];
  for (const name of rest) {
    if (type === undefined) return undefined;
    type = OCSF_OBJECTS[type.replace(/\[\]$/, '')]?.[name];
  }
  return type;
}

/** Returns the output column name for a field reference: the name as written, without a leading dot. */
export function outputName(name: string): string {
  return name.replace(/^\./, '');
}

/**
 * Returns the name that reads every value of an HEC indexed field (`fields.tags` as
 * `fields.tags{}`), so that a search term matches any value of a multivalue field and grouping
 * counts each value, as in Splunk. A field sent with one value is a list of one.
 */
export function valuesName(name: string, scope: Scope): string {
  const lowered = name.toLowerCase();
  if (!lowered.startsWith('fields.') || lowered.endsWith('{}') || scope.columns.has(lowered)) {
    return name;
  }
  return `${name}{}`;
}
