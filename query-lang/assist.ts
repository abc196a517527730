/**
 * Content assist for the query editor: what may come next at a cursor position. Pure (no I/O),
 * so the UI bundles it. The grammar decides the kinds of token that may follow (Chevrotain's
 * `computeContentAssist`). Field names come from the field catalog and its aliases, and dotted
 * OCSF paths from the generated OCSF attribute table, which also gives the classes of each field.
 */

import { type IToken, type TokenType, tokenMatcher } from 'chevrotain';
import { AGGREGATE_FUNCTIONS, EXPRESSION_FUNCTIONS, STAGE_NAMES } from './ast.js';
import {
  ALIASES,
  COLUMN_BY_NAME,
  COLUMNS,
  type ColumnSpec,
  DATE_FIELDS,
  PATH_ALIASES,
} from './catalog.js';
import { fieldsAfterStages } from './compiler.js';
import type { ColumnInfo } from './fields.js';
import { FOREACH_STAGES } from './foreach.js';
import * as t from './lexer.js';
import { OCSF_CLASS_CAPTIONS, OCSF_EVENT_ATTRIBUTES, OCSF_OBJECTS } from './ocsf-fields.js';
import { nextTokenPaths, parseQuerySyntax } from './parser.js';

export type SuggestionKind = 'field' | 'command' | 'function' | 'keyword' | 'value';

export interface Suggestion {
  label: string;
  kind: SuggestionKind;
  detail: string;
  /**
   * Captions of the OCSF classes whose events have this field, in `class_uid` order, or 'all' for
   * a field of every class. Set on OCSF fields only, so HEC metadata and store columns lack it.
   */
  classes?: 'all' | string[];
}

/** Classes of an OCSF field: `class_uid`s, or 'all' for a field of every class. */
export type OcsfClassUids = 'all' | readonly number[];

export interface AssistResult {
  /** The text from `replaceFrom` to `replaceTo` is what a chosen suggestion replaces. */
  replaceFrom: number;
  replaceTo: number;
  suggestions: Suggestion[];
}

const MAX_SUGGESTIONS = 200;
const KIND_ORDER: readonly SuggestionKind[] = ['command', 'keyword', 'function', 'field', 'value'];

const COMMAND_DETAILS: Readonly<Record<string, string>> = {
  search: 'keep rows that match a search, as before the first pipe',
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
  makeresults: 'make rows without reading events, to try expressions',
  inputlookup: 'the rows of an uploaded lookup table',
  reverse: 'rows in the opposite order',
  makemv: 'split a text field into a list',
  addtotals: 'add a column with the sum of each row',
  convert: 'convert values: ctime, mktime, num, rmcomma, rmunit, dur2sec',
  delta: 'difference from the value p rows before',
  accum: 'running total of a number',
  autoregress: 'copy a value from rows before',
  rangemap: 'name the numeric range a value lies in',
  tstats: 'aggregate the events of a search, first stage only',
  strcat: 'join fields and quoted text into a field',
  xyseries: 'a row per x value and a column per y value',
  untable: 'a row per column of each row: the opposite of xyseries',
  foreach: 'repeat stages for each field: [eval <<FIELD>>_kb = <<FIELD>> / 1024]',
  join: 'add the fields of matching subsearch rows',
  append: 'add the rows of a subsearch after the rows so far',
};

const COMMAND_TOKENS: ReadonlyMap<TokenType, string> = new Map([
  [t.SearchKeyword, 'search'],
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
  [t.RegexKeyword, 'regex'],
  [t.SpathKeyword, 'spath'],
  [t.MvexpandKeyword, 'mvexpand'],
  [t.TransactionKeyword, 'transaction'],
  [t.LookupKeyword, 'lookup'],
  [t.MakeresultsKeyword, 'makeresults'],
  [t.InputlookupKeyword, 'inputlookup'],
  [t.ReverseKeyword, 'reverse'],
  [t.MakemvKeyword, 'makemv'],
  [t.AddtotalsKeyword, 'addtotals'],
  [t.ConvertKeyword, 'convert'],
  [t.DeltaKeyword, 'delta'],
  [t.AccumKeyword, 'accum'],
  [t.AutoregressKeyword, 'autoregress'],
  [t.RangemapKeyword, 'rangemap'],
  [t.TstatsKeyword, 'tstats'],
  [t.StrcatKeyword, 'strcat'],
  [t.XyseriesKeyword, 'xyseries'],
  [t.UntableKeyword, 'untable'],
  [t.ForeachKeyword, 'foreach'],
  [t.JoinKeyword, 'join'],
  [t.AppendKeyword, 'append'],
]);

