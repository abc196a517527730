import type { TimeRange } from './time-range.js';

/** Base path of the REST API on the UI's own origin. */
export const API_BASE = '/api/v1';

/** Row limit of the first page of a search. */
export const SEARCH_LIMIT = 100;

/** Maximum `limit` that `POST /query` accepts, as `MAX_RESULT_ROWS` of the engine sets it. */
export const MAX_QUERY_LIMIT = 10_000;

export interface User {
  name: string;
  role: string;
}

/** A query result row: column name to value, in the column order of the result. */
export type ResultRow = Record<string, unknown>;

export interface QueryRequest {
  query: string;
  earliest: string;
  latest: string;
  limit: number;
  /** `next_cursor` of the previous page of the same request. */
  cursor?: string;
}

export interface QueryResult {
  rows: ResultRow[];
  /** Matching events, or result rows of an aggregate, before the limit cut them. */
  total: number;
  elapsed_ms: number;
  /** Column names in result order; rows as JSON objects lose the order of numeric-like keys. */
  columns?: string[];
  /**
   * Present when more events follow an event search in the default order (newest first): send
   * it as `cursor` for the next page.
   */
  next_cursor?: string;
}

/** `error` object of an API error response. Syntax errors add the position and a suggestion. */
export interface ApiErrorBody {
  code: string;
  message: string;
  line?: number;
  column?: number;
  offset?: number;
  /** Number of characters the problem spans. */
  length?: number;
  /** Tokens the parser would have accepted at the position. */
  expected?: string[];
  suggestion?: string;
}

/** A stored event as `GET /events/:id` returns it: promoted columns plus `ocsf` and `raw`. */
export interface EventDetail {
  id: string;
  time?: unknown;
  ocsf?: unknown;
  raw?: unknown;
  [column: string]: unknown;
}

/** A non-2xx API response. `body` is the parsed `error` object when the server sent one. */
export class ApiError extends Error {
  readonly status: number;
  readonly body: ApiErrorBody;

  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
  }
}

/** Event sent on `window` when the API returns 401, so that the app shows the login screen. */
export const UNAUTHORIZED_EVENT = 'telhawk-unauthorized';

/** Builds the body of `POST /query`. */
export function buildQueryRequest(query: string, range: TimeRange): QueryRequest {
  return { query, earliest: range.earliest, latest: range.latest, limit: SEARCH_LIMIT };
}

async function request<T>(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
  const init: RequestInit = {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? { Accept: 'application/json' } : jsonHeaders,
  };
  if (body !== undefined) init.body = JSON.stringify(body);
  if (signal) init.signal = signal;
  const response = await fetch(`${API_BASE}${path}`, init);
  const text = await response.text();
  const parsed = parseJson(text);
  if (!response.ok) {
    throw new ApiError(response.status, readErrorBody(response, parsed));
  }
  return parsed as T;
}

const jsonHeaders = { Accept: 'application/json', 'Content-Type': 'application/json' };

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function readErrorBody(response: Response, parsed: unknown): ApiErrorBody {
  const error = (parsed as { error?: unknown } | undefined)?.error;
  if (
    error !== null &&
    typeof error === 'object' &&
    typeof (error as ApiErrorBody).message === 'string'
  ) {
    return error as ApiErrorBody;
  }
  return {
    code: `http_${response.status}`,
    message: `Request failed: HTTP ${response.status} ${response.statusText}`.trim(),
  };
}

/** Runs an API call and announces a 401 response (expired session) on `window`. */
async function authenticated<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT));
    }
    throw error;
  }
}

/** Returns the signed-in user, or undefined when there is no valid session. */
export async function fetchCurrentUser(): Promise<User | undefined> {
  try {
    const answer = await request<{ user: User }>('GET', '/me');
    return answer.user;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return undefined;
    throw error;
  }
}

/** Signs in. The server sets the session cookie; a 401 raises `ApiError` with its message. */
export async function login(username: string, password: string): Promise<User> {
  const answer = await request<{ user: User }>('POST', '/login', { username, password });
  return answer.user;
}

export async function logout(): Promise<void> {
  await request<unknown>('POST', '/logout', {});
}

export function runQuery(body: QueryRequest, signal?: AbortSignal): Promise<QueryResult> {
  return authenticated(request<QueryResult>('POST', '/query', body, signal));
}

export async function fetchEvent(id: string, signal?: AbortSignal): Promise<EventDetail> {
  const path = `/events/${encodeURIComponent(id)}`;
  const answer = await authenticated(
    request<{ event: EventDetail }>('GET', path, undefined, signal),
  );
  return answer.event;
}
