/**
 * Formats query diagnostics for the terminal, as a compiler does: the message with its line and
 * column, then the query line the error is on, then a caret line that marks the error's span.
 */
import type { QueryDiagnostic } from '../../query-lang/index.js';

/** The query language's line breaks, as its lexer counts lines. */
const LINE_BREAK = /\r\n|\r|\n/;

/** Formats every diagnostic of a failed query, each as its message and, if it has one, position. */
export function formatQueryErrors(query: string, diagnostics: readonly QueryDiagnostic[]): string {
  return diagnostics.map((diagnostic) => formatQueryError(query, diagnostic)).join('\n');
}

/**
 * Formats one diagnostic. The suggestion is added only when the message does not name it already.
 * A diagnostic at offset 0 with length 0 concerns the whole request (an invalid time range, a
 * query given as JSON), so it gets no position and no caret.
 */
export function formatQueryError(query: string, diagnostic: QueryDiagnostic): string {
  const { message, suggestion } = diagnostic;
  const hint =
    suggestion === undefined || message.includes(`'${suggestion}'`)
      ? ''
      : `; did you mean '${suggestion}'?`;
  if (diagnostic.offset === 0 && diagnostic.length === 0) return `${message}${hint}`;

  const heading = `${message}${hint} (line ${diagnostic.line}, column ${diagnostic.column})`;
  const text = query.split(LINE_BREAK)[diagnostic.line - 1];
  if (text === undefined) return heading;
  return `${heading}\n  ${text}\n  ${caretMarker(text, diagnostic.column, diagnostic.length)}`;
}

/**
 * Builds the line that goes under `text`: blanks up to the one-based `column`, a `^` there and a
 * `~` under each further character of the span, cut at the end of the line. Tabs before the column
 * are kept as tabs so that the caret lines up however the terminal expands them. A column one
 * past the end marks the end of the query.
 */
export function caretMarker(text: string, column: number, length: number): string {
  const start = Math.min(Math.max(column, 1) - 1, text.length);
  const pad = text.slice(0, start).replace(/[^\t]/g, ' ');
  const span = Math.max(1, Math.min(length, text.length - start));
  return `${pad}^${'~'.repeat(span - 1)}`;
}
