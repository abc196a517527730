/**
 * Console user management: admins create and delete users and reset
 * passwords; every user can change their own password.
 */
import type { Context, Hono } from 'hono';
import type { Logger } from 'pino';
import { z } from 'zod';
import { type MetadataStore, ROLES } from '../../storage/index.js';
import type { AuditLog } from '../audit.js';
import { type ApiEnv, requireRole } from './auth.js';
import { apiError, issuesText } from './errors.js';

export interface UserRouteDependencies {
  metadata: MetadataStore;
  logger: Logger;
  audit: AuditLog;
}

const USERNAME = /^[A-Za-z0-9_.@-]{1,64}$/;

const Password = z.string().min(8, 'must be at least 8 characters').max(1024);

const CreateUserRequest = z
  .object({
    username: z.string().regex(USERNAME, 'use 1-64 letters, digits, _ . @ or -'),
    password: Password,
    role: z.enum(ROLES as [string, ...string[]]),
  })
  .strict();

const ChangePasswordRequest = z
  .object({
    /** Required when users change their own password. */
    currentPassword: z.string().max(1024).optional(),
    password: Password,
  })
  .strict();

/** Registers the `/api/v1/users` routes on the API app. */
export function registerUserRoutes(app: Hono<ApiEnv>, deps: UserRouteDependencies): void {
  const { metadata, logger, audit } = deps;
  const admin = requireRole(metadata, 'admin');

  app.get('/api/v1/users', admin, (c) => c.json({ users: metadata.listUsers() }));

  app.post('/api/v1/users', admin, async (c) => {
    const body = CreateUserRequest.safeParse(await readJson(c));
    if (!body.success) {
      return apiError(c, 400, 'invalid_request', `invalid user: ${issuesText(body.error)}`);
    }
    const { username, password, role } = body.data;
    if (metadata.listUsers().some((user) => user.username === username)) {
      return apiError(
        c,
        409,
        'conflict',
        `a user named ${JSON.stringify(username)} already exists`,
      );
    }
    const user = metadata.createUser(username, password, role as (typeof ROLES)[number]);
    const actor = c.get('session').username;
    logger.info({ username, role, by: actor }, 'console user created');
    await audit.userChange({ actor, action: 'create', username, role });
    return c.json({ user }, 201);
  });

  app.delete('/api/v1/users/:username', admin, async (c) => {
    const username = c.req.param('username');
    const actor = c.get('session').username;
    if (username === actor) {
      return apiError(c, 400, 'invalid_request', 'you cannot delete your own user');
    }
    if (!metadata.deleteUser(username)) return userNotFound(c, username);
    logger.info({ username, by: actor }, 'console user deleted');
    await audit.userChange({ actor, action: 'delete', username });
    return c.body(null, 204);
  });

  app.post('/api/v1/users/:username/password', requireRole(metadata, 'viewer'), async (c) => {
    const username = c.req.param('username');
    const session = c.get('session');
    const self = session.username === username;
    if (!self && session.role !== 'admin') {
      return apiError(c, 403, 'forbidden', "only an admin can change another user's password");
    }
    const body = ChangePasswordRequest.safeParse(await readJson(c));
    if (!body.success) {
      return apiError(c, 400, 'invalid_request', `invalid request: ${issuesText(body.error)}`);
    }
    if (self && !metadata.verifyPassword(username, body.data.currentPassword ?? '')) {
      return apiError(c, 403, 'forbidden', 'currentPassword is missing or wrong');
    }
    if (!metadata.setPassword(username, body.data.password)) return userNotFound(c, username);
    logger.info({ username, by: session.username }, 'console password changed');
    const action = self ? 'password' : 'reset';
    await audit.userChange({ actor: session.username, action, username });
    return c.json({ changed: username });
  });
}

async function readJson(c: Context<ApiEnv>): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return undefined;
  }
}

function userNotFound(c: Context<ApiEnv>, username: string): Response {
  return apiError(c, 404, 'not_found', `no user named ${JSON.stringify(username)}`);
}
