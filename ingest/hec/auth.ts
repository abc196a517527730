/**
 * HEC authentication in Splunk's order: the `token` query parameter, then
 * `Authorization: Splunk <token>`, then Basic with the token as the password.
 */

import { HecError } from './codes.js';
import type { HecToken, HecTokenStore } from './types.js';

const SPLUNK_SCHEME = /^\s*splunk\s+(\S+)\s*$/i;
const BASIC_SCHEME = /^\s*basic\s+([A-Za-z0-9+/=_-]+)\s*$/i;

/** Returns the token secret in an Authorization header, or undefined for an unknown form. */
export function secretFromAuthorization(header: string): string | undefined {
  const splunk = SPLUNK_SCHEME.exec(header);
  if (splunk) return splunk[1];
  const basic = BASIC_SCHEME.exec(header);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // The user part is ignored: the password is the token.
  if (colon === -1) return undefined;
  const password = decoded.slice(colon + 1);
  return password === '' ? undefined : password;
}

/**
 * Resolves the request's token. `queryToken` is the `token` query parameter (undefined when
 * absent), which wins over the header even when the token lacks query-string auth.
 * Throws HecError with code 2, 3, 4, 1 or 16.
 */
export function authenticate(
  store: HecTokenStore,
  queryToken: string | undefined,
  authorization: string,
): HecToken {
  if (queryToken !== undefined) {
    const token = store.lookup(queryToken);
    if (token === undefined) throw new HecError(4);
    if (token.disabled) throw new HecError(1);
    if (!token.allowQueryStringAuth) throw new HecError(16);
    return token;
  }
  if (authorization.trim() === '') throw new HecError(2);
  const secret = secretFromAuthorization(authorization);
  if (secret === undefined) throw new HecError(3);
  const token = store.lookup(secret);
  if (token === undefined) throw new HecError(4);
  if (token.disabled) throw new HecError(1);
  return token;
}