const KEYWORD_TOKENS: ReadonlyMap<TokenType, string> = new Map([
  [t.And, 'AND'],
  [t.Or, 'OR'],
  [t.Not, 'NOT'],
  [t.In, 'IN'],
  [t.Pipe, '|'],
  [t.ForeachOpen, '['],
  [t.ForeachClose, ']'],
  [t.RBracket, ']'],
  [t.ByKeyword, 'by'],
  [t.TstatsWhere, 'where'],
  [t.TstatsBy, 'by'],
  [t.AsKeyword, 'as'],
  [t.OverKeyword, 'over'],
  [t.OutputKeyword, 'output'],
  [t.OutputnewKeyword, 'outputnew'],
  [t.AndKeyword, 'and'],
  [t.OrKeyword, 'or'],
  [t.NotKeyword, 'not'],
  [t.InKeyword, 'in'],
  [t.LikeKeyword, 'like'],
  [t.TrueKeyword, 'true'],
  [t.FalseKeyword, 'false'],
  [t.NullKeyword, 'null'],
  [t.LBracket, '[search'],
]);

/**
 * Options of a stage's `options` rule, by the rule and the occurrence of `options` in it, for
 * the stages whose options content assist offers.
 */
const STAGE_OPTIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'tstatsStage:0': {
    summariesonly: 'accepted for Splunk searches; every event is read',
    allow_old_summaries: 'accepted for Splunk searches; every event is read',
    prestats: 'only prestats=f: tstats returns the aggregates',
  },
  'tstatsStage:3': { span: 'width of the _time buckets, such as 1h' },
  'strcatStage:0': { allrequired: 't to write only rows that have every field' },
};

/** Returns the option suggestions (`span=`) where the grammar expects an option name. */
function optionSuggestions(rule: string | undefined, occurrence: number | undefined): Suggestion[] {
  const options = STAGE_OPTIONS[`${rule}:${occurrence}`] ?? {};
  return Object.entries(options).map(([name, detail]) => ({
    label: `${name}=`,
    kind: 'keyword',
    detail: `option: ${detail}`,
  }));
}

/** The subsearch command, offered right after `[`. */
const SUBSEARCH_SEARCH: Suggestion = {
  label: 'search',
  kind: 'keyword',
  detail: 'subsearch: a search in square brackets',
};

const SELECTOR_END = /(\[\d+\]|\{\})$/;
const SELECTORS_END = /(\[\d+\]|\{\})+$/;

/** An OCSF attribute reached by a path: its type and the classes of its top-level attribute. */
interface OcsfAttribute {
  /** Object name or scalar type (`string_t`), with `[]` for a list. */
  type: string;
  classes: OcsfClassUids;
}

/** Returns a path segment's attribute name in lower case, so `observables{}` gives `observables`. */
function segmentName(segment: string): string {
  return segment.replace(SELECTORS_END, '').toLowerCase();
}

function objectName(type: string): string | undefined {
  const name = type.endsWith('[]') ? type.slice(0, -2) : type;
  return OCSF_OBJECTS[name] === undefined ? undefined : name;
}

