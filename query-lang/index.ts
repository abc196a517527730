/** Public API of the query language: parse, check, compile and convert queries. */

export * from './ast.js';
export {
  type CompiledQuery,
  type CompileOptions,
  compileQuery,
  DEFAULT_LIMIT,
} from './compiler.js';
export { type QueryDiagnostic, QueryError, type SourceLocation } from './errors.js';
export { astFromJson, astToJson } from './json.js';
export { parseQuery, parseQuerySyntax } from './parser.js';
export { parseRelativeTime, parseSpanMillis } from './time.js';
