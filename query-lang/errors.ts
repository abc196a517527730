/**
 * Diagnostics for query text and canonical JSON. `parseQuery` returns syntax errors as data.
 * `compileQuery` throws semantic errors as a `QueryError` that carries the same diagnostics.
 */

/** One problem in a query, with its position in the query text (offsets count UTF-16 units). */
export interface QueryDiagnostic {
  /** Stable machine-readable code, such as `field.unknown` or `syntax.unexpected_token`. */
  code: string;
  message: string;
  /** Zero-based offset of the first character. Zero when the query came from JSON. */
  offset: number;
  /** One-based line. */
  line: number;
  /** One-based column. */
  column: number;
  /** Number of characters the problem spans. */
  length: number;
  /** Token descriptions that would have been accepted at this position. */
  expected?: string[];
  /** A likely intended spelling, such as the nearest known field name. */
  suggestion?: string;
}

/** Position of a piece of query text. Attached to AST nodes parsed from text, dropped in JSON. */
export interface SourceLocation {
  offset: number;
  length: number;
  line: number;
  column: number;
}

/** A semantic error in a query: unknown field, invalid value, unsupported construct. */
export class QueryError extends Error {
  readonly diagnostics: QueryDiagnostic[];

  constructor(diagnostics: QueryDiagnostic[]) {
    super(diagnostics.map((diagnostic) => diagnostic.message).join('; '));
    this.name = 'QueryError';
    this.diagnostics = diagnostics;
  }
}

const NO_LOCATION: SourceLocation = { offset: 0, length: 0, line: 1, column: 1 };

/** Builds a diagnostic at `loc`, or at the start of the query when the node has no location. */
export function diagnosticAt(
  code: string,
  message: string,
  loc: SourceLocation | undefined,
  extra: Pick<QueryDiagnostic, 'expected' | 'suggestion'> = {},
): QueryDiagnostic {
  const where = loc ?? NO_LOCATION;
  const diagnostic: QueryDiagnostic = { code, message, ...where };
  if (extra.expected !== undefined) diagnostic.expected = extra.expected;
  if (extra.suggestion !== undefined) diagnostic.suggestion = extra.suggestion;
  return diagnostic;
}

/** Throws a `QueryError` with one diagnostic. */
export function fail(
  code: string,
  message: string,
  loc: SourceLocation | undefined,
  extra: Pick<QueryDiagnostic, 'expected' | 'suggestion'> = {},
): never {
  throw new QueryError([diagnosticAt(code, message, loc, extra)]);
}

/**
 * Returns the edit distance between two strings, with a swap of two neighbouring characters as
 * one edit (optimal string alignment), so that `tabel` is one edit from `table`.
 */
export function editDistance(a: string, b: string): number {
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      let distance = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, (beforePrevious[j - 2] ?? 0) + 1);
      }
      current.push(distance);
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * Returns the candidate closest to `name` by edit distance, or undefined when even the closest one
 * differs in more than a third of its characters (at least two edits are always allowed).
 */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  const lowered = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(lowered, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // A name as far from the candidate as its own length shares nothing with it: `f1` is not `id`.
  // Two edits change most of a short name, so `foo` is not `job` either.
  const least = lowered.length <= 4 ? 1 : 2;
  const allowed = Math.min(Math.max(least, Math.floor(lowered.length / 3)), lowered.length - 1);
  return bestDistance <= allowed ? best : undefined;
}

/**
 * Constructs of Perl-style regular expressions that RE2, DuckDB's engine, does not have and
 * JavaScript accepts. JavaScript rejects the others RE2 lacks (atomic groups, possessive
 * quantifiers) by itself.
 */
const UNSUPPORTED_REGEX: readonly [RegExp, string][] = [
  // A backslash and a digit, where the backslash is not itself escaped.
  [/(?:^|[^\\])(?:\\\\)*\\[1-9]/, 'backreferences such as \\1'],
  [/(?:^|[^\\])(?:\\\\)*\\k</, 'named backreferences'],
  [/(?:^|[^\\])(?:\\\\)*\(\?<?[=!]/, 'lookahead and lookbehind'],
];

/**
 * Throws a `QueryError` unless `pattern` reads as a regular expression for RE2: it must not use
 * the constructs RE2 lacks, and JavaScript's parser must accept it once RE2's own syntax
 * (`(?P<name>`, inline flags such as `(?i)`) is rewritten. A pattern that passes can still fail
 * in DuckDB, which the query service reports as a query error.
 */
export function checkRegex(pattern: string, code: string, loc: SourceLocation | undefined): void {
  for (const [construct, name] of UNSUPPORTED_REGEX) {
    if (construct.test(pattern)) {
      fail(
        code,
        `Invalid regular expression /${pattern}/: ${name} are not supported (the engine is RE2)`,
        loc,
      );
    }
  }
  try {
    const javascript = pattern
      .replace(/\(\?P</g, '(?<')
      .replace(/\(\?[imsU]+\)/g, '')
      .replace(/\(\?[imsU]*(?:-[imsU]+)?:/g, '(?:');
    new RegExp(javascript);
  } catch (error) {
    const reason = (error as Error).message.replace(/^Invalid regular expression: /, '');
    fail(code, `Invalid regular expression: ${reason}`, loc);
  }
}