/** Resolves segments of an OCSF path (no leading dot) to the attribute they name. */
function resolveSegments(segments: readonly string[]): OcsfAttribute | undefined {
  const [first, ...rest] = segments;
  const top = first === undefined ? undefined : OCSF_EVENT_ATTRIBUTES[segmentName(first)];
  if (top === undefined) return undefined;
  let type = top[0];
  for (const segment of rest) {
    const object = objectName(type);
    const next = object === undefined ? undefined : OCSF_OBJECTS[object]?.[segmentName(segment)];
    if (next === undefined) return undefined;
    type = next;
  }
  return { type, classes: top[1] };
}

/**
 * Returns the `class_uid`s of the OCSF classes whose events have the dotted path (a leading dot
 * and `{}` or `[n]` selectors are allowed), 'all' for a path of every class, or undefined when
 * the schema has no such path.
 */
export function ocsfPathClasses(path: string): OcsfClassUids | undefined {
  return resolveSegments(path.replace(/^\./, '').split('.'))?.classes;
}

function classCaptions(classes: OcsfClassUids): 'all' | string[] {
  if (classes === 'all') return 'all';
  return classes.map((uid) => OCSF_CLASS_CAPTIONS[uid] ?? `class ${uid}`);
}

function unionClasses(sets: readonly OcsfClassUids[]): OcsfClassUids {
  const uids = new Set<number>();
  for (const set of sets) {
    if (set === 'all') return 'all';
    for (const uid of set) uids.add(uid);
  }
  return [...uids].sort((a, b) => a - b);
}

function columnClasses(column: ColumnSpec | undefined): OcsfClassUids | undefined {
  return column?.source.kind === 'ocsf' ? ocsfPathClasses(column.source.path) : undefined;
}

function withClasses(suggestion: Suggestion, classes: OcsfClassUids | undefined): Suggestion {
  return classes === undefined ? suggestion : { ...suggestion, classes: classCaptions(classes) };
}

/** Field names with a short description and their OCSF classes: promoted columns, then aliases. */
export const FIELD_SUGGESTIONS: readonly Suggestion[] = [
  ...COLUMNS.filter((column) => column.name !== 'ocsf').map((column) =>
    withClasses(
      {
        label: column.name,
        kind: 'field',
        detail: `${column.description} (${column.type.toLowerCase()})`,
      },
      columnClasses(column),
    ),
  ),
  ...Object.entries(ALIASES)
    .filter(([name]) => !COLUMN_BY_NAME.has(name))
    .map(([name, targets]) => {
      const sets = targets.map((target) => columnClasses(COLUMN_BY_NAME.get(target)));
      const known = sets.filter((set) => set !== undefined);
      return withClasses(
        { label: name, kind: 'field', detail: `alias of ${targets.join(', ')}` },
        known.length === 0 ? undefined : unionClasses(known),
      );
    }),
  ...Object.entries(PATH_ALIASES).map(([name, target]) =>
    withClasses(
      { label: name, kind: 'field', detail: `alias of ${target}` },
      ocsfPathClasses(target),
    ),
  ),
  ...Object.entries(DATE_FIELDS).map(([name, date]) => ({
    label: name,
    kind: 'field' as const,
    detail: `${date.sql} of the event time, UTC (${date.type})`,
  })),
];

function describeType(type: string): string {
  const list = type.endsWith('[]');
  const base = list ? type.slice(0, -2) : type;
  const object = OCSF_OBJECTS[base] !== undefined;
  const name = object ? `${base} object` : base.replace(/_t$/, '');
  return list ? `list of ${name}${object ? 's' : ''}` : name;
}

/**
 * Builds the suggestion for an OCSF path. An object's label ends with a dot (`actor.`), and a list
 * of objects with `{}.` (`observables{}.`), so that choosing one leads on to its attributes.
 */
function ocsfSuggestion(path: string, attribute: OcsfAttribute): Suggestion {
  const { type, classes } = attribute;
  const suffix = objectName(type) === undefined ? '' : type.endsWith('[]') ? '{}.' : '.';
  return withClasses(
    { label: `${path}${suffix}`, kind: 'field', detail: `OCSF ${describeType(type)}` },
    classes,
  );
}

