/**
 * Content assist for the query editor: what may come next at a cursor position. Pure (no I/O),
 * so the UI bundles it. The grammar decides the kinds of token that may follow (Chevrotain's
 * `computeContentAssist`); field names come from the field catalog and its aliases.
 */

import type { IToken, TokenType } from 'chevrotain';
import { AGGREGATE_FUNCTIONS, EXPRESSION_FUNCTIONS, STAGE_NAMES } from './ast.js';
import { ALIASES, COLUMN_BY_NAME, COLUMNS } from './catalog.js';
import * as t from './lexer.js';
import { nextTokenPaths } from './parser.js';

export type SuggestionKind = 'field' | 'command' | 'function' | 'keyword' | 'value';

export interface Suggestion {
  label: string;
  kind: SuggestionKind;
  detail: string;
}

export interface AssistResult {
  /** The text from `replaceFrom` to `replaceTo` is what a chosen suggestion replaces. */
  replaceFrom: number;
  replaceTo: number;
  suggestions: Suggestion[];
}

const MAX_SUGGESTIONS = 200;
const KIND_ORDER: readonly SuggestionKind[] = ['command', 'keyword', 'function', 'field', 'value'];

const COMMAND_DETAILS: Readonly<Record<string, string>> = {
  where: 'keep rows where an expression is true',
  eval: 'compute fields',
  stats: 'aggregate, one row per group',
  timechart: 'aggregate per time bucket',
  top: 'most common values',
  rare: 'least common values',
  sort: 'order rows',
  head: 'first N rows',
  tail: 'last N rows',
  table: 'keep fields in this order',
  fields: 'keep or drop fields',
  dedup: 'first row per value',
  rename: 'rename fields',
  bin: 'round times or numbers into buckets (also bucket)',
  chart: 'aggregate over one field by another',
  eventstats: 'add group aggregates to every row',
  streamstats: 'running aggregates',
  fillnull: 'replace missing values',
  rex: 'extract fields with a regular expression',
  spath: 'extract a value from JSON',
  mvexpand: 'one row per list element',
  transaction: 'group events into sessions',
  lookup: 'add fields from an uploaded CSV table',
};

const COMMAND_TOKENS: ReadonlyMap<TokenType, string> = new Map([
  [t.WhereKeyword, 'where'],
  [t.EvalKeyword, 'eval'],
  [t.StatsKeyword, 'stats'],
  [t.TimechartKeyword, 'timechart'],
  [t.TopKeyword, 'top'],
  [t.RareKeyword, 'rare'],
  [t.SortKeyword, 'sort'],
  [t.HeadKeyword, 'head'],
  [t.TailKeyword, 'tail'],
  [t.TableKeyword, 'table'],
  [t.FieldsKeyword, 'fields'],
  [t.DedupKeyword, 'dedup'],
  [t.RenameKeyword, 'rename'],
  [t.BinKeyword, 'bin'],
  [t.ChartKeyword, 'chart'],
  [t.EventstatsKeyword, 'eventstats'],
  [t.StreamstatsKeyword, 'streamstats'],
  [t.FillnullKeyword, 'fillnull'],
  [t.RexKeyword, 'rex'],
  [t.SpathKeyword, 'spath'],
  [t.MvexpandKeyword, 'mvexpand'],
  [t.TransactionKeyword, 'transaction'],
  [t.LookupKeyword, 'lookup'],
]);

const KEYWORD_TOKENS: ReadonlyMap<TokenType, string> = new Map([
  [t.And, 'AND'],
  [t.Or, 'OR'],
  [t.Not, 'NOT'],
  [t.In, 'IN'],
  [t.Pipe, '|'],
  [t.ByKeyword, 'by'],
  [t.AsKeyword, 'as'],
  [t.OverKeyword, 'over'],
  [t.OutputKeyword, 'output'],
  [t.AndKeyword, 'and'],
  [t.OrKeyword, 'or'],
  [t.NotKeyword, 'not'],
  [t.InKeyword, 'in'],
  [t.LikeKeyword, 'like'],
  [t.TrueKeyword, 'true'],
  [t.FalseKeyword, 'false'],
  [t.NullKeyword, 'null'],
]);

