/** Filter nodes for the terms of the search part: comparisons, `IN` lists, free text, time bounds. */

import type { IToken, TokenType } from 'chevrotain';
import type { BinaryOperator, FilterNode, QueryAst } from './ast.js';
import { diagnosticAt, type QueryDiagnostic, type SourceLocation } from './errors.js';
import * as t from './lexer.js';
import { locationOf } from './syntax-errors.js';
import { invalidTimeMessage, parseRelativeTime } from './time.js';
import { looksLikeCidr, parsePattern } from './values.js';

/** A value of the search part as a wildcard pattern, with its case rule and position. */
export interface SearchValue {
  pattern: string;
  caseSensitive: boolean;
  loc: SourceLocation;
}

/** Maps comparison tokens to operators, for search terms and expressions alike. */
export const COMPARISON_OPERATORS: ReadonlyMap<TokenType, BinaryOperator> = new Map([
  [t.Equals, '='],
  [t.DoubleEquals, '='],
  [t.Colon, '='],
  [t.NotEquals, '!='],
  [t.Greater, '>'],
  [t.GreaterEquals, '>='],
  [t.Less, '<'],
  [t.LessEquals, '<='],
]);

const RANGE_OPERATORS = { '>': 'gt', '>=': 'gte', '<': 'lt', '<=': 'lte' } as const;

/** Returns the location from the start of `first` to the end of `last`. */
function spanTo(first: SourceLocation, last: SourceLocation): SourceLocation {
  return { ...first, length: last.offset + last.length - first.offset };
}

export function freeText(pattern: string, loc: SourceLocation): FilterNode {
  const parts = parsePattern(pattern);
  if (parts.length === 1 && 'wildcard' in parts[0]!) return { op: 'all' };
  return { op: 'text', value: pattern, loc };
}

/** Builds the filter for `field <op> value`, reading `*` wildcards and CIDR ranges in the value. */
export function buildComparison(field: IToken, operator: IToken, value: SearchValue): FilterNode {
  // A time bound's errors are about its value, so its position covers the whole term.
  const bound = /^(earliest|latest)$/i.test(field.image);
  const loc = bound ? spanTo(locationOf(field), value.loc) : locationOf(field, operator);
  const name = field.image;
  const binary = COMPARISON_OPERATORS.get(operator.tokenType) ?? '=';
  if (binary !== '=' && binary !== '!=') {
    const op = RANGE_OPERATORS[binary as '>' | '>=' | '<' | '<='];
    return { op, field: name, value: decodeLiteral(value.pattern), loc };
  }
  const match = matchValue(name, value, loc);
  if (binary === '=') return match;
  if (match.op === 'eq') return { ...match, op: 'ne' };
  // `field!=value` in Splunk matches only events that have the field.
  return {
    op: 'and',
    args: [
      { op: 'exists', field: name, loc },
      { op: 'not', arg: match },
    ],
  };
}

export function buildIn(field: IToken, close: IToken, values: SearchValue[]): FilterNode {
  const loc = locationOf(field);
  const matches = values.map((value) => matchValue(field.image, value, loc));
  const plain = matches.every((match) => match.op === 'eq' && match.caseSensitive === undefined);
  if (plain) {
    const literals = matches.map((match) => (match.op === 'eq' ? match.value : ''));
    return { op: 'in', field: field.image, values: literals, loc: locationOf(field, close) };
  }
  return matches.length === 1 ? matches[0]! : { op: 'or', args: matches };
}

function decodeLiteral(pattern: string): string {
  return pattern.replace(/\\([\\*])/g, '$1');
}

function matchValue(field: string, value: SearchValue, loc: SourceLocation): FilterNode {
  const sensitivity = value.caseSensitive ? { caseSensitive: true } : {};
  const parts = parsePattern(value.pattern);
  const wildcards = parts.filter((part) => 'wildcard' in part).length;
  if (wildcards === 0) {
    const literal = decodeLiteral(value.pattern);
    // A range's errors are about its value, so its position covers the whole term.
    if (looksLikeCidr(literal)) {
      return { op: 'cidr', field, value: literal, loc: spanTo(loc, value.loc) };
    }
    return { op: 'eq', field, value: literal, ...sensitivity, loc };
  }
  if (parts.length === 1) return { op: 'exists', field, loc };
  const first = parts[0]!;
  const last = parts.at(-1)!;
  if (parts.length === 2) {
    if ('literal' in first)
      return { op: 'startsWith', field, value: first.literal, ...sensitivity, loc };
    if ('literal' in last)
      return { op: 'endsWith', field, value: last.literal, ...sensitivity, loc };
  }
  if (parts.length === 3 && 'literal' in parts[1]! && wildcards === 2) {
    return { op: 'contains', field, value: parts[1].literal, ...sensitivity, loc };
  }
  return { op: 'wildcard', field, pattern: value.pattern, ...sensitivity, loc };
}

/**
 * Moves `earliest=` and `latest=` terms of the top-level conjunction into the time range. The
 * same terms anywhere else (under OR or NOT) are reported, because a time range cannot be
 * alternated.
 */
export function extractTimeRange(
  ast: Pick<QueryAst, 'filter' | 'timeRange'>,
  diagnostics: QueryDiagnostic[],
): void {
  const filter = ast.filter;
  if (filter === undefined) return;
  const conjuncts = filter.op === 'and' ? filter.args : [filter];
  const kept: FilterNode[] = [];
  for (const node of conjuncts) {
    const bound = timeBound(node);
    if (bound === undefined) {
      kept.push(node);
      continue;
    }
    ast.timeRange ??= {};
    const text = String('value' in node ? node.value : '');
    ast.timeRange[bound] = text;
    if ('loc' in node && node.loc !== undefined) ast.timeRange.loc = node.loc;
    // Checked here, where each bound has its own position; the value does not depend on now.
    if (parseRelativeTime(text, 0) === undefined) {
      const loc = 'loc' in node ? node.loc : undefined;
      diagnostics.push(diagnosticAt('time.invalid', invalidTimeMessage(text), loc));
    }
  }
  if (kept.length === 0) delete ast.filter;
  else ast.filter = kept.length === 1 ? kept[0]! : { op: 'and', args: kept };
  if (ast.filter !== undefined) reportNestedTimeBounds(ast.filter, diagnostics);
}

function timeBound(node: FilterNode): 'earliest' | 'latest' | undefined {
  if (node.op !== 'eq' || typeof node.field !== 'string') return undefined;
  const name = node.field.toLowerCase();
  return name === 'earliest' || name === 'latest' ? name : undefined;
}

function reportNestedTimeBounds(node: FilterNode, diagnostics: QueryDiagnostic[]): void {
  if (node.op === 'and' || node.op === 'or') {
    for (const arg of node.args) reportNestedTimeBounds(arg, diagnostics);
  } else if (node.op === 'not') {
    reportNestedTimeBounds(node.arg, diagnostics);
  } else if ('field' in node && ['earliest', 'latest'].includes(node.field.toLowerCase())) {
    diagnostics.push(
      diagnosticAt(
        'time.misplaced_bound',
        `'${node.field}' sets the time range and must be a top-level term with '=', not inside OR, NOT or a comparison`,
        'loc' in node ? node.loc : undefined,
      ),
    );
  }
}
