/**
 * Tokens of the query language. The lexer has two modes because the search part and the pipe
 * stages read differently. In the search part a bare word runs until white space or punctuation,
 * so `10.0.0.0/8`, `-24h` and `adm*n` are single words. After the first `|` the text is an
 * expression language with identifiers, numbers and arithmetic operators.
 */

import { createToken, type IToken, Lexer, type TokenType, tokenMatcher } from 'chevrotain';

export const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /\s+/,
  group: Lexer.SKIPPED,
});
/** Splunk's comment: any text between three backticks, ```like this```, anywhere in a query. */
export const Comment = createToken({
  name: 'Comment',
  pattern: /```[\s\S]*?```/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});
/** Splunk's search macro, `name` or `name(arguments)`; reported as an error. */
export const Macro = createToken({
  name: 'Macro',
  pattern: /`[A-Za-z0-9_.:-]+(?:\([^`]*\))?`/,
  label: 'search macro',
});
/** Three backticks with no closing ones before the end of the query; reported as an error. */
export const UnterminatedComment = createToken({
  name: 'UnterminatedComment',
  pattern: /```[\s\S]*/,
  label: 'unterminated comment',
  line_breaks: true,
});
/** `|`, which starts a pipe stage: the category of `QueryPipe` and `SubsearchPipe`. */
export const Pipe = createToken({ name: 'Pipe', pattern: Lexer.NA, label: "'|'" });
/** `|` outside subsearches. */
export const QueryPipe = createToken({
  name: 'QueryPipe',
  pattern: /\|/,
  label: "'|'",
  categories: [Pipe],
  push_mode: 'stage',
});
/**
 * `|` inside a subsearch switches the mode in place (pop, then push), so that each subsearch adds
 * one mode to the stack and its `]` returns to the mode of the text around it. Chevrotain 11 cannot
 * switch the one mode of the stack, so `QueryPipe` pushes instead.
 */
export const SubsearchPipe = createToken({
  name: 'SubsearchPipe',
  pattern: {
    exec: (text: string, offset: number, tokens: IToken[]) => {
      if (text[offset] !== '|' || openSubsearches(tokens) === 0) return null;
      return Object.assign(['|'], { index: offset, input: text }) as RegExpExecArray;
    },
  },
  line_breaks: false,
  start_chars_hint: ['|'],
  label: "'|'",
  categories: [Pipe],
  pop_mode: true,
  push_mode: 'stage',
});
export const LParen = createToken({ name: 'LParen', pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: /\)/, label: "')'" });
export const Comma = createToken({ name: 'Comma', pattern: /,/, label: "','" });

export const Comparison = createToken({ name: 'Comparison', pattern: Lexer.NA });
export const DoubleEquals = createToken({
  name: 'DoubleEquals',
  pattern: /==/,
  label: "'=='",
  categories: [Comparison],
});
export const NotEquals = createToken({
  name: 'NotEquals',
  pattern: /!=|<>/,
  label: "'!='",
  categories: [Comparison],
});
export const GreaterEquals = createToken({
  name: 'GreaterEquals',
  pattern: />=/,
  label: "'>='",
  categories: [Comparison],
});
export const LessEquals = createToken({
  name: 'LessEquals',
  pattern: /<=/,
  label: "'<='",
  categories: [Comparison],
});
export const Greater = createToken({
  name: 'Greater',
  pattern: />/,
  label: "'>'",
  categories: [Comparison],
});
export const Less = createToken({
  name: 'Less',
  pattern: /</,
  label: "'<'",
  categories: [Comparison],
});
export const Equals = createToken({
  name: 'Equals',
  pattern: /=/,
  label: "'='",
  categories: [Comparison],
});
export const Colon = createToken({
  name: 'Colon',
  pattern: /:/,
  label: "':'",
  categories: [Comparison],
});

