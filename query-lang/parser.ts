/**
 * The Chevrotain parser: query text to `QueryAst`.
 *
 * Grammar (upper case names are tokens from `lexer.ts`):
 *
 *   query       := search? (PIPE stage)*
 *   search      := and (OR and)*                    error OR fail* OR "access denied"
 *   and         := not (AND? not)*                  user:admin status_id=2
 *   not         := NOT not | primary                NOT src_ip:10.0.0.0/8
 *   primary     := '(' search ')' | QUOTED | term
 *   term        := WORD (comparison value | IN '(' value (','? value)* ')')?
 *   value       := WORD | QUOTED | CASE( value ')'  user=CASE(Admin)
 *   stage       := search search | where expr | eval name '=' expr (',' ...)* | stats aggs (by fields)?
 *                | timechart options? aggs? (by field)? options? | top|rare (limit=N)? fields (by fields)?
 *                | sort ('-'|'+')? field ... | head N | tail N | table fields | fields ('+'|'-')? fields
 *                | dedup fields | rename field as name (',' ...)*
 *   expr        := or-chain of and-chains of comparisons of arithmetic, with functions such as
 *                  if(), case(), coalesce(), lower(), cidrmatch()
 */

import { EmbeddedActionsParser, EOF, type IToken, tokenMatcher } from 'chevrotain';
import type {
  AggregateFunction,
  Aggregation,
  Assignment,
  BinaryOperator,
  Expr,
  FieldRef,
  FilterNode,
  LookupField,
  PercentileSpelling,
  QueryAst,
  Rename,
  SortKey,
  Stage,
  StrcatPart,
  Subsearch,
  TransactionCondition,
} from './ast.js';
import { AGGREGATE_FUNCTIONS, MAX_AUTOREGRESS_COPIES, QUERY_AST_VERSION } from './ast.js';
import { checkQuery } from './compiler.js';
import {
  BALANCED_TOKENS,
  lastCharacter,
  moveToken,
  type Position,
  positionInText,
  positionInTokens,
  textOfTokens,
} from './embedded-search.js';
import {
  diagnosticAt,
  nearestName,
  type QueryDiagnostic,
  QueryError,
  type SourceLocation,
} from './errors.js';
import { defaultSpathOutput } from './fields.js';
import { FOREACH_STAGES, templateOutsideForeach } from './foreach.js';
import { astFromJson } from './json.js';
import * as t from './lexer.js';
import {
  buildComparison,
  buildIn,
  COMPARISON_OPERATORS,
  extractTimeRange,
  freeText,
  type SearchValue,
} from './search-terms.js';
import { isSeriesLabel, MAX_SERIES_LABEL } from './series-output.js';
import {
  errorMessageProvider,
  locationOf,
  syntaxDiagnostic,
  unknownCommandBefore,
} from './syntax-errors.js';
import { parseCalendarSpanMonths, parseSpanMillis } from './time.js';
import { isTimeName } from './tstats.js';
import { decodeQuoted, decodeQuotedText } from './values.js';

/** True for the `sortby` word that starts the sort keys of `dedup`. */
function isSortby(token: IToken): boolean {
  return tokenMatcher(token, t.Name) && token.image.toLowerCase() === 'sortby';
}

type TopDisplay = Pick<
  Extract<Stage, { stage: 'top' | 'rare' }>,
  'showCount' | 'showPercent' | 'countField' | 'percentField'
>;

class QueryParser extends EmbeddedActionsParser {
  /** Semantic problems found while parsing, such as an unknown aggregate function. */
  diagnostics: QueryDiagnostic[] = [];

  constructor() {
    super(t.ALL_TOKENS, { recoveryEnabled: false, maxLookahead: 3, errorMessageProvider });
    this.performSelfAnalysis();
  }

  private report(code: string, message: string, token: IToken, suggestion?: string): void {
    const extra = suggestion === undefined ? {} : { suggestion };
    this.diagnostics.push(diagnosticAt(code, message, locationOf(token), extra));
  }

  query = this.RULE('query', (): QueryAst => {
    let filter: FilterNode | undefined;
    const stages: Stage[] = [];
    this.OPTION(() => {
      filter = this.SUBRULE(this.searchAnd);
    });
    this.MANY(() => {
      this.CONSUME(t.Pipe);
      stages.push(this.SUBRULE(this.stage));
    });
    return this.ACTION(() => {
      const ast: QueryAst = { version: QUERY_AST_VERSION, stages };
      if (filter !== undefined) ast.filter = filter;
      return ast;
    });
  });

  // Search part.

  /**
   * Search terms joined by AND, written or implied. As in Splunk's search, OR binds tighter than
   * AND: `a b OR c` is `a AND (b OR c)`.
   */
  private searchAnd = this.RULE('searchAnd', (): FilterNode => {
    const args = [this.SUBRULE(this.searchOr)];
    this.MANY(() => {
      this.OPTION(() => this.CONSUME(t.And));
      args.push(this.SUBRULE2(this.searchOr));
    });
    return args.length === 1 ? args[0]! : { op: 'and', args };
  });

  private searchOr = this.RULE('searchOr', (): FilterNode => {
    const args = [this.SUBRULE(this.searchNot)];
    this.MANY(() => {
      this.CONSUME(t.Or);
      args.push(this.SUBRULE2(this.searchNot));
    });
    return args.length === 1 ? args[0]! : { op: 'or', args };
  });

  private searchNot = this.RULE(
    'searchNot',
    (): FilterNode =>
      this.OR([
        {
          ALT: () => {
            this.CONSUME(t.Not);
            return { op: 'not', arg: this.SUBRULE(this.searchNot) } as FilterNode;
          },
        },
        { ALT: () => this.SUBRULE(this.searchPrimary) },
      ]),
  );

  private searchPrimary = this.RULE(
    'searchPrimary',
    (): FilterNode =>
      this.OR([
        {
          ALT: () => {
            this.CONSUME(t.LParen);
            const inner = this.SUBRULE(this.searchAnd);
            this.CONSUME(t.RParen);
            return inner;
          },
        },
        {
          ALT: () => {
            const token = this.OR2([
              { ALT: () => this.CONSUME(t.DoubleQuoted) },
              { ALT: () => this.CONSUME(t.SingleQuoted) },
            ]);
            return this.ACTION(() => freeText(decodeQuoted(token.image), locationOf(token)));
          },
        },
        {
          ALT: () => {
            const open = this.CONSUME(t.TermOpen);
            const value = this.SUBRULE(this.searchValue);
            const close = this.CONSUME2(t.RParen);
            return this.ACTION(() => {
              const node = freeText(value.pattern, locationOf(open, close));
              if (node.op !== 'text' || node.value.includes('*')) return node;
              const term = open.image.toUpperCase().startsWith('TERM') ? 'whole' : 'prefix';
              return { ...node, term } as FilterNode;
            });
          },
        },
        {
          ALT: () => {
            const search = this.SUBRULE(this.subsearch);
            return {
              op: 'subsearch',
              search,
              ...(search.loc && { loc: search.loc }),
            } as FilterNode;
          },
        },
        { ALT: () => this.SUBRULE(this.searchTerm) },
      ]),
  );

  /**
   * `[search ...]`, `[ ... ]` or `[| inputlookup ...]`: a search part and pipe stages in square
   * brackets. The word `search` after the bracket is the command, as in Splunk.
   */
  private subsearch = this.RULE('subsearch', (): Subsearch => {
    const open = this.CONSUME(t.LBracket);
    this.OPTION({
      GATE: () =>
        tokenMatcher(this.LA(1), t.Word) &&
        this.LA(1).image.toLowerCase() === 'search' &&
        !tokenMatcher(this.LA(2), t.Comparison) &&
        !tokenMatcher(this.LA(2), t.In),
      DEF: () => this.CONSUME(t.Word),
    });
    let filter: FilterNode | undefined;
    const stages: Stage[] = [];
    this.OPTION2(() => {
      filter = this.SUBRULE(this.searchAnd);
    });
    this.MANY(() => {
      this.CONSUME(t.Pipe);
      stages.push(this.SUBRULE(this.stage));
    });
    const close = this.CONSUME(t.RBracket);
    return this.ACTION(() => {
      const search: Subsearch = { stages };
      if (filter !== undefined) search.filter = filter;
      extractTimeRange(search, this.diagnostics);
      search.loc = locationOf(open, close);
      return search;
    });
  });

