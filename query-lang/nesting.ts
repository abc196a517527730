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
    `The query nests search terms or expressions more than ${MAX_NESTING} levels deep, or chains more than ${2 * MAX_NESTING} operators in one expression: use fewer levels of parentheses, NOT or function calls, and IN (...) for long lists of values`,
    locationWithin(tooDeep),
  );
}

/**
 * Finds the first node at a depth beyond `MAX_NESTING`, counting only filter and expression
 * nodes. An operand that continues a chain of the same operator (`a or b or c`, `1 + 2 + 3`)
 * counts half a level: the chain nests in the AST, but DuckDB ran such chains of 600.
 */
function nodeBeyondLimit(
  value: unknown,
  depth: number,
  parentOperator?: string,
): object | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const node = 'op' in value || 'expr' in value;
  const operator =
    'expr' in value && value.expr === 'binary' && 'op' in value ? String(value.op) : undefined;
  const step = operator !== undefined && operator === parentOperator ? 0.5 : 1;
  const level = node ? depth + step : depth;
  if (level > MAX_NESTING) return value;
  const children = Array.isArray(value) ? value : Object.values(value);
  for (const child of children) {
    const found = nodeBeyondLimit(child, level, node ? operator : parentOperator);
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
