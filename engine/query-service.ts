import { EVENTS_TABLE } from '../query-lang/catalog.js';
import {
  type CompiledQuery,
  CURSOR_COLUMN,
  compileQuery,
  decodeCursor,
  type EventKey,
  encodeCursor,
  type LookupTable,
  type Needle,
  type PageKey,
  parseQuery,
  parseQueryJson,
  parseRelativeTime,
  type QueryDiagnostic,
  QueryError,
  queryFingerprint,
  runResultStages,
  TOTAL_COLUMN,
  widenSeries,
} from '../query-lang/index.js';
import type {
  EventStore,
  IndexedMatches,
  NarrowedView,
  QueryResult,
  ResultRow,
  Snapshot,
  SnapshotFilter,
} from '../storage/index.js';

export interface QueryRequest {
  /** Query text; `json` (the canonical JSON query) may be given instead. */
  query?: string;
  json?: unknown;
  /** `next_cursor` of the previous page of the same event search. */
  cursor?: string;
  earliest?: string | number;
  latest?: string | number;
  limit?: number;
}

/** The data a requester may read. */
export interface QueryAccess {
  /** Allows searches of internal indexes such as `_audit`; the API grants it to admins. */
  internalIndexes: boolean;
}

/** The access of requesters without a role: offline mode and the tests. */
export const FULL_ACCESS: QueryAccess = { internalIndexes: true };

export interface QueryResponse {
  rows: ResultRow[];
  columns: string[];
  total: number;
  elapsed_ms: number;
  kind: 'events' | 'aggregate';
  /** Present when more events follow: pass it as `cursor` for the next page. */
  next_cursor?: string;
}

/** The times of the first and last events a search matches (`CompileOptions.matchedRange`). */
type MatchedRange = { earliestMs: number; latestMs: number };

/** Result of `explain`: the compiled SQL and the cold files a query would read. */
export interface QueryExplanation {
  sql: string;
  params: unknown[];
  count_sql?: string;
  count_params?: unknown[];
  /** For a search without stages: the statement that finds the count and the newest matches. */
  keys_sql?: string;
  keys_params?: unknown[];
  /**
   * For a final `stats` with set aggregates: the statement that finds the bound of the returned
   * page's groups, and the statement that runs in place of `sql` when it finds one. The bound
   * goes wherever `bounded_params` has null.
   */
  bound_sql?: string;
  bound_params?: unknown[];
  bounded_sql?: string;
  bounded_params?: unknown[];
  kind: 'events' | 'aggregate';
  /**
   * Cold files the query reads, relative to the data folder, after the term index has left out
   * those without a candidate row. The hot table is always read.
   */
  files: string[];
  /** Values of indexed columns every match has, which the term index looked up. */
  needles?: Needle[];
  /**
   * True when the needles alone decide a match, so that the term index counts and finds the
   * cold matches and `files` holds only the files that the newest matches are read from.
   */
  indexed?: boolean;
  earliest_ms?: number;
  latest_ms?: number;
}

/** Error for a query the user got wrong (syntax, unknown field, invalid time); the API returns 400. */
/** Error for a query that ran past the configured time limit and was cancelled; the API returns 408. */
export class QueryTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(
      `query timed out after ${timeoutMs / 1000} s and was cancelled: narrow the time range or add filters`,
    );
  }
}

/** Error for a query that needed more memory than DuckDB may use; the API returns 503. */
export class QueryMemoryError extends Error {
  constructor() {
    super(
      'The query ran out of memory: narrow the time range, add filters or use fewer stages, or raise TELHAWK_DUCKDB_MEMORY_LIMIT_MB',
    );
  }
}

/** Error for a query cancelled because the appliance is stopping; the API returns 503. */
export class QueryCancelledError extends Error {
  constructor() {
    super('The query was cancelled because TelHawk is stopping: run it again once it is back');
  }
}

export class QueryInputError extends Error {
  constructor(readonly diagnostics: QueryDiagnostic[]) {
    super(diagnostics[0]?.message ?? 'invalid query');
  }
}

export const MAX_RESULT_ROWS = 10_000;

/** Extra rows of the last shown time that a search through the term index may read. */
const MAX_EXTRA_TIED_ROWS = 1000;