  private searchTerm = this.RULE('searchTerm', (): FilterNode => {
    const word = this.CONSUME(t.Word);
    return this.OR([
      {
        ALT: () => {
          const operator = this.CONSUME(t.Comparison);
          const value = this.SUBRULE(this.searchValue);
          return this.ACTION(() => {
            const bare = value.loc.length === value.pattern.length;
            if (tokenMatcher(operator, t.Colon) && bare && value.pattern.startsWith(':')) {
              this.report(
                'syntax.double_colon',
                `'${word.image}::' is Splunk's indexed-field form, which TelHawk does not use: write ${word.image}:${value.pattern.slice(1)}, or quote a value that starts with a colon (${word.image}="${value.pattern.slice(1)}")`,
                operator,
                `${word.image}:${value.pattern.slice(1)}`,
              );
            }
            return buildComparison(word, operator, value);
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(t.In);
          this.CONSUME(t.LParen);
          const values = [this.SUBRULE2(this.searchValue)];
          this.MANY(() => {
            this.OPTION(() => this.CONSUME(t.Comma));
            values.push(this.SUBRULE3(this.searchValue));
          });
          const close = this.CONSUME(t.RParen);
          return this.ACTION(() => buildIn(word, close, values));
        },
      },
      { ALT: () => this.ACTION(() => freeText(word.image, locationOf(word))) },
    ]);
  });

  private searchValue = this.RULE(
    'searchValue',
    (): SearchValue =>
      this.OR([
        {
          ALT: () => {
            const open = this.CONSUME(t.CaseOpen);
            const inner = this.SUBRULE(this.searchValue);
            const close = this.CONSUME(t.RParen);
            return this.ACTION(() => ({
              ...inner,
              caseSensitive: true,
              loc: locationOf(open, close),
            }));
          },
        },
        {
          // A bare value runs on through colons that touch it, as in SPL: `aws:cloudtrail`,
          // `fe80::/10`, `2001:db8::1` and `::1` are single values.
          ALT: () => {
            const first = this.OR3([
              { ALT: () => this.CONSUME(t.Word) },
              { ALT: () => this.CONSUME(t.Colon) },
            ]);
            let last = first;
            let image = first.image;
            this.MANY({
              GATE: () => adjacent(last, this.LA(1)),
              DEF: () => {
                const next = this.OR4([
                  { ALT: () => this.CONSUME2(t.Word) },
                  { ALT: () => this.CONSUME2(t.Colon) },
                ]);
                image += next.image;
                last = next;
              },
            });
            return this.ACTION(() => ({
              pattern: image,
              caseSensitive: false,
              loc: locationOf(first, last),
            }));
          },
        },
        {
          ALT: () => {
            const token = this.OR2([
              { ALT: () => this.CONSUME(t.DoubleQuoted) },
              { ALT: () => this.CONSUME(t.SingleQuoted) },
            ]);
            return this.ACTION(() => ({
              pattern: decodeQuoted(token.image),
              caseSensitive: false,
              loc: locationOf(token),
            }));
          },
        },
      ]),
  );

  // Stages.

  private stage = this.RULE(
    'stage',
    (): Stage =>
      this.OR([
        { ALT: () => this.SUBRULE(this.searchStage) },
        { ALT: () => this.SUBRULE(this.whereStage) },
        { ALT: () => this.SUBRULE(this.evalStage) },
        { ALT: () => this.SUBRULE(this.statsStage) },
        { ALT: () => this.SUBRULE(this.timechartStage) },
        { ALT: () => this.SUBRULE(this.topStage) },
        { ALT: () => this.SUBRULE(this.sortStage) },
        { ALT: () => this.SUBRULE(this.headStage) },
        { ALT: () => this.SUBRULE(this.tableStage) },
        { ALT: () => this.SUBRULE(this.fieldsStage) },
        { ALT: () => this.SUBRULE(this.dedupStage) },
        { ALT: () => this.SUBRULE(this.renameStage) },
        { ALT: () => this.SUBRULE(this.binStage) },
        { ALT: () => this.SUBRULE(this.chartStage) },
        { ALT: () => this.SUBRULE(this.windowStatsStage) },
        { ALT: () => this.SUBRULE(this.fillnullStage) },
        { ALT: () => this.SUBRULE(this.rexStage) },
        { ALT: () => this.SUBRULE(this.regexStage) },
        { ALT: () => this.SUBRULE(this.spathStage) },
        { ALT: () => this.SUBRULE(this.mvexpandStage) },
        { ALT: () => this.SUBRULE(this.transactionStage) },
        { ALT: () => this.SUBRULE(this.lookupStage) },
        { ALT: () => this.SUBRULE(this.makeresultsStage) },
        { ALT: () => this.SUBRULE(this.inputlookupStage) },
        { ALT: () => this.SUBRULE(this.reverseStage) },
        { ALT: () => this.SUBRULE(this.makemvStage) },
        { ALT: () => this.SUBRULE(this.addtotalsStage) },
        { ALT: () => this.SUBRULE(this.convertStage) },
        { ALT: () => this.SUBRULE(this.deltaStage) },
        { ALT: () => this.SUBRULE(this.accumStage) },
        { ALT: () => this.SUBRULE(this.autoregressStage) },
        { ALT: () => this.SUBRULE(this.rangemapStage) },
        { ALT: () => this.SUBRULE(this.tstatsStage) },
        { ALT: () => this.SUBRULE(this.strcatStage) },
        { ALT: () => this.SUBRULE(this.xyseriesStage) },
        { ALT: () => this.SUBRULE(this.untableStage) },
        { ALT: () => this.SUBRULE(this.foreachStage) },
        { ALT: () => this.SUBRULE(this.joinStage) },
        { ALT: () => this.SUBRULE(this.appendStage) },
      ]),
  );

  /** `join [type=inner|left|outer] [max=N] [overwrite=f] f1, f2 [subsearch]`. */
  private joinStage = this.RULE('joinStage', (): Stage => {
    const keyword = this.CONSUME(t.JoinKeyword);
    const options = this.SUBRULE(this.options);
    let fields: FieldRef[] = [];
    this.OPTION(() => {
      fields = this.SUBRULE(this.fieldList);
    });
    const subsearch = this.SUBRULE(this.subsearch);
    return this.ACTION(() => {
      const stage: Extract<Stage, { stage: 'join' }> = {
        stage: 'join',
        fields,
        subsearch,
        loc: locationOf(keyword),
      };
      if (fields.length === 0) {
        this.report(
          'stage.missing_field',
          'join needs the fields to match, as in join src_ip [search ...]',
          keyword,
        );
      }
      this.readJoinOptions(stage, keyword, options);
      return stage;
    });
  });

  private readJoinOptions(
    stage: Extract<Stage, { stage: 'join' }>,
    keyword: IToken,
    options: StageOption[],
  ): void {
    const read = this.readOptions(keyword, options, ['type', 'max', 'overwrite']);
    const type = read.get('type')?.toLowerCase();
    if (type === 'inner' || type === 'left' || type === 'outer') stage.type = type;
    else if (type !== undefined) {
      this.report(
        'stage.invalid_option',
        `Invalid join type '${read.get('type')}': use inner, left or outer`,
        optionValue(options, 'type')!,
      );
    }
    const max = read.get('max');
    if (max !== undefined) {
      const value = Number(max);
      if (!/^\d+$/.test(max) || !Number.isSafeInteger(value)) {
        this.report(
          'value.invalid_count',
          `Invalid join max '${max}': use a whole number of subsearch rows per row, 0 for all`,
          optionValue(options, 'max')!,
        );
      } else {
        stage.max = value;
      }
    }
    const overwrite = this.booleanOption(read, 'overwrite', (name) => optionValue(options, name)!);
    if (overwrite !== undefined) stage.overwrite = overwrite;
  }

  /** `append [subsearch]`. */
  private appendStage = this.RULE('appendStage', (): Stage => {
    const keyword = this.CONSUME(t.AppendKeyword);
    const subsearch = this.SUBRULE(this.subsearch);
    return { stage: 'append', subsearch, loc: locationOf(keyword) };
  });

  /** `name=value` options of a stage, such as `span=1h` or `field=raw`. */
  private options = this.RULE('options', (): StageOption[] => {
    const options: StageOption[] = [];
    this.MANY({
      GATE: () => tokenMatcher(this.LA(2), t.Equals),
      DEF: () => {
        const name = this.CONSUME(t.Name);
        this.CONSUME(t.Equals);
        const value = this.OR([
          { ALT: () => this.CONSUME(t.Duration) },
          { ALT: () => this.CONSUME(t.NumberLiteral) },
          { ALT: () => this.CONSUME2(t.Name) },
          { ALT: () => this.CONSUME(t.DoubleQuoted) },
          { ALT: () => this.CONSUME(t.SingleQuoted) },
          { ALT: () => this.CONSUME(t.TrueKeyword) },
          { ALT: () => this.CONSUME(t.FalseKeyword) },
        ]);
        options.push({ name, value });
      },
    });
    return options;
  });

  private binStage = this.RULE('binStage', (): Stage => {
    const keyword = this.CONSUME(t.BinKeyword);
    const before = this.SUBRULE(this.options);
    const field = this.SUBRULE(this.fieldName);
    const after = this.SUBRULE2(this.options);
    let as: IToken | undefined;
    this.OPTION(() => {
      this.CONSUME(t.AsKeyword);
      as = this.CONSUME(t.Name);
    });
    return this.ACTION(() => {
      const options = this.readOptions(keyword, [...before, ...after], ['span']);
      const span = options.get('span');
      if (span === undefined) {
        this.report('stage.missing_option', `${keyword.image} needs span=, as in span=1h`, keyword);
      }
      const stage: Stage = { stage: 'bin', field: field.name, span: span ?? '1h' };
      if (field.loc !== undefined) stage.loc = field.loc;
      if (as !== undefined) stage.as = as.image;
      return stage;
    });
  });

  private chartStage = this.RULE('chartStage', (): Stage => {
    const keyword = this.CONSUME(t.ChartKeyword);
    const before = this.SUBRULE(this.options);
    const aggregations = this.SUBRULE(this.aggregationList);
    let over: FieldRef | undefined;
    let by: FieldRef | undefined;
    this.OPTION(() => {
      this.CONSUME(t.OverKeyword);
      over = this.SUBRULE(this.fieldName);
    });
    let second: FieldRef | undefined;
    this.OPTION2(() => {
      this.CONSUME(t.ByKeyword);
      by = this.SUBRULE2(this.fieldName);
      // Splunk's `chart count by x y` is `chart count over x by y`.
      this.OPTION3({
        GATE: () => !(tokenMatcher(this.LA(1), t.Name) && tokenMatcher(this.LA(2), t.Equals)),
        DEF: () => {
          this.OPTION4(() => this.CONSUME(t.Comma));
          second = this.SUBRULE3(this.fieldName);
        },
      });
    });
    const after = this.SUBRULE2(this.options);
    return this.ACTION(() => {
      if (second !== undefined && over !== undefined) {
        this.diagnostics.push(
          diagnosticAt(
            'stage.invalid',
            'chart ... over f takes one field after by; write chart ... by x y without over',
            second.loc,
          ),
        );
      }
      if (over === undefined && by !== undefined) {
        over = by;
        by = second;
      }
      const stage: Stage = { stage: 'chart', aggregations };
      if (over !== undefined) stage.over = over;
      if (by !== undefined) stage.by = by;
      const options = [...before, ...after];
      const read = this.readOptions(keyword, options, [
        'limit',
        'useother',
        'usenull',
        'otherstr',
        'nullstr',
      ]);
      this.readSeriesOptions(stage, read, (name) => optionValue(options, name)!);
      return stage;
    });
  });

  private windowStatsStage = this.RULE('windowStatsStage', (): Stage => {
    const keyword = this.OR([
      { ALT: () => this.CONSUME(t.EventstatsKeyword) },
      { ALT: () => this.CONSUME(t.StreamstatsKeyword) },
    ]);
    const options = this.SUBRULE(this.options);
    const aggregations = this.SUBRULE(this.aggregationList);
    let by: FieldRef[] = [];
    this.OPTION(() => {
      this.CONSUME(t.ByKeyword);
      by = this.SUBRULE(this.fieldList);
    });
    return this.ACTION(() => {
      if (tokenMatcher(keyword, t.EventstatsKeyword)) {
        this.readOptions(keyword, options, []);
        return { stage: 'eventstats', aggregations, by } as Stage;
      }
      const stage: Stage = { stage: 'streamstats', aggregations, by, loc: locationOf(keyword) };
      this.readStreamstatsOptions(keyword, options, stage);
      return stage;
    });
  });

  /** Reads `window`, `current`, `reset_on_change` and `time_window` into a `streamstats` stage. */
  private readStreamstatsOptions(
    keyword: IToken,
    options: StageOption[],
    stage: Extract<Stage, { stage: 'streamstats' }>,
  ): void {
    const known = ['window', 'current', 'reset_on_change', 'time_window'];
    const read = this.readOptions(keyword, options, known);
    const valueToken = (name: string) => optionValue(options, name) ?? keyword;
    const window = read.get('window');
    if (window !== undefined) {
      stage.window = this.positiveIntegerText(window, valueToken('window'));
    }
    const current = this.booleanOption(read, 'current', valueToken);
    if (current === false) stage.current = false;
    const reset = this.booleanOption(read, 'reset_on_change', valueToken);
    if (reset === true && stage.by.length === 0) {
      this.report(
        'stage.invalid_option',
        'reset_on_change=t restarts the aggregates when the by fields change, so it needs them, as in streamstats reset_on_change=t count by user',
        options.find((option) => option.name.image.toLowerCase() === 'reset_on_change')!.name,
      );
    } else if (reset === true) {
      stage.resetOnChange = true;
    }
    const timeWindow = read.get('time_window');
    if (timeWindow !== undefined) {
      const ms = parseSpanMillis(timeWindow);
      if (ms === undefined) {
        this.report(
          'stage.invalid_span',
          `Invalid time_window '${timeWindow}': use a duration such as 30s, 5m or 1h`,
          valueToken('time_window'),
        );
      } else {
        stage.timeWindowMs = ms;
      }
    }
  }

  /** Reads a boolean option such as `current=f`, reporting a value that is no boolean. */
  private booleanOption(
    read: Map<string, string>,
    name: string,
    valueToken: (name: string) => IToken,
  ): boolean | undefined {
    const text = read.get(name);
    if (text === undefined) return undefined;
    const flag = BOOLEAN_OPTION_VALUES[text.toLowerCase()];
    if (flag === undefined) {
      this.report(
        'stage.invalid_option',
        `Invalid ${name} value '${text}': use true or false (t, f, 1 or 0)`,
        valueToken(name),
      );
    }
    return flag;
  }

  private fillnullStage = this.RULE('fillnullStage', (): Stage => {
    const keyword = this.CONSUME(t.FillnullKeyword);
    const options = this.SUBRULE(this.options);
    let fields: FieldRef[] = [];
    this.OPTION(() => {
      fields = this.SUBRULE(this.fieldList);
    });
    return this.ACTION(() => {
      const text = this.readOptions(keyword, options, ['value']).get('value') ?? '0';
      const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : text;
      return { stage: 'fillnull', value, fields, loc: locationOf(keyword) } as Stage;
    });
  });

  private rexStage = this.RULE('rexStage', (): Stage => {
    const keyword = this.CONSUME(t.RexKeyword);
    const options = this.SUBRULE(this.options);
    const pattern = this.CONSUME(t.DoubleQuoted);
    return this.ACTION(() => {
      const read = this.readOptions(keyword, options, ['field', 'max_match', 'mode']);
      const field = read.get('field') ?? '_raw';
      const stage: Stage = {
        stage: 'rex',
        field,
        pattern: decodeRegex(pattern.image),
        loc: locationOf(pattern),
      };
      const maxMatch = read.get('max_match');
      if (maxMatch !== undefined) {
        const count = Number(maxMatch);
        if (!Number.isSafeInteger(count) || count < 0) {
          this.report(
            'stage.invalid_option',
            `Invalid max_match '${maxMatch}': use the number of matches to keep, or 0 for all`,
            optionValue(options, 'max_match')!,
          );
        } else if (count !== 1) {
          stage.maxMatch = count;
        }
      }
      const mode = read.get('mode');
      if (mode !== undefined) {
        if (mode.toLowerCase() === 'sed') {
          stage.mode = 'sed';
        } else {
          this.report(
            'stage.invalid_option',
            `Invalid mode '${mode}': rex takes mode=sed`,
            optionValue(options, 'mode')!,
          );
        }
      }
      const named = optionValue(options, 'field');
      if (named !== undefined) stage.fieldLoc = locationOf(named);
      return stage;
    });
  });

  /**
   * Splunk's `regex [field=|field!=]"pattern"`: keeps the rows whose field (`_raw` by default)
   * matches, or does not match, the pattern. It is a `where` with `match()`.
   */
  private regexStage = this.RULE('regexStage', (): Stage => {
    this.CONSUME(t.RegexKeyword);
    let field: FieldRef | undefined;
    let negated = false;
    this.OPTION({
      GATE: () => tokenMatcher(this.LA(2), t.Equals) || tokenMatcher(this.LA(2), t.NotEquals),
      DEF: () => {
        field = this.SUBRULE(this.fieldName);
        this.OR([
          { ALT: () => this.CONSUME(t.Equals) },
          {
            ALT: () => {
              this.CONSUME(t.NotEquals);
              negated = true;
            },
          },
        ]);
      },
    });
    const pattern = this.CONSUME(t.DoubleQuoted);
    return this.ACTION(() => {
      const loc = locationOf(pattern);
      const subject: Expr = { expr: 'field', name: field?.name ?? '_raw', loc: field?.loc ?? loc };
      const literal: Expr = { expr: 'literal', value: decodeRegex(pattern.image) };
      const match: Expr = { expr: 'call', fn: 'match', args: [subject, literal], loc };
      return { stage: 'where', condition: negated ? { expr: 'not', arg: match } : match } as Stage;
    });
  });

  private spathStage = this.RULE('spathStage', (): Stage => {
    const keyword = this.CONSUME(t.SpathKeyword);
    const options = this.SUBRULE(this.options);
    let positional: FieldRef | undefined;
    this.OPTION(() => {
      positional = this.SUBRULE(this.fieldName);
    });
    return this.ACTION(() => {
      const read = this.readOptions(keyword, options, ['input', 'path', 'output']);
      const path = read.get('path') ?? positional?.name;
      const output = read.get('output');
      if (path === undefined && output !== undefined) {
        this.report(
          'stage.missing_option',
          'spath with output needs a path, as in spath path=user.name output=name',
          keyword,
        );
      }
      const stage: Stage = {
        stage: 'spath',
        input: read.get('input') ?? '_raw',
        loc: locationOf(keyword),
      };
      if (path !== undefined) {
        stage.path = path;
        stage.output = output ?? defaultSpathOutput(path);
      }
      const input = optionValue(options, 'input');
      if (input !== undefined) stage.inputLoc = locationOf(input);
      return stage;
    });
  });

  private makeresultsStage = this.RULE('makeresultsStage', (): Stage => {
    const keyword = this.CONSUME(t.MakeresultsKeyword);
    const options = this.SUBRULE(this.options);
    return this.ACTION(() => {
      const text = this.readOptions(keyword, options, ['count']).get('count');
      const value = optionValue(options, 'count');
      const count =
        text === undefined || value === undefined ? 1 : this.positiveIntegerText(text, value);
      const stage: Stage = { stage: 'makeresults', count, loc: locationOf(value ?? keyword) };
      return stage;
    });
  });

  /**
   * `tstats [options] <aggs> [from ...] [where <search>] [by <fields> [span=S]]`. The `from` of
   * data models is parsed only to report it.
   */
  private tstatsStage = this.RULE('tstatsStage', (): Stage => {
    const keyword = this.CONSUME(t.TstatsKeyword);
    const before = this.SUBRULE(this.options);
    const aggregations: Aggregation[] = [];
    this.AT_LEAST_ONE({
      GATE: () => !isFromWord(this.LA(1)),
      DEF: () => {
        this.OPTION(() => this.CONSUME(t.Comma));
        aggregations.push(this.SUBRULE(this.aggregation));
      },
    });
    let from: IToken | undefined;
    this.OPTION2({
      GATE: () => isFromWord(this.LA(1)),
      DEF: () => {
        from = this.CONSUME(t.Name);
        this.SUBRULE2(this.options);
      },
    });
    let search: FilterNode | undefined;
    this.OPTION3(() => {
      this.CONSUME(t.TstatsWhere);
      search = this.SUBRULE(this.searchAnd);
    });
    let by: FieldRef[] = [];
    let after: StageOption[] = [];
    this.OPTION4(() => {
      this.OR([{ ALT: () => this.CONSUME(t.TstatsBy) }, { ALT: () => this.CONSUME(t.ByKeyword) }]);
      by = this.SUBRULE(this.fieldList);
      after = this.SUBRULE3(this.options);
    });
    return this.ACTION(() => {
      const stage: Stage = { stage: 'tstats', aggregations, by, loc: locationOf(keyword) };
      if (from !== undefined) {
        this.report(
          'stage.unsupported',
          'tstats reads events, not data models: leave out from ..., and write the constraints of the data model after where, as in tstats count where sourcetype=linux_secure',
          from,
        );
      }
      if (search !== undefined) {
        const parsed: QueryAst = { version: QUERY_AST_VERSION, filter: search, stages: [] };
        extractTimeRange(parsed, this.diagnostics);
        if (parsed.filter !== undefined) stage.filter = parsed.filter;
        if (parsed.timeRange !== undefined) stage.timeRange = parsed.timeRange;
      }
      this.readTstatsOptions(keyword, before, after, stage);
      return stage;
    });
  });

  /**
   * Reads the options of `tstats`: Splunk's options before the aggregates, which change nothing
   * here or are rejected, and `span=` after the by fields.
   */
  private readTstatsOptions(
    keyword: IToken,
    before: StageOption[],
    after: StageOption[],
    stage: Extract<Stage, { stage: 'tstats' }>,
  ): void {
    const read = this.readOptions(keyword, before, TSTATS_OPTIONS);
    const valueToken = (name: string) => optionValue(before, name) ?? keyword;
    for (const name of ['summariesonly', 'allow_old_summaries']) {
      this.booleanOption(read, name, valueToken);
    }
    if (this.booleanOption(read, 'prestats', valueToken) === true) {
      this.report(
        'stage.unsupported',
        'prestats=t is not supported: tstats returns the aggregates as stats does, so leave prestats out',
        valueToken('prestats'),
      );
    }

    const span = this.readOptions(keyword, after, ['span']).get('span');
    if (span === undefined) return;
    const spanToken = optionValue(after, 'span')!;
    if (parseSpanMillis(span) === undefined && parseCalendarSpanMonths(span) === undefined) {
      this.report(
        'stage.invalid_span',
        `Invalid span '${span}': use a count and a unit such as 30s, 5m, 1h, 1d, 1mon or 1y, up to 1000y`,
        spanToken,
      );
    } else if (!stage.by.some((field) => isTimeName(field.name))) {
      this.report(
        'stage.invalid_option',
        `span= sets the width of the _time buckets, so _time must be a by field, as in tstats count by _time span=${span}`,
        spanToken,
      );
    } else {
      stage.span = span;
    }
  }

  /** `strcat [allrequired=t|f] <field or "text">... <output field>`. */
  private strcatStage = this.RULE('strcatStage', (): Stage => {
    const keyword = this.CONSUME(t.StrcatKeyword);
    const options = this.SUBRULE(this.options);
    const items: IToken[] = [];
    this.AT_LEAST_ONE(() => {
      const item = this.OR([
        { ALT: () => this.CONSUME(t.Name) },
        { ALT: () => this.CONSUME(t.DoubleQuoted) },
        { ALT: () => this.CONSUME(t.SingleQuoted) },
      ]);
      items.push(item);
    });
    return this.ACTION(() => {
      const read = this.readOptions(keyword, options, ['allrequired']);
      const allRequired = this.booleanOption(
        read,
        'allrequired',
        (name) => optionValue(options, name)!,
      );
      const last = items.at(-1)!;
      if (items.length < 2) {
        this.report(
          'stage.missing_field',
          'strcat needs the fields or quoted strings to join, then the field to write, as in strcat host "-" user host_user',
          last,
        );
      } else if (tokenMatcher(last, t.DoubleQuoted)) {
        this.report(
          'stage.invalid',
          'strcat writes its last argument, so it must be a field name, not a quoted string: add the name of the field to write',
          last,
        );
      }
      // As in `eval`, double quotes make text and single quotes a field name.
      const parts = items.slice(0, -1).map((item): StrcatPart => {
        if (tokenMatcher(item, t.DoubleQuoted)) return { text: decodeQuotedText(item.image) };
        const field = tokenMatcher(item, t.Name) ? item.image : decodeQuotedText(item.image);
        return { field, loc: locationOf(item) };
      });
      const output = tokenMatcher(last, t.Name) ? last.image : decodeQuotedText(last.image);
      const stage: Stage = { stage: 'strcat', parts, output, loc: locationOf(last) };
      if (allRequired !== undefined) stage.allRequired = allRequired;
      return stage;
    });
  });

  /** `xyseries <x> <y> <value>...`, fields separated by spaces or commas. */
  private xyseriesStage = this.RULE('xyseriesStage', (): Stage => {
    const keyword = this.CONSUME(t.XyseriesKeyword);
    const fields = this.SUBRULE(this.fieldList);
    return this.ACTION(() => {
      const [x, y, ...values] = fields;
      if (x === undefined || y === undefined || values.length === 0) {
        this.report(
          'stage.missing_field',
          'xyseries needs the row field, the column field and the value fields, as in xyseries _time host count',
          keyword,
        );
        return { stage: 'xyseries', x: { name: '_time' }, y: { name: 'host' }, values: [] };
      }
      return { stage: 'xyseries', x, y, values, loc: locationOf(keyword) } as Stage;
    });
  });

  /** `untable <x> <name field> <value field>`. */
  private untableStage = this.RULE('untableStage', (): Stage => {
    const keyword = this.CONSUME(t.UntableKeyword);
    const fields = this.SUBRULE(this.fieldList);
    return this.ACTION(() => {
      const [x, name, value, extra] = fields;
      if (x === undefined || name === undefined || value === undefined || extra !== undefined) {
        this.report(
          'stage.invalid',
          'untable takes three fields: the row field to keep, then the names of the fields for column names and values, as in untable _time host count',
          keyword,
        );
        return {
          stage: 'untable',
          x: { name: '_time' },
          name: { name: 'name' },
          value: { name: 'value' },
        };
      }
      return { stage: 'untable', x, name, value, loc: locationOf(keyword) } as Stage;
    });
  });

  /** `foreach <field or pattern>... [<stage> (| <stage>)*]`. */
  private foreachStage = this.RULE('foreachStage', (): Stage => {
    const keyword = this.CONSUME(t.ForeachKeyword);
    const options = this.SUBRULE(this.options);
    const fields = this.SUBRULE(this.projectionList);
    this.CONSUME(t.ForeachOpen);
    const stages = [this.SUBRULE(this.stage)];
    this.MANY(() => {
      this.CONSUME(t.Pipe);
      stages.push(this.SUBRULE2(this.stage));
    });
    this.CONSUME(t.ForeachClose);
    return this.ACTION(() => {
      this.readOptions(keyword, options, []);
      for (const stage of stages) {
        if (FOREACH_STAGES.includes(stage.stage)) continue;
        this.report(
          'stage.invalid',
          `foreach repeats stages that change each row, such as eval, not ${stage.stage}: use ${FOREACH_STAGES.join(', ')}`,
          keyword,
        );
      }
      return { stage: 'foreach', fields, stages, loc: locationOf(keyword) } as Stage;
    });
  });

  private reverseStage = this.RULE('reverseStage', (): Stage => {
    const keyword = this.CONSUME(t.ReverseKeyword);
    return this.ACTION(() => ({ stage: 'reverse', loc: locationOf(keyword) }) as Stage);
  });

  /**
   * Splunk's `convert [timeformat="..."] fn(field) [as name] ...`. Each conversion is an `eval`
   * assignment, so the stage is an `eval` stage.
   */
  private deltaStage = this.RULE('deltaStage', (): Stage => {
    const keyword = this.CONSUME(t.DeltaKeyword);
    const field = this.SUBRULE(this.fieldName);
    const as = this.OPTION(() => {
      this.CONSUME(t.AsKeyword);
      return this.SUBRULE2(this.fieldName);
    });
    const options = this.SUBRULE(this.options);
    return this.ACTION(() => {
      const stage: Stage = { stage: 'delta', field: field.name };
      if (as !== undefined) stage.as = as.name;
      const p = this.readOptions(keyword, options, ['p']).get('p');
      if (p !== undefined) stage.p = this.positiveIntegerText(p, optionValue(options, 'p')!);
      if (field.loc !== undefined) stage.loc = field.loc;
      return stage;
    });
  });

  private accumStage = this.RULE('accumStage', (): Stage => {
    this.CONSUME(t.AccumKeyword);
    const field = this.SUBRULE(this.fieldName);
    const as = this.OPTION(() => {
      this.CONSUME(t.AsKeyword);
      return this.SUBRULE2(this.fieldName);
    });
    return this.ACTION(() => {
      const stage: Stage = { stage: 'accum', field: field.name };
      if (as !== undefined) stage.as = as.name;
      if (field.loc !== undefined) stage.loc = field.loc;
      return stage;
    });
  });

  /** `autoregress field [AS name] [p=n | p=from-to]`. */
  private autoregressStage = this.RULE('autoregressStage', (): Stage => {
    const keyword = this.CONSUME(t.AutoregressKeyword);
    const field = this.SUBRULE(this.fieldName);
    const as = this.OPTION(() => {
      this.CONSUME(t.AsKeyword);
      return this.SUBRULE2(this.fieldName);
    });
    const rows = this.OPTION2(() => {
      const name = this.CONSUME(t.Name);
      this.CONSUME(t.Equals);
      const from = this.CONSUME(t.NumberLiteral);
      const to = this.OPTION3(() => {
        this.CONSUME(t.Minus);
        return this.CONSUME2(t.NumberLiteral);
      });
      return { name, from, to };
    });
    return this.ACTION(() => {
      const stage: Stage = { stage: 'autoregress', field: field.name, from: 1, to: 1 };
      if (field.loc !== undefined) stage.loc = field.loc;
      if (rows !== undefined) {
        if (rows.name.image.toLowerCase() !== 'p') {
          this.report(
            'stage.invalid_option',
            `Unknown ${keyword.image.toLowerCase()} option '${rows.name.image}' (options: p)`,
            rows.name,
            'p',
          );
        }
        stage.from = this.positiveInteger(rows.from);
        stage.to = rows.to === undefined ? stage.from : this.positiveInteger(rows.to);
        if (stage.to < stage.from || stage.to - stage.from >= MAX_AUTOREGRESS_COPIES) {
          this.report(
            'stage.invalid_range',
            `Invalid p=${stage.from}-${stage.to}: give the nearer row first, at most ${MAX_AUTOREGRESS_COPIES} rows apart`,
            rows.to ?? rows.from,
          );
        }
      }
      if (as !== undefined) {
        stage.as = as.name;
        if (stage.to > stage.from) {
          this.report(
            'stage.invalid_option',
            'autoregress takes AS only with one row (p=n), because p=from-to makes a field per row',
            keyword,
          );
        }
      }
      return stage;
    });
  });

  /** `rangemap field=f name=low-high ... [default=name]`. */
  private rangemapStage = this.RULE('rangemapStage', (): Stage => {
    const keyword = this.CONSUME(t.RangemapKeyword);
    const options: StageOption[] = [];
    const ranges: { name: IToken; low: number; high: number }[] = [];
    this.MANY(() => {
      const name = this.CONSUME(t.Name);
      this.CONSUME(t.Equals);
      this.OR([
        {
          ALT: () => {
            const range = this.SUBRULE(this.numberRange);
            ranges.push({ name, ...range });
          },
        },
        {
          ALT: () => {
            const value = this.OR2([
              { ALT: () => this.CONSUME2(t.Name) },
              { ALT: () => this.CONSUME(t.DoubleQuoted) },
              { ALT: () => this.CONSUME(t.SingleQuoted) },
            ]);
            options.push({ name, value });
          },
        },
      ]);
    });
    return this.ACTION(() => {
      const read = this.readOptions(keyword, options, ['field', 'default']);
      const field = read.get('field');
      if (field === undefined) {
        this.report('stage.missing_option', 'rangemap needs field=, as in field=bytes', keyword);
      }
      const stage: Stage = {
        stage: 'rangemap',
        field: field ?? '',
        ranges: ranges.map((range) => ({
          name: range.name.image,
          low: range.low,
          high: range.high,
        })),
      };
      const fallback = read.get('default');
      if (fallback !== undefined) stage.default = fallback;
      const fieldToken = optionValue(options, 'field');
      if (fieldToken !== undefined) stage.loc = locationOf(fieldToken);
      for (const range of ranges) {
        if (range.low > range.high) {
          this.report(
            'stage.invalid_range',
            `Invalid range ${range.name.image}=${range.low}-${range.high}: give the lower end first`,
            range.name,
          );
        }
      }
      return stage;
    });
  });

  /** A numeric range `low-high` of `rangemap`; either end may be negative, as in `-5--1`. */
  private numberRange = this.RULE('numberRange', (): { low: number; high: number } => {
    const lowMinus = this.OPTION(() => this.CONSUME(t.Minus));
    const low = this.CONSUME(t.NumberLiteral);
    this.CONSUME2(t.Minus);
    const highMinus = this.OPTION2(() => this.CONSUME3(t.Minus));
    const high = this.CONSUME2(t.NumberLiteral);
    return this.ACTION(() => ({
      low: (lowMinus === undefined ? 1 : -1) * Number(low.image),
      high: (highMinus === undefined ? 1 : -1) * Number(high.image),
    }));
  });

  private convertStage = this.RULE('convertStage', (): Stage => {
    const keyword = this.CONSUME(t.ConvertKeyword);
    const options = this.SUBRULE(this.options);
    const conversions: { fn: IToken; field: FieldRef; as?: FieldRef }[] = [];
    this.AT_LEAST_ONE(() => {
      const fn = this.CONSUME(t.Name);
      this.CONSUME(t.LParen);
      const field = this.SUBRULE(this.fieldName);
      this.CONSUME(t.RParen);
      let as: FieldRef | undefined;
      this.OPTION(() => {
        this.CONSUME(t.AsKeyword);
        as = this.SUBRULE2(this.fieldName);
      });
      this.OPTION2(() => this.CONSUME(t.Comma));
      conversions.push(as === undefined ? { fn, field } : { fn, field, as });
    });
    return this.ACTION(() => {
      const format = this.readOptions(keyword, options, ['timeformat']).get('timeformat');
      const assignments: Assignment[] = [];
      for (const conversion of conversions) {
        const value = conversionExpr(
          conversion.fn.image.toLowerCase(),
          conversion.field,
          format ?? CONVERT_TIME_FORMAT,
        );
        if (value === undefined) {
          const suggestion = nearestName(conversion.fn.image, CONVERSIONS);
          this.report(
            'stage.invalid_conversion',
            `Unknown conversion '${conversion.fn.image}' (conversions: ${CONVERSIONS.join(', ')})`,
            conversion.fn,
            suggestion,
          );
          continue;
        }
        const target = conversion.as ?? conversion.field;
        // _time stays a time, which results show as one; only `as` writes its text elsewhere.
        if (/^_?time$/i.test(target.name)) continue;
        const assignment: Assignment = { name: target.name, value };
        if (target.loc !== undefined) assignment.loc = target.loc;
        assignments.push(assignment);
      }
      return { stage: 'eval', assignments } as Stage;
    });
  });

  private addtotalsStage = this.RULE('addtotalsStage', (): Stage => {
    const keyword = this.CONSUME(t.AddtotalsKeyword);
    const options = this.SUBRULE(this.options);
    let fields: FieldRef[] = [];
    this.OPTION(() => {
      fields = this.SUBRULE(this.projectionList);
    });
    return this.ACTION(() => {
      const known = ['row', 'col', 'fieldname', 'labelfield', 'label'];
      const read = this.readOptions(keyword, options, known);
      const valueToken = (name: string) => optionValue(options, name)!;
      const flag = (name: 'row' | 'col', fallback: boolean) =>
        this.booleanOption(read, name, valueToken) ?? fallback;
      const stage: Stage = {
        stage: 'addtotals',
        fields,
        row: flag('row', true),
        col: flag('col', false),
        fieldname: read.get('fieldname') ?? 'Total',
        label: read.get('label') ?? 'Total',
        loc: locationOf(keyword),
      };
      const labelfield = read.get('labelfield');
      if (labelfield !== undefined) stage.labelfield = labelfield;
      return stage;
    });
  });

  private makemvStage = this.RULE('makemvStage', (): Stage => {
    const keyword = this.CONSUME(t.MakemvKeyword);
    const options = this.SUBRULE(this.options);
    const field = this.SUBRULE(this.fieldName);
    return this.ACTION(() => {
      const read = this.readOptions(keyword, options, ['delim', 'tokenizer', 'allowempty']);
      const stage: Stage = { stage: 'makemv', field: field.name };
      if (field.loc !== undefined) stage.loc = field.loc;
      const delim = read.get('delim');
      const tokenizer = read.get('tokenizer');
      if (delim !== undefined && tokenizer !== undefined) {
        this.report(
          'stage.invalid_option',
          'makemv takes delim or tokenizer, not both',
          optionValue(options, 'tokenizer')!,
        );
      }
      if (delim !== undefined) stage.delim = delim;
      if (tokenizer !== undefined) {
        // As in rex, backslashes in a quoted tokenizer stay as written: `"(\d+)"`.
        const token = optionValue(options, 'tokenizer')!;
        stage.tokenizer = /^["']/.test(token.image) ? decodeRegex(token.image) : tokenizer;
      }
      const allowEmpty = this.booleanOption(
        read,
        'allowempty',
        (name) => optionValue(options, name)!,
      );
      if (allowEmpty !== undefined) stage.allowEmpty = allowEmpty;
      return stage;
    });
  });

  private inputlookupStage = this.RULE('inputlookupStage', (): Stage => {
    this.CONSUME(t.InputlookupKeyword);
    const table = this.SUBRULE(this.fieldName);
    return this.ACTION(() => {
      const stage: Stage = { stage: 'inputlookup', table: table.name };
      if (table.loc !== undefined) stage.loc = table.loc;
      return stage;
    });
  });

  private mvexpandStage = this.RULE('mvexpandStage', (): Stage => {
    this.CONSUME(t.MvexpandKeyword);
    const field = this.SUBRULE(this.fieldName);
    return this.ACTION(() => {
      const stage: Stage = { stage: 'mvexpand', field: field.name };
      if (field.loc !== undefined) stage.loc = field.loc;
      return stage;
    });
  });

  private transactionStage = this.RULE('transactionStage', (): Stage => {
    const keyword = this.CONSUME(t.TransactionKeyword);
    const fields: FieldRef[] = [];
    this.MANY({
      GATE: () => !tokenMatcher(this.LA(2), t.Equals),
      DEF: () => {
        this.OPTION(() => this.CONSUME(t.Comma));
        fields.push(this.SUBRULE(this.fieldName));
      },
    });
    const options: TransactionOption[] = [];
    this.MANY2({
      GATE: () => tokenMatcher(this.LA(2), t.Equals),
      DEF: () => {
        options.push(this.SUBRULE(this.transactionOption));
      },
    });
    return this.ACTION(() => {
      const stage: Stage = { stage: 'transaction', fields, loc: locationOf(keyword) };
      this.readTransactionOptions(keyword, options, stage);
      return stage;
    });
  });

  /**
   * An option of `transaction`. Besides the values other options take, `startswith=` and
   * `endswith=` take `eval(<expression>)` and a search in parentheses, and `maxevents=-1`
   * turns the limit off.
   */
  private transactionOption = this.RULE('transactionOption', (): TransactionOption => {
    const name = this.CONSUME(t.Name);
    this.CONSUME(t.Equals);
    return this.OR([
      {
        GATE: () => tokenMatcher(this.LA(2), t.LParen),
        ALT: () => {
          const value = this.CONSUME(t.EvalKeyword);
          this.CONSUME(t.LParen);
          const condition = this.SUBRULE(this.expression);
          this.CONSUME(t.RParen);
          return { name, value, condition };
        },
      },
      {
        ALT: () => {
          const open = this.CONSUME2(t.LParen);
          const tokens = this.SUBRULE(this.balancedTokens);
          const close = this.CONSUME2(t.RParen);
          return { name, value: open, parenthesized: { open, tokens, close } };
        },
      },
      {
        ALT: () => {
          this.CONSUME(t.Minus);
          return { name, value: this.CONSUME(t.NumberLiteral), negative: true };
        },
      },
      { ALT: () => ({ name, value: this.CONSUME2(t.NumberLiteral) }) },
      { ALT: () => ({ name, value: this.CONSUME(t.Duration) }) },
      { ALT: () => ({ name, value: this.CONSUME2(t.Name) }) },
      { ALT: () => ({ name, value: this.CONSUME(t.DoubleQuoted) }) },
      { ALT: () => ({ name, value: this.CONSUME(t.SingleQuoted) }) },
      { ALT: () => ({ name, value: this.CONSUME(t.TrueKeyword) }) },
      { ALT: () => ({ name, value: this.CONSUME(t.FalseKeyword) }) },
    ]);
  });

  /** The tokens up to the matching `)`, with nested parentheses, for `startswith=(...)`. */
  private balancedTokens = this.RULE('balancedTokens', (): IToken[] => {
    const tokens: IToken[] = [];
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            const open = this.CONSUME(t.LParen);
            const inner = this.SUBRULE(this.balancedTokens);
            const close = this.CONSUME(t.RParen);
            this.ACTION(() => tokens.push(open, ...inner, close));
          },
        },
        ...BALANCED_TOKENS.map((type) => ({ ALT: () => tokens.push(this.CONSUME(type)) })),
      ]);
    });
    return tokens;
  });

  /** Reads the options of a `transaction` stage, reporting invalid values at their position. */
  private readTransactionOptions(
    keyword: IToken,
    options: TransactionOption[],
    stage: Extract<Stage, { stage: 'transaction' }>,
  ): void {
    const read = this.readOptions(keyword, options, TRANSACTION_OPTIONS);
    for (const option of options) {
      const name = option.name.image.toLowerCase();
      if (!read.has(name)) continue;
      if (name === 'startswith' || name === 'endswith') {
        const condition = this.transactionCondition(name, option);
        if (condition !== undefined) stage[name] = condition;
        continue;
      }
      if (option.condition !== undefined || option.parenthesized !== undefined) {
        this.report(
          'stage.invalid_option',
          `Invalid ${name} value: ${name === 'maxevents' ? 'use a number of events such as 100' : 'use a duration such as 30m'}`,
          option.value,
        );
        continue;
      }
      const text = `${option.negative ? '-' : ''}${read.get(name)}`;
      if (name === 'maxevents') {
        const count = Number(text);
        if (count === -1) {
          stage.maxevents = -1;
        } else if (Number.isSafeInteger(count) && count > 0) {
          stage.maxevents = count;
        } else {
          this.report(
            'value.invalid_count',
            `Invalid maxevents '${text}': use a positive whole number, or -1 for no limit`,
            option.value,
          );
        }
        continue;
      }
      // Splunk's -1 turns maxspan and maxpause off, as leaving them out does.
      if (text === '-1') continue;
      const ms = parseSpanMillis(text);
      if (ms === undefined) {
        this.report(
          'stage.invalid_span',
          `Invalid ${name} '${text}': use a duration such as 30m, up to 1000y, or -1 for no limit`,
          option.value,
        );
      } else if (name === 'maxspan') {
        stage.maxspanMs = ms;
      } else {
        stage.maxpauseMs = ms;
      }
    }
  }

  /**
   * Returns the condition of `startswith=` or `endswith=`. Splunk's forms are a search in double
   * quotes or in parentheses and `eval(<expression>)`. A bare word is a search for the word.
   */
  private transactionCondition(
    name: string,
    option: TransactionOption,
  ): TransactionCondition | undefined {
    if (option.condition !== undefined) return { condition: option.condition };
    let filter: FilterNode | undefined;
    const value = option.value;
    if (option.parenthesized !== undefined) {
      const { open, tokens, close } = option.parenthesized;
      filter = this.parseConditionSearch(
        name,
        textOfTokens(tokens, open.startOffset + 1),
        positionInTokens(tokens, open, close),
        lastCharacter(close),
      );
    } else if (tokenMatcher(value, t.DoubleQuoted) || tokenMatcher(value, t.Name)) {
      // The text in quotes reads as the search part does, so \" is a quote and \* a star.
      const quoted = tokenMatcher(value, t.DoubleQuoted);
      const text = quoted ? decodeQuoted(value.image) : value.image;
      filter = this.parseConditionSearch(
        name,
        text,
        positionInText(value, text, quoted ? 1 : 0),
        lastCharacter(value),
      );
    } else {
      this.report(
        'stage.invalid_option',
        `Invalid ${name} value '${value.image}': write a search in double quotes, as in ${name}="failed password", or an eval expression, as in ${name}=eval(status="closed")`,
        value,
      );
    }
    return filter === undefined ? undefined : { filter };
  }

  /**
   * Parses the search of a `startswith` or `endswith` condition with the search part's syntax.
   * `position` maps an offset in `text` to the query, and `end` is where the search ends.
   */
  private parseConditionSearch(
    name: string,
    text: string,
    position: (offset: number) => Position,
    end: SourceLocation,
  ): FilterNode | undefined {
    const lexed = t.queryLexer.tokenize(text);
    const at = (offset: number, length: number): SourceLocation => ({
      ...position(offset),
      length,
    });
    for (const error of lexed.errors) {
      this.diagnostics.push(
        diagnosticAt(
          'syntax.unexpected_character',
          `Unexpected character '${text.substr(error.offset, error.length)}' in the search of ${name}`,
          at(error.offset, error.length),
        ),
      );
    }
    const unterminated = lexed.tokens.find(
      (token) =>
        tokenMatcher(token, t.UnterminatedString) || tokenMatcher(token, t.UnterminatedComment),
    );
    if (unterminated !== undefined) {
      this.diagnostics.push(
        diagnosticAt(
          'syntax.unterminated_string',
          `A quote or comment in the search of ${name} is not closed: write \\" for a quote inside the search`,
          at(unterminated.startOffset, unterminated.image.length),
        ),
      );
    }
    if (lexed.errors.length > 0 || unterminated !== undefined) return undefined;
    for (const token of lexed.tokens) moveToken(token, position);

    const inner = conditionParser();
    inner.input = lexed.tokens;
    inner.diagnostics = [];
    const filter = inner.searchAnd();
    this.diagnostics.push(...inner.diagnostics);
    for (const error of inner.errors) {
      const loc = tokenMatcher(error.token, EOF) ? end : locationOf(error.token);
      this.diagnostics.push(
        diagnosticAt(
          'syntax.unexpected_token',
          `Invalid search in ${name}: ${error.message.replace('end of query', 'end of the search')}`,
          loc,
        ),
      );
    }
    return inner.errors.length === 0 ? filter : undefined;
  }

  /** `| search ...`: a filter in the search syntax over the rows so far, as in Splunk. */
  private searchStage = this.RULE('searchStage', (): Stage => {
    this.CONSUME(t.SearchKeyword);
    const filter = this.SUBRULE(this.searchAnd);
    return { stage: 'search', filter };
  });

  private lookupStage = this.RULE('lookupStage', (): Stage => {
    const keyword = this.CONSUME(t.LookupKeyword);
    const table = this.CONSUME(t.Name);
    const match: LookupField[] = [];
    const outputs: LookupField[] = [];
    this.AT_LEAST_ONE({
      GATE: () =>
        !tokenMatcher(this.LA(1), t.OutputKeyword) && !tokenMatcher(this.LA(1), t.OutputnewKeyword),
      DEF: () => {
        this.OPTION(() => this.CONSUME(t.Comma));
        match.push(this.SUBRULE(this.lookupField));
      },
    });
    let outputNew = false;
    this.OPTION2(() => {
      this.OR([
        { ALT: () => this.CONSUME(t.OutputKeyword) },
        {
          ALT: () => {
            this.CONSUME(t.OutputnewKeyword);
            outputNew = true;
          },
        },
      ]);
      this.AT_LEAST_ONE2(() => {
        this.OPTION3(() => this.CONSUME2(t.Comma));
        outputs.push(this.SUBRULE2(this.lookupField));
      });
    });
    const stage: Stage = {
      stage: 'lookup',
      table: table.image,
      match,
      outputs,
      loc: locationOf(keyword, table),
    };
    if (outputNew) stage.outputNew = true;
    return stage;
  });

  private lookupField = this.RULE('lookupField', (): LookupField => {
    const column = this.SUBRULE(this.fieldName);
    let field = column;
    this.OPTION(() => {
      this.CONSUME(t.AsKeyword);
      field = this.SUBRULE2(this.fieldName);
    });
    return this.ACTION(() => ({ column: column.name, field: field.name }));
  });

  private whereStage = this.RULE('whereStage', (): Stage => {
    this.CONSUME(t.WhereKeyword);
    return { stage: 'where', condition: this.SUBRULE(this.expression) };
  });

  private evalStage = this.RULE('evalStage', (): Stage => {
    this.CONSUME(t.EvalKeyword);
    const assignments: Assignment[] = [];
    this.AT_LEAST_ONE_SEP({
      SEP: t.Comma,
      DEF: () => {
        const name = this.CONSUME(t.Name);
        this.CONSUME(t.Equals);
        const value = this.SUBRULE(this.expression);
        assignments.push(
          this.ACTION(() => ({ name: name.image, value, loc: locationOf(name) })) as Assignment,
        );
      },
    });
    return { stage: 'eval', assignments };
  });

  private statsStage = this.RULE('statsStage', (): Stage => {
    this.CONSUME(t.StatsKeyword);
    const aggregations = this.SUBRULE(this.aggregationList);
    let by: FieldRef[] = [];
    this.OPTION(() => {
      this.CONSUME(t.ByKeyword);
      by = this.SUBRULE(this.fieldList);
    });
    return { stage: 'stats', aggregations, by };
  });

  /**
   * Reads the series options of `timechart` and `chart`: `limit`, `useother`, `usenull`,
   * `otherstr` and `nullstr`.
   */
  private readSeriesOptions(
    stage: Extract<Stage, { stage: 'timechart' | 'chart' }>,
    read: Map<string, string>,
    valueToken: (name: string) => IToken,
  ): void {
    const limit = read.get('limit');
    if (limit !== undefined) {
      const count = Number(limit);
      if (!Number.isSafeInteger(count) || count < 0) {
        this.report(
          'stage.invalid_limit',
          `Invalid limit '${limit}': use the number of series to keep, or 0 for all`,
          valueToken('limit'),
        );
      } else {
        stage.limit = count;
      }
    }

    const useOther = this.booleanOption(read, 'useother', valueToken);
    if (useOther !== undefined) stage.useOther = useOther;
    const useNull = this.booleanOption(read, 'usenull', valueToken);
    if (useNull !== undefined) stage.useNull = useNull;

    for (const [option, key] of [
      ['otherstr', 'otherLabel'],
      ['nullstr', 'nullLabel'],
    ] as const) {
      const label = read.get(option);
      if (label === undefined) continue;
      if (isSeriesLabel(label)) {
        stage[key] = label;
      } else {
        this.report(
          'stage.invalid_label',
          `Invalid ${option} '${label}': use a name of 1 to ${MAX_SERIES_LABEL} characters`,
          valueToken(option),
        );
      }
    }
  }

  private timechartStage = this.RULE('timechartStage', (): Stage => {
    const keyword = this.CONSUME(t.TimechartKeyword);
    const before = this.SUBRULE(this.options);
    let aggregations: Aggregation[] = [{ fn: 'count' }];
    let by: FieldRef | undefined;
    this.OPTION(() => {
      aggregations = this.SUBRULE(this.aggregationList);
    });
    this.OPTION2(() => {
      this.CONSUME(t.ByKeyword);
      by = this.SUBRULE(this.fieldName);
    });
    // Splunk also takes the series options after the by clause.
    const after = this.SUBRULE2(this.options);
    return this.ACTION(() => {
      const options = [...before, ...after];
      const read = this.readOptions(keyword, options, [
        'span',
        'limit',
        'useother',
        'usenull',
        'otherstr',
        'nullstr',
        'cont',
      ]);
      const valueToken = (name: string) => optionValue(options, name)!;
      const stage: Stage = { stage: 'timechart', spanMs: 3_600_000, aggregations };
      if (by !== undefined) stage.by = by;

      const cont = this.booleanOption(read, 'cont', valueToken);
      if (cont === false) stage.cont = false;
      const span = read.get('span');
      if (span === undefined) stage.autoSpan = true;
      if (span !== undefined) {
        const spanMs = parseSpanMillis(span);
        const months = parseCalendarSpanMonths(span);
        if (spanMs !== undefined) {
          stage.spanMs = spanMs;
        } else if (months !== undefined) {
          stage.spanMonths = months;
        } else {
          this.report(
            'stage.invalid_span',
            `Invalid span '${span}': use a count and a unit such as 30s, 5m, 1h, 1d, 1mon or 1y, up to 1000y`,
            valueToken('span'),
          );
        }
      }

      this.readSeriesOptions(stage, read, valueToken);
      return stage;
    });
  });

  private topStage = this.RULE('topStage', (): Stage => {
    const keyword = this.OR([
      { ALT: () => this.CONSUME(t.TopKeyword) },
      { ALT: () => this.CONSUME(t.RareKeyword) },
    ]);
    let limit = 10;
    const display: TopDisplay = {};
    const known = ['limit', 'showcount', 'showperc', 'countfield', 'percentfield'];
    const read = (option: { name: IToken; value: IToken }) => {
      this.ACTION(() => {
        const name = option.name.image.toLowerCase();
        const value = option.value;
        const quoted = tokenMatcher(value, t.DoubleQuoted) || tokenMatcher(value, t.SingleQuoted);
        const text = quoted ? decodeQuotedText(value.image) : value.image;
        if (name === 'limit') {
          limit = this.positiveInteger(value);
        } else if (name === 'showcount' || name === 'showperc') {
          const flag = BOOLEAN_OPTION_VALUES[text.toLowerCase()];
          if (flag === undefined) {
            this.report(
              'stage.invalid_option',
              `${name} takes true or false, not '${text}'`,
              value,
            );
          } else if (name === 'showcount') {
            display.showCount = flag;
          } else {
            display.showPercent = flag;
          }
        } else if (name === 'countfield' || name === 'percentfield') {
          display[name === 'countfield' ? 'countField' : 'percentField'] = text;
        } else {
          const suggestion = nearestName(name, known);
          this.report(
            'stage.invalid_option',
            `Unknown ${keyword.image} option '${option.name.image}' (options: ${known.join(', ')})`,
            option.name,
            suggestion,
          );
        }
      });
    };
    // SPL takes the options before the fields or after them: `top limit=5 user`, `top user limit=5`.
    this.MANY(() => read(this.SUBRULE(this.topOption)));
    const fields = this.SUBRULE(this.fieldList);
    let by: FieldRef[] = [];
    this.OPTION(() => {
      this.CONSUME(t.ByKeyword);
      by = this.SUBRULE2(this.fieldList);
    });
    this.MANY2(() => read(this.SUBRULE2(this.topOption)));
    return this.ACTION(() => ({
      stage: tokenMatcher(keyword, t.TopKeyword) ? 'top' : 'rare',
      fields,
      by,
      limit,
      ...display,
    })) as Stage;
  });

  /** `name=value`, an option of `top` and `rare`. */
  private topOption = this.RULE('topOption', (): { name: IToken; value: IToken } => {
    const name = this.CONSUME(t.Name);
    this.CONSUME(t.Equals);
    const value = this.OR([
      { ALT: () => this.CONSUME(t.NumberLiteral) },
      { ALT: () => this.CONSUME2(t.Name) },
      { ALT: () => this.CONSUME(t.TrueKeyword) },
      { ALT: () => this.CONSUME(t.FalseKeyword) },
      { ALT: () => this.CONSUME(t.DoubleQuoted) },
      { ALT: () => this.CONSUME(t.SingleQuoted) },
    ]);
    return { name, value };
  });

  private sortStage = this.RULE('sortStage', (): Stage => {
    this.CONSUME(t.SortKeyword);
    let limit: number | undefined;
    this.OPTION3(() => {
      const count = this.CONSUME(t.NumberLiteral);
      this.ACTION(() => {
        // Splunk's `sort 0` keeps every row.
        limit = count.image === '0' ? 0 : this.positiveInteger(count);
      });
    });
    const keys = this.SUBRULE(this.sortKeys);
    return this.ACTION(() => {
      const stage: Stage = { stage: 'sort', keys };
      if (limit !== undefined && limit > 0) stage.limit = limit;
      return stage;
    });
  });

  /** Sort keys, each `-` (descending) or `+` and a field, as `sort` and `dedup ... sortby` take. */
  private sortKeys = this.RULE('sortKeys', (): SortKey[] => {
    const keys: SortKey[] = [];
    this.AT_LEAST_ONE(() => {
      this.OPTION(() => this.CONSUME(t.Comma));
      let descending = false;
      this.OPTION2(() =>
        this.OR([
          {
            ALT: () => {
              this.CONSUME(t.Minus);
              descending = true;
            },
          },
          { ALT: () => this.CONSUME(t.Plus) },
        ]),
      );
      const field = this.SUBRULE(this.fieldName);
      // `sort - dc(dst_ip)`: the field `stats dc(dst_ip)` names after its function.
      let argument: FieldRef | undefined;
      this.OPTION4(() => {
        this.CONSUME(t.LParen);
        argument = this.SUBRULE2(this.fieldName);
        this.CONSUME(t.RParen);
      });
      keys.push(
        this.ACTION(() => ({
          field: argument === undefined ? field.name : `${field.name}(${argument.name})`,
          descending,
          loc: field.loc,
        })) as SortKey,
      );
    });
    return keys;
  });

  private headStage = this.RULE('headStage', (): Stage => {
    const keyword = this.OR([
      { ALT: () => this.CONSUME(t.HeadKeyword) },
      { ALT: () => this.CONSUME(t.TailKeyword) },
    ]);
    let count = 10;
    this.OPTION(() => {
      const value = this.CONSUME(t.NumberLiteral);
      this.ACTION(() => {
        count = this.positiveInteger(value);
      });
    });
    return this.ACTION(() => ({
      stage: tokenMatcher(keyword, t.HeadKeyword) ? 'head' : 'tail',
      count,
    })) as Stage;
  });

  private tableStage = this.RULE('tableStage', (): Stage => {
    this.CONSUME(t.TableKeyword);
    return { stage: 'table', fields: this.SUBRULE(this.projectionList) };
  });

  private fieldsStage = this.RULE('fieldsStage', (): Stage => {
    this.CONSUME(t.FieldsKeyword);
    let mode: 'include' | 'exclude' = 'include';
    this.OPTION(() =>
      this.OR([
        {
          ALT: () => {
            this.CONSUME(t.Minus);
            mode = 'exclude';
          },
        },
        { ALT: () => this.CONSUME(t.Plus) },
      ]),
    );
    return { stage: 'fields', mode, fields: this.SUBRULE(this.projectionList) };
  });

  /** Field names of `table` and `fields`, where `*` stands for any characters: `table src_*`. */
  private projectionList = this.RULE('projectionList', (): FieldRef[] => {
    const fields = [this.SUBRULE(this.projectionField)];
    this.MANY(() => {
      this.OPTION(() => this.CONSUME(t.Comma));
      fields.push(this.SUBRULE2(this.projectionField));
    });
    return fields;
  });

  private projectionField = this.RULE('projectionField', (): FieldRef => {
    const parts: IToken[] = [];
    this.OR([
      { ALT: () => parts.push(this.CONSUME(t.Star)) },
      { ALT: () => parts.push(this.CONSUME(t.Name)) },
      { ALT: () => parts.push(this.CONSUME(t.DoubleQuoted)) },
      { ALT: () => parts.push(this.CONSUME(t.SingleQuoted)) },
    ]);
    // A star and a name written together are one pattern: `src_*`, `*_ip`, `a*b`.
    this.MANY({
      GATE: () => {
        const next = this.LA(1);
        const last = parts[parts.length - 1];
        const joined = last !== undefined && next.startOffset === (last.endOffset ?? -2) + 1;
        return joined && (tokenMatcher(next, t.Star) || tokenMatcher(last, t.Star));
      },
      DEF: () => {
        this.OR2([
          { ALT: () => parts.push(this.CONSUME2(t.Star)) },
          { ALT: () => parts.push(this.CONSUME2(t.Name)) },
        ]);
      },
    });
    return this.ACTION(() => {
      const [first] = parts;
      const quoted =
        parts.length === 1 &&
        (tokenMatcher(first!, t.DoubleQuoted) || tokenMatcher(first!, t.SingleQuoted));
      const name = quoted
        ? decodeQuotedText(first!.image)
        : parts.map((part) => part.image).join('');
      return { name, loc: locationOf(first!, parts[parts.length - 1]) };
    });
  });

  private dedupStage = this.RULE('dedupStage', (): Stage => {
    const keyword = this.CONSUME(t.DedupKeyword);
    let count: number | undefined;
    this.OPTION(() => {
      const token = this.CONSUME(t.NumberLiteral);
      this.ACTION(() => {
        count = this.positiveInteger(token);
      });
    });
    const fields = this.SUBRULE(this.fieldList);
    const options = this.SUBRULE(this.options);
    let sortBy: SortKey[] | undefined;
    this.OPTION2({
      GATE: () => isSortby(this.LA(1)),
      DEF: () => {
        this.CONSUME(t.Name);
        sortBy = this.SUBRULE(this.sortKeys);
      },
    });
    return this.ACTION(() => {
      const stage: Stage = { stage: 'dedup', fields };
      if (count !== undefined && count > 1) stage.count = count;
      if (sortBy !== undefined) stage.sortBy = sortBy;
      const read = this.readOptions(keyword, options, ['consecutive', 'keepempty']);
      for (const [name, text] of read) {
        const flag = BOOLEAN_OPTION_VALUES[text.toLowerCase()];
        const value = optionValue(options, name)!;
        if (flag === undefined) {
          this.report('stage.invalid_option', `${name} takes true or false, not '${text}'`, value);
        } else if (flag && name === 'consecutive') {
          stage.consecutive = true;
        } else if (flag) {
          stage.keepEmpty = true;
        }
      }
      return stage;
    });
  });

  private renameStage = this.RULE('renameStage', (): Stage => {
    this.CONSUME(t.RenameKeyword);
    const renames: Rename[] = [];
    this.AT_LEAST_ONE_SEP({
      SEP: t.Comma,
      DEF: () => {
        // A name may have `*` wildcards, as in Splunk's `rename src_* as source_*`.
        const from = this.SUBRULE(this.projectionField);
        this.CONSUME(t.AsKeyword);
        const to = this.SUBRULE2(this.projectionField);
        renames.push(this.ACTION(() => ({ from: from.name, to: to.name, loc: to.loc })) as Rename);
      },
    });
    return { stage: 'rename', renames };
  });

  private aggregationList = this.RULE('aggregationList', (): Aggregation[] => {
    const aggregations = [this.SUBRULE(this.aggregation)];
    this.MANY({
      // `name=value` after the aggregates is an option, as in `timechart count limit=5`.
      GATE: () =>
        !(tokenMatcher(this.LA(1), t.Name) && tokenMatcher(this.LA(2), t.Equals)) &&
        !(tokenMatcher(this.LA(1), t.Comma) && tokenMatcher(this.LA(3), t.Equals)),
      DEF: () => {
        this.OPTION(() => this.CONSUME(t.Comma));
        aggregations.push(this.SUBRULE2(this.aggregation));
      },
    });
    return aggregations;
  });

  private aggregation = this.RULE('aggregation', (): Aggregation => {
    const fn = this.CONSUME(t.Name);
    let field: FieldRef | undefined;
    let expr: Expr | undefined;
    let as: FieldRef | undefined;
    let close: IToken | undefined;
    this.OPTION(() => {
      this.CONSUME(t.LParen);
      this.OPTION2(() => {
        this.OR([
          {
            ALT: () => {
              this.CONSUME(t.EvalKeyword);
              this.CONSUME2(t.LParen);
              expr = this.SUBRULE(this.expression);
              this.CONSUME2(t.RParen);
            },
          },
          {
            ALT: () => {
              field = this.SUBRULE(this.fieldName);
            },
          },
        ]);
      });
      close = this.CONSUME(t.RParen);
    });
    this.OPTION3(() => {
      this.CONSUME(t.AsKeyword);
      as = this.SUBRULE2(this.fieldName);
    });
    return this.ACTION(() => {
      const written = fn.image.toLowerCase();
      const percentile = /^(perc|p|exactperc|upperperc)(100|\d{1,2}(?:\.\d+)?)$/.exec(written);
      const name = percentile ? 'perc' : written;
      if (
        !(AGGREGATE_FUNCTIONS as readonly string[]).includes(name) ||
        (name === 'perc' && !percentile)
      ) {
        const suggestion = AGGREGATE_SPELLINGS[name] ?? nearestName(name, AGGREGATE_FUNCTIONS);
        const hint = suggestion === undefined ? '' : `; did you mean '${suggestion}'?`;
        this.report(
          'aggregate.unknown',
          `Unknown aggregate function '${fn.image}'${hint}`,
          fn,
          suggestion,
        );
      } else if (name !== 'count' && field === undefined && expr === undefined) {
        this.report(
          'aggregate.missing_field',
          `${name}() needs a field, as in ${name}(src_ip)`,
          close ?? fn,
        );
      }
      const aggregation: Aggregation = { fn: name as AggregateFunction, loc: locationOf(fn) };
      if (percentile) {
        aggregation.percentile = Number(percentile[2]);
        if (percentile[1] !== 'perc') aggregation.spelling = percentile[1] as PercentileSpelling;
      }
      if (field !== undefined) aggregation.field = field.name;
      if (expr !== undefined) aggregation.expr = expr;
      if (as !== undefined) aggregation.as = as.name;
      return aggregation;
    });
  });

  private fieldList = this.RULE('fieldList', (): FieldRef[] => {
    const fields = [this.SUBRULE(this.fieldName)];
    this.MANY({
      // `name=` starts an option after the list, as in `top user limit=5`, and `sortby` the sort
      // keys of `dedup`.
      GATE: () =>
        !(tokenMatcher(this.LA(1), t.Name) && tokenMatcher(this.LA(2), t.Equals)) &&
        !isSortby(this.LA(1)),
      DEF: () => {
        this.OPTION(() => this.CONSUME(t.Comma));
        fields.push(this.SUBRULE2(this.fieldName));
      },
    });
    return fields;
  });

  /** A field name where no expression can appear; quoted either way, as in Splunk's rename. */
  private fieldName = this.RULE('fieldName', (): FieldRef => {
    const token = this.OR([
      { ALT: () => this.CONSUME(t.Name) },
      { ALT: () => this.CONSUME(t.SingleQuoted) },
      { ALT: () => this.CONSUME(t.DoubleQuoted) },
    ]);
    return this.ACTION(() => ({
      name: tokenMatcher(token, t.Name) ? token.image : decodeQuotedText(token.image),
      loc: locationOf(token),
    }));
  });

  // Expressions of `where` and `eval`.

  private expression = this.RULE('expression', (): Expr => {
    let left = this.SUBRULE(this.andExpression);
    this.MANY(() => {
      this.CONSUME(t.OrKeyword);
      const right = this.SUBRULE2(this.andExpression);
      left = { expr: 'binary', op: 'or', left, right };
    });
    return left;
  });

  private andExpression = this.RULE('andExpression', (): Expr => {
    let left = this.SUBRULE(this.notExpression);
    this.MANY(() => {
      this.CONSUME(t.AndKeyword);
      const right = this.SUBRULE2(this.notExpression);
      left = { expr: 'binary', op: 'and', left, right };
    });
    return left;
  });

  private notExpression = this.RULE(
    'notExpression',
    (): Expr =>
      this.OR([
        {
          ALT: () => {
            this.CONSUME(t.NotKeyword);
            return { expr: 'not', arg: this.SUBRULE(this.notExpression) } as Expr;
          },
        },
        { ALT: () => this.SUBRULE(this.comparison) },
      ]),
  );

  private comparison = this.RULE('comparison', (): Expr => {
    const left = this.SUBRULE(this.additive);
    let result = left;
    this.OPTION(() =>
      this.OR([
        {
          ALT: () => {
            const operator = this.CONSUME(t.Comparison);
            const right = this.SUBRULE2(this.additive);
            result = this.ACTION(() => ({
              expr: 'binary',
              op: COMPARISON_OPERATORS.get(operator.tokenType) ?? '=',
              left,
              right,
              loc: locationOf(operator),
            })) as Expr;
          },
        },
        {
          ALT: () => {
            const operator = this.CONSUME(t.LikeKeyword);
            const right = this.SUBRULE3(this.additive);
            result = { expr: 'binary', op: 'like', left, right, loc: locationOf(operator) };
          },
        },
        {
          ALT: () => {
            let negated = false;
            this.OPTION2(() => {
              this.CONSUME(t.NotKeyword);
              negated = true;
            });
            this.CONSUME(t.InKeyword);
            this.CONSUME(t.LParen);
            const values: Expr[] = [];
            this.AT_LEAST_ONE_SEP({
              SEP: t.Comma,
              DEF: () => values.push(this.SUBRULE(this.expression)),
            });
            this.CONSUME(t.RParen);
            const membership: Expr = { expr: 'in', arg: left, values };
            result = negated ? { expr: 'not', arg: membership } : membership;
          },
        },
      ]),
    );
    return result;
  });

  /** Accepts the `()` of Splunk's `true()`, `false()` and `null()` functions. */
  private emptyCall = this.RULE('emptyCall', (): void => {
    this.OPTION(() => {
      this.CONSUME(t.LParen);
      this.CONSUME(t.RParen);
    });
  });

  private additive = this.RULE('additive', (): Expr => {
    let left = this.SUBRULE(this.multiplicative);
    this.MANY(() => {
      const operator = this.OR([
        { ALT: () => this.CONSUME(t.Plus) },
        { ALT: () => this.CONSUME(t.Minus) },
        { ALT: () => this.CONSUME(t.Dot) },
      ]);
      const right = this.SUBRULE2(this.multiplicative);
      left = this.ACTION(() => ({
        expr: 'binary',
        op: operator.image as BinaryOperator,
        left,
        right,
        loc: locationOf(operator),
      })) as Expr;
    });
    return left;
  });

  private multiplicative = this.RULE('multiplicative', (): Expr => {
    let left = this.SUBRULE(this.unary);
    this.MANY(() => {
      const operator = this.OR([
        { ALT: () => this.CONSUME(t.Star) },
        { ALT: () => this.CONSUME(t.Slash) },
        { ALT: () => this.CONSUME(t.Percent) },
      ]);
      const right = this.SUBRULE2(this.unary);
      left = this.ACTION(() => ({
        expr: 'binary',
        op: operator.image as BinaryOperator,
        left,
        right,
        loc: locationOf(operator),
      })) as Expr;
    });
    return left;
  });

  private unary = this.RULE(
    'unary',
    (): Expr =>
      this.OR([
        {
          ALT: () => {
            this.CONSUME(t.Minus);
            return { expr: 'negate', arg: this.SUBRULE(this.unary) } as Expr;
          },
        },
        { ALT: () => this.SUBRULE(this.primary) },
      ]),
  );

  private primary = this.RULE(
    'primary',
    (): Expr =>
      this.OR([
        {
          ALT: () => {
            const token = this.CONSUME(t.NumberLiteral);
            return this.ACTION(() => {
              const value = Number(token.image);
              if (!Number.isFinite(value)) {
                this.report(
                  'value.invalid_number',
                  `Number ${token.image} is too large: numbers go up to about 1.8e308`,
                  token,
                );
              }
              return { expr: 'literal', value: Number.isFinite(value) ? value : 0 };
            }) as Expr;
          },
        },
        {
          ALT: () => {
            const token = this.CONSUME(t.DoubleQuoted);
            return this.ACTION(() => ({
              expr: 'literal',
              value: decodeQuotedText(token.image),
            })) as Expr;
          },
        },
        {
          ALT: () => {
            // Splunk reads single quotes in `where` and `eval` as a field name.
            const token = this.CONSUME(t.SingleQuoted);
            return this.ACTION(() => ({
              expr: 'field',
              name: decodeQuotedText(token.image),
              loc: locationOf(token),
            })) as Expr;
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.TrueKeyword);
            this.SUBRULE7(this.emptyCall);
            return { expr: 'literal', value: true } as Expr;
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.FalseKeyword);
            this.SUBRULE8(this.emptyCall);
            return { expr: 'literal', value: false } as Expr;
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.NullKeyword);
            this.SUBRULE9(this.emptyCall);
            return { expr: 'literal', value: null } as Expr;
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.LParen);
            const inner = this.SUBRULE(this.expression);
            this.CONSUME(t.RParen);
            return inner;
          },
        },
        { ALT: () => this.SUBRULE(this.likeCall) },
        { ALT: () => this.SUBRULE(this.inCall) },
        { ALT: () => this.SUBRULE(this.nameOrCall) },
      ]),
  );

  /** Splunk's `like(field, pattern)`, the function form of the `like` operator. */
  private likeCall = this.RULE('likeCall', (): Expr => {
    const keyword = this.CONSUME(t.LikeKeyword);
    this.CONSUME(t.LParen);
    const args = [this.SUBRULE(this.expression)];
    this.CONSUME(t.Comma);
    args.push(this.SUBRULE2(this.expression));
    this.CONSUME(t.RParen);
    return { expr: 'call', fn: 'like', args, loc: locationOf(keyword) };
  });

  /** Splunk's `in(field, "a", "b")`, the function form of `field in ("a", "b")`. */
  private inCall = this.RULE('inCall', (): Expr => {
    this.CONSUME(t.InKeyword);
    this.CONSUME(t.LParen);
    const arg = this.SUBRULE(this.expression);
    const values: Expr[] = [];
    this.AT_LEAST_ONE(() => {
      this.CONSUME(t.Comma);
      values.push(this.SUBRULE2(this.expression));
    });
    this.CONSUME(t.RParen);
    return { expr: 'in', arg, values };
  });

  private nameOrCall = this.RULE('nameOrCall', (): Expr => {
    const name = this.CONSUME(t.Name);
    let args: Expr[] | undefined;
    this.OPTION(() => {
      this.CONSUME(t.LParen);
      args = [];
      this.MANY_SEP({ SEP: t.Comma, DEF: () => args!.push(this.SUBRULE(this.expression)) });
      this.CONSUME(t.RParen);
    });
    return this.ACTION(() =>
      args === undefined
        ? { expr: 'field', name: name.image, loc: locationOf(name) }
        : { expr: 'call', fn: name.image.toLowerCase(), args, loc: locationOf(name) },
    ) as Expr;
  });

  /** Reads stage options, reporting unknown and repeated ones. */
  private readOptions(
    keyword: IToken,
    options: StageOption[],
    known: string[],
  ): Map<string, string> {
    const read = new Map<string, string>();
    for (const option of options) {
      const name = option.name.image.toLowerCase();
      if (!known.includes(name)) {
        const suggestion = nearestName(name, known);
        const list = known.length === 0 ? 'none' : known.join(', ');
        this.report(
          'stage.invalid_option',
          `Unknown ${keyword.image.toLowerCase()} option '${option.name.image}' (options: ${list})`,
          option.name,
          suggestion,
        );
        continue;
      }
      const value = option.value;
      const quoted = tokenMatcher(value, t.DoubleQuoted) || tokenMatcher(value, t.SingleQuoted);
      read.set(name, quoted ? decodeQuotedText(value.image) : value.image);
    }
    return read;
  }

  private positiveIntegerText(text: string, token: IToken): number {
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value <= 0) {
      this.report(
        'value.invalid_count',
        `Expected a positive whole number, found '${text}'`,
        token,
      );
      return 1;
    }
    return value;
  }

  private positiveInteger(token: IToken): number {
    const value = Number(token.image);
    if (!Number.isSafeInteger(value) || value <= 0) {
      this.report(
        'value.invalid_count',
        `Expected a positive whole number, found '${token.image}'`,
        token,
      );
      return 10;
    }
    return value;
  }
}

