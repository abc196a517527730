/**
 * The canonical JSON form of a query: the AST without source locations. `astFromJson` validates
 * untrusted JSON (from the REST API) and throws a `QueryError` naming the first invalid member.
 */

import {
  AGGREGATE_FUNCTIONS,
  type Aggregation,
  type BinaryOperator,
  type Expr,
  type FieldRef,
  type FilterNode,
  MAX_AUTOREGRESS_COPIES,
  PERCENTILE_SPELLINGS,
  type PercentileSpelling,
  QUERY_AST_VERSION,
  type QueryAst,
  type SortKey,
  STAGE_NAMES,
  type Stage,
  type StrcatPart,
  type Subsearch,
  type TimeRange,
  type TransactionCondition,
} from './ast.js';
import { fail } from './errors.js';
import { isSeriesLabel, MAX_SERIES_LABEL } from './series-output.js';

/** Source locations in the AST, which the canonical JSON leaves out. */
const LOCATION_KEYS: ReadonlySet<string> = new Set(['loc', 'fieldLoc', 'inputLoc']);

/** Returns the canonical JSON form: a deep copy without source locations. */
export function astToJson(ast: QueryAst): unknown {
  return JSON.parse(
    JSON.stringify(ast, (key, value) => (LOCATION_KEYS.has(key) ? undefined : value)),
  );
}

type Json = Record<string, unknown>;

function invalid(path: string, expected: string): never {
  return fail('json.invalid', `Invalid query JSON at ${path}: expected ${expected}`, undefined);
}

function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    invalid(path, 'an object');
  return value as Json;
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) invalid(path, 'an array');
  return value;
}

function string(value: unknown, path: string): string {
  if (typeof value !== 'string') invalid(path, 'a string');
  return value;
}

function optionalString(value: unknown, path: string): string | undefined {
  return value === undefined ? undefined : string(value, path);
}

function positiveInteger(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    invalid(path, 'a positive integer');
  }
  return value;
}

function finiteNumber(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) invalid(path, 'a number');
  return value;
}

function nonNegativeInteger(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    invalid(path, 'a whole number of 0 or more');
  }
  return value;
}

function scalar(value: unknown, path: string): string | number {
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)))
    return value;
  return invalid(path, 'a string or a finite number');
}

function optionalBoolean(value: unknown, path: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') invalid(path, 'a boolean');
  return value;
}

function withCase<T extends object>(node: T, json: Json, path: string): T {
  const caseSensitive = optionalBoolean(json.caseSensitive, `${path}.caseSensitive`);
  return caseSensitive === undefined ? node : { ...node, caseSensitive };
}

function filterFromJson(value: unknown, path: string): FilterNode {
  const json = object(value, path);
  const op = json.op;
  const field = () => string(json.field, `${path}.field`);
  switch (op) {
    case 'and':
    case 'or':
      return {
        op,
        args: array(json.args, `${path}.args`).map((arg, i) =>
          filterFromJson(arg, `${path}.args[${i}]`),
        ),
      };
    case 'not':
      return { op, arg: filterFromJson(json.arg, `${path}.arg`) };
    case 'all':
      return { op };
    case 'text': {
      const node: FilterNode = { op, value: string(json.value, `${path}.value`) };
      if (json.term === 'whole' || json.term === 'prefix') node.term = json.term;
      else if (json.term !== undefined) invalid(`${path}.term`, 'whole or prefix');
      return node;
    }
    case 'eq':
    case 'ne':
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return withCase(
        { op, field: field(), value: scalar(json.value, `${path}.value`) },
        json,
        path,
      );
    case 'in': {
      const values = array(json.values, `${path}.values`).map((item, i) =>
        scalar(item, `${path}.values[${i}]`),
      );
      return withCase({ op, field: field(), values }, json, path);
    }
    case 'contains':
    case 'startsWith':
    case 'endsWith':
      return withCase(
        { op, field: field(), value: string(json.value, `${path}.value`) },
        json,
        path,
      );
    case 'wildcard':
      return withCase(
        { op, field: field(), pattern: string(json.pattern, `${path}.pattern`) },
        json,
        path,
      );
    case 'regex':
      return { op, field: field(), pattern: string(json.pattern, `${path}.pattern`) };
    case 'exists':
      return { op, field: field() };
    case 'cidr':
      return { op, field: field(), value: string(json.value, `${path}.value`) };
    case 'subsearch':
      return { op, search: subsearchFromJson(json.search, `${path}.search`) };
    default:
      return invalid(
        `${path}.op`,
        'a filter operator such as eq, in, contains, cidr, and, or, not',
      );
  }
}