/**
 * Counts and finds the newest matches of a search from the indexes alone: the term index for
 * needles, the token index for free-text words. Undefined for other searches, and when a cold
 * file lacks the index.
 */
function indexedMatchesOf(
  snapshot: Snapshot,
  compiled: CompiledQuery,
  range: { earliestMs?: number; latestMs?: number },
  limit: number,
): Promise<IndexedMatches | undefined> {
  if (compiled.exactNeedles !== undefined) {
    return snapshot.indexedMatches(compiled.exactNeedles, range, limit);
  }
  if (compiled.exactWords !== undefined)
    return snapshot.wordMatches(compiled.exactWords, range, limit);
  return Promise.resolve(undefined);
}

export interface QueryServiceOptions {
  /** Maximum run time of a query before it is cancelled, in milliseconds; 60,000 when absent. */
  timeoutMs?: number;
  /**
   * Makes every query leave out the events of internal indexes it does not name, for sources
   * that hold them whatever the snapshot filter, such as the files of offline mode.
   */
  hideInternalIndexes?: boolean;
}

/** Parses, compiles and runs queries against the event store. */
export class QueryService {
  private lookups: ((name: string) => LookupTable | undefined) | undefined;

  private readonly timeoutMs: number;
  private readonly hideInternalIndexes: boolean;
  /** Snapshots whose reads are running, which `cancelAll` interrupts. */
  private readonly running = new Set<Snapshot>();
  private cancelled = false;

  constructor(
    private readonly store: Pick<EventStore, 'snapshot'>,
    options: QueryServiceOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.hideInternalIndexes = options.hideInternalIndexes ?? false;
  }

  /**
   * Returns the snapshot's sources, narrowed by the term index to the rows that can match when
   * the query's filter names values of indexed columns.
   */
  private narrowed(snapshot: Snapshot, compiled: CompiledQuery): Promise<NarrowedView> {
    const needles = compiled.needles;
    if (needles === undefined) {
      const { source, keyedSource, files } = snapshot;
      return Promise.resolve({ source, keyedSource, files });
    }
    return this.withTimeout(snapshot, () => snapshot.narrow(needles));
  }

  /**
   * Returns the times of the first and last events that the search part matches in the snapshot,
   * for a query over all time whose span comes from its range (`CompiledQuery.eventRange`).
   */
  private async eventRangeOf(
    snapshot: Snapshot,
    compiled: CompiledQuery,
  ): Promise<MatchedRange | undefined> {
    if (compiled.eventRange === undefined) return undefined;
    const found = await this.runWithTimeout(
      snapshot,
      compiled.eventRange.sql,
      compiled.eventRange.params,
    );
    const { first, last } = found.rows[0] ?? {};
    if (first === null || first === undefined || last === null || last === undefined) {
      return undefined;
    }
    return { earliestMs: Number(first), latestMs: Number(last) };
  }

  /**
   * Returns the statement of a query: for a final `stats` with set aggregates, the one that reads
   * only up to the bound of the returned page's groups when the first rows give one.
   */
  private async boundedStatement(
    snapshot: Snapshot,
    compiled: CompiledQuery,
  ): Promise<{ sql: string; params: readonly unknown[] }> {
    const page = compiled.groupPage;
    if (page === undefined) return compiled;
    const found = await this.runWithTimeout(snapshot, page.boundSql, page.boundParams);
    const bound = found.rows[0]?.bound;
    if (typeof bound !== 'string') return compiled;
    const params = [...page.params];
    for (const at of page.boundAt) params[at] = bound;
    return { sql: page.sql, params };
  }

  /** Runs a statement in a snapshot, cancelling it after the query timeout. */
  private runWithTimeout(
    snapshot: Snapshot,
    sql: string,
    params: readonly unknown[],
  ): Promise<Awaited<ReturnType<Snapshot['query']>>> {
    return this.withTimeout(snapshot, () => snapshot.query(sql, params));
  }

