/**
 * Quotes a value as a query-language string literal that matches the value exactly: double
 * quotes, with `\`, `"` and the wildcard `*` escaped by a backslash.
 */
export function quoteValue(value: string): string {
  return `"${value.replace(/[\\"*]/g, (ch) => `\\${ch}`)}"`;
}

/**
 * Adds the filter `path:"value"` to a query. The filter goes at the end of the first pipeline
 * stage (the search before any `|`), so that it narrows the events before `stats` or other
 * commands run. A `|` inside a single- or double-quoted string does not separate stages.
 */
export function addFieldFilter(query: string, path: string, value: string): string {
  const filter = `${path}:${quoteValue(value)}`;
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
