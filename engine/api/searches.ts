/**
 * Saved searches: `/api/v1/searches`. A search has an owner and a sharing level: `private` (owner
 * only), `read` (everyone may read and run it) or `edit` (analysts may also change it). Only the
 * owner or an admin changes the sharing level or deletes it. The text is stored with its canonical
 * JSON, so clients may run either; `POST /api/v1/searches/:id/run` runs it over a time range.
 */

import type { Context, Hono } from 'hono';
import type { Logger } from 'pino';
import { z } from 'zod';
import { astToJson, parseQuery } from '../../query-lang/index.js';
import type { MetadataStore, SavedSearch, Session } from '../../storage/metadata.js';
import type { QueryService } from '../query-service.js';
import { QueryOptions, sendQueryResult } from './assist.js';
import { type ApiEnv, requireRole } from './auth.js';
import { apiError, issuesText } from './errors.js';

const SearchBody = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).optional(),
  query: z.string().min(1).max(100_000),
  sharing: z.enum(['private', 'read', 'edit']).optional(),
});

/** The body of `POST /api/v1/searches/:id/run`, all optional: the query's own time terms apply. */
const RunBody = QueryOptions.strict();

function canRead(search: SavedSearch, session: Session): boolean {
  return (
    search.ownerId === session.userId || search.sharing !== 'private' || session.role === 'admin'
  );
}

function canEdit(search: SavedSearch, session: Session): boolean {
  if (search.ownerId === session.userId || session.role === 'admin') return true;
  return search.sharing === 'edit' && session.role === 'analyst';
}

function isManager(search: SavedSearch, session: Session): boolean {
  return search.ownerId === session.userId || session.role === 'admin';
}

function view(search: SavedSearch, session: Session) {
  return {
    id: search.id,
    name: search.name,
    description: search.description,
    query: search.query,
    json: search.queryJson,
    owner: search.owner,
    sharing: search.sharing,
    created_at: search.createdAt,
    updated_at: search.updatedAt,
    can_edit: canEdit(search, session),
  };
}

/**
 * Reads a saved search from the request body. A `description` or `sharing` left out keeps the
 * value of `current`, the search being changed, or gets the default of a new search.
 */
async function readBody(c: Context, current?: SavedSearch) {
  const body = SearchBody.safeParse(await c.req.json().catch(() => undefined));
  if (!body.success) {
    return {
      error: apiError(c, 400, 'invalid_request', `invalid saved search: ${issuesText(body.error)}`),
    };
  }
  const parsed = parseQuery(body.data.query);
  if (parsed.ast === undefined) {
    const [first] = parsed.errors;
    return {
      error: apiError(c, 400, 'query_syntax', first?.message ?? 'invalid query', {
        ...(first ?? {}),
        code: 'query_syntax',
        diagnostics: parsed.errors,
      }),
    };
  }
  const { name, query } = body.data;
  return {
    input: {
      name,
      query,
      description: body.data.description ?? current?.description ?? '',
      sharing: body.data.sharing ?? current?.sharing ?? 'private',
      queryJson: astToJson(parsed.ast),
    },
  };
}

/**
 * Returns whether another saved search of `ownerId` has `name`, ignoring case, as Splunk forbids.
 * NOTE: no unique index backs this check, so two requests at the same moment may still create
 * two searches of one name.
 */
function nameTaken(metadata: MetadataStore, ownerId: number, name: string, except?: number) {
  const lowered = name.toLowerCase();
  return metadata
    .listSavedSearches(ownerId)
    .some(
      (search) =>
        search.ownerId === ownerId && search.id !== except && search.name.toLowerCase() === lowered,
    );
}

function nameConflict(c: Context, name: string): Response {
  return apiError(
    c,
    409,
    'conflict',
    `a saved search named ${JSON.stringify(name)} exists: choose another name`,
  );
}

function searchId(c: Context): number | undefined {
  const id = Number(c.req.param('id'));
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

export function registerSearchRoutes(
  app: Hono<ApiEnv>,
  deps: { metadata: MetadataStore; queries: QueryService; logger: Logger },
): void {
  const { metadata, queries, logger } = deps;
  const notFound = (c: Context) =>
    apiError(c, 404, 'not_found', `no saved search ${c.req.param('id')}`);

  app.get('/api/v1/searches', requireRole(metadata, 'viewer'), (c) => {
    const session = c.get('session');
    return c.json({
      searches: metadata
        .listSavedSearches(session.userId, session.role === 'admin')
        .map((search) => view(search, session)),
    });
  });

  app.get('/api/v1/searches/:id', requireRole(metadata, 'viewer'), (c) => {
    const session = c.get('session');
    const id = searchId(c);
    const search = id === undefined ? undefined : metadata.getSavedSearch(id);
    if (search === undefined || !canRead(search, session)) return notFound(c);
    return c.json({ search: view(search, session) });
  });

  app.post('/api/v1/searches/:id/run', requireRole(metadata, 'viewer'), async (c) => {
    const session = c.get('session');
    const id = searchId(c);
    const search = id === undefined ? undefined : metadata.getSavedSearch(id);
    if (search === undefined || !canRead(search, session)) return notFound(c);
    // An empty body runs the search as saved.
    const text = await c.req.text();
    let json: unknown = {};
    try {
      if (text.trim() !== '') json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const body = RunBody.safeParse(json);
    if (!body.success) {
      return apiError(c, 400, 'invalid_request', `invalid run request: ${issuesText(body.error)}`);
    }
    return sendQueryResult(c, queries, logger, { ...body.data, query: search.query });
  });

  app.post('/api/v1/searches', requireRole(metadata, 'analyst'), async (c) => {
    const session = c.get('session');
    const body = await readBody(c);
    if (body.error) return body.error;
    if (nameTaken(metadata, session.userId, body.input.name))
      return nameConflict(c, body.input.name);
    const search = metadata.createSavedSearch(session.userId, body.input);
    return c.json({ search: view(search, session) }, 201);
  });

  app.put('/api/v1/searches/:id', requireRole(metadata, 'viewer'), async (c) => {
    const session = c.get('session');
    const id = searchId(c);
    const search = id === undefined ? undefined : metadata.getSavedSearch(id);
    if (search === undefined || !canRead(search, session)) return notFound(c);
    if (!canEdit(search, session)) {
      return apiError(c, 403, 'forbidden', 'this saved search is not shared for editing with you');
    }
    const body = await readBody(c, search);
    if (body.error) return body.error;
    if (nameTaken(metadata, search.ownerId, body.input.name, search.id)) {
      return nameConflict(c, body.input.name);
    }
    if (body.input.sharing !== search.sharing && !isManager(search, session)) {
      return apiError(
        c,
        403,
        'forbidden',
        'only the owner or an admin changes who a search is shared with',
      );
    }
    const updated = metadata.updateSavedSearch(search.id, body.input);
    return updated === undefined ? notFound(c) : c.json({ search: view(updated, session) });
  });

  app.delete('/api/v1/searches/:id', requireRole(metadata, 'viewer'), (c) => {
    const session = c.get('session');
    const id = searchId(c);
    const search = id === undefined ? undefined : metadata.getSavedSearch(id);
    if (search === undefined || !canRead(search, session)) return notFound(c);
    if (!isManager(search, session)) {
      return apiError(c, 403, 'forbidden', 'only the owner or an admin deletes a saved search');
    }
    metadata.deleteSavedSearch(search.id);
    return c.body(null, 204);
  });
}