  /** Runs a snapshot read, cancelling it after the query timeout or when `cancelAll` is called. */
  private async withTimeout<T>(snapshot: Snapshot, read: () => Promise<T>): Promise<T> {
    if (this.cancelled) throw new QueryCancelledError();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      snapshot.interrupt();
    }, this.timeoutMs);
    this.running.add(snapshot);
    try {
      return await read();
    } catch (error) {
      if (timedOut) throw new QueryTimeoutError(this.timeoutMs);
      if (this.cancelled) throw new QueryCancelledError();
      throw error;
    } finally {
      clearTimeout(timer);
      this.running.delete(snapshot);
    }
  }

  /**
   * Interrupts every running query and rejects new ones, so that stopping the appliance does not
   * wait for long searches to finish.
   */
  cancelAll(): void {
    this.cancelled = true;
    for (const snapshot of this.running) snapshot.interrupt();
  }

  /** Makes uploaded lookup tables available to the `lookup` stage. */
  useLookups(resolver: (name: string) => LookupTable | undefined): void {
    this.lookups = resolver;
  }

  /** Compiles a query as `run` would and lists what it reads, without running it. */
  async explain(
    request: QueryRequest,
    nowMs = Date.now(),
    access = FULL_ACCESS,
  ): Promise<QueryExplanation> {
    const { ast, earliestMs, latestMs, after } = this.prepare(request, nowMs);
    const options = this.compileOptions(request, { earliestMs, latestMs, nowMs, after });
    const first = this.compileChecked(ast, `"${EVENTS_TABLE}"`, options);
    const snapshot = await this.store.snapshot(snapshotFilter(first, access));
    try {
      const matchedRange =
        first.eventRange === undefined
          ? undefined
          : await this.eventRangeOf(snapshot, this.compileChecked(ast, snapshot.source, options));
      const view = await this.narrowed(snapshot, first);
      const compiled = this.compileChecked(ast, view.source, {
        ...options,
        keyedSource: view.keyedSource,
        ...(matchedRange !== undefined && { matchedRange }),
      });
      // The statements name the cold files relative to the data folder, as `files` does, so
      // that explaining a query does not show where the appliance keeps its data.
      const relative = (text: string) =>
        snapshot.dataDir === undefined ? text : text.replaceAll(`${snapshot.dataDir}/`, '');
      const explanation: QueryExplanation = {
        sql: relative(compiled.sql),
        params: compiled.params.map(jsonSafe),
        kind: compiled.kind,
        files: [...view.files],
      };
      if (first.needles !== undefined) explanation.needles = first.needles;
      const range = { earliestMs: first.earliestMs, latestMs: first.latestMs };
      const indexed =
        after === undefined
          ? await indexedMatchesOf(snapshot, first, range, options.limit)
          : undefined;
      if (indexed !== undefined) {
        explanation.indexed = true;
        explanation.files = indexed.files;
      }
      if (compiled.countSql !== undefined) {
        explanation.count_sql = relative(compiled.countSql);
        explanation.count_params = (compiled.countParams ?? []).map(jsonSafe);
      }
      if (compiled.keys !== undefined) {
        explanation.keys_sql = relative(compiled.keys.sql);
        explanation.keys_params = compiled.keys.params.map(jsonSafe);
      }
      if (compiled.groupPage !== undefined) {
        explanation.bound_sql = relative(compiled.groupPage.boundSql);
        explanation.bound_params = compiled.groupPage.boundParams.map(jsonSafe);
        explanation.bounded_sql = relative(compiled.groupPage.sql);
        explanation.bounded_params = compiled.groupPage.params.map(jsonSafe);
      }
      if (compiled.earliestMs !== undefined) explanation.earliest_ms = compiled.earliestMs;
      if (compiled.latestMs !== undefined) explanation.latest_ms = compiled.latestMs;
      return explanation;
    } finally {
      await snapshot.release();
    }
  }

  private compileOptions(
    request: QueryRequest,
    prepared: { earliestMs?: number; latestMs?: number; nowMs: number; after?: PageKey },
  ) {
    const { earliestMs, latestMs, nowMs, after } = prepared;
    const limit = pageLimit(request);
    return {
      earliestMs,
      latestMs,
      nowMs,
      limit,
      page: { after },
      hideInternalIndexes: this.hideInternalIndexes,
    };
  }

  private prepare(request: QueryRequest, nowMs: number) {
    const parsed =
      request.json !== undefined ? parseQueryJson(request.json) : parseQuery(request.query ?? '');
    if (!parsed.ast || parsed.errors.length > 0) throw new QueryInputError(parsed.errors);
    const earliestMs = resolveTime(request.earliest, nowMs, 'earliest');
    // From the beginning of time to now is Splunk's All time, which has no end either: events
    // stamped ahead of the clock, such as syslog lines without a year, are in it.
    const allTime = earliestMs === undefined && String(request.latest ?? '').trim() === 'now';
    const latestMs = allTime ? undefined : resolveTime(request.latest, nowMs, 'latest');
    let after: PageKey | undefined;
    if (request.cursor !== undefined && request.cursor !== '') {
      after = decodeCursor(request.cursor, cursorScope(request));
      if (after === undefined) {
        throw new QueryInputError([
          {
            code: 'invalid_cursor',
            message: 'invalid cursor: pass the next_cursor of the previous page of the same query',
            offset: 0,
            line: 1,
            column: 1,
            length: 0,
          },
        ]);
      }
    }
    return { ast: parsed.ast, earliestMs, latestMs, after };
  }

  private compileChecked(
    ast: Parameters<typeof compileQuery>[0],
    source: string,
    options: Omit<Parameters<typeof compileQuery>[1], 'source' | 'lookups'>,
  ): CompiledQuery {
    try {
      const compiled = compileQuery(ast, { ...options, source, lookups: this.lookups });
      const { earliestMs, latestMs } = compiled;
      if (earliestMs !== undefined && latestMs !== undefined && earliestMs >= latestMs) {
        throw new QueryInputError([
          {
            code: 'invalid_time',
            message: `The time range is empty: earliest (${new Date(earliestMs).toISOString()}) is not before latest (${new Date(latestMs).toISOString()})`,
            offset: 0,
            line: 1,
            column: 1,
            length: 0,
          },
        ]);
      }
      return compiled;
    } catch (error) {
      if (error instanceof QueryError) throw new QueryInputError(error.diagnostics);
      throw error;
    }
  }

  async run(
    request: QueryRequest,
    nowMs = Date.now(),
    access = FULL_ACCESS,
  ): Promise<QueryResponse> {
    const started = performance.now();
    const { ast, earliestMs, latestMs, after } = this.prepare(request, nowMs);
    const options = this.compileOptions(request, { earliestMs, latestMs, nowMs, after });
    let matchedRange: MatchedRange | undefined;
    const compile = (source: string, keyedSource?: string) =>
      this.compileChecked(ast, source, {
        ...options,
        ...(keyedSource !== undefined && { keyedSource }),
        ...(matchedRange !== undefined && { matchedRange }),
      });
    let compiled = compile(`"${EVENTS_TABLE}"`);
    // One snapshot of both tiers, pruned to the effective time range, for the rows and the count.
    const snapshot = await this.store.snapshot(snapshotFilter(compiled, access));
    let result: Awaited<ReturnType<typeof snapshot.query>>;
    let total: number;
    let lastKey: EventKey | undefined;
    try {
      if (compiled.eventRange !== undefined) {
        matchedRange = await this.eventRangeOf(snapshot, compile(snapshot.source));
        if (matchedRange !== undefined) compiled = compile(`"${EVENTS_TABLE}"`);
      }
      const indexed =
        after === undefined
          ? await this.indexedSearch(snapshot, compiled, options.limit)
          : undefined;
      const view = indexed === undefined ? await this.narrowed(snapshot, compiled) : undefined;
      if (view !== undefined) compiled = compile(view.source, view.keyedSource);
      if (indexed !== undefined) {
        ({ result, total, lastKey } = indexed);
      } else if (compiled.keys !== undefined) {
        // Two steps: find the count and the newest matches reading few columns, then read the
        // whole rows of just those matches.
        const found = await this.runWithTimeout(snapshot, compiled.keys.sql, compiled.keys.params);
        const first = found.rows[0] ?? {};
        total = Number(first.count ?? 0);
        const keys = sortKeys((first.keys as EventKey[] | null) ?? []);
        lastKey = keys.at(-1);
        result = await this.withTimeout(snapshot, () =>
          snapshot.fetch(keys.map((key) => ({ file: key.f, row: key.r }))),
        );
      } else {
        const statement = await this.boundedStatement(snapshot, compiled);
        result = await this.runWithTimeout(snapshot, statement.sql, statement.params);
        total = takeTotal(result);
      }
      if (indexed === undefined && compiled.countSql && compiled.keys === undefined) {
        const count = await this.runWithTimeout(
          snapshot,
          compiled.countSql,
          compiled.countParams ?? [],
        );
        total = Number(Object.values(count.rows[0] ?? {})[0] ?? 0);
      }
    } catch (error) {
      throw inputErrorOf(error) ?? memoryErrorOf(error) ?? error;
    } finally {
      await snapshot.release();
    }
    if (compiled.series !== undefined) {
      try {
        ({ columns: result.columns, rows: result.rows } = widenSeries(
          result.columns,
          result.rows,
          compiled.series,
        ));
      } catch (error) {
        if (error instanceof QueryError) throw new QueryInputError(error.diagnostics);
        throw error;
      }
    }
    if (compiled.resultStages !== undefined) {
      const complete = result.rows.length === total;
      ({ columns: result.columns, rows: result.rows } = runResultStages(
        result.columns,
        result.rows,
        compiled.resultStages,
      ));
      // Rows past the page limit did not run through the stages, so a cut total stays as it was.
      if (complete) total = result.rows.length;
    }
    // Such queries return every row (`WHOLE_RESULT_ROWS`), and the page is cut from them here.
    if (compiled.series !== undefined || compiled.resultStages !== undefined) {
      result.rows = result.rows.slice(0, options.limit);
    }
    const response: QueryResponse = {
      rows: result.rows,
      columns: result.columns,
      total,
      elapsed_ms: Math.round((performance.now() - started) * 10) / 10,
      kind: compiled.kind,
    };
    if (compiled.paged) {
      // Keyset pagination: the last row's (time, id) starts the next page.
      const last = result.rows.at(-1);
      if (last !== undefined && result.rows.length === options.limit) {
        const key =
          lastKey !== undefined
            ? { timeUs: String(lastKey.t), id: lastKey.i }
            : { timeUs: String(last[CURSOR_COLUMN]), id: String(last.id) };
        response.next_cursor = encodeCursor(key, cursorScope(request));
      }
      for (const row of result.rows) delete row[CURSOR_COLUMN];
      response.columns = result.columns.filter((column) => column !== CURSOR_COLUMN);
    }
    return response;
  }

  /**
   * Runs the first page of a needle-only search without reading cold files beyond the rows it
   * returns. The term index counts and finds the cold matches, and a scan of the compared
   * columns of the hot table finds the hot ones. Returns undefined for other queries and when a
   * cold file has no term file.
   */
  private async indexedSearch(
    snapshot: Snapshot,
    compiled: CompiledQuery,
    limit: number,
  ): Promise<{ result: QueryResult; total: number; lastKey: EventKey | undefined } | undefined> {
    const range = { earliestMs: compiled.earliestMs, latestMs: compiled.latestMs };
    const found = await this.withTimeout(snapshot, () =>
      indexedMatchesOf(snapshot, compiled, range, limit),
    );
    if (found === undefined) return undefined;
    // The index has no ids, which order events of the same time. So the matches hold every
    // match as new as the last one shown, and the rows are cut after the fetch has sorted them
    // by id.
    const read = found.newest;
    const pageRows = Math.min(limit, read.length);
    const boundary = read[pageRows - 1]?.timeUs;
    // Thousands of matches of one time (an import without sub-second times) are cheaper to
    // order by id in the statement that finds the keys.
    if (read.length > pageRows + MAX_EXTRA_TIED_ROWS) return undefined;
    const result = await this.withTimeout(snapshot, () =>
      snapshot.fetch(read.map(({ file, row }) => ({ file, row }))),
    );
    if (result.rows.length !== read.length) {
      throw new Error(
        `reading the ${read.length} matches the term index named returned ${result.rows.length} rows`,
      );
    }
    result.rows = result.rows.slice(0, pageRows);
    const last = result.rows.at(-1);
    const lastKey =
      last === undefined || boundary === undefined
        ? undefined
        : { t: String(boundary), i: String(last.id), f: null, r: 0 };
    return { result, total: found.count, lastKey };
  }

  /** Returns one stored event with its OCSF document parsed, or undefined. */
  async getEvent(id: string, access = FULL_ACCESS): Promise<ResultRow | undefined> {
    const snapshot = await this.store.snapshot({ internalIndexes: access.internalIndexes });
    const result = await snapshot
      .query(`SELECT * FROM ${snapshot.source} WHERE "id" = ? LIMIT 1`, [id])
      .finally(() => snapshot.release());
    const row = result.rows[0];
    if (!row) return undefined;
    if (typeof row.ocsf === 'string') row.ocsf = JSON.parse(row.ocsf);
    if (typeof row.fields === 'string') row.fields = JSON.parse(row.fields);
    return row;
  }
}