/** Top-level OCSF object attributes whose name starts with `prefix`, such as `actor.`. */
function objectStartSuggestions(prefix: string): Suggestion[] {
  const lowered = prefix.toLowerCase();
  if (lowered === '' || lowered.includes('.')) return [];
  return Object.entries(OCSF_EVENT_ATTRIBUTES)
    .filter(([name, [type]]) => name.startsWith(lowered) && objectName(type) !== undefined)
    .map(([name, [type, classes]]) => ocsfSuggestion(name, { type, classes }));
}

/**
 * Completions of a dotted OCSF path being typed, such as `actor.user.na` or `.dis`: the
 * attributes of the object that the path before the last dot names. A list segment written
 * without a selector gets `{}` (any element), because a bare path does not read into a list.
 */
function pathSuggestions(prefix: string): Suggestion[] {
  const leadingDot = prefix.startsWith('.') ? '.' : '';
  const body = prefix.slice(leadingDot.length);
  const lastDot = body.lastIndexOf('.');
  const partial = body.slice(lastDot + 1).toLowerCase();
  if (lastDot === -1) {
    return Object.entries(OCSF_EVENT_ATTRIBUTES)
      .filter(([name]) => name.startsWith(partial))
      .map(([name, [type, classes]]) => ocsfSuggestion(`.${name}`, { type, classes }));
  }
  const segments = body.slice(0, lastDot).split('.');
  const parent = resolveSegments(segments);
  const object = parent === undefined ? undefined : objectName(parent.type);
  if (parent === undefined || object === undefined) return [];
  const written = segments.map((segment, index) => {
    const type = resolveSegments(segments.slice(0, index + 1))?.type ?? '';
    const listWithoutSelector = type.endsWith('[]') && !SELECTOR_END.test(segment);
    return listWithoutSelector ? `${segment}{}` : segment;
  });
  const parentLabel = `${leadingDot}${written.join('.')}`;
  return Object.entries(OCSF_OBJECTS[object] ?? {})
    .filter(([name]) => name.startsWith(partial))
    .map(([name, type]) =>
      ocsfSuggestion(`${parentLabel}.${name}`, { type, classes: parent.classes }),
    );
}

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

/** Brackets of `foreach`, which a name typed right after them does not continue. */
const BRACKETS: ReadonlySet<TokenType> = new Set([t.ForeachOpen, t.ForeachClose]);

/** Token types that continue a name being typed at the cursor. */
function isNameToken(token: IToken): boolean {
  return (
    t.Name.categoryMatchesMap?.[token.tokenTypeIdx] === true ||
    token.tokenType === t.Identifier ||
    token.tokenType === t.Word ||
    COMMAND_TOKENS.has(token.tokenType) ||
    (KEYWORD_TOKENS.has(token.tokenType) && !BRACKETS.has(token.tokenType))
  );
}

/**
 * A dotted field path that ends at the cursor, such as `actor.user.na`, `.dis` or
 * `observables{}.`: segments with optional `[n]` or `{}` selectors, each followed by a dot, then
 * the segment being typed. It must not start inside a longer name.
 */
const PATH_PREFIX =
  /(?<![A-Za-z0-9_.\]}])\.?(?:[A-Za-z_][A-Za-z0-9_]*(?:\[\d+\]|\{\})*\.)*[A-Za-z0-9_]*$/;

/** The fields that may be named at the cursor. */
interface FieldChoices {
  fields: readonly Suggestion[];
  /** True while rows are events, so that OCSF paths complete too. */
  paths: boolean;
}

const CATALOG_CHOICES: FieldChoices = { fields: FIELD_SUGGESTIONS, paths: true };

/** Stage options whose value is the name of a field to read, as in `rex field=` and `spath input=`. */
const FIELD_OPTIONS: ReadonlySet<string> = new Set(['field', 'input']);

function stageFieldSuggestion(column: ColumnInfo, events: boolean): Suggestion {
  const origin = events ? 'made by an earlier stage' : 'column of the results so far';
  return { label: column.name, kind: 'field', detail: `${origin} (${column.type})` };
}