const BINARY_OPERATORS: readonly BinaryOperator[] = [
  '+',
  '-',
  '.',
  '*',
  '/',
  '%',
  '=',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'and',
  'or',
  'like',
];

function exprFromJson(value: unknown, path: string): Expr {
  const json = object(value, path);
  switch (json.expr) {
    case 'field':
      return { expr: 'field', name: string(json.name, `${path}.name`) };
    case 'literal': {
      const literal = json.value;
      const valid =
        literal === null ||
        ['string', 'boolean'].includes(typeof literal) ||
        (typeof literal === 'number' && Number.isFinite(literal));
      if (!valid) invalid(`${path}.value`, 'a string, finite number, boolean or null');
      return { expr: 'literal', value: literal as string | number | boolean | null };
    }
    case 'binary': {
      if (!BINARY_OPERATORS.includes(json.op as BinaryOperator))
        invalid(`${path}.op`, `one of ${BINARY_OPERATORS.join(' ')}`);
      return {
        expr: 'binary',
        op: json.op as BinaryOperator,
        left: exprFromJson(json.left, `${path}.left`),
        right: exprFromJson(json.right, `${path}.right`),
      };
    }
    case 'not':
    case 'negate':
      return { expr: json.expr, arg: exprFromJson(json.arg, `${path}.arg`) };
    case 'in':
      return {
        expr: 'in',
        arg: exprFromJson(json.arg, `${path}.arg`),
        values: array(json.values, `${path}.values`).map((item, i) =>
          exprFromJson(item, `${path}.values[${i}]`),
        ),
      };
    case 'call':
      return {
        expr: 'call',
        fn: string(json.fn, `${path}.fn`).toLowerCase(),
        args: array(json.args, `${path}.args`).map((item, i) =>
          exprFromJson(item, `${path}.args[${i}]`),
        ),
      };
    default:
      return invalid(`${path}.expr`, 'one of field, literal, binary, not, negate, in, call');
  }
}

function fieldRef(value: unknown, path: string): FieldRef {
  return { name: string(object(value, path).name, `${path}.name`) };
}

function fieldRefs(value: unknown, path: string): FieldRef[] {
  return array(value, path).map((item, i) => ({
    name: string(object(item, `${path}[${i}]`).name, `${path}[${i}].name`),
  }));
}

function aggregationsFromJson(value: unknown, path: string): Aggregation[] {
  return array(value, path).map((item, i) => {
    const json = object(item, `${path}[${i}]`);
    const fn = json.fn;
    if (!(AGGREGATE_FUNCTIONS as readonly unknown[]).includes(fn))
      invalid(`${path}[${i}].fn`, `one of ${AGGREGATE_FUNCTIONS.join(', ')}`);
    const aggregation: Aggregation = { fn: fn as Aggregation['fn'] };
    const field = optionalString(json.field, `${path}[${i}].field`);
    const as = optionalString(json.as, `${path}[${i}].as`);
    if (field !== undefined) aggregation.field = field;
    if (json.expr !== undefined) aggregation.expr = exprFromJson(json.expr, `${path}[${i}].expr`);
    if (as !== undefined) aggregation.as = as;
    if (fn === 'perc') {
      const percentile = json.percentile;
      if (typeof percentile !== 'number' || !(percentile >= 0 && percentile <= 100))
        invalid(`${path}[${i}].percentile`, 'a number from 0 to 100');
      aggregation.percentile = percentile;
      const spelling = json.spelling;
      if (spelling !== undefined) {
        if (!(PERCENTILE_SPELLINGS as readonly unknown[]).includes(spelling)) {
          invalid(`${path}[${i}].spelling`, `one of ${PERCENTILE_SPELLINGS.join(', ')}`);
        }
        aggregation.spelling = spelling as PercentileSpelling;
      }
    }
    return aggregation;
  });
}