interface StageOption {
  name: IToken;
  value: IToken;
}

/** An option of `transaction`; `value` is the first token of the value. */
interface TransactionOption extends StageOption {
  /** True for `-1`, a minus and a number. */
  negative?: boolean;
  /** The expression of `eval(...)`. */
  condition?: Expr;
  /** The tokens of a value in parentheses. */
  parenthesized?: { open: IToken; tokens: IToken[]; close: IToken };
}

/**
 * SPL aggregates to suggest for names from other query languages (KQL, SQL, Sumo Logic) and for
 * common shorthands. These names are too far from the SPL ones for `nearestName` to find.
 */
const AGGREGATE_SPELLINGS: Readonly<Record<string, string>> = {
  cnt: 'count',
  dcount: 'dc',
  distinct: 'dc',
  count_distinct: 'dc',
  countdistinct: 'dc',
  uniq: 'dc',
  unique: 'dc',
  total: 'sum',
  average: 'avg',
  med: 'median',
  percentile: 'perc95',
  std: 'stdev',
  stddev: 'stdev',
  variance: 'var',
  make_set: 'values',
  make_list: 'list',
};

/** Options of `tstats` before its aggregates. */
const TSTATS_OPTIONS = ['summariesonly', 'allow_old_summaries', 'prestats'];