/**
 * Returns the fields the stages before the current one leave: after `stats` only its groups and
 * aggregates, and while rows are events the fields that `eval`, `rex` and the like made ahead of
 * the catalog's. Falls back to the catalog when the earlier stages do not compile.
 */
function fieldChoices(text: string, tokens: readonly IToken[]): FieldChoices {
  const pipe = tokens.findLast((token) => tokenMatcher(token, t.Pipe));
  if (pipe === undefined) return CATALOG_CHOICES;
  let after: ReturnType<typeof fieldsAfterStages>;
  try {
    // Only the syntax is checked first, because compiling the stages checks the rest.
    const parsed = parseQuerySyntax(text.slice(0, pipe.startOffset));
    if (parsed.ast === undefined || parsed.ast.stages.length === 0) return CATALOG_CHOICES;
    after = fieldsAfterStages(parsed.ast);
  } catch {
    return CATALOG_CHOICES;
  }
  const stageFields = after.fields.map((column) => stageFieldSuggestion(column, after.events));
  if (!after.events) return { fields: stageFields, paths: false };
  const hidden = new Set(after.hidden);
  const stageNames = new Set(after.fields.map((column) => column.name.toLowerCase()));
  const catalog = FIELD_SUGGESTIONS.filter((suggestion) => {
    const lowered = suggestion.label.toLowerCase();
    return !hidden.has(lowered) && !stageNames.has(lowered);
  });
  return { fields: [...stageFields, ...catalog], paths: true };
}

/** Returns whether the tokens end with an option that names a field, such as `rex field=`. */
function endsWithFieldOption(tokens: readonly IToken[]): boolean {
  const equals = tokens.at(-1);
  const name = tokens.at(-2);
  return (
    equals?.tokenType === t.Equals &&
    name !== undefined &&
    FIELD_OPTIONS.has(name.image.toLowerCase()) &&
    tokens.some((token) => tokenMatcher(token, t.Pipe))
  );
}

interface NextTokens {
  suggestions: Map<string, Suggestion>;
  /** True when a field name may come next. */
  fieldAllowed: boolean;
}

/** Suggestions for the token after `tokens`, from the grammar's possible next tokens. */
function nextTokenSuggestions(tokens: IToken[], choices: FieldChoices): NextTokens {
  const suggestions = new Map<string, Suggestion>();
  let fieldAllowed = false;
  const add = (suggestion: Suggestion) => {
    const key = `${suggestion.kind}:${suggestion.label}`;
    if (!suggestions.has(key)) suggestions.set(key, suggestion);
  };
  if (endsWithFieldOption(tokens)) {
    choices.fields.forEach(add);
    return { suggestions, fieldAllowed: true };
  }
  if (tokens.at(-1)?.tokenType === t.LBracket) add(SUBSEARCH_SEARCH);
  for (const path of nextTokenPaths(tokens)) {
    const type = path.nextTokenType;
    const rules = path.ruleStack;
    const command = COMMAND_TOKENS.get(type);
    if (command !== undefined) {
      // Inside the brackets of foreach, only the stages it may repeat.
      const inForeach = rules.slice(0, -1).includes('foreachStage');
      const repeated = inForeach && !FOREACH_STAGES.includes(command);
      if (rules.at(-2) === 'stage' && !repeated) {
        add({ label: command, kind: 'command', detail: COMMAND_DETAILS[command] ?? command });
      }
      continue;
    }
    const keyword = KEYWORD_TOKENS.get(type);
    // A search in parentheses (`transaction startswith=(...)`) takes any token, so its keywords
    // would be noise.
    if (keyword !== undefined && rules.at(-1) === 'balancedTokens') continue;
    if (keyword !== undefined) {
      const detail = type === t.LBracket ? 'subsearch: a search in square brackets' : 'keyword';
      add({ label: keyword, kind: 'keyword', detail });
      continue;
    }
    if (type === t.Word || type === t.Name || type === t.Identifier) {
      if (rules.at(-1) === 'aggregation') {
        AGGREGATE_SUGGESTIONS.forEach(add);
        continue;
      }
      if (rules.at(-1) === 'options') {
        optionSuggestions(rules.at(-2), path.occurrenceStack.at(-1)).forEach(add);
        continue;
      }
      if (rules.includes('searchValue') || rules.includes('options')) continue;
      // No field as the name or plain value of a `transaction` option. Its eval expression and
      // its search in parentheses offer fields.
      if (rules.at(-1) === 'transactionOption') continue;
      if (rules.includes('nameOrCall')) FUNCTION_SUGGESTIONS.forEach(add);
      choices.fields.forEach(add);
      fieldAllowed = true;
    }
  }
  return { suggestions, fieldAllowed };
}