function sortKeysFromJson(value: unknown, path: string): SortKey[] {
  return array(value, path).map((item, i) => {
    const key = object(item, `${path}[${i}]`);
    return {
      field: string(key.field, `${path}[${i}].field`),
      descending: optionalBoolean(key.descending, `${path}[${i}].descending`) ?? false,
    };
  });
}

function stageFromJson(value: unknown, path: string): Stage {
  const json = object(value, path);
  switch (json.stage) {
    case 'search':
      return { stage: 'search', filter: filterFromJson(json.filter, `${path}.filter`) };
    case 'where':
      return { stage: 'where', condition: exprFromJson(json.condition, `${path}.condition`) };
    case 'eval':
      return {
        stage: 'eval',
        assignments: array(json.assignments, `${path}.assignments`).map((item, i) => {
          const assignment = object(item, `${path}.assignments[${i}]`);
          return {
            name: string(assignment.name, `${path}.assignments[${i}].name`),
            value: exprFromJson(assignment.value, `${path}.assignments[${i}].value`),
          };
        }),
      };
    case 'stats':
      return {
        stage: 'stats',
        aggregations: aggregationsFromJson(json.aggregations, `${path}.aggregations`),
        by: fieldRefs(json.by ?? [], `${path}.by`),
      };
    case 'timechart': {
      const stage: Stage = {
        stage: 'timechart',
        spanMs: positiveInteger(json.spanMs, `${path}.spanMs`),
        aggregations: aggregationsFromJson(json.aggregations, `${path}.aggregations`),
      };
      if (json.by !== undefined)
        stage.by = { name: string(object(json.by, `${path}.by`).name, `${path}.by.name`) };
      if (json.spanMonths !== undefined)
        stage.spanMonths = positiveInteger(json.spanMonths, `${path}.spanMonths`);
      const autoSpan = optionalBoolean(json.autoSpan, `${path}.autoSpan`);
      if (autoSpan !== undefined) stage.autoSpan = autoSpan;
      const cont = optionalBoolean(json.cont, `${path}.cont`);
      if (cont !== undefined) stage.cont = cont;
      seriesOptionsFromJson(stage, json, path);
      return stage;
    }
    case 'top':
    case 'rare': {
      const stage: Stage = {
        stage: json.stage,
        fields: fieldRefs(json.fields, `${path}.fields`),
        by: fieldRefs(json.by ?? [], `${path}.by`),
        limit: positiveInteger(json.limit ?? 10, `${path}.limit`),
      };
      for (const key of ['showCount', 'showPercent'] as const) {
        if (json[key] === undefined) continue;
        if (typeof json[key] !== 'boolean') invalid(`${path}.${key}`, 'true or false');
        stage[key] = json[key];
      }
      const countField = optionalString(json.countField, `${path}.countField`);
      const percentField = optionalString(json.percentField, `${path}.percentField`);
      if (countField !== undefined) stage.countField = countField;
      if (percentField !== undefined) stage.percentField = percentField;
      return stage;
    }
    case 'sort': {
      const stage: Stage = {
        stage: 'sort',
        keys: sortKeysFromJson(json.keys, `${path}.keys`),
      };
      const limit = json.limit === undefined ? 0 : nonNegativeInteger(json.limit, `${path}.limit`);
      if (limit > 0) stage.limit = limit;
      return stage;
    }
    case 'head':
    case 'tail':
      return { stage: json.stage, count: positiveInteger(json.count, `${path}.count`) };
    case 'table':
      return { stage: json.stage, fields: fieldRefs(json.fields, `${path}.fields`) };
    case 'dedup': {
      const stage: Stage = { stage: 'dedup', fields: fieldRefs(json.fields, `${path}.fields`) };
      if (json.count !== undefined) stage.count = positiveInteger(json.count, `${path}.count`);
      if (json.sortBy !== undefined) stage.sortBy = sortKeysFromJson(json.sortBy, `${path}.sortBy`);
      if (optionalBoolean(json.consecutive, `${path}.consecutive`)) stage.consecutive = true;
      if (optionalBoolean(json.keepEmpty, `${path}.keepEmpty`)) stage.keepEmpty = true;
      return stage;
    }
    case 'fields':
      if (json.mode !== 'include' && json.mode !== 'exclude')
        invalid(`${path}.mode`, 'include or exclude');
      return { stage: 'fields', mode: json.mode, fields: fieldRefs(json.fields, `${path}.fields`) };
    case 'rename':
      return {
        stage: 'rename',
        renames: array(json.renames, `${path}.renames`).map((item, i) => {
          const rename = object(item, `${path}.renames[${i}]`);
          return {
            from: string(rename.from, `${path}.renames[${i}].from`),
            to: string(rename.to, `${path}.renames[${i}].to`),
          };
        }),
      };
    case 'bin': {
      const stage: Stage = {
        stage: 'bin',
        field: string(json.field, `${path}.field`),
        span: String(scalar(json.span, `${path}.span`)),
      };
      const as = optionalString(json.as, `${path}.as`);
      if (as !== undefined) stage.as = as;
      return stage;
    }
    case 'chart': {
      const stage: Stage = {
        stage: 'chart',
        aggregations: aggregationsFromJson(json.aggregations, `${path}.aggregations`),
      };
      if (json.over !== undefined) stage.over = fieldRef(json.over, `${path}.over`);
      if (json.by !== undefined) stage.by = fieldRef(json.by, `${path}.by`);
      seriesOptionsFromJson(stage, json, path);
      return stage;
    }
    case 'eventstats':
      return {
        stage: 'eventstats',
        aggregations: aggregationsFromJson(json.aggregations, `${path}.aggregations`),
        by: fieldRefs(json.by ?? [], `${path}.by`),
      };
    case 'streamstats': {
      const stage: Stage = {
        stage: 'streamstats',
        aggregations: aggregationsFromJson(json.aggregations, `${path}.aggregations`),
        by: fieldRefs(json.by ?? [], `${path}.by`),
      };
      if (json.window !== undefined) stage.window = positiveInteger(json.window, `${path}.window`);
      if (optionalBoolean(json.current, `${path}.current`) === false) stage.current = false;
      if (optionalBoolean(json.resetOnChange, `${path}.resetOnChange`)) stage.resetOnChange = true;
      if (json.timeWindowMs !== undefined)
        stage.timeWindowMs = positiveInteger(json.timeWindowMs, `${path}.timeWindowMs`);
      return stage;
    }
    case 'fillnull':
      return {
        stage: 'fillnull',
        value: scalar(json.value ?? 0, `${path}.value`),
        fields: fieldRefs(json.fields ?? [], `${path}.fields`),
      };
    case 'rex': {
      const stage: Stage = {
        stage: 'rex',
        field: optionalString(json.field, `${path}.field`) ?? '_raw',
        pattern: string(json.pattern, `${path}.pattern`),
      };
      if (json.maxMatch !== undefined) {
        stage.maxMatch = nonNegativeInteger(json.maxMatch, `${path}.maxMatch`);
      }
      if (json.mode !== undefined) {
        if (json.mode !== 'sed') invalid(`${path}.mode`, '"sed"');
        stage.mode = 'sed';
      }
      return stage;
    }
    case 'spath': {
      const stage: Stage = {
        stage: 'spath',
        input: optionalString(json.input, `${path}.input`) ?? '_raw',
      };
      if (json.path !== undefined) {
        stage.path = string(json.path, `${path}.path`);
        stage.output = string(json.output, `${path}.output`);
      }
      return stage;
    }
    case 'mvexpand':
      return { stage: 'mvexpand', field: string(json.field, `${path}.field`) };
    case 'transaction': {
      const stage: Stage = {
        stage: 'transaction',
        fields: fieldRefs(json.fields ?? [], `${path}.fields`),
      };
      if (json.maxspanMs !== undefined)
        stage.maxspanMs = positiveInteger(json.maxspanMs, `${path}.maxspanMs`);
      if (json.maxpauseMs !== undefined)
        stage.maxpauseMs = positiveInteger(json.maxpauseMs, `${path}.maxpauseMs`);
      if (json.startswith !== undefined)
        stage.startswith = transactionConditionFromJson(json.startswith, `${path}.startswith`);
      if (json.endswith !== undefined)
        stage.endswith = transactionConditionFromJson(json.endswith, `${path}.endswith`);
      if (json.maxevents !== undefined) {
        const limit = json.maxevents;
        if (
          limit !== -1 &&
          !(typeof limit === 'number' && Number.isSafeInteger(limit) && limit > 0)
        )
          invalid(`${path}.maxevents`, 'a positive integer, or -1 for no limit');
        stage.maxevents = limit;
      }
      return stage;
    }
    case 'lookup': {
      const fields = (value: unknown, at: string) =>
        array(value, at).map((item, i) => {
          const entry = object(item, `${at}[${i}]`);
          return {
            column: string(entry.column, `${at}[${i}].column`),
            field: string(entry.field, `${at}[${i}].field`),
          };
        });
      const match = fields(json.match, `${path}.match`);
      if (match.length === 0) invalid(`${path}.match`, 'at least one field');
      const stage: Stage = {
        stage: 'lookup',
        table: string(json.table, `${path}.table`),
        match,
        outputs: fields(json.outputs ?? [], `${path}.outputs`),
      };
      if (optionalBoolean(json.outputNew, `${path}.outputNew`)) stage.outputNew = true;
      return stage;
    }
    case 'inputlookup':
      return { stage: 'inputlookup', table: string(json.table, `${path}.table`) };
    case 'reverse':
      return { stage: 'reverse' };
    case 'tstats':
      return tstatsFromJson(json, path);
    case 'strcat':
      return strcatFromJson(json, path);
    case 'xyseries': {
      const values = fieldRefs(json.values, `${path}.values`);
      if (values.length === 0) invalid(`${path}.values`, 'at least one field');
      const x = fieldRef(json.x, `${path}.x`);
      return { stage: 'xyseries', x, y: fieldRef(json.y, `${path}.y`), values };
    }
    case 'foreach': {
      const fields = fieldRefs(json.fields, `${path}.fields`);
      const stages = array(json.stages, `${path}.stages`).map((stage, i) =>
        stageFromJson(stage, `${path}.stages[${i}]`),
      );
      if (fields.length === 0) invalid(`${path}.fields`, 'at least one field');
      if (stages.length === 0) invalid(`${path}.stages`, 'at least one stage');
      return { stage: 'foreach', fields, stages };
    }
    case 'untable': {
      const x = fieldRef(json.x, `${path}.x`);
      const name = fieldRef(json.name, `${path}.name`);
      return { stage: 'untable', x, name, value: fieldRef(json.value, `${path}.value`) };
    }
    case 'join':
      return joinFromJson(json, path);
    case 'append':
      return { stage: 'append', subsearch: subsearchFromJson(json.subsearch, `${path}.subsearch`) };
    case 'addtotals': {
      const stage: Stage = {
        stage: 'addtotals',
        fields: fieldRefs(json.fields ?? [], `${path}.fields`),
        row: optionalBoolean(json.row, `${path}.row`) ?? true,
        col: optionalBoolean(json.col, `${path}.col`) ?? false,
        fieldname: optionalString(json.fieldname, `${path}.fieldname`) ?? 'Total',
        label: optionalString(json.label, `${path}.label`) ?? 'Total',
      };
      const labelfield = optionalString(json.labelfield, `${path}.labelfield`);
      if (labelfield !== undefined) stage.labelfield = labelfield;
      return stage;
    }
    case 'makemv': {
      const stage: Stage = { stage: 'makemv', field: string(json.field, `${path}.field`) };
      const delim = optionalString(json.delim, `${path}.delim`);
      const tokenizer = optionalString(json.tokenizer, `${path}.tokenizer`);
      const allowEmpty = optionalBoolean(json.allowEmpty, `${path}.allowEmpty`);
      if (delim !== undefined) stage.delim = delim;
      if (tokenizer !== undefined) stage.tokenizer = tokenizer;
      if (allowEmpty !== undefined) stage.allowEmpty = allowEmpty;
      return stage;
    }
    case 'makeresults':
      return {
        stage: 'makeresults',
        count: json.count === undefined ? 1 : positiveInteger(json.count, `${path}.count`),
      };
    case 'delta': {
      const stage: Stage = { stage: 'delta', field: string(json.field, `${path}.field`) };
      const as = optionalString(json.as, `${path}.as`);
      if (as !== undefined) stage.as = as;
      if (json.p !== undefined) stage.p = positiveInteger(json.p, `${path}.p`);
      return stage;
    }
    case 'accum': {
      const stage: Stage = { stage: 'accum', field: string(json.field, `${path}.field`) };
      const as = optionalString(json.as, `${path}.as`);
      if (as !== undefined) stage.as = as;
      return stage;
    }
    case 'autoregress': {
      const from = positiveInteger(json.from, `${path}.from`);
      const to = positiveInteger(json.to, `${path}.to`);
      if (to < from || to - from >= MAX_AUTOREGRESS_COPIES) {
        invalid(`${path}.to`, `from to from + ${MAX_AUTOREGRESS_COPIES - 1}`);
      }
      const stage: Stage = {
        stage: 'autoregress',
        field: string(json.field, `${path}.field`),
        from,
        to,
      };
      const as = optionalString(json.as, `${path}.as`);
      if (as !== undefined && to > from) invalid(`${path}.as`, 'no name when from and to differ');
      if (as !== undefined) stage.as = as;
      return stage;
    }
    case 'rangemap': {
      const ranges = array(json.ranges ?? [], `${path}.ranges`).map((item, i) => {
        const at = `${path}.ranges[${i}]`;
        const entry = object(item, at);
        const low = finiteNumber(entry.low, `${at}.low`);
        const high = finiteNumber(entry.high, `${at}.high`);
        if (low > high) invalid(`${at}.high`, 'a number of at least low');
        return { name: string(entry.name, `${at}.name`), low, high };
      });
      const stage: Stage = {
        stage: 'rangemap',
        field: string(json.field, `${path}.field`),
        ranges,
      };
      const fallback = optionalString(json.default, `${path}.default`);
      if (fallback !== undefined) stage.default = fallback;
      return stage;
    }
    default:
      return invalid(`${path}.stage`, `one of ${STAGE_NAMES.join(', ')}`);
  }
}

