/**
 * Query tools of the REST API: content assist for the editor and `explain`, which shows the SQL,
 * its parameters and the cold files a query would read, without running it.
 * `GET /api/v1/assist?q=&pos=` returns the `AssistResult` of `assist()`, whose field suggestions
 * carry the OCSF classes that have the field. The web UI calls `assist()` itself instead.
 */

import type { Context, Hono } from 'hono';
import type { Logger } from 'pino';
import { z } from 'zod';
import { assist } from '../../query-lang/assist.js';
import type { MetadataStore } from '../../storage/index.js';
import {
  QueryCancelledError,
  QueryInputError,
  QueryMemoryError,
  type QueryRequest,
  type QueryService,
  QueryTimeoutError,
} from '../query-service.js';
import { type ApiEnv, queryAccess, requireRole } from './auth.js';
import { apiError, issuesText } from './errors.js';

/** The time range, row limit and page cursor of a query request. */
export const QueryOptions = z.object({
  earliest: z.union([z.string().max(64), z.number()]).optional(),
  latest: z.union([z.string().max(64), z.number()]).optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
  cursor: z.string().max(512).optional(),
});

/** The body of `POST /api/v1/query` and `/api/v1/query/explain`: `query` text or `json`. */
export const QueryBody = QueryOptions.extend({
  query: z.string().max(100_000).optional(),
  json: z.unknown().optional(),
})
  .refine((body) => body.query !== undefined || body.json !== undefined, {
    message: 'missing query: give query (text) or json (the canonical JSON query)',
  })
  .refine((body) => body.query === undefined || body.json === undefined, {
    message: 'give either query (text) or json (the canonical JSON query), not both',
  });

const AssistQuery = z.object({
  q: z.string().max(100_000).default(''),
  pos: z.coerce.number().int().min(0).max(100_000).optional(),
});

/** Answers a query the user got wrong with 400 and its diagnostics. */
export function queryInputError(c: Context, error: QueryInputError): Response {
  const [first] = error.diagnostics;
  // A cursor from another query is no fault of the query text.
  const code = first?.code === 'invalid_cursor' ? 'invalid_cursor' : 'query_syntax';
  return apiError(c, 400, code, error.message, {
    ...(first ?? {}),
    code,
    diagnostics: error.diagnostics,
  });
}

/**
 * Runs a query for a route and returns the response: its result, 400 with the diagnostics of a
 * query the user got wrong, or 408 when it timed out.
 */
export async function sendQueryResult(
  c: Context<ApiEnv>,
  queries: QueryService,
  logger: Logger,
  request: QueryRequest,
): Promise<Response> {
  try {
    return c.json(await queries.run(request, Date.now(), queryAccess(c.get('session'))));
  } catch (error) {
    if (error instanceof QueryInputError) return queryInputError(c, error);
    if (error instanceof QueryMemoryError) {
      logger.warn({ user: c.get('session').username }, 'query ran out of memory');
      return apiError(c, 503, 'query_out_of_memory', error.message);
    }
    if (error instanceof QueryCancelledError) return apiError(c, 503, 'stopping', error.message);
    if (error instanceof QueryTimeoutError) {
      logger.warn(
        { timeoutMs: error.timeoutMs, user: c.get('session').username },
        'query timed out',
      );
      return apiError(c, 408, 'query_timeout', error.message);
    }
    throw error;
  }
}

export function registerQueryToolRoutes(
  app: Hono<ApiEnv>,
  deps: { metadata: MetadataStore; queries: QueryService },
): void {
  const { metadata, queries } = deps;

  app.get('/api/v1/assist', requireRole(metadata, 'viewer'), (c) => {
    const parsed = AssistQuery.safeParse({ q: c.req.query('q'), pos: c.req.query('pos') });
    if (!parsed.success) {
      return apiError(
        c,
        400,
        'invalid_request',
        `invalid assist request: ${issuesText(parsed.error)}`,
      );
    }
    const { q, pos } = parsed.data;
    return c.json(assist(q, pos ?? q.length));
  });

  app.post('/api/v1/query/explain', requireRole(metadata, 'viewer'), async (c) => {
    const body = QueryBody.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) {
      return apiError(
        c,
        400,
        'invalid_request',
        `invalid query request: ${issuesText(body.error)}`,
      );
    }
    try {
      return c.json(await queries.explain(body.data, Date.now(), queryAccess(c.get('session'))));
    } catch (error) {
      if (error instanceof QueryInputError) return queryInputError(c, error);
      throw error;
    }
  });
}