/** True for the `from` of `tstats ... from datamodel=...`. */
function isFromWord(token: IToken): boolean {
  return tokenMatcher(token, t.Name) && token.image.toLowerCase() === 'from';
}

const TRANSACTION_OPTIONS = ['maxspan', 'maxpause', 'maxevents', 'startswith', 'endswith'];

/** Returns the value token of option `name` (lower case), or undefined when it is absent. */
function optionValue(options: readonly StageOption[], name: string): IToken | undefined {
  return options.find((option) => option.name.image.toLowerCase() === name)?.value;
}

/** Splunk's spellings of a boolean option value. */
const BOOLEAN_OPTION_VALUES: Readonly<Record<string, boolean>> = {
  t: true,
  true: true,
  1: true,
  f: false,
  false: false,
  0: false,
};

/** Splunk's default `timeformat` of `convert`. */
const CONVERT_TIME_FORMAT = '%m/%d/%Y %H:%M:%S';

/** The conversions of `convert`. */
const CONVERSIONS = ['ctime', 'mktime', 'num', 'auto', 'rmcomma', 'rmunit', 'dur2sec', 'none'];

/** Returns the expression of one `convert` function of a field, or undefined for another name. */
function conversionExpr(fn: string, field: FieldRef, format: string): Expr | undefined {
  const value: Expr = { expr: 'field', name: field.name, ...(field.loc && { loc: field.loc }) };
  const call = (name: string, ...args: Expr[]): Expr => ({ expr: 'call', fn: name, args });
  const text = (literal: string): Expr => ({ expr: 'literal', value: literal });
  switch (fn) {
    case 'ctime':
      return call('strftime', value, text(format));
    case 'mktime':
      return call('strptime', value, text(format));
    case 'num':
    case 'auto':
      return call('tonumber', value);
    case 'rmcomma':
      return call('tonumber', call('replace', value, text(','), text('')));
    case 'rmunit':
      // The number at the start of the value: `10.5MB` is 10.5.
      return call(
        'tonumber',
        call(
          'replace',
          value,
          text('^\\s*([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*$'),
          text('\\1'),
        ),
      );
    case 'dur2sec': {
      // [D+]HH:MM:SS as seconds, as Splunk writes durations.
      const parts = call(
        'split',
        call(
          'replace',
          value,
          text('^(?:(\\d+)\\+)?(\\d+):(\\d+):(\\d+)$'),
          text('\\1:\\2:\\3:\\4'),
        ),
        text(':'),
      );
      const part = (index: number) =>
        call(
          'coalesce',
          call('tonumber', call('mvindex', parts, { expr: 'literal', value: index })),
          {
            expr: 'literal',
            value: 0,
          },
        );
      const seconds = (index: number, factor: number): Expr => ({
        expr: 'binary',
        op: '*',
        left: part(index),
        right: { expr: 'literal', value: factor },
      });
      const sum = (left: Expr, right: Expr): Expr => ({ expr: 'binary', op: '+', left, right });
      const total = sum(sum(sum(seconds(0, 86_400), seconds(1, 3600)), seconds(2, 60)), part(3));
      return call('if', call('match', value, text('^(\\d+\\+)?\\d+:\\d+:\\d+$')), total, {
        expr: 'literal',
        value: null,
      });
    }
    case 'none':
      return value;
    default:
      return undefined;
  }
}

