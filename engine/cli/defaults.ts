/**
 * Default endpoints and credentials of a local appliance, following the same environment
 * variables as the appliance itself.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The user that the appliance creates on first start. */
export const ADMIN_USER = 'admin';

/** File in the data folder where the appliance writes the admin password on first start. */
const ADMIN_PASSWORD_FILE = 'admin-password.txt';

export function defaultHecUrl(): string {
  return process.env.TELHAWK_HEC_URL ?? `http://127.0.0.1:${process.env.TELHAWK_HEC_PORT || 8088}`;
}

export function defaultApiUrl(): string {
  return process.env.TELHAWK_URL ?? `http://127.0.0.1:${process.env.TELHAWK_HTTP_PORT || 8000}`;
}

export function defaultDataDir(): string {
  return process.env.TELHAWK_DATA_DIR ?? 'var';
}

export function defaultUser(): string {
  return process.env.TELHAWK_USER ?? ADMIN_USER;
}

/** Help text of `--password`, for every command that logs in. */
export function passwordHelp(): string {
  const file = path.join(defaultDataDir(), ADMIN_PASSWORD_FILE);
  return `password (default: $TELHAWK_PASSWORD, then ${file} when the user is ${ADMIN_USER})`;
}

/**
 * Returns the password to log in as `user`: `explicit` (the `--password` option), then
 * $TELHAWK_PASSWORD, then, for the admin user only, `admin-password.txt` in the data folder.
 * The file contains only the admin's password, so sending it for another user would fail the
 * login and count toward that user's login lockout. Throws when no password applies.
 */
export function resolvePassword(
  user: string,
  explicit: string | undefined,
  dataDir = defaultDataDir(),
): string {
  const password = explicit ?? process.env.TELHAWK_PASSWORD;
  if (password) return password;
  if (user !== ADMIN_USER) {
    throw new Error(`no password for user '${user}': pass --password or set TELHAWK_PASSWORD`);
  }
  const file = path.join(dataDir, ADMIN_PASSWORD_FILE);
  const stored = readTrimmed(file);
  if (stored) return stored;
  throw new Error(
    `no password for user '${user}': ${file} is missing or empty, so pass --password, set TELHAWK_PASSWORD, or set TELHAWK_DATA_DIR to the appliance's data folder`,
  );
}

function readTrimmed(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
