/**
 * Needles: what a search's filter requires of the values of the indexed columns, so
 * that storage can read only the rows its term index names. `user=alice src_ip=10.0.0.1` gives
 * two needles (every match has `alice` under the key of `user` and `10.0.0.1` under `src_ip`).
 * `user=alice OR user=bob` gives one with both values. A filter that sets no certain condition
 * on an indexed column, such as `NOT user=alice` or `user=al*`, gives none.
 *
 * When the filter contains nothing but such needles, the term index alone decides which rows
 * match, and `exactNeedlesOf` returns them.
 */

import type { FilterNode } from './ast.js';
import { TERM_KEYS } from './catalog.js';
import { QueryError } from './errors.js';
import { resolveField, type Scope } from './fields.js';

/**
 * Every match has one of `values`, compared ignoring case, under one of `keys`: the term key
 * families of `TERM_KEYS`, a column or an alias's columns joined by `|`.
 */
export interface Needle {
  keys: readonly string[];
  values: readonly string[];
}

const INDEXED: ReadonlySet<string> = new Set(TERM_KEYS);

/** Returns the needles every event matching `filter` meets, or none. */
export function needlesOf(filter: FilterNode | undefined, scope: Scope): Needle[] {
  if (filter === undefined) return [];
  if (filter.op === 'and') return filter.args.flatMap((arg) => needlesOf(arg, scope));
  const needle = needleOf(filter, scope);
  return needle === undefined ? [] : [needle];
}

/**
 * Returns the needles when an event matches `filter` exactly when it meets all of them: the
 * filter is a conjunction of case-insensitive `=` and `IN` on indexed fields, or of `OR`s of
 * them on one field, which compare values lowercased as the term index stores them. Otherwise
 * returns undefined.
 */
export function exactNeedlesOf(filter: FilterNode | undefined, scope: Scope): Needle[] | undefined {
  if (filter === undefined) return undefined;
  const leaves = filter.op === 'and' ? filter.args : [filter];
  const needles: Needle[] = [];
  for (const leaf of leaves) {
    if (leaf.op === 'and') {
      const inner = exactNeedlesOf(leaf, scope);
      if (inner === undefined) return undefined;
      needles.push(...inner);
      continue;
    }
    const needle = exactNeedleOf(leaf, scope);
    if (needle === undefined) return undefined;
    needles.push(needle);
  }
  return needles;
}

/** Returns the needle that decides `node` alone: a value list under one key, or undefined. */
function exactNeedleOf(node: FilterNode, scope: Scope): Needle | undefined {
  if ((node.op === 'eq' || node.op === 'in') && !node.caseSensitive) return needleOf(node, scope);
  if (node.op !== 'or') return undefined;
  // `user=a OR user=b` is `user IN (a, b)`; branches on different keys are not one needle.
  const branches = node.args.map((arg) => exactNeedleOf(arg, scope));
  const key = branches[0]?.keys[0];
  if (key === undefined || branches.some((branch) => branch?.keys[0] !== key)) return undefined;
  return needleOf(node, scope);
}

/**
 * Returns whether the token index finds free text `word`: ASCII letters and digits only, which
 * are token characters, so that any occurrence of the word lies inside one token.
 */
export function isIndexableWord(word: string): boolean {
  return /^[a-z0-9]+$/i.test(word);
}

/**
 * Returns the words, lowercased, when the filter is a conjunction of free-text words that the
 * token index finds (`isIndexableWord`), so that an event matches exactly when its text contains
 * all of them. Otherwise returns undefined.
 */
export function exactWordsOf(filter: FilterNode | undefined): string[] | undefined {
  if (filter === undefined) return undefined;
  const leaves = filter.op === 'and' ? filter.args : [filter];
  const words: string[] = [];
  for (const leaf of leaves) {
    if (leaf.op === 'and') {
      const inner = exactWordsOf(leaf);
      if (inner === undefined) return undefined;
      words.push(...inner);
      continue;
    }
    if (leaf.op !== 'text' || leaf.term !== undefined || !isIndexableWord(leaf.value)) {
      return undefined;
    }
    words.push(leaf.value.toLowerCase());
  }
  return words.length === 0 ? undefined : [...new Set(words)];
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
        keys: [...new Set(needles.flatMap((needle) => needle.keys))],
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
  // A field of several columns compares their first non-null value, which its own key holds.
  const key = field.columns.join('|');
  if (!INDEXED.has(key)) return undefined;
  // Case-sensitive or not, a match is among the rows whose value is equal ignoring case.
  return { keys: [key], values: [...new Set(values.map(String))] };
}
