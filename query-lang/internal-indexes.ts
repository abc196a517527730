/**
 * Internal indexes: indexes whose name starts with `_`, such as `_audit`, where the appliance
 * records its own logins and changes. As in Splunk, a search covers them only when its search
 * part names one (`index=_audit`, `index=_*`, `index IN (_audit, main)`). `*` and `index=*`
 * leave them out.
 */

import type { FilterNode } from './ast.js';
import { QueryError } from './errors.js';
import { eventScope, resolveField } from './fields.js';
import { raw, type Sql } from './sql.js';

/** The first character of an internal index's name. */
export const INTERNAL_INDEX_PREFIX = '_';

/** Returns whether index `name` is internal. */
export function isInternalIndex(name: string | null | undefined): boolean {
  return name?.startsWith(INTERNAL_INDEX_PREFIX) ?? false;
}

/**
 * SQL condition that is true for the events of every index but the internal ones, for a
 * relation with the `index` column.
 */
export const PUBLIC_INDEX_CONDITION: Sql = raw(
  `("index" IS NULL OR NOT starts_with("index", '${INTERNAL_INDEX_PREFIX}'))`,
);

/**
 * Returns whether `filter` names an internal index outside any `NOT`: an equality, `IN` list,
 * prefix or wildcard on the `index` field whose value starts with `_`.
 */
export function namesInternalIndex(filter: FilterNode | undefined): boolean {
  if (filter === undefined) return false;
  switch (filter.op) {
    case 'and':
    case 'or':
      return filter.args.some(namesInternalIndex);
    case 'eq':
    case 'startsWith':
      return isIndexField(filter.field) && isInternalIndex(String(filter.value));
    case 'in':
      return (
        isIndexField(filter.field) && filter.values.some((value) => isInternalIndex(String(value)))
      );
    case 'wildcard':
      return isIndexField(filter.field) && isInternalIndex(filter.pattern);
    default:
      return false;
  }
}

function isIndexField(name: string): boolean {
  try {
    const field = resolveField(eventScope(), name, undefined);
    return field.columns.length === 1 && field.columns[0] === 'index';
  } catch (error) {
    if (error instanceof QueryError) return false;
    throw error;
  }
}
