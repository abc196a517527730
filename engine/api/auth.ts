import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { z } from 'zod';
import type { MetadataStore, Role, Session } from '../../storage/index.js';
import type { QueryAccess } from '../query-service.js';
import { apiError } from './errors.js';

export const SESSION_COOKIE = 'telhawk_session';

const ROLE_RANK: Record<Role, number> = { viewer: 1, analyst: 2, admin: 3 };

export type ApiEnv = { Variables: { session: Session } };

/**
 * Rejects requests without a live session, or whose user's role is below
 * `role`. Every API route but login and health goes through it.
 */
export function requireRole(metadata: MetadataStore, role: Role): MiddlewareHandler<ApiEnv> {
  return createMiddleware<ApiEnv>(async (c, next) => {
    const sessionId = getCookie(c, SESSION_COOKIE);
    const session = sessionId ? metadata.getSession(sessionId) : undefined;
    if (!session) return apiError(c, 401, 'unauthenticated', 'log in first: POST /api/v1/login');
    if (ROLE_RANK[session.role] < ROLE_RANK[role]) {
      return apiError(
        c,
        403,
        'forbidden',
        `this action needs the ${role} role; you have ${session.role}`,
      );
    }
    c.set('session', session);
    await next();
  });
}

/**
 * Returns what a session's queries may read: internal indexes such as `_audit` only for admins,
 * as Splunk grants them only to its admin role.
 */
export function queryAccess(session: Session): QueryAccess {
  return { internalIndexes: session.role === 'admin' };
}

export const LoginRequest = z.object({
  username: z.string().min(1).max(256),
  password: z.string().min(1).max(1024),
});

export function startSession(
  c: Context,
  metadata: MetadataStore,
  userId: number,
  lifetimeMs: number,
): void {
  const sessionId = metadata.createSession(userId, lifetimeMs);
  setCookie(c, SESSION_COOKIE, sessionId, {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    maxAge: Math.floor(lifetimeMs / 1000),
    secure: c.req.url.startsWith('https:'),
  });
}

/** Ends the request's session, and returns it when there was one. */
export function endSession(c: Context, metadata: MetadataStore): Session | undefined {
  const sessionId = getCookie(c, SESSION_COOKIE);
  const session = sessionId ? metadata.getSession(sessionId) : undefined;
  if (sessionId) metadata.deleteSession(sessionId);
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
  return session;
}
