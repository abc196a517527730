import fs from 'node:fs';
import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { MetadataStore } from '../../storage/index.js';
import type { AuditLog } from '../audit.js';
import type { QueryService } from '../query-service.js';
import { QueryBody, registerQueryToolRoutes, sendQueryResult } from './assist.js';
import {
  type ApiEnv,
  endSession,
  LoginRequest,
  queryAccess,
  requireRole,
  startSession,
} from './auth.js';
import { mountStorageRoutes, type StorageApiDependencies } from './dlq.js';
import { apiError, issuesText } from './errors.js';
import { LoginThrottle } from './login-throttle.js';
import { registerLookupRoutes } from './lookups.js';
import { registerSearchRoutes } from './searches.js';
import { registerTokenRoutes } from './tokens.js';
import { registerUserRoutes } from './users.js';

export interface ApiDependencies {
  metadata: MetadataStore;
  queries: QueryService;
  audit: AuditLog;
  metrics: Registry;
  logger: Logger;
  uiDir: string;
  sessionLifetimeMs: number;
  isReady(): boolean;
  storage?: StorageApiDependencies;
}

// `query` text or `json` (the canonical JSON query), and an optional page `cursor`.
const QueryRequest = QueryBody;

const EVENT_ID = /^[0-9a-f]{26}$/;

/** Builds the REST API and the UI's static file routes. */
export function createApiApp(deps: ApiDependencies): Hono<ApiEnv> {
  const { metadata, queries, logger } = deps;
  const app = new Hono<ApiEnv>();
  const loginThrottle = new LoginThrottle();

  // Event text is attacker-controlled: even if some were rendered as HTML,
  // this policy keeps the browser from running inline or foreign script.
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
      crossOriginEmbedderPolicy: false,
    }),
  );

  app.use(
    '/api/*',
    bodyLimit({
      maxSize: 1024 * 1024,
      onError: (c) => apiError(c, 413, 'body_too_large', 'request body is larger than 1 MiB'),
    }),
  );

  // Cross-site request forgery guard: browsers send JSON bodies cross-site
  // only after a CORS preflight, which this server never grants.
  app.use('/api/*', async (c, next) => {
    if (c.req.method === 'POST' || c.req.method === 'PUT' || c.req.method === 'DELETE') {
      const type = c.req.header('content-type') ?? '';
      const hasBody =
        c.req.header('transfer-encoding') !== undefined ||
        Number(c.req.header('content-length') ?? 0) > 0;
      if (
        c.req.method !== 'DELETE' &&
        hasBody &&
        !type.toLowerCase().startsWith('application/json')
      ) {
        return apiError(
          c,
          415,
          'unsupported_media_type',
          'send the request body as application/json',
        );
      }
      // Hono keeps the text, so the routes still read the body with c.req.json().
      const text = c.req.method === 'DELETE' || !hasBody ? '' : await c.req.text();
      if (text.trim() !== '') {
        try {
          JSON.parse(text);
        } catch (error) {
          return apiError(
            c,
            400,
            'invalid_json',
            `the request body is not valid JSON: ${(error as Error).message}`,
          );
        }
      }
    }
    await next();
  });

  app.get('/health', (c) =>
    deps.isReady() ? c.json({ status: 'ok' }) : c.json({ status: 'starting' }, 503),
  );

  app.get('/metrics', async (c) => {
    c.header('Content-Type', deps.metrics.contentType);
    return c.body(await deps.metrics.metrics());
  });

  app.post('/api/v1/login', async (c) => {
    const body = LoginRequest.safeParse(await readJson(c.req));
    if (!body.success) {
      return apiError(c, 400, 'invalid_request', 'send {"username": "...", "password": "..."}');
    }
    const sourceIp = clientAddress(c.env);
    const waitSeconds = loginThrottle.retryAfterSeconds(body.data.username, sourceIp);
    if (waitSeconds > 0) {
      logger.warn({ username: body.data.username, sourceIp }, 'console login throttled');
      c.header('Retry-After', String(waitSeconds));
      return apiError(
        c,
        429,
        'too_many_attempts',
        `too many failed logins: try again in ${waitSeconds} s`,
      );
    }
    const user = metadata.verifyPassword(body.data.username, body.data.password);
    await deps.audit.login({ username: body.data.username, success: Boolean(user), sourceIp });
    if (!user) {
      loginThrottle.recordFailure(body.data.username, sourceIp);
      logger.warn({ username: body.data.username, sourceIp }, 'console login failed');
      return apiError(c, 401, 'invalid_credentials', 'invalid username or password');
    }
    loginThrottle.recordSuccess(body.data.username, sourceIp);
    startSession(c, metadata, user.id, deps.sessionLifetimeMs);
    logger.info({ username: user.username, sourceIp }, 'console login');
    return c.json({ user: { name: user.username, role: user.role } });
  });

  app.post('/api/v1/logout', async (c) => {
    const session = endSession(c, metadata);
    if (session !== undefined) {
      await deps.audit.logout({ username: session.username, sourceIp: clientAddress(c.env) });
    }
    return c.json({ ok: true });
  });

  app.get('/api/v1/me', requireRole(metadata, 'viewer'), (c) => {
    const session = c.get('session');
    return c.json({ user: { name: session.username, role: session.role } });
  });

  app.post('/api/v1/query', requireRole(metadata, 'viewer'), async (c) => {
    const body = QueryRequest.safeParse(await readJson(c.req));
    if (!body.success) {
      return apiError(
        c,
        400,
        'invalid_request',
        `invalid query request: ${issuesText(body.error)}`,
      );
    }
    return sendQueryResult(c, queries, logger, body.data);
  });

  app.get('/api/v1/events/:id', requireRole(metadata, 'viewer'), async (c) => {
    const id = c.req.param('id');
    if (!EVENT_ID.test(id))
      return apiError(c, 400, 'invalid_request', 'an event id is 26 hex digits');
    const event = await queries.getEvent(id, queryAccess(c.get('session')));
    if (!event) return apiError(c, 404, 'not_found', `no event with id ${id}`);
    return c.json({ event });
  });

  registerTokenRoutes(app, { metadata, logger, audit: deps.audit });
  registerUserRoutes(app, { metadata, logger, audit: deps.audit });
  registerQueryToolRoutes(app, { metadata, queries });
  registerSearchRoutes(app, { metadata, queries, logger });
  registerLookupRoutes(app, {
    metadata,
    queries,
    audit: deps.audit,
    dataDir: deps.storage?.dataDir,
  });

  if (deps.storage) mountStorageRoutes(app, metadata, deps.storage);

  app.all('/api/*', (c) =>
    apiError(c, 404, 'not_found', `no API route ${c.req.method} ${c.req.path}`),
  );

  const indexFile = path.join(deps.uiDir, 'index.html');
  app.use('/*', serveStatic({ root: path.relative(process.cwd(), deps.uiDir) || '.' }));
  app.get('/*', (c) => {
    if (!fs.existsSync(indexFile)) {
      return c.text('The web UI is not built: run npm run build.', 503);
    }
    return c.html(fs.readFileSync(indexFile, 'utf8'));
  });

  app.onError((error, c) => {
    logger.error({ err: error, path: c.req.path }, 'API request failed');
    return apiError(c, 500, 'internal_error', 'internal error; see the appliance log');
  });

  return app;
}

async function readJson(request: { json(): Promise<unknown> }): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    return undefined;
  }
}

function clientAddress(env: unknown): string | undefined {
  const incoming = (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)
    ?.incoming;
  return incoming?.socket?.remoteAddress;
}