/** Field names with a short description: promoted columns, then aliases. */
export const FIELD_SUGGESTIONS: readonly Suggestion[] = [
  ...COLUMNS.filter((column) => column.name !== 'ocsf').map((column) => ({
    label: column.name,
    kind: 'field' as const,
    detail: `${column.description} (${column.type.toLowerCase()})`,
  })),
  ...Object.entries(ALIASES)
    .filter(([name]) => !COLUMN_BY_NAME.has(name))
    .map(([name, targets]) => ({
      label: name,
      kind: 'field' as const,
      detail: `alias of ${targets.join(', ')}`,
    })),
];

const FUNCTION_SUGGESTIONS: readonly Suggestion[] = Object.entries(EXPRESSION_FUNCTIONS).map(
  ([name, arity]) => ({
    label: name,
    kind: 'function',
    detail: `function, ${arity.min === arity.max ? arity.min : `${arity.min} or more`} argument${arity.max === 1 ? '' : 's'}`,
  }),
);

const AGGREGATE_SUGGESTIONS: readonly Suggestion[] = [
  ...AGGREGATE_FUNCTIONS.filter((name) => name !== 'perc').map((name) => ({
    label: name,
    kind: 'function' as const,
    detail: 'aggregate',
  })),
  { label: 'perc95', kind: 'function', detail: 'aggregate: 95th percentile (percN, pN)' },
];

/** Token types that continue a name being typed at the cursor. */
function isNameToken(token: IToken): boolean {
  return (
    t.Name.categoryMatchesMap?.[token.tokenTypeIdx] === true ||
    token.tokenType === t.Identifier ||
    token.tokenType === t.Word ||
    COMMAND_TOKENS.has(token.tokenType) ||
    KEYWORD_TOKENS.has(token.tokenType)
  );
}

/**
 * Suggestions for the text at `cursorOffset` (0-based, in UTF-16 code units). Never throws; an
 * unreadable prefix (such as an open string) gives no suggestions.
 */
export function assist(text: string, cursorOffset: number): AssistResult {
  const cursor = Math.max(
    0,
    Math.min(Number.isFinite(cursorOffset) ? cursorOffset : 0, text.length),
  );
  const empty: AssistResult = { replaceFrom: cursor, replaceTo: cursor, suggestions: [] };
  try {
    const lexed = t.queryLexer.tokenize(text.slice(0, cursor));
    if (lexed.errors.length > 0) return empty;
    const tokens = lexed.tokens;
    if (tokens.some((token) => token.tokenType === t.UnterminatedString)) return empty;
    let prefix = '';
    let replaceFrom = cursor;
    const last = tokens.at(-1);
    if (last !== undefined && (last.endOffset ?? 0) + 1 === cursor && isNameToken(last)) {
      prefix = last.image;
      replaceFrom = last.startOffset;
      tokens.pop();
    }
    const paths = nextTokenPaths(tokens);
    const suggestions = new Map<string, Suggestion>();
    const add = (suggestion: Suggestion) => {
      const key = `${suggestion.kind}:${suggestion.label}`;
      if (!suggestions.has(key)) suggestions.set(key, suggestion);
    };
    for (const path of paths) {
      const type = path.nextTokenType;
      const rules = path.ruleStack;
      const command = COMMAND_TOKENS.get(type);
      if (command !== undefined) {
        if (rules.at(-2) === 'stage') {
          add({ label: command, kind: 'command', detail: COMMAND_DETAILS[command] ?? command });
        }
        continue;
      }
      const keyword = KEYWORD_TOKENS.get(type);
      if (keyword !== undefined) {
        add({ label: keyword, kind: 'keyword', detail: 'keyword' });
        continue;
      }
      if (type === t.Word || type === t.Name || type === t.Identifier) {
        if (rules.includes('aggregation')) {
          AGGREGATE_SUGGESTIONS.forEach(add);
          continue;
        }
        if (rules.includes('searchValue') || rules.includes('options')) continue;
        if (rules.includes('nameOrCall')) FUNCTION_SUGGESTIONS.forEach(add);
        FIELD_SUGGESTIONS.forEach(add);
      }
    }
    const lowered = prefix.toLowerCase();
    const matching = [...suggestions.values()].filter(
      (suggestion) => lowered === '' || suggestion.label.toLowerCase().startsWith(lowered),
    );
    return {
      replaceFrom,
      replaceTo: cursor,
      suggestions: matching
        .sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind))
        .filter((suggestion) => suggestion.label.toLowerCase() !== lowered || matching.length > 1)
        .slice(0, MAX_SUGGESTIONS),
    };
  } catch {
    return empty;
  }
}

export { STAGE_NAMES };
