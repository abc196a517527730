import { cellText } from './columns.js';
import { filterForValue, indexedFieldName, ocsfFieldName } from './query-text.js';

/** One leaf of a flattened OCSF event: its dotted path and its value. */
export interface FlatField {
  /** Display path, with array indexes: `observables[0].name`. */
  path: string;
  /**
   * Field name that reads the leaf in a query (`observables{}.name`), or undefined when the query
   * language cannot name it or the leaf is an empty object or array.
   */
  queryPath: string | undefined;
  value: string | number | boolean | null;
}

/** A key or array index on the way from the root of a JSON value to one leaf. */
type JsonKey = string | number;

interface JsonLeaf {
  path: string;
  keys: JsonKey[];
  value: FlatField['value'];
  /** True for an empty object or array, shown as the text `{}` or `[]`. */
  empty: boolean;
}

/**
 * Flattens a parsed OCSF event into its leaves, in document order. Objects join keys with `.`,
 * arrays add `[index]`, and empty objects or arrays appear as a leaf with the text `{}` or `[]`
 * so that their presence shows. Each leaf gets the query field name of its path
 * (`ocsfFieldName`).
 */
export function flattenObject(value: unknown): FlatField[] {
  return jsonLeaves(value, '').map((leaf) => ({
    path: leaf.path,
    queryPath: leaf.empty ? undefined : ocsfFieldName(leaf.keys),
    value: leaf.value,
  }));
}

function jsonLeaves(value: unknown, prefix: string): JsonLeaf[] {
  const leaves: JsonLeaf[] = [];
  visit(value, prefix, [], leaves);
  return leaves;
}

function visit(value: unknown, path: string, keys: JsonKey[], out: JsonLeaf[]): void {
  if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push({ path, keys, value: '[]', empty: true });
      return;
    }
    value.forEach((item, index) => {
      visit(item, `${path}[${index}]`, [...keys, index], out);
    });
    return;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0 && path !== '') {
      out.push({ path, keys, value: '{}', empty: true });
      return;
    }
    for (const [key, child] of entries) {
      visit(child, joinPath(path, key), [...keys, key], out);
    }
    return;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    out.push({ path, keys, value, empty: false });
    return;
  }
  // undefined, bigint and functions cannot come out of JSON.parse; show them as null.
  out.push({ path, keys, value: null, empty: false });
}

/**
 * Returns the HEC indexed fields of an event (the `fields` column, an object or its JSON text)
 * as rows under `fields.`. A multivalue field gives a row per value, filtered on as `fields.NAME{}`,
 * which matches any of its values. HEC indexed fields are flat, so a value inside a nested object
 * has no query field name (`indexedFieldName`).
 */
export function indexedFields(fields: unknown): FlatField[] {
  return Object.entries(parseOcsf(fields)).flatMap(([name, value]) =>
    jsonLeaves(value, `fields.${name}`).map((leaf) => {
      const multivalue = Array.isArray(value);
      const nested = leaf.keys.length > (multivalue ? 1 : 0);
      const queryPath = leaf.empty || nested ? undefined : indexedFieldName(name, multivalue);
      return { path: leaf.path, queryPath, value: leaf.value };
    }),
  );
}

function joinPath(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}

export type FieldSortKey = 'path' | 'value';
export type SortDirection = 'asc' | 'desc';

/**
 * Returns a sorted copy of the fields. Paths compare with numeric awareness so that `a[2]` comes
 * before `a[10]`. Values compare numerically when both are numbers, else as text; ties fall back
 * to the path.
 */
export function sortFields<Field extends FlatField>(
  fields: readonly Field[],
  key: FieldSortKey,
  direction: SortDirection,
): Field[] {
  const sign = direction === 'asc' ? 1 : -1;
  const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
  return [...fields].sort((a, b) => {
    let order = 0;
    if (key === 'value') {
      order =
        typeof a.value === 'number' && typeof b.value === 'number'
          ? a.value - b.value
          : collator.compare(formatValue(a.value), formatValue(b.value));
    }
    if (order === 0) order = collator.compare(a.path, b.path);
    return order * sign;
  });
}

/** Text of a leaf value as the detail view shows it. */
export function formatValue(value: FlatField['value']): string {
  return value === null ? 'null' : String(value);
}

/**
 * Returns the event's OCSF object. The API sends it parsed; a JSON string is parsed here so that
 * an older engine that sends the stored text still shows fields. Anything else gives `{}`.
 */
export function parseOcsf(ocsf: unknown): Record<string, unknown> {
  let value = ocsf;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return {};
    }
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return value as Record<string, unknown>;
  }
  return {};
}

/** HEC metadata columns shown above the OCSF fields; each is a query field of the same name. */
export const METADATA_COLUMNS = ['host', 'source', 'sourcetype', 'index'] as const;

/** A field of the event detail view and the search term that matches its value, if any. */
export interface FieldRow extends FlatField {
  filter: string | undefined;
}

/** The field rows of one stored event. */
export interface EventFields {
  /** HEC metadata columns, then the HEC indexed fields. */
  metadata: FieldRow[];
  /** Leaves of the OCSF event. */
  ocsf: FieldRow[];
}

/**
 * Lists the fields of a stored event as `GET /events/:id` returns it, each with the search term
 * that matches its value (`filterForValue`).
 */
export function eventFields(event: Readonly<Record<string, unknown>>): EventFields {
  const metadata: FlatField[] = METADATA_COLUMNS.flatMap((column) => {
    const text = cellText(event[column]);
    return text === '' ? [] : [{ path: column, queryPath: column, value: text }];
  });
  metadata.push(...indexedFields(event['fields']));
  const withFilter = (field: FlatField): FieldRow => ({
    ...field,
    filter: filterForValue(field.queryPath, field.value),
  });
  return {
    metadata: metadata.map(withFilter),
    ocsf: flattenObject(parseOcsf(event['ocsf'])).map(withFilter),
  };
}
