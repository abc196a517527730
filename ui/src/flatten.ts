/** One leaf of a flattened OCSF event: its dotted path and its value. */
export interface FlatField {
  /** Display path, with array indexes: `observables[0].name`. */
  path: string;
  /** Path to filter on in a query: the display path without array indexes. */
  queryPath: string;
  value: string | number | boolean | null;
}

/**
 * Flattens a parsed JSON value into its leaves, in document order. Objects join keys with `.`,
 * arrays add `[index]`, and empty objects or arrays appear as a leaf with the text `{}` or `[]`
 * so that their presence shows.
 */
export function flattenObject(value: unknown, prefix = ''): FlatField[] {
  const fields: FlatField[] = [];
  visit(value, prefix, prefix, fields);
  return fields;
}

function visit(value: unknown, path: string, queryPath: string, out: FlatField[]): void {
  if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push({ path, queryPath, value: '[]' });
      return;
    }
    value.forEach((item, index) => {
      visit(item, `${path}[${index}]`, queryPath, out);
    });
    return;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0 && path !== '') {
      out.push({ path, queryPath, value: '{}' });
      return;
    }
    for (const [key, child] of entries) {
      visit(child, joinPath(path, key), joinPath(queryPath, key), out);
    }
    return;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    out.push({ path, queryPath, value });
    return;
  }
  // undefined, bigint and functions cannot come out of JSON.parse; show them as null.
  out.push({ path, queryPath, value: null });
}

/**
 * Returns the HEC indexed fields of an event (the `fields` column, an object or its JSON text)
 * as rows under `fields.`. A multivalue field gives a row per value, filtered on as `fields.NAME{}`,
 * which matches any of its values.
 */
export function indexedFields(fields: unknown): FlatField[] {
  return Object.entries(parseOcsf(fields)).flatMap(([name, value]) => {
    const path = `fields.${name}`;
    if (!Array.isArray(value)) return flattenObject(value, path);
    return value
      .flatMap((item, index) => flattenObject(item, `${path}[${index}]`))
      .map((field) => ({ ...field, queryPath: `${path}{}` }));
  });
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
export function sortFields(
  fields: readonly FlatField[],
  key: FieldSortKey,
  direction: SortDirection,
): FlatField[] {
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