/**
 * DuckDB errors that come from the query, such as a regular expression RE2 rejects or, as a
 * binder error, types that a function cannot take together.
 */
const INPUT_ERROR = /^(Invalid Input Error|Conversion Error|Out of Range Error|Binder Error): /;

/** Returns a `QueryInputError` for a DuckDB error caused by the query's values, else undefined. */
function inputErrorOf(error: unknown): QueryInputError | undefined {
  if (!(error instanceof Error) || !INPUT_ERROR.test(error.message)) return undefined;
  const reason = error.message.split('\n')[0]!;
  return new QueryInputError([
    {
      code: 'query_failed',
      message: `The query failed in DuckDB: ${reason}`,
      offset: 0,
      line: 1,
      column: 1,
      length: 0,
    },
  ]);
}

/** Returns a `QueryMemoryError` for DuckDB's out-of-memory error, else undefined. */
function memoryErrorOf(error: unknown): QueryMemoryError | undefined {
  if (!(error instanceof Error) || !error.message.startsWith('Out of Memory Error: ')) return;
  return new QueryMemoryError();
}

/**
 * Returns the number of rows before the limit, which aggregate results carry in `TOTAL_COLUMN`,
 * and removes that column; other results count their rows.
 */
function takeTotal(result: QueryResult): number {
  if (!result.columns.includes(TOTAL_COLUMN)) return result.rows.length;
  const total = Number(result.rows[0]?.[TOTAL_COLUMN] ?? 0);
  for (const row of result.rows) delete row[TOTAL_COLUMN];
  result.columns = result.columns.filter((column) => column !== TOTAL_COLUMN);
  return total;
}

