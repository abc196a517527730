/**
 * Needles: what a search's filter requires of the values of the indexed columns, so
 * that storage can read only the rows its term index names. `user=alice src_ip=10.0.0.1` gives
 * two needles (every match has `alice` in `user_name` or `actor_user`, and `10.0.0.1` in
 * `src_ip`). `user=alice OR user=bob` gives one with both values. A filter that sets no
 * certain condition on an indexed column, such as `NOT user=alice` or `user=al*`, gives none.
 */

import type { FilterNode } from './ast.js';
import { INDEXED_COLUMNS } from './catalog.js';
import { QueryError } from './errors.js';
import { resolveField, type Scope } from './fields.js';

/** Every match has one of `values`, compared ignoring case, in one of `columns`. */
export interface Needle {
  columns: readonly string[];
  values: readonly string[];
}

const INDEXED: ReadonlySet<string> = new Set(INDEXED_COLUMNS);

/** Returns the needles every event matching `filter` meets, or none. */
export function needlesOf(filter: FilterNode | undefined, scope: Scope): Needle[] {
  if (filter === undefined) return [];
  if (filter.op === 'and') return filter.args.flatMap((arg) => needlesOf(arg, scope));
  const needle = needleOf(filter, scope);
  return needle === undefined ? [] : [needle];
}

function needleOf(node: FilterNode, scope: Scope): Needle | undefined {
  switch (node.op) {
    case 'eq':
      return fieldNeedle(node.field, [node.value], scope);
    case 'in':
      return fieldNeedle(node.field, node.values, scope);
    case 'and':
      // Every match of a conjunction meets each of its needles, so any one will do.
      return needlesOf(node, scope)[0];
    case 'or': {
      // Each branch must name a needle; a match then meets the union of them.
      const branches = node.args.map((arg) => needleOf(arg, scope));
      if (branches.length === 0 || branches.some((branch) => branch === undefined)) return;
      const needles = branches as Needle[];
      return {
        columns: [...new Set(needles.flatMap((needle) => needle.columns))],
        values: [...new Set(needles.flatMap((needle) => needle.values))],
      };
    }
    default:
      return undefined;
  }
}

function fieldNeedle(
  name: string,
  values: readonly (string | number)[],
  scope: Scope,
): Needle | undefined {
  let field: ReturnType<typeof resolveField>;
  try {
    field = resolveField(scope, name, undefined);
  } catch (error) {
    if (error instanceof QueryError) return undefined;
    throw error;
  }
  if (field.type !== 'string' || field.json || field.columns.length === 0) return undefined;
  if (!field.columns.every((column) => INDEXED.has(column))) return undefined;
  // Case-sensitive or not, a match is among the rows whose value is equal ignoring case.
  return { columns: [...field.columns], values: [...new Set(values.map(String))] };
}
