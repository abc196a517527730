/**
 * HEC token management: list, create, disable, enable and delete tokens.
 * Every route needs the admin role. The HEC listener looks tokens up through
 * `MetadataStore.lookupHecToken`, whose cache every change clears, so a change
 * applies to the next HEC request.
 */
import type { Context, Hono } from 'hono';
import type { Logger } from 'pino';
import { z } from 'zod';
import { INDEX_NAME, isIndexAllowed } from '../../ingest/hec/envelopes.js';
import type { HecToken, MetadataStore } from '../../storage/index.js';
import type { AuditLog } from '../audit.js';
import { type ApiEnv, requireRole } from './auth.js';
import { apiError, issuesText } from './errors.js';

export interface TokenRouteDependencies {
  metadata: MetadataStore;
  logger: Logger;
  /** Where token changes are recorded as searchable OCSF events. */
  audit?: AuditLog;
}

/** Index names: lowercase letters, digits, `_` and `-`, not starting with `-`. */
const IndexName = z.string().regex(INDEX_NAME, 'an index name is 1-80 of a-z, 0-9, _ and -');

const CreateTokenRequest = z
  .strictObject({
    name: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/,
        'a token name is 1-64 of A-Z, a-z, 0-9, _ . : -',
      ),
    secret: z
      .string()
      .regex(/^[\x21-\x7e]{16,128}$/, 'a secret is 16-128 visible ASCII characters')
      .optional(),
    defaultIndex: IndexName.optional(),
    indexes: z.array(IndexName).max(100).optional(),
    defaultSourcetype: z.string().min(1).max(256).optional(),
    defaultSource: z.string().min(1).max(1024).optional(),
    defaultHost: z.string().min(1).max(256).optional(),
    useAck: z.boolean().optional(),
    allowQueryStringAuth: z.boolean().optional(),
    connectionHost: z.enum(['ip', 'dns', 'proxied_ip', 'none']).optional(),
  })
  .refine(
    // A default index outside the allow list would reject every event without an index (code 7).
    (spec) => isIndexAllowed({ indexes: spec.indexes ?? [] }, spec.defaultIndex ?? 'main'),
    {
      message:
        'defaultIndex (main when absent) must be one of indexes; an internal index such as _audit must be listed in indexes',
      path: ['defaultIndex'],
    },
  );

const TOKEN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Registers the `/api/v1/tokens` routes on the API app. */
export function registerTokenRoutes(app: Hono<ApiEnv>, deps: TokenRouteDependencies): void {
  const { metadata, logger } = deps;
  const admin = requireRole(metadata, 'admin');

  app.get('/api/v1/tokens', admin, (c) => c.json({ tokens: metadata.listHecTokens() }));

  app.post('/api/v1/tokens', admin, async (c) => {
    let json: unknown;
    try {
      json = await c.req.json();
    } catch {
      return apiError(c, 400, 'invalid_request', 'the request body is not JSON');
    }
    const body = CreateTokenRequest.safeParse(json);
    if (!body.success) {
      return apiError(
        c,
        400,
        'invalid_request',
        `invalid token request: ${issuesText(body.error)}`,
      );
    }
    const clash = findClash(metadata, body.data.name, body.data.secret);
    if (clash) return apiError(c, 409, 'conflict', clash);
    const { token, secret } = metadata.createHecToken(body.data);
    const actor = c.get('session').username;
    logger.info({ tokenId: token.id, tokenName: token.name, by: actor }, 'HEC token created');
    await deps.audit?.tokenChange({
      actor,
      action: 'create',
      tokenId: token.id,
      tokenName: token.name,
    });
    return c.json({ token, secret }, 201);
  });

  app.post('/api/v1/tokens/:id/disable', admin, (c) => setDisabled(c, true));
  app.post('/api/v1/tokens/:id/enable', admin, (c) => setDisabled(c, false));

  app.delete('/api/v1/tokens/:id', admin, async (c) => {
    const id = c.req.param('id');
    const token = findToken(metadata, id);
    if (!token) return tokenNotFound(c, id);
    metadata.deleteHecToken(id);
    const actor = c.get('session').username;
    logger.info({ tokenId: id, tokenName: token.name, by: actor }, 'HEC token deleted');
    await deps.audit?.tokenChange({ actor, action: 'delete', tokenId: id, tokenName: token.name });
    return c.body(null, 204);
  });

  async function setDisabled(c: Context<ApiEnv>, disabled: boolean): Promise<Response> {
    const id = c.req.param('id') ?? '';
    const token = findToken(metadata, id);
    if (!token) return tokenNotFound(c, id);
    metadata.setHecTokenDisabled(id, disabled);
    const actor = c.get('session').username;
    logger.info(
      { tokenId: id, tokenName: token.name, by: actor },
      disabled ? 'HEC token disabled' : 'HEC token enabled',
    );
    const action = disabled ? 'disable' : 'enable';
    await deps.audit?.tokenChange({ actor, action, tokenId: id, tokenName: token.name });
    return c.json({ token: { ...token, disabled } });
  }
}

function findToken(metadata: MetadataStore, id: string): HecToken | undefined {
  if (!TOKEN_ID.test(id)) return undefined;
  return metadata.listHecTokens().find((token) => token.id === id);
}

function tokenNotFound(c: Context<ApiEnv>, id: string): Response {
  return apiError(c, 404, 'not_found', `no HEC token with id ${JSON.stringify(id)}`);
}

/** Returns why a new token would clash with an existing one, or undefined. */
function findClash(
  metadata: MetadataStore,
  name: string,
  secret: string | undefined,
): string | undefined {
  if (metadata.listHecTokens().some((token) => token.name === name)) {
    return `a HEC token named ${JSON.stringify(name)} already exists`;
  }
  if (secret !== undefined && metadata.lookupHecToken(secret)) {
    return 'another HEC token already uses this secret; pick another or omit it';
  }
  return undefined;
}
