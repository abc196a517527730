import Table from 'cli-table3';
import type { QueryDiagnostic } from '../../query-lang/index.js';
import { escapeForTerminal, terminalCell } from './terminal-text.js';

export interface QueryResult {
  rows: Record<string, unknown>[];
  columns: string[];
  total: number;
  elapsed_ms: number;
  kind: 'events' | 'aggregate';
}

/** Columns shown for event searches; the API returns more. */
const EVENT_COLUMNS = ['time', 'class_name', 'user_name', 'src_ip', 'dst_ip', 'host', 'message'];

/** A non-2xx response. `diagnostics` lists the errors of a query that the API rejected with 400. */
export class ApiRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly diagnostics: QueryDiagnostic[],
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

/** A client of the REST API that keeps the session cookie. */
export class ApiClient {
  private cookie = '';

  constructor(private readonly baseUrl: string) {}

  async login(username: string, password: string): Promise<void> {
    const response = await this.request('/api/v1/login', { username, password });
    const setCookie = response.headers.get('set-cookie') ?? '';
    this.cookie = setCookie.split(';')[0] ?? '';
  }

  async query(body: {
    query: string;
    earliest?: string;
    latest?: string;
    limit?: number;
  }): Promise<QueryResult> {
    const response = await this.request('/api/v1/query', body);
    return (await response.json()) as QueryResult;
  }

  private async request(route: string, body: unknown): Promise<Response> {
    const url = new URL(route, this.baseUrl);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(this.cookie ? { Cookie: this.cookie } : {}),
        },
        body: JSON.stringify(body),
      });
    } catch (error) {
      throw new Error(`cannot reach TelHawk at ${url.origin}: ${(error as Error).message}`);
    }
    if (!response.ok) {
      const payload = (await response.json().catch(() => undefined)) as
        | {
            error?: {
              message?: string;
              line?: number;
              column?: number;
              diagnostics?: QueryDiagnostic[];
            };
          }
        | undefined;
      const error = payload?.error;
      const where = error?.line ? ` (line ${error.line}, column ${error.column})` : '';
      throw new ApiRequestError(
        `${route} failed with HTTP ${response.status}: ${error?.message ?? response.statusText}${where}`,
        response.status,
        Array.isArray(error?.diagnostics) ? error.diagnostics : [],
      );
    }
    return response;
  }
}

/**
 * Renders query results as a text table, with long values cut to fit. Control characters in
 * names and values show as escapes such as `\x1b` (see `escapeForTerminal`), on a terminal and
 * in a file alike.
 */
export function formatTable(result: QueryResult): string {
  // Raw event searches get a readable subset; `table`, `fields` and aggregates
  // keep the columns they chose, in their order.
  const isEventSearch = result.kind === 'events' && result.columns.includes('id');
  const columns = isEventSearch
    ? EVENT_COLUMNS.filter((c) => result.columns.includes(c))
    : result.columns;
  if (columns.length > MAX_TABLE_COLUMNS) return formatExpanded(columns, result.rows);
  const plain = !process.stdout.isTTY;
  const table = new Table({
    head: columns.map(escapeForTerminal),
    wordWrap: false,
    style: plain ? { head: [], border: [] } : undefined,
  });
  for (const row of result.rows) {
    table.push(
      columns.map((column) =>
        cell(isEventSearch && column === 'message' && !row[column] ? row.raw : row[column]),
      ),
    );
  }
  return table.toString();
}

const MAX_CELL_WIDTH = 80;

/**
 * Most columns drawn as a table. A wider result, such as a timechart with hundreds of series,
 * prints one `name: value` line per column of each row: no terminal shows such a table, and
 * the table layout slows down with the square of the columns.
 */
const MAX_TABLE_COLUMNS = 40;

function formatExpanded(
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
): string {
  const width = Math.min(
    MAX_CELL_WIDTH,
    Math.max(...columns.map((column) => escapeForTerminal(column).length)),
  );
  const blocks = rows.map((row, index) => {
    const lines = columns.map(
      (column) => `${terminalCell(column, width).padEnd(width)} : ${cell(row[column])}`,
    );
    return [`-- row ${index + 1} --`, ...lines].join('\n');
  });
  return blocks.join('\n');
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return terminalCell(text, MAX_CELL_WIDTH);
}
