/**
 * SQL tests of text against wildcard patterns, in time linear in the text. DuckDB's LIKE is
 * linear only for patterns of literal text and `%`: with an ESCAPE clause or a `_` it
 * backtracks, and a pattern such as `%e_e%e_e%e_e%e_e%zz%` took 97 s over 2,000 Windows events
 * here. Other patterns therefore become RE2 regular expressions, which run in linear time.
 */

import { param, type Sql, sql } from './sql.js';
import type { PatternPart } from './values.js';

/** Any run of characters. */
export const ANY_RUN = Symbol('any run');
/** Any one character (SQL LIKE's `_`). */
export const ANY_CHAR = Symbol('any character');

/** A piece of a pattern: literal text, `ANY_RUN` or `ANY_CHAR`. */
export type WildcardPiece = string | typeof ANY_RUN | typeof ANY_CHAR;

const REGEX_SPECIAL = /[\\^$.|?*+()[\]{}]/g;

/** Escapes text so that an RE2 regular expression matches it literally. */
export function escapeRegex(text: string): string {
  return text.replace(REGEX_SPECIAL, (char) => `\\${char}`);
}

/** Returns the pieces of a search pattern (`*` wildcards), with wildcards at both ends if `unanchored`. */
export function searchPieces(parts: readonly PatternPart[], unanchored = false): WildcardPiece[] {
  const pieces: WildcardPiece[] = parts.map((part) =>
    'wildcard' in part ? ANY_RUN : part.literal,
  );
  if (unanchored && pieces[0] !== ANY_RUN) pieces.unshift(ANY_RUN);
  if (unanchored && pieces.at(-1) !== ANY_RUN) pieces.push(ANY_RUN);
  return pieces;
}

/** Returns the pieces of an SQL LIKE pattern, which has `%` and `_` and no escape character. */
export function likePieces(pattern: string): WildcardPiece[] {
  const pieces: WildcardPiece[] = [];
  let literal = '';
  for (const char of pattern) {
    if (char !== '%' && char !== '_') {
      literal += char;
      continue;
    }
    if (literal !== '') pieces.push(literal);
    literal = '';
    const piece = char === '%' ? ANY_RUN : ANY_CHAR;
    if (piece === ANY_RUN && pieces.at(-1) === ANY_RUN) continue;
    pieces.push(piece);
  }
  if (literal !== '') pieces.push(literal);
  return pieces;
}

/**
 * Returns a condition that is true when the whole of `text` matches the pieces. A pattern of runs
 * and literal text without `%` or `_` becomes LIKE, which DuckDB runs as prefix, suffix and
 * substring searches. Any other pattern becomes `regexp_full_match`.
 */
export function wildcardCondition(
  text: Sql,
  pieces: readonly WildcardPiece[],
  caseSensitive: boolean,
): Sql {
  const plain = pieces.every(
    (piece) => piece === ANY_RUN || (typeof piece === 'string' && !/[%_]/.test(piece)),
  );
  if (plain) {
    const like = pieces.map((piece) => (piece === ANY_RUN ? '%' : piece)).join('');
    return caseSensitive
      ? sql`(${text} LIKE ${param(like)})`
      : sql`(lower(${text}) LIKE lower(${param(like)}))`;
  }
  const body = pieces
    .map((piece) => {
      if (piece === ANY_RUN) return '.*';
      if (piece === ANY_CHAR) return '.';
      return escapeRegex(piece);
    })
    .join('');
  const flags = caseSensitive ? '(?s)' : '(?is)';
  return sql`regexp_full_match(${text}, ${param(`${flags}${body}`)})`;
}