/** The text of a quoted regular expression: only `\"` is an escape, so `\d` stays as written. */
function decodeRegex(image: string): string {
  return image.slice(1, -1).replace(/\\"/g, '"');
}

/** True when `next` starts right where `previous` ends, with no white space between. */
function adjacent(previous: IToken, next: IToken): boolean {
  return (
    (tokenMatcher(next, t.Word) || tokenMatcher(next, t.Colon)) &&
    next.startOffset === (previous.endOffset ?? previous.startOffset) + 1
  );
}

const parser = new QueryParser();

let searchConditionParser: QueryParser | undefined;

/**
 * Returns the parser of the searches in `transaction startswith=` and `endswith=`. It is a second
 * instance because the first is in the middle of the query, and it is made on first use.
 */
function conditionParser(): QueryParser {
  searchConditionParser ??= new QueryParser();
  return searchConditionParser;
}

/**
 * Parses query text into an AST without resolving field names, and returns syntax diagnostics.
 * `parseQuery` adds the semantic checks and the guarantee not to throw.
 */
export function parseQuerySyntax(text: string): { ast?: QueryAst; errors: QueryDiagnostic[] } {
  const lexed = t.queryLexer.tokenize(text);
  const errors: QueryDiagnostic[] = lexed.errors.map((error) =>
    diagnosticAt(
      'syntax.unexpected_character',
      `Unexpected character '${text.substr(error.offset, error.length)}'`,
      {
        offset: error.offset,
        length: error.length,
        line: error.line ?? 1,
        column: error.column ?? 1,
      },
    ),
  );
  for (const token of lexed.tokens) {
    if (tokenMatcher(token, t.UnterminatedString)) {
      errors.push(
        diagnosticAt(
          'syntax.unterminated_string',
          `String starting with ${token.image[0]} has no closing quote`,
          locationOf(token),
          { expected: [`closing ${token.image[0]}`] },
        ),
      );
    }
    if (tokenMatcher(token, t.Macro)) {
      // Splunk's `macro` expands to a search this appliance does not know.
      errors.push(
        diagnosticAt(
          'syntax.macro',
          `Search macros such as ${token.image} are not supported: write the search it stands for`,
          locationOf(token),
        ),
      );
    }
    if (tokenMatcher(token, t.UnterminatedComment)) {
      errors.push(
        diagnosticAt(
          'syntax.unterminated_comment',
          'Comment starting with ``` has no closing ```',
          locationOf(token),
          { expected: ['closing ```'] },
        ),
      );
    }
  }
  const template = templateOutsideForeach(lexed.tokens);
  if (template !== undefined) {
    errors.push(
      diagnosticAt(
        'syntax.template',
        `${template.image} has a foreach template, which only the stages in the brackets of foreach may use, as in foreach bytes_* [eval <<FIELD>>_kb = <<FIELD>> / 1024]`,
        locationOf(template),
      ),
    );
  }
  if (errors.length > 0) {
    const command = unknownCommandBefore(lexed.tokens, errors[0]!.offset);
    return { errors: command === undefined ? errors : [command] };
  }

  parser.input = lexed.tokens;
  parser.diagnostics = [];
  const ast = parser.query();
  if (parser.errors.length > 0) {
    return { errors: parser.errors.map((error) => syntaxDiagnostic(error, text, lexed.tokens)) };
  }
  const diagnostics = [...parser.diagnostics];
  extractTimeRange(ast, diagnostics);
  return diagnostics.length > 0 ? { errors: diagnostics } : { ast, errors: [] };
}

/**
 * Parses query text and checks it: syntax, field names, functions and values. Returns the AST
 * when there is no error; never throws on user input.
 */
export function parseQuery(text: string): { ast?: QueryAst; errors: QueryDiagnostic[] } {
  try {
    const parsed = parseQuerySyntax(text);
    if (parsed.ast === undefined) return parsed;
    const errors = checkQuery(parsed.ast, Date.now());
    return errors.length > 0 ? { errors } : parsed;
  } catch (error) {
    // Thousands of nested parentheses or NOTs exhaust the stack of the recursive parser.
    if (error instanceof RangeError) {
      const message =
        'The query is nested too deeply: use fewer levels of parentheses, NOT or function calls';
      return { errors: [diagnosticAt('syntax.too_deep', message, undefined)] };
    }
    // Reached only through a defect in the parser; reported as data to keep the contract.
    const message = `Query could not be parsed: ${error instanceof Error ? error.message : String(error)}`;
    return { errors: [diagnosticAt('internal.error', message, undefined)] };
  }
}

/**
 * Checks canonical JSON (as the REST API accepts it) like `parseQuery` checks text: returns the
 * AST or the diagnostics, never throws on user input.
 */
export function parseQueryJson(json: unknown): { ast?: QueryAst; errors: QueryDiagnostic[] } {
  try {
    const ast = astFromJson(json);
    const errors = checkQuery(ast, Date.now());
    return errors.length > 0 ? { errors } : { ast, errors: [] };
  } catch (error) {
    if (error instanceof QueryError) return { errors: error.diagnostics };
    const message = `Query JSON could not be read: ${error instanceof Error ? error.message : String(error)}`;
    return { errors: [diagnosticAt('internal.error', message, undefined)] };
  }
}

/** The grammar's possible next tokens after `tokens`, for content assist. */
export function nextTokenPaths(tokens: IToken[]) {
  return parser.computeContentAssist('query', tokens);
}
