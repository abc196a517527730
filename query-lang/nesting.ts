import { fail, type SourceLocation } from './errors.js';

/**
 * Deepest nesting of search terms and expressions that a query may have. DuckDB's parser stops
 * at an expression depth of 1,000, and a level here can take two in SQL: `NOT` compiles to
 * `(NOT coalesce(...))`.
 */
export const MAX_NESTING = 250;

/**
 * Raises `syntax.too_deep` when the search terms or an expression of the query nest deeper than
 * `MAX_NESTING`. It walks the AST itself, so queries given as canonical JSON are checked too.
 */
export function checkNesting(ast: unknown): void {
  const tooDeep = nodeBeyondLimit(ast, 0);
  if (tooDeep === undefined) return;
  fail(
    'syntax.too_deep',
    `The query nests search terms or expressions more than ${MAX_NESTING} levels deep: use fewer levels of parentheses, NOT or function calls`,
    locationWithin(tooDeep),
  );
}

/** Finds the first node at a depth beyond `MAX_NESTING`, counting only filter and expression nodes. */
function nodeBeyondLimit(value: unknown, depth: number): object | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const node = 'op' in value || 'expr' in value;
  const level = node ? depth + 1 : depth;
  if (level > MAX_NESTING) return value;
  const children = Array.isArray(value) ? value : Object.values(value);
  for (const child of children) {
    const found = nodeBeyondLimit(child, level);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Returns the source location of a node, or of the first node inside it that has one. */
function locationWithin(value: unknown): SourceLocation | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if ('loc' in value && value.loc !== undefined) return value.loc as SourceLocation;
  const children = Array.isArray(value) ? value : Object.values(value);
  for (const child of children) {
    const found = locationWithin(child);
    if (found !== undefined) return found;
  }
  return undefined;
}
