/**
 * Syntax diagnostics: Chevrotain's parser errors turned into `QueryDiagnostic`s with positions,
 * expected tokens and, for a misspelled command, the nearest command name.
 */

import {
  EOF,
  type IParserErrorMessageProvider,
  type IToken,
  type TokenType,
  tokenMatcher,
} from 'chevrotain';
import { STAGE_NAMES } from './ast.js';
import { diagnosticAt, nearestName, type QueryDiagnostic, type SourceLocation } from './errors.js';
import * as t from './lexer.js';

/** Commands a query may name: the stages, and `regex` and `bucket`, which compile to others. */
const COMMAND_NAMES: readonly string[] = [...STAGE_NAMES, 'regex', 'bucket'];

export function locationOf(first: IToken, last: IToken = first): SourceLocation {
  return {
    offset: first.startOffset,
    length: (last.endOffset ?? last.startOffset) - first.startOffset + 1,
    line: first.startLine ?? 1,
    column: first.startColumn ?? 1,
  };
}

function describeToken(token: IToken): string {
  return tokenMatcher(token, EOF) ? 'end of query' : `'${token.image}'`;
}

function tokenLabel(type: TokenType): string {
  if (type === EOF) return 'end of query';
  if (type === t.Comparison) return 'comparison operator';
  return type.LABEL ?? type.name;
}

const expectedByMessage = new Map<string, string[]>();

function recordExpected(message: string, expected: string[]): string {
  if (expectedByMessage.size > 1000) expectedByMessage.clear();
  expectedByMessage.set(message, [...new Set(expected)]);
  return message;
}

function firstTokens(paths: TokenType[][]): string[] {
  return paths.flatMap((path) => (path[0] ? [tokenLabel(path[0])] : []));
}

export const errorMessageProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    const label = tokenLabel(expected);
    return recordExpected(`Expected ${label} but found ${describeToken(actual)}`, [label]);
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return recordExpected(`Unexpected ${describeToken(firstRedundant)}`, ["'|'", 'end of query']);
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual }) {
    const expected = [...new Set(firstTokens(expectedPathsPerAlt.flat()))];
    const found = actual[0] ? describeToken(actual[0]) : 'end of query';
    return recordExpected(`Expected one of ${expected.join(', ')} but found ${found}`, expected);
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual }) {
    const expected = [...new Set(firstTokens(expectedIterationPaths))];
    const found = actual[0] ? describeToken(actual[0]) : 'end of query';
    return recordExpected(`Expected ${expected.join(' or ')} but found ${found}`, expected);
  },
};

function endOfText(text: string): SourceLocation {
  const lines = text.split('\n');
  return {
    offset: text.length,
    length: 0,
    line: lines.length,
    column: (lines.at(-1)?.length ?? 0) + 1,
  };
}

/** Returns the error for a name after a pipe that is no command, with the nearest command. */
function unknownCommand(token: IToken): QueryDiagnostic {
  const suggestion = nearestName(token.image, COMMAND_NAMES);
  const extra = suggestion === undefined ? {} : { suggestion };
  const hint = suggestion === undefined ? '' : `; did you mean '${suggestion}'?`;
  return diagnosticAt(
    'syntax.unknown_command',
    `Unknown command '${token.image}'${hint}`,
    locationOf(token),
    { expected: COMMAND_NAMES.map((name) => `'${name}'`), ...extra },
  );
}

/**
 * Returns the error for the first unknown command before `offset`, or undefined. A query that
 * fails to lex later, as `| fieldsummary * ~x` does at `~`, is reported by its command.
 */
export function unknownCommandBefore(
  tokens: readonly IToken[],
  offset: number,
): QueryDiagnostic | undefined {
  const index = tokens.findIndex(
    (token, position) =>
      token.startOffset < offset &&
      tokenMatcher(token, t.Name) &&
      !t.STAGE_KEYWORDS.includes(token.tokenType) &&
      position > 0 &&
      tokenMatcher(tokens[position - 1]!, t.Pipe),
  );
  return index === -1 ? undefined : unknownCommand(tokens[index]!);
}

export function syntaxDiagnostic(
  error: { message: string; token: IToken; previousToken?: IToken },
  text: string,
  tokens: IToken[],
): QueryDiagnostic {
  const token = error.token;
  const loc = tokenMatcher(token, EOF) ? endOfText(text) : locationOf(token);
  const expected = expectedByMessage.get(error.message);
  const index = tokens.indexOf(token);
  const previous = index > 0 ? tokens[index - 1] : undefined;
  if (previous !== undefined && tokenMatcher(previous, t.Pipe) && tokenMatcher(token, t.Name)) {
    return unknownCommand(token);
  }
  const code = error.message.startsWith('Unexpected')
    ? 'syntax.unexpected_input'
    : 'syntax.unexpected_token';
  return diagnosticAt(code, error.message, loc, expected === undefined ? {} : { expected });
}