/** Reads the `startswith` or `endswith` of a transaction: a search filter or an expression. */
function transactionConditionFromJson(value: unknown, path: string): TransactionCondition {
  const json = object(value, path);
  if ((json.filter === undefined) === (json.condition === undefined)) {
    invalid(path, 'an object with either filter (a search) or condition (an eval expression)');
  }
  if (json.filter !== undefined) return { filter: filterFromJson(json.filter, `${path}.filter`) };
  return { condition: exprFromJson(json.condition, `${path}.condition`) };
}

function tstatsFromJson(json: Json, path: string): Stage {
  const stage: Stage = {
    stage: 'tstats',
    aggregations: aggregationsFromJson(json.aggregations, `${path}.aggregations`),
    by: fieldRefs(json.by ?? [], `${path}.by`),
  };
  if (json.filter !== undefined) stage.filter = filterFromJson(json.filter, `${path}.filter`);
  if (json.timeRange !== undefined) {
    stage.timeRange = timeRangeFromJson(json.timeRange, `${path}.timeRange`);
  }
  const span = optionalString(json.span, `${path}.span`);
  if (span !== undefined) stage.span = span;
  return stage;
}

function strcatFromJson(json: Json, path: string): Stage {
  const parts = array(json.parts, `${path}.parts`).map((item, i): StrcatPart => {
    const part = object(item, `${path}.parts[${i}]`);
    if ((part.field === undefined) === (part.text === undefined)) {
      invalid(`${path}.parts[${i}]`, 'an object with either field (a field name) or text');
    }
    if (part.field !== undefined) return { field: string(part.field, `${path}.parts[${i}].field`) };
    return { text: string(part.text, `${path}.parts[${i}].text`) };
  });
  if (parts.length === 0) invalid(`${path}.parts`, 'at least one part');
  const stage: Stage = { stage: 'strcat', parts, output: string(json.output, `${path}.output`) };
  const allRequired = optionalBoolean(json.allRequired, `${path}.allRequired`);
  if (allRequired !== undefined) stage.allRequired = allRequired;
  return stage;
}