export const DoubleQuoted = createToken({
  name: 'DoubleQuoted',
  pattern: /"(?:[^"\\]|\\[\s\S])*"/,
  label: 'double-quoted string',
});
export const SingleQuoted = createToken({
  name: 'SingleQuoted',
  pattern: /'(?:[^'\\]|\\[\s\S])*'/,
  label: 'single-quoted string',
});
/** A quote with no closing quote before the end of the query; reported as a lexing error. */
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  pattern: /["'][\s\S]*/,
  label: 'unterminated string',
});

/**
 * Returns the brackets open after `tokens`, innermost last: `LBracket` for a subsearch,
 * `ForeachOpen` for the stages of a `foreach`. The stack is kept per token array, so a query is
 * lexed in linear time.
 */
function openBrackets(tokens: readonly IToken[]): readonly TokenType[] {
  let seen = OPEN_BRACKETS.get(tokens);
  if (seen === undefined || seen.tokens > tokens.length) seen = { tokens: 0, open: [] };
  const open = [...seen.open];
  for (let index = seen.tokens; index < tokens.length; index++) {
    const type = tokens[index]!.tokenType;
    if (type === LBracket || type === ForeachOpen) open.push(type);
    else if (type === RBracket || type === ForeachClose) open.pop();
  }
  OPEN_BRACKETS.set(tokens, { tokens: tokens.length, open });
  return open;
}

const OPEN_BRACKETS = new WeakMap<readonly IToken[], { tokens: number; open: TokenType[] }>();

/** Returns how many subsearches are open after `tokens`. */
function openSubsearches(tokens: readonly IToken[]): number {
  return openBrackets(tokens).filter((type) => type === LBracket).length;
}

/** Matches `char` at `offset` when `matches` accepts the tokens before it. */
function charWhen(
  char: string,
  matches: (tokens: IToken[]) => boolean,
): (text: string, offset: number, tokens: IToken[]) => RegExpExecArray | null {
  return (text, offset, tokens) => {
    if (text[offset] !== char || !matches(tokens)) return null;
    return Object.assign([char], { index: offset, input: text }) as RegExpExecArray;
  };
}

/**
 * Returns true when the stage being lexed is a `foreach` whose `[` has not come yet. The state is
 * kept per token array and carried forward, so a query is lexed in linear time.
 */
function beforeForeachStages(tokens: readonly IToken[]): boolean {
  let seen = FOREACH_HEADS.get(tokens);
  if (seen === undefined || seen.tokens > tokens.length) seen = { tokens: 0, open: false };
  let open = seen.open;
  for (let index = seen.tokens; index < tokens.length; index++) {
    const token = tokens[index]!;
    if (token.tokenType === ForeachKeyword) open = true;
    else if (token.tokenType === ForeachOpen || token.tokenType === LBracket) open = false;
    else if (tokenMatcher(token, Pipe)) open = false;
  }
  FOREACH_HEADS.set(tokens, { tokens: tokens.length, open });
  return open;
}

const FOREACH_HEADS = new WeakMap<readonly IToken[], { tokens: number; open: boolean }>();

/** `[` after the fields of `foreach`: the stages it repeats follow, in stage syntax. */
export const ForeachOpen = createToken({
  name: 'ForeachOpen',
  pattern: { exec: charWhen('[', beforeForeachStages) },
  line_breaks: false,
  start_chars_hint: ['['],
  label: "'[' before the stages of foreach",
});

/** `]` that closes the stages of `foreach`. */
export const ForeachClose = createToken({
  name: 'ForeachClose',
  pattern: { exec: charWhen(']', (tokens) => openBrackets(tokens).at(-1) === ForeachOpen) },
  line_breaks: false,
  start_chars_hint: [']'],
  label: "']'",
});

