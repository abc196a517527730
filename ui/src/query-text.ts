import { ALIASES, COLUMN_BY_NAME, DATE_FIELDS, PATH_ALIASES } from '../../query-lang/catalog.js';
import { parseQuery } from '../../query-lang/index.js';
import { OCSF_EVENT_ATTRIBUTES } from '../../query-lang/ocsf-fields.js';

/** A JSON key that a query field path can contain: letters, digits and underscores. */
const PATH_KEY = /^[A-Za-z0-9_]+$/;

/**
 * The name of an HEC indexed field that the search part can contain after `fields.`. The
 * language also reads names with colons, such as Splunk's `metric_name:cpu.idle`, but only in
 * quotes in expressions, and the search part would end the name at the colon.
 */
const INDEXED_KEY = /^[A-Za-z0-9_.-]+$/;

/**
 * Returns the query field name that reads a leaf of the OCSF event, given the keys and array
 * indexes from the root to it, or undefined when the language cannot name it. Array indexes
 * become `{}` (any element), so `observables[0].value` is `observables{}.value`. A key with
 * characters other than letters, digits and `_` (Zeek's `id.orig_h` under `unmapped`, or
 * `k<b>ey`) cannot be named, nor can a path whose first key is no OCSF event attribute. A
 * top-level attribute gets a leading dot, which makes the language read it from the JSON, when
 * its bare name means something else: `severity` is an alias of the number `severity_id`, while
 * `.severity` is the text `Informational`.
 */
export function ocsfFieldName(keys: readonly (string | number)[]): string | undefined {
  const names: string[] = [];
  for (const key of keys) {
    if (typeof key === 'number') {
      if (names.length === 0) return undefined;
      names[names.length - 1] += '{}';
    } else if (PATH_KEY.test(key)) {
      names.push(key);
    } else {
      return undefined;
    }
  }
  const root = typeof keys[0] === 'string' ? keys[0] : undefined;
  if (root === undefined || !Object.hasOwn(OCSF_EVENT_ATTRIBUTES, root.toLowerCase())) {
    return undefined;
  }
  const name = names.join('.');
  if (names.length > 1 || readsOcsfAttribute(name)) return name;
  return `.${name}`;
}

/**
 * Returns whether a bare top-level name reads the OCSF attribute of that name: it is no alias or
 * date field, and it is no promoted column unless the column is promoted from that attribute.
 */
function readsOcsfAttribute(name: string): boolean {
  const lowered = name.toLowerCase();
  if (lowered !== name || name.includes('{}')) return false;
  if (
    Object.hasOwn(ALIASES, lowered) ||
    Object.hasOwn(PATH_ALIASES, lowered) ||
    Object.hasOwn(DATE_FIELDS, lowered)
  ) {
    return false;
  }
  const column = COLUMN_BY_NAME.get(lowered);
  return column === undefined || (column.source.kind === 'ocsf' && column.source.path === name);
}

/**
 * Returns the query field name of an HEC indexed field: `fields.NAME`, or `fields.NAME{}` for a
 * multivalue field, which matches any of its values. Undefined when the search part cannot
 * contain the name.
 */
export function indexedFieldName(name: string, multivalue: boolean): string | undefined {
  if (!INDEXED_KEY.test(name)) return undefined;
  return multivalue ? `fields.${name}{}` : `fields.${name}`;
}

/**
 * Quotes a value as a query-language string literal that matches the value exactly: double
 * quotes, with `\`, `"` and the wildcard `*` escaped by a backslash.
 */
export function quoteValue(value: string): string {
  return `"${value.replace(/[\\"*]/g, (ch) => `\\${ch}`)}"`;
}

/**
 * Returns the search term `name:"value"` that matches a field's value, or undefined when there is
 * none: the field has no query name, the value is null, or the language rejects the term, such
 * as text on a path that the OCSF schema types as a number. Equality ignores case, so the term
 * may also match other events.
 */
export function filterForValue(
  queryPath: string | undefined,
  value: string | number | boolean | null,
): string | undefined {
  // An empty value is no field to search for, as in Splunk, and the store keeps none.
  if (queryPath === undefined || value === null || value === '') return undefined;
  const filter = `${queryPath}:${quoteValue(String(value))}`;
  return parseQuery(filter).errors.length === 0 ? filter : undefined;
}

/**
 * Adds a search term to a query. The term goes at the end of the first pipeline stage (the search
 * before any `|`), so that it narrows the events before `stats` or other commands run. A `|`
 * inside a single- or double-quoted string does not separate stages.
 */
export function addFilter(query: string, filter: string): string {
  const pipe = firstPipeOutsideQuotes(query);
  const head = (pipe === -1 ? query : query.slice(0, pipe)).trimEnd();
  const tail = pipe === -1 ? '' : query.slice(pipe);
  const joined = head === '' || head === '*' ? filter : `${head} ${filter}`;
  return tail === '' ? joined : `${joined} ${tail.trimStart()}`;
}

function firstPipeOutsideQuotes(query: string): number {
  let quote: string | undefined;
  for (let i = 0; i < query.length; i++) {
    const ch = query[i];
    if (quote !== undefined) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '|') {
      return i;
    }
  }
  return -1;
}

/** Position of a syntax error, as the API reports it: line and column count from 1. */
export interface ErrorPosition {
  line: number;
  column: number;
  /** Characters the problem spans; the marker underlines them. */
  length?: number;
}

/**
 * Returns the query line that contains an error and a marker line for under it: spaces up to the
 * error's column, a caret, and tildes under the rest of the span on that line. Out-of-range
 * positions clamp to the text.
 */
export function caretLine(
  query: string,
  position: ErrorPosition,
): { text: string; marker: string } {
  const lines = query.split('\n');
  const lineIndex = Math.min(Math.max(position.line, 1), lines.length) - 1;
  const text = lines[lineIndex] ?? '';
  const pad = Math.min(Math.max(position.column, 1) - 1, text.length);
  const span = Math.max(1, Math.min(position.length ?? 1, text.length - pad));
  return { text, marker: `${' '.repeat(pad)}^${'~'.repeat(span - 1)}` };
}