function timeRangeFromJson(value: unknown, path: string): TimeRange {
  const range = object(value, path);
  const earliest = optionalString(range.earliest, `${path}.earliest`);
  const latest = optionalString(range.latest, `${path}.latest`);
  const timeRange: TimeRange = {};
  if (earliest !== undefined) timeRange.earliest = earliest;
  if (latest !== undefined) timeRange.latest = latest;
  return timeRange;
}

/** Reads the stages, filter and time range of a query or a subsearch. */
function searchFromJson(json: Json, path: string): Subsearch {
  const search: Subsearch = {
    stages: array(json.stages ?? [], `${path}.stages`).map((stage, i) =>
      stageFromJson(stage, `${path}.stages[${i}]`),
    ),
  };
  if (json.filter !== undefined) search.filter = filterFromJson(json.filter, `${path}.filter`);
  if (json.timeRange !== undefined) {
    const range = object(json.timeRange, `${path}.timeRange`);
    const earliest = optionalString(range.earliest, `${path}.timeRange.earliest`);
    const latest = optionalString(range.latest, `${path}.timeRange.latest`);
    search.timeRange = {};
    if (earliest !== undefined) search.timeRange.earliest = earliest;
    if (latest !== undefined) search.timeRange.latest = latest;
  }
  return search;
}