/** `[` opens a subsearch, in the search part and in pipe stages alike. */
export const LBracket = createToken({
  name: 'LBracket',
  pattern: /\[/,
  label: "'['",
  push_mode: 'search',
});

/** `]` closes a subsearch. Outside one it stays part of a word, as in `a[0]`. */
export const RBracket = createToken({
  name: 'RBracket',
  pattern: {
    exec: charWhen(']', (tokens) => openBrackets(tokens).at(-1) === LBracket),
  },
  line_breaks: false,
  start_chars_hint: [']'],
  label: "']'",
  pop_mode: true,
});

// Search-part tokens. Boolean operators are upper case only, as in Splunk's search command, so
// `and` and `or` in lower case are searched for as free text.
const WORD = /[^\s|()"'=!<>:,]+/y;

/**
 * Matches a bare word at `offset`. Inside a subsearch the word ends before a `]` that no `[` of
 * the word opened, so `[search user=admin]` closes after `admin`, while `a[0].b` stays one word.
 */
function matchWord(text: string, offset: number, tokens: IToken[]): RegExpExecArray | null {
  WORD.lastIndex = offset;
  const match = WORD.exec(text);
  if (match === null || !match[0].includes(']') || openSubsearches(tokens) === 0) return match;
  let depth = 0;
  let end = 0;
  for (const character of match[0]) {
    if (character === '[') depth++;
    if (character === ']' && --depth < 0) break;
    end += character.length;
  }
  if (end === 0) return null;
  return Object.assign([match[0].slice(0, end)], { index: offset, input: text }) as RegExpExecArray;
}

export const Word = createToken({
  name: 'Word',
  pattern: { exec: matchWord },
  line_breaks: false,
  label: 'word',
});
const keyword = (name: string, pattern: RegExp, longerAlt: TokenType, label: string) =>
  createToken({ name, pattern, longer_alt: longerAlt, label });
export const And = keyword('And', /AND/, Word, "'AND'");
export const Or = keyword('Or', /OR/, Word, "'OR'");
export const Not = keyword('Not', /NOT/, Word, "'NOT'");
export const In = keyword('In', /IN/, Word, "'IN'");
export const CaseOpen = createToken({ name: 'CaseOpen', pattern: /CASE\(/i, label: "'CASE('" });
/**
 * Splunk's `TERM(...)` and `PREFIX(...)` around a search value, in upper case as Splunk writes them.
 * Free text matches substrings here, so both read the value as a phrase.
 */
export const TermOpen = createToken({
  name: 'TermOpen',
  pattern: /(?:TERM|PREFIX)\(/,
  label: "'TERM('",
});

// Stage tokens.
export const Plus = createToken({ name: 'Plus', pattern: /\+/, label: "'+'" });
export const Minus = createToken({ name: 'Minus', pattern: /-/, label: "'-'" });
/** Splunk's text concatenation in `eval`; a dot inside a name or number belongs to that token. */
export const Dot = createToken({ name: 'Dot', pattern: /\./, label: "'.'" });
export const Star = createToken({ name: 'Star', pattern: /\*/, label: "'*'" });
export const Slash = createToken({ name: 'Slash', pattern: /\//, label: "'/'" });
export const Percent = createToken({ name: 'Percent', pattern: /%/, label: "'%'" });
export const Duration = createToken({
  name: 'Duration',
  // Not a number in exponent notation such as 1e3.
  pattern: /(?!\d+(?:\.\d+)?[eE][+-]?\d)\d+(?:\.\d+)?[A-Za-z]+/,
  label: 'duration such as 1h',
});
export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+/,
  label: 'number',
});
/** Any token usable as a field name in a stage: identifiers and the stage keywords. */
export const Name = createToken({ name: 'Name', pattern: Lexer.NA, label: 'field name' });
/** A name or an OCSF path; `[0]` picks one array element and `{}` any element. */
const IDENTIFIER =
  /\.?[A-Za-z_][A-Za-z0-9_]*(?:\[\d+\]|\{\})*(?:\.[A-Za-z0-9_]+(?:\[\d+\]|\{\})*)*/y;

/**
 * Matches an identifier at `offset`. Right after a string, a parenthesis or a name, a dot is
 * Splunk's concatenation, so `"[".host."]"` joins three values and does not read the path `.host`.
 */
function matchIdentifier(text: string, offset: number): RegExpExecArray | null {
  if (text[offset] === '.' && /["')\]}\w]/.test(text[offset - 1] ?? '')) return null;
  IDENTIFIER.lastIndex = offset;
  return IDENTIFIER.exec(text);
}

export const Identifier = createToken({
  name: 'Identifier',
  pattern: { exec: matchIdentifier },
  line_breaks: false,
  label: 'field name',
  categories: [Name],
});

/**
 * A name with `foreach` templates such as `<<FIELD>>`, which `foreach` replaces before the
 * stage runs: `<<FIELD>>`, `<<FIELD>>_kb`, `total_<<MATCHSTR>>`.
 */
export const TemplateName = createToken({
  name: 'TemplateName',
  pattern: /(?:[A-Za-z0-9_]*<<[A-Za-z0-9_]+>>)+[A-Za-z0-9_]*/,
  label: 'field name',
  categories: [Name],
});

const stageKeyword = (name: string, word: string, usableAsName: boolean) =>
  createToken({
    name,
    pattern: new RegExp(word, 'i'),
    longer_alt: Identifier,
    label: `'${word}'`,
    categories: usableAsName ? [Name] : [],
  });

export const WhereKeyword = stageKeyword('WhereKeyword', 'where', true);
export const EvalKeyword = stageKeyword('EvalKeyword', 'eval', true);
export const StatsKeyword = stageKeyword('StatsKeyword', 'stats', true);
export const TimechartKeyword = stageKeyword('TimechartKeyword', 'timechart', true);
export const TopKeyword = stageKeyword('TopKeyword', 'top', true);
export const RareKeyword = stageKeyword('RareKeyword', 'rare', true);
export const SortKeyword = stageKeyword('SortKeyword', 'sort', true);
export const HeadKeyword = stageKeyword('HeadKeyword', 'head', true);
export const TailKeyword = stageKeyword('TailKeyword', 'tail', true);
export const TableKeyword = stageKeyword('TableKeyword', 'table', true);
export const FieldsKeyword = stageKeyword('FieldsKeyword', 'fields', true);
export const DedupKeyword = stageKeyword('DedupKeyword', 'dedup', true);
export const RenameKeyword = stageKeyword('RenameKeyword', 'rename', true);
export const BinKeyword = stageKeyword('BinKeyword', 'bin|bucket', true);
export const ChartKeyword = stageKeyword('ChartKeyword', 'chart', true);
export const EventstatsKeyword = stageKeyword('EventstatsKeyword', 'eventstats', true);
export const StreamstatsKeyword = stageKeyword('StreamstatsKeyword', 'streamstats', true);
export const FillnullKeyword = stageKeyword('FillnullKeyword', 'fillnull', true);
export const RexKeyword = stageKeyword('RexKeyword', 'rex', true);
export const RegexKeyword = stageKeyword('RegexKeyword', 'regex', true);
export const SpathKeyword = stageKeyword('SpathKeyword', 'spath', true);
export const MvexpandKeyword = stageKeyword('MvexpandKeyword', 'mvexpand', true);
export const TransactionKeyword = stageKeyword('TransactionKeyword', 'transaction', true);
export const LookupKeyword = stageKeyword('LookupKeyword', 'lookup', true);
export const JoinKeyword = stageKeyword('JoinKeyword', 'join', true);
export const AppendKeyword = stageKeyword('AppendKeyword', 'append', true);
export const MakeresultsKeyword = stageKeyword('MakeresultsKeyword', 'makeresults', true);
export const InputlookupKeyword = stageKeyword('InputlookupKeyword', 'inputlookup', true);
export const ReverseKeyword = stageKeyword('ReverseKeyword', 'reverse', true);
export const MakemvKeyword = stageKeyword('MakemvKeyword', 'makemv', true);
export const AddtotalsKeyword = stageKeyword('AddtotalsKeyword', 'addtotals', true);
export const ConvertKeyword = stageKeyword('ConvertKeyword', 'convert', true);
export const DeltaKeyword = stageKeyword('DeltaKeyword', 'delta', true);
export const AccumKeyword = stageKeyword('AccumKeyword', 'accum', true);
export const AutoregressKeyword = stageKeyword('AutoregressKeyword', 'autoregress', true);
export const RangemapKeyword = stageKeyword('RangemapKeyword', 'rangemap', true);
export const TstatsKeyword = stageKeyword('TstatsKeyword', 'tstats', true);
export const StrcatKeyword = stageKeyword('StrcatKeyword', 'strcat', true);
export const XyseriesKeyword = stageKeyword('XyseriesKeyword', 'xyseries', true);
export const UntableKeyword = stageKeyword('UntableKeyword', 'untable', true);
export const ForeachKeyword = stageKeyword('ForeachKeyword', 'foreach', true);
export const OutputnewKeyword = stageKeyword('OutputnewKeyword', 'outputnew', true);
export const OutputKeyword = stageKeyword('OutputKeyword', 'output', true);
export const OverKeyword = stageKeyword('OverKeyword', 'over', false);
export const ByKeyword = stageKeyword('ByKeyword', 'by', false);
export const AsKeyword = stageKeyword('AsKeyword', 'as', false);
export const AndKeyword = stageKeyword('AndKeyword', 'and', false);
export const OrKeyword = stageKeyword('OrKeyword', 'or', false);
export const NotKeyword = stageKeyword('NotKeyword', 'not', false);
export const InKeyword = stageKeyword('InKeyword', 'in', false);
export const LikeKeyword = stageKeyword('LikeKeyword', 'like', false);
export const TrueKeyword = stageKeyword('TrueKeyword', 'true', false);
export const FalseKeyword = stageKeyword('FalseKeyword', 'false', false);
export const NullKeyword = stageKeyword('NullKeyword', 'null', false);

/** `search` right after a pipe: matched only there, so it stays a name anywhere else. */
const SEARCH_WORD = /search(?![A-Za-z0-9_.])/iy;

/** `| search ...` filters with the search syntax, so the lexer switches to the search mode. */
export const SearchKeyword = createToken({
  name: 'SearchKeyword',
  pattern: {
    exec: (text: string, offset: number, tokens: IToken[]) => {
      const last = tokens.at(-1);
      if (last === undefined || !tokenMatcher(last, Pipe)) return null;
      SEARCH_WORD.lastIndex = offset;
      return SEARCH_WORD.exec(text);
    },
  },
  line_breaks: false,
  start_chars_hint: ['s', 'S'],
  label: "'search'",
  pop_mode: true,
  push_mode: 'search',
});

/** `where` as a word, matched where a name may not go on. */
const WHERE_WORD = /where(?![A-Za-z0-9_.])/iy;

/** Returns whether the stage the tokens end in starts with `tstats`. */
function inTstatsStage(tokens: readonly IToken[]): boolean {
  for (let index = tokens.length; index > 0; index--) {
    if (tokenMatcher(tokens[index - 1]!, Pipe)) return tokens[index]?.tokenType === TstatsKeyword;
  }
  return false;
}

/**
 * The `where` of `tstats`, which a search follows, as in `| tstats count where index=main by
 * host`. The lexer switches to the search mode up to the `by` of `TstatsBy`.
 */
export const TstatsWhere = createToken({
  name: 'TstatsWhere',
  pattern: {
    exec: (text: string, offset: number, tokens: IToken[]) => {
      if (!inTstatsStage(tokens)) return null;
      WHERE_WORD.lastIndex = offset;
      return WHERE_WORD.exec(text);
    },
  },
  line_breaks: false,
  start_chars_hint: ['w', 'W'],
  label: "'where'",
  push_mode: 'tstatsSearch',
});

/** The `by` that ends the search of `tstats ... where`, in any case as Splunk's `BY`. */
export const TstatsBy = createToken({
  name: 'TstatsBy',
  pattern: /by/i,
  longer_alt: Word,
  label: "'by'",
  pop_mode: true,
});

/** Stage keywords by the command name they introduce. */
export const STAGE_KEYWORDS: readonly TokenType[] = [
  WhereKeyword,
  EvalKeyword,
  StatsKeyword,
  TimechartKeyword,
  TopKeyword,
  RareKeyword,
  SortKeyword,
  HeadKeyword,
  TailKeyword,
  TableKeyword,
  FieldsKeyword,
  DedupKeyword,
  RenameKeyword,
  BinKeyword,
  ChartKeyword,
  EventstatsKeyword,
  StreamstatsKeyword,
  FillnullKeyword,
  RexKeyword,
  RegexKeyword,
  SpathKeyword,
  MvexpandKeyword,
  TransactionKeyword,
  LookupKeyword,
  JoinKeyword,
  AppendKeyword,
  MakeresultsKeyword,
  InputlookupKeyword,
  ReverseKeyword,
  MakemvKeyword,
  AddtotalsKeyword,
  ConvertKeyword,
  DeltaKeyword,
  AccumKeyword,
  AutoregressKeyword,
  RangemapKeyword,
  TstatsKeyword,
  StrcatKeyword,
  XyseriesKeyword,
  UntableKeyword,
  ForeachKeyword,
];

const COMPARISONS = [DoubleEquals, NotEquals, GreaterEquals, LessEquals, Greater, Less, Equals];

const SEARCH_MODE: TokenType[] = [
  WhiteSpace,
  Comment,
  UnterminatedComment,
  Macro,
  SubsearchPipe,
  QueryPipe,
  LBracket,
  RBracket,
  LParen,
  RParen,
  Comma,
  ...COMPARISONS,
  Colon,
  DoubleQuoted,
  SingleQuoted,
  UnterminatedString,
  CaseOpen,
  TermOpen,
  And,
  Or,
  Not,
  In,
  Word,
];

/** The search of `tstats ... where`, up to its `by`. */
const TSTATS_SEARCH_MODE: TokenType[] = SEARCH_MODE.flatMap((type) =>
  type === Word ? [TstatsBy, Word] : [type],
);

const STAGE_MODE: TokenType[] = [
  WhiteSpace,
  Comment,
  UnterminatedComment,
  Macro,
  // Before `<` and names, which would otherwise take the start of `<<FIELD>>_kb`.
  TemplateName,
  Pipe,
  SubsearchPipe,
  QueryPipe,
  ForeachOpen,
  ForeachClose,
  LBracket,
  RBracket,
  LParen,
  RParen,
  Comma,
  ...COMPARISONS,
  DoubleQuoted,
  SingleQuoted,
  UnterminatedString,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Duration,
  NumberLiteral,
  SearchKeyword,
  TstatsWhere,
  ...STAGE_KEYWORDS,
  OutputnewKeyword,
  OutputKeyword,
  OverKeyword,
  ByKeyword,
  AsKeyword,
  AndKeyword,
  OrKeyword,
  NotKeyword,
  InKeyword,
  LikeKeyword,
  TrueKeyword,
  FalseKeyword,
  NullKeyword,
  Identifier,
  Dot,
];

/** Every token type, for the parser. */
export const ALL_TOKENS: TokenType[] = [
  ...new Set([...SEARCH_MODE, ...TSTATS_SEARCH_MODE, ...STAGE_MODE, Comparison, Name]),
  ...new Set([...SEARCH_MODE, ...STAGE_MODE, Comparison, Name, Pipe]),
];

export const queryLexer = new Lexer(
  {
    modes: { search: SEARCH_MODE, tstatsSearch: TSTATS_SEARCH_MODE, stage: STAGE_MODE },
    defaultMode: 'search',
  },
  { positionTracking: 'full', ensureOptimizations: false },
);
