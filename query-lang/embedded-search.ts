/**
 * A search written inside a pipe stage, as in `transaction startswith="session opened"` or
 * `startswith=(user=admin)`. The parser lexes its text again in the search part's mode, and these
 * helpers give that text and map its positions back to the query, so that errors point there.
 */

import type { IToken, TokenType } from 'chevrotain';
import type { SourceLocation } from './errors.js';
import * as t from './lexer.js';

/**
 * Token types of the pipe stages besides `(`, `)` and `|`, which a search in parentheses may
 * contain. `Name` covers identifiers and the command names, and `Comparison` every operator.
 */
export const BALANCED_TOKENS: readonly TokenType[] = [
  t.Name,
  t.Comparison,
  t.NumberLiteral,
  t.Duration,
  t.DoubleQuoted,
  t.SingleQuoted,
  t.Plus,
  t.Minus,
  t.Star,
  t.Slash,
  t.Percent,
  t.Dot,
  t.Comma,
  t.OverKeyword,
  t.ByKeyword,
  t.AsKeyword,
  t.AndKeyword,
  t.OrKeyword,
  t.NotKeyword,
  t.InKeyword,
  t.LikeKeyword,
  t.TrueKeyword,
  t.FalseKeyword,
  t.NullKeyword,
];

/** A place in the query text: its offset, line and column. */
export type Position = Omit<SourceLocation, 'length'>;

/** Returns the text of tokens as written from `offset` on, with spaces between them. */
export function textOfTokens(tokens: readonly IToken[], offset: number): string {
  let text = '';
  let next = offset;
  for (const token of tokens) {
    text += ' '.repeat(Math.max(0, token.startOffset - next)) + token.image;
    next = (token.endOffset ?? token.startOffset) + 1;
  }
  return text;
}

/** Maps an offset in `textOfTokens(tokens, open.startOffset + 1)` to the query. */
export function positionInTokens(
  tokens: readonly IToken[],
  open: IToken,
  close: IToken,
): (offset: number) => Position {
  return (offset) => {
    const absolute = open.startOffset + 1 + offset;
    const token =
      tokens.find(
        (candidate) =>
          candidate.startOffset <= absolute && absolute <= (candidate.endOffset ?? absolute),
      ) ?? close;
    return {
      offset: absolute,
      line: token.startLine ?? 1,
      column: (token.startColumn ?? 1) + absolute - token.startOffset,
    };
  };
}

/**
 * Maps an offset in the text of a token to the query. `skip` is 1 past an opening quote.
 * NOTE: an escape such as \" is one character in the text and two in the query, so positions
 * after it are off by one.
 */
export function positionInText(
  token: IToken,
  text: string,
  skip: number,
): (offset: number) => Position {
  return (offset) => {
    const lines = text.slice(0, offset).split('\n');
    const first = lines.length === 1;
    return {
      offset: token.startOffset + skip + offset,
      line: (token.startLine ?? 1) + lines.length - 1,
      column: first ? (token.startColumn ?? 1) + skip + offset : lines.at(-1)!.length + 1,
    };
  };
}

/** Returns the location of the last character of a token, such as a closing quote. */
export function lastCharacter(token: IToken): SourceLocation {
  return {
    offset: token.endOffset ?? token.startOffset,
    length: 1,
    line: token.endLine ?? token.startLine ?? 1,
    column: token.endColumn ?? token.startColumn ?? 1,
  };
}

/** Moves a token lexed from the text of a condition to its place in the query. */
export function moveToken(token: IToken, position: (offset: number) => Position): void {
  const start = position(token.startOffset);
  const end = position(token.endOffset ?? token.startOffset);
  token.startOffset = start.offset;
  token.startLine = start.line;
  token.startColumn = start.column;
  token.endOffset = end.offset;
  token.endLine = end.line;
  token.endColumn = end.column;
}