function subsearchFromJson(value: unknown, path: string): Subsearch {
  return searchFromJson(object(value, path), path);
}

const JOIN_TYPES: readonly string[] = ['inner', 'left', 'outer'];

function joinFromJson(json: Json, path: string): Stage {
  const stage: Extract<Stage, { stage: 'join' }> = {
    stage: 'join',
    fields: fieldRefs(json.fields, `${path}.fields`),
    subsearch: subsearchFromJson(json.subsearch, `${path}.subsearch`),
  };
  if (json.type !== undefined) {
    if (typeof json.type !== 'string' || !JOIN_TYPES.includes(json.type)) {
      invalid(`${path}.type`, 'inner, left or outer');
    }
    stage.type = json.type as 'inner' | 'left' | 'outer';
  }
  if (json.max !== undefined) stage.max = nonNegativeInteger(json.max, `${path}.max`);
  const overwrite = optionalBoolean(json.overwrite, `${path}.overwrite`);
  if (overwrite !== undefined) stage.overwrite = overwrite;
  return stage;
}

/** Validates canonical JSON and returns the AST. Throws `QueryError` (code `json.invalid`). */
export function astFromJson(value: unknown): QueryAst {
  const json = object(value, '$');
  if (json.version !== QUERY_AST_VERSION) invalid('$.version', `${QUERY_AST_VERSION}`);
  return { version: QUERY_AST_VERSION, ...searchFromJson(json, '$') };
}

/** Reads the series options of `timechart` and `chart`. */
function seriesOptionsFromJson(
  stage: Extract<Stage, { stage: 'timechart' | 'chart' }>,
  json: Record<string, unknown>,
  path: string,
): void {
  if (json.limit !== undefined) stage.limit = nonNegativeInteger(json.limit, `${path}.limit`);
  if (json.useOther !== undefined) {
    if (typeof json.useOther !== 'boolean') invalid(`${path}.useOther`, 'true or false');
    stage.useOther = json.useOther;
  }
  if (json.useNull !== undefined) {
    if (typeof json.useNull !== 'boolean') invalid(`${path}.useNull`, 'true or false');
    stage.useNull = json.useNull;
  }
  for (const key of ['otherLabel', 'nullLabel'] as const) {
    const label = optionalString(json[key], `${path}.${key}`);
    if (label === undefined) continue;
    if (!isSeriesLabel(label)) invalid(`${path}.${key}`, `1 to ${MAX_SERIES_LABEL} characters`);
    stage[key] = label;
  }
}