/** Lexes text up to the cursor, or returns undefined when it does not lex (such as an open string). */
function lexPrefix(text: string): IToken[] | undefined {
  const lexed = t.queryLexer.tokenize(text);
  if (lexed.errors.length > 0) return undefined;
  if (
    lexed.tokens.some(
      (token) =>
        token.tokenType === t.UnterminatedString || token.tokenType === t.UnterminatedComment,
    )
  ) {
    return undefined;
  }
  return lexed.tokens;
}

/** Drops the only suggestion when it is exactly the text typed, and caps the list. */
function finish(suggestions: Suggestion[], prefix: string): Suggestion[] {
  const lowered = prefix.toLowerCase();
  return suggestions
    .filter((suggestion) => suggestion.label.toLowerCase() !== lowered || suggestions.length > 1)
    .slice(0, MAX_SUGGESTIONS);
}

/**
 * Suggestions for the text at `cursorOffset` (0-based, in UTF-16 code units). Never throws; an
 * unreadable prefix (such as an open string) gives no suggestions. Field suggestions carry the
 * OCSF classes that have the field. A dotted path at the cursor (`actor.user.`) is completed
 * from the OCSF objects, and a chosen suggestion replaces the whole path.
 */
export function assist(text: string, cursorOffset: number): AssistResult {
  const cursor = Math.max(
    0,
    Math.min(Number.isFinite(cursorOffset) ? cursorOffset : 0, text.length),
  );
  const empty: AssistResult = { replaceFrom: cursor, replaceTo: cursor, suggestions: [] };
  try {
    const before = text.slice(0, cursor);
    const path = PATH_PREFIX.exec(before);
    if (path?.[0].includes('.')) {
      const tokens = lexPrefix(before.slice(0, path.index));
      if (tokens === undefined) return empty;
      const choices = fieldChoices(before, tokens);
      if (!nextTokenSuggestions(tokens, choices).fieldAllowed) return empty;
      const lowered = path[0].toLowerCase();
      const named = choices.fields.filter((field) => field.label.toLowerCase().startsWith(lowered));
      const paths = choices.paths ? pathSuggestions(path[0]) : [];
      return {
        replaceFrom: path.index,
        replaceTo: cursor,
        suggestions: finish([...named, ...paths], path[0]),
      };
    }
    const tokens = lexPrefix(before);
    if (tokens === undefined) return empty;
    let prefix = '';
    let replaceFrom = cursor;
    const last = tokens.at(-1);
    if (last !== undefined && (last.endOffset ?? 0) + 1 === cursor && isNameToken(last)) {
      prefix = last.image;
      replaceFrom = last.startOffset;
      tokens.pop();
    }
    const choices = fieldChoices(before, tokens);
    const { suggestions, fieldAllowed } = nextTokenSuggestions(tokens, choices);
    const all = [...suggestions.values()];
    if (fieldAllowed && choices.paths) all.push(...objectStartSuggestions(prefix));
    const lowered = prefix.toLowerCase();
    const matching = all.filter(
      (suggestion) => lowered === '' || suggestion.label.toLowerCase().startsWith(lowered),
    );
    matching.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
    return { replaceFrom, replaceTo: cursor, suggestions: finish(matching, prefix) };
  } catch {
    return empty;
  }
}

export { STAGE_NAMES };
