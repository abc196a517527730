import { EVENTS_TABLE } from '../query-lang/catalog.js';
import {
  compileQuery,
  parseQuery,
  parseRelativeTime,
  type QueryDiagnostic,
  QueryError,
} from '../query-lang/index.js';
import type { EventStore, ResultRow } from '../storage/index.js';

export interface QueryRequest {
  query: string;
  earliest?: string | number;
  latest?: string | number;
  limit?: number;
}

export interface QueryResponse {
  rows: ResultRow[];
  columns: string[];
  total: number;
  elapsed_ms: number;
  kind: 'events' | 'aggregate';
}

/** A query the user got wrong: syntax, unknown field, bad time. Answered with 400. */
export class QueryInputError extends Error {
  constructor(readonly diagnostics: QueryDiagnostic[]) {
    super(diagnostics[0]?.message ?? 'invalid query');
  }
}

export const MAX_RESULT_ROWS = 10_000;

/** Parses, compiles and runs queries against the event store. */
export class QueryService {
  constructor(private readonly store: EventStore) {}

  async run(request: QueryRequest, nowMs = Date.now()): Promise<QueryResponse> {
    const started = performance.now();
    const parsed = parseQuery(request.query);
    if (!parsed.ast || parsed.errors.length > 0) throw new QueryInputError(parsed.errors);
    const earliestMs = resolveTime(request.earliest, nowMs, 'earliest');
    const latestMs = resolveTime(request.latest, nowMs, 'latest');
    let compiled: ReturnType<typeof compileQuery>;
    try {
      compiled = compileQuery(parsed.ast, {
        source: `"${EVENTS_TABLE}"`,
        earliestMs,
        latestMs,
        nowMs,
        limit: Math.min(Math.max(1, request.limit ?? 100), MAX_RESULT_ROWS),
      });
    } catch (error) {
      if (error instanceof QueryError) throw new QueryInputError(error.diagnostics);
      throw error;
    }
    const result = await this.store.query(compiled.sql, compiled.params);
    let total = result.rows.length;
    if (compiled.countSql) {
      const count = await this.store.query(compiled.countSql, compiled.countParams ?? []);
      total = Number(Object.values(count.rows[0] ?? {})[0] ?? 0);
    }
    return {
      rows: result.rows,
      columns: result.columns,
      total,
      elapsed_ms: Math.round((performance.now() - started) * 10) / 10,
      kind: compiled.kind,
    };
  }

  /** Returns one stored event with its OCSF document parsed, or undefined. */
  async getEvent(id: string): Promise<ResultRow | undefined> {
    const result = await this.store.query(
      `SELECT * FROM "${EVENTS_TABLE}" WHERE "id" = ? LIMIT 1`,
      [id],
    );
    const row = result.rows[0];
    if (!row) return undefined;
    if (typeof row.ocsf === 'string') row.ocsf = JSON.parse(row.ocsf);
    if (typeof row.fields === 'string') row.fields = JSON.parse(row.fields);
    return row;
  }
}

function resolveTime(
  value: string | number | undefined,
  nowMs: number,
  name: 'earliest' | 'latest',
): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = String(value);
  if (name === 'earliest' && text === '0') return undefined;
  const ms = parseRelativeTime(text, nowMs);
  if (ms === undefined) {
    throw new QueryInputError([
      {
        code: 'invalid_time',
        message: `invalid ${name} time ${JSON.stringify(text)}: use a relative time such as -24h, -15m or -1h@h, "now", an ISO 8601 time, or epoch milliseconds`,
        offset: 0,
        line: 1,
        column: 1,
        length: 0,
      },
    ]);
  }
  return ms;
}
