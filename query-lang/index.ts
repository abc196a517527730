/** Public API of the query language: parse, check, compile and convert queries. */

export { type AssistResult, assist, type Suggestion } from './assist.js';
export * from './ast.js';
export {
  type CompiledQuery,
  type CompileOptions,
  CURSOR_COLUMN,
  compileQuery,
  DEFAULT_LIMIT,
  type EventKey,
  type LookupTable,
  type PageKey,
  picksSpanFromRange,
  TOTAL_COLUMN,
} from './compiler.js';
export { decodeCursor, encodeCursor, queryFingerprint } from './cursor.js';
export { type QueryDiagnostic, QueryError, type SourceLocation } from './errors.js';
export {
  INTERNAL_INDEX_PREFIX,
  isInternalIndex,
  namesInternalIndex,
  PUBLIC_INDEX_CONDITION,
} from './internal-indexes.js';
export { astFromJson, astToJson } from './json.js';
export { type Needle, needlesOf } from './needles.js';
export { MAX_NESTING } from './nesting.js';
export { parseQuery, parseQueryJson, parseQuerySyntax } from './parser.js';
export { type ResultStage, runResultStages } from './result-stages.js';
export { type SeriesLayout, widenSeries } from './series-output.js';
export { parseRelativeTime, parseSpanMillis } from './time.js';