/** Sorts keys newest first, by time and then id, in the keyset order of the pages. */
function sortKeys(keys: EventKey[]): EventKey[] {
  const time = (key: EventKey) => BigInt(key.t);
  return [...keys].sort((a, b) => {
    const byTime = time(b) - time(a);
    if (byTime !== 0n) return byTime > 0n ? 1 : -1;
    if (a.i === b.i) return 0;
    return a.i < b.i ? 1 : -1;
  });
}

/**
 * Returns the snapshot a compiled query reads: its time range, and internal indexes when it
 * names one and the requester may read them.
 */
function snapshotFilter(compiled: CompiledQuery, access: QueryAccess): SnapshotFilter {
  return {
    earliestMs: compiled.earliestMs,
    latestMs: compiled.latestMs,
    internalIndexes: access.internalIndexes && compiled.internalIndexes === true,
  };
}

function pageLimit(request: QueryRequest): number {
  return Math.min(Math.max(1, request.limit ?? 100), MAX_RESULT_ROWS);
}

/** Cursors belong to one query and time range. */
function cursorScope(request: QueryRequest): string {
  const query = request.json !== undefined ? JSON.stringify(request.json) : (request.query ?? '');
  return queryFingerprint(`${query}\u0000${request.earliest ?? ''}\u0000${request.latest ?? ''}`);
}

function jsonSafe(value: unknown): unknown {
  // The bound of a page of stats groups is a placeholder until its statement has run.
  if (typeof value === 'symbol') return null;
  return typeof value === 'bigint' ? value.toString() : value;
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
        message: `invalid ${name} time ${JSON.stringify(text)}: use a relative time such as -24h, -15m or -1h@h, "now", an ISO 8601 time, or epoch seconds`,
        offset: 0,
        line: 1,
        column: 1,
        length: 0,
      },
    ]);
  }
  return ms;
}
