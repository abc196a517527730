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
 *   stage       := where expr | eval name '=' expr (',' ...)* | stats aggs (by fields)?
 *                | timechart (span=DURATION)? aggs? (by field)? | top|rare (limit=N)? fields (by fields)?
 *                | sort ('-'|'+')? field ... | head N | tail N | table fields | fields ('+'|'-')? fields
 *                | dedup fields | rename field as name (',' ...)*
 *   expr        := or-chain of and-chains of comparisons of arithmetic, with functions such as
 *                  if(), case(), coalesce(), lower(), cidrmatch()
 */

import { EmbeddedActionsParser, type IToken, tokenMatcher } from 'chevrotain';
import type {
  AggregateFunction,
  Aggregation,
  Assignment,
  BinaryOperator,
  Expr,
  FieldRef,
  FilterNode,
  QueryAst,
  Rename,
  SortKey,
  Stage,
} from './ast.js';
import { AGGREGATE_FUNCTIONS, QUERY_AST_VERSION } from './ast.js';
import { checkQuery } from './compiler.js';
import { diagnosticAt, nearestName, type QueryDiagnostic } from './errors.js';
import * as t from './lexer.js';
import {
  buildComparison,
  buildIn,
  COMPARISON_OPERATORS,
  extractTimeRange,
  freeText,
  type SearchValue,
} from './search-terms.js';
import { errorMessageProvider, locationOf, syntaxDiagnostic } from './syntax-errors.js';
import { parseSpanMillis } from './time.js';
import { decodeQuoted, decodeQuotedText } from './values.js';

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
      filter = this.SUBRULE(this.searchOr);
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

  private searchOr = this.RULE('searchOr', (): FilterNode => {
    const args = [this.SUBRULE(this.searchAnd)];
    this.MANY(() => {
      this.CONSUME(t.Or);
      args.push(this.SUBRULE2(this.searchAnd));
    });
    return args.length === 1 ? args[0]! : { op: 'or', args };
  });

  private searchAnd = this.RULE('searchAnd', (): FilterNode => {
    const args = [this.SUBRULE(this.searchNot)];
    this.MANY(() => {
      this.OPTION(() => this.CONSUME(t.And));
      args.push(this.SUBRULE2(this.searchNot));
    });
    return args.length === 1 ? args[0]! : { op: 'and', args };
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
            const inner = this.SUBRULE(this.searchOr);
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
        { ALT: () => this.SUBRULE(this.searchTerm) },
      ]),
  );

  private searchTerm = this.RULE('searchTerm', (): FilterNode => {
    const word = this.CONSUME(t.Word);
    return this.OR([
      {
        ALT: () => {
          const operator = this.CONSUME(t.Comparison);
          const value = this.SUBRULE(this.searchValue);
          return this.ACTION(() => buildComparison(word, operator, value));
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
          ALT: () => {
            const token = this.CONSUME(t.Word);
            return { pattern: token.image, caseSensitive: false, loc: locationOf(token) };
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
      ]),
  );

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

  private timechartStage = this.RULE('timechartStage', (): Stage => {
    this.CONSUME(t.TimechartKeyword);
    let spanMs = 3_600_000;
    let aggregations: Aggregation[] = [{ fn: 'count' }];
    let by: FieldRef | undefined;
    this.MANY(() => {
      const option = this.CONSUME(t.Name);
      this.CONSUME(t.Equals);
      const value = this.OR([
        { ALT: () => this.CONSUME(t.Duration) },
        { ALT: () => this.CONSUME(t.NumberLiteral) },
      ]);
      this.ACTION(() => {
        const span = parseSpanMillis(value.image);
        if (option.image.toLowerCase() !== 'span') {
          this.report(
            'stage.invalid_option',
            `Unknown timechart option '${option.image}'`,
            option,
            'span',
          );
        } else if (span === undefined) {
          this.report(
            'stage.invalid_span',
            `Invalid span '${value.image}': use a count and a unit such as 30s, 5m, 1h or 1d`,
            value,
          );
        } else {
          spanMs = span;
        }
      });
    });
    this.OPTION(() => {
      aggregations = this.SUBRULE(this.aggregationList);
    });
    this.OPTION2(() => {
      this.CONSUME(t.ByKeyword);
      by = this.SUBRULE(this.fieldName);
    });
    return this.ACTION(() => {
      const stage: Stage = { stage: 'timechart', spanMs, aggregations };
      if (by !== undefined) stage.by = by;
      return stage;
    });
  });

  private topStage = this.RULE('topStage', (): Stage => {
    const keyword = this.OR([
      { ALT: () => this.CONSUME(t.TopKeyword) },
      { ALT: () => this.CONSUME(t.RareKeyword) },
    ]);
    let limit = 10;
    this.MANY(() => {
      const option = this.CONSUME(t.Name);
      this.CONSUME(t.Equals);
      const value = this.CONSUME(t.NumberLiteral);
      this.ACTION(() => {
        if (option.image.toLowerCase() !== 'limit') {
          this.report(
            'stage.invalid_option',
            `Unknown ${keyword.image} option '${option.image}'`,
            option,
            'limit',
          );
        } else {
          limit = this.positiveInteger(value);
        }
      });
    });
    const fields = this.SUBRULE(this.fieldList);
    let by: FieldRef[] = [];
    this.OPTION(() => {
      this.CONSUME(t.ByKeyword);
      by = this.SUBRULE2(this.fieldList);
    });
    return this.ACTION(() => ({
      stage: tokenMatcher(keyword, t.TopKeyword) ? 'top' : 'rare',
      fields,
      by,
      limit,
    })) as Stage;
  });

  private sortStage = this.RULE('sortStage', (): Stage => {
    this.CONSUME(t.SortKeyword);
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
      keys.push(this.ACTION(() => ({ field: field.name, descending, loc: field.loc })) as SortKey);
    });
    return { stage: 'sort', keys };
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
    return { stage: 'table', fields: this.SUBRULE(this.fieldList) };
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
    return { stage: 'fields', mode, fields: this.SUBRULE(this.fieldList) };
  });

  private dedupStage = this.RULE('dedupStage', (): Stage => {
    this.CONSUME(t.DedupKeyword);
    return { stage: 'dedup', fields: this.SUBRULE(this.fieldList) };
  });

  private renameStage = this.RULE('renameStage', (): Stage => {
    this.CONSUME(t.RenameKeyword);
    const renames: Rename[] = [];
    this.AT_LEAST_ONE_SEP({
      SEP: t.Comma,
      DEF: () => {
        const from = this.SUBRULE(this.fieldName);
        this.CONSUME(t.AsKeyword);
        const to = this.CONSUME(t.Name);
        renames.push(
          this.ACTION(() => ({ from: from.name, to: to.image, loc: locationOf(to) })) as Rename,
        );
      },
    });
    return { stage: 'rename', renames };
  });

  private aggregationList = this.RULE('aggregationList', (): Aggregation[] => {
    const aggregations = [this.SUBRULE(this.aggregation)];
    this.MANY(() => {
      this.OPTION(() => this.CONSUME(t.Comma));
      aggregations.push(this.SUBRULE2(this.aggregation));
    });
    return aggregations;
  });

  private aggregation = this.RULE('aggregation', (): Aggregation => {
    const fn = this.CONSUME(t.Name);
    let field: FieldRef | undefined;
    let as: IToken | undefined;
    let close: IToken | undefined;
    this.OPTION(() => {
      this.CONSUME(t.LParen);
      this.OPTION2(() => {
        field = this.SUBRULE(this.fieldName);
      });
      close = this.CONSUME(t.RParen);
    });
    this.OPTION3(() => {
      this.CONSUME(t.AsKeyword);
      as = this.CONSUME2(t.Name);
    });
    return this.ACTION(() => {
      const name = fn.image.toLowerCase();
      if (!(AGGREGATE_FUNCTIONS as readonly string[]).includes(name)) {
        const suggestion = nearestName(name, AGGREGATE_FUNCTIONS);
        this.report(
          'aggregate.unknown',
          `Unknown aggregate function '${fn.image}'`,
          fn,
          suggestion,
        );
      } else if (name !== 'count' && field === undefined) {
        this.report(
          'aggregate.missing_field',
          `${name}() needs a field, as in ${name}(src_ip)`,
          close ?? fn,
        );
      }
      const aggregation: Aggregation = { fn: name as AggregateFunction, loc: locationOf(fn) };
      if (field !== undefined) aggregation.field = field.name;
      if (as !== undefined) aggregation.as = as.image;
      return aggregation;
    });
  });

  private fieldList = this.RULE('fieldList', (): FieldRef[] => {
    const fields = [this.SUBRULE(this.fieldName)];
    this.MANY(() => {
      this.OPTION(() => this.CONSUME(t.Comma));
      fields.push(this.SUBRULE2(this.fieldName));
    });
    return fields;
  });

  private fieldName = this.RULE('fieldName', (): FieldRef => {
    const token = this.OR([
      { ALT: () => this.CONSUME(t.Name) },
      { ALT: () => this.CONSUME(t.SingleQuoted) },
    ]);
    return this.ACTION(() => ({
      name: tokenMatcher(token, t.SingleQuoted) ? decodeQuotedText(token.image) : token.image,
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

  private additive = this.RULE('additive', (): Expr => {
    let left = this.SUBRULE(this.multiplicative);
    this.MANY(() => {
      const operator = this.OR([
        { ALT: () => this.CONSUME(t.Plus) },
        { ALT: () => this.CONSUME(t.Minus) },
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
            return this.ACTION(() => ({ expr: 'literal', value: Number(token.image) })) as Expr;
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
            return { expr: 'literal', value: true } as Expr;
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.FalseKeyword);
            return { expr: 'literal', value: false } as Expr;
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.NullKeyword);
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
        { ALT: () => this.SUBRULE(this.nameOrCall) },
      ]),
  );

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

const parser = new QueryParser();

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
  }
  if (errors.length > 0) return { errors };

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
    // Reached only through a defect in the parser; reported as data to keep the contract.
    const message = `Query could not be parsed: ${error instanceof Error ? error.message : String(error)}`;
    return { errors: [diagnosticAt('internal.error', message, undefined)] };
  }
}
