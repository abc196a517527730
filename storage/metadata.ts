import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ConnectionHost, HecToken } from './types.js';

export type Role = 'admin' | 'analyst' | 'viewer';

export const ROLES: readonly Role[] = ['admin', 'analyst', 'viewer'];

export interface User {
  id: number;
  username: string;
  role: Role;
  createdAt: string;
}

export interface Session {
  userId: number;
  username: string;
  role: Role;
  expiresAt: number;
}

export interface NewHecToken {
  name: string;
  /** The secret; a random GUID when absent. */
  secret?: string;
  defaultIndex?: string;
  indexes?: string[];
  defaultSourcetype?: string;
  defaultSource?: string;
  defaultHost?: string;
  useAck?: boolean;
  allowQueryStringAuth?: boolean;
  connectionHost?: ConnectionHost;
}

const SCRYPT_KEY_LENGTH = 32;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'viewer')),
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
  id_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS hec_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  secret_hash TEXT NOT NULL UNIQUE,
  disabled INTEGER NOT NULL DEFAULT 0,
  default_index TEXT NOT NULL DEFAULT 'main',
  indexes TEXT NOT NULL DEFAULT '[]',
  default_sourcetype TEXT,
  default_source TEXT,
  default_host TEXT,
  use_ack INTEGER NOT NULL DEFAULT 0,
  allow_query_string_auth INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  connection_host TEXT
);
CREATE TABLE IF NOT EXISTS saved_searches (
  id INTEGER PRIMARY KEY,
  owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  query TEXT NOT NULL,
  query_json TEXT NOT NULL,
  sharing TEXT NOT NULL CHECK (sharing IN ('private', 'read', 'edit')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS lookups (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  columns TEXT NOT NULL,
  row_count INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at TEXT NOT NULL
);
`;

/** Who may see and change a saved search besides its owner. */
export type SearchSharing = 'private' | 'read' | 'edit';

export interface SavedSearch {
  id: number;
  ownerId: number;
  owner: string;
  name: string;
  description: string;
  query: string;
  /** The canonical JSON query. */
  queryJson: unknown;
  sharing: SearchSharing;
  createdAt: string;
  updatedAt: string;
}

export interface SavedSearchInput {
  name: string;
  description: string;
  query: string;
  queryJson: unknown;
  sharing: SearchSharing;
}

export interface LookupInfo {
  id: number;
  name: string;
  columns: string[];
  rowCount: number;
  bytes: number;
  createdAt: string;
}

interface SavedSearchRow {
  id: number;
  owner_id: number;
  owner: string;
  name: string;
  description: string;
  query: string;
  query_json: string;
  sharing: SearchSharing;
  created_at: string;
  updated_at: string;
}

function savedSearch(row: SavedSearchRow): SavedSearch {
  return {
    id: row.id,
    ownerId: row.owner_id,
    owner: row.owner,
    name: row.name,
    description: row.description,
    query: row.query,
    queryJson: JSON.parse(row.query_json),
    sharing: row.sharing,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const SAVED_SEARCH_SELECT = `SELECT s.*, u.username AS owner FROM saved_searches s JOIN users u ON u.id = s.owner_id`;

interface TokenRow {
  id: string;
  name: string;
  disabled: number;
  default_index: string;
  indexes: string;
  default_sourcetype: string | null;
  default_source: string | null;
  default_host: string | null;
  use_ack: number;
  allow_query_string_auth: number;
  connection_host: string | null;
}

/**
 * The metadata database (`<data>/meta.sqlite`): users, sessions and HEC
 * tokens. Secrets are stored only as hashes.
 */
export class MetadataStore {
  private readonly db: Database.Database;
  /** HEC tokens by secret hash; cleared on every token change. */
  private tokenCache = new Map<string, HecToken | null>();

  constructor(dataDir: string) {
    fs.mkdirSync(dataDir, { recursive: true });
    this.db = new Database(path.join(dataDir, 'meta.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.exec(SCHEMA);
    // Databases made before connection_host existed get the column.
    const tokenColumns = this.db.prepare('PRAGMA table_info(hec_tokens)').all() as {
      name: string;
    }[];
    if (!tokenColumns.some((column) => column.name === 'connection_host')) {
      this.db.exec('ALTER TABLE hec_tokens ADD COLUMN connection_host TEXT');
    }
  }

  close(): void {
    this.db.close();
  }

  /** Saved searches the user owns or that are shared with anyone, newest change first. */
  /**
   * Lists the saved searches a user reads: their own and the shared ones, or with `all` (for
   * admins) every user's.
   */
  listSavedSearches(userId: number, all = false): SavedSearch[] {
    const where = all ? '' : ` WHERE s.owner_id = ? OR s.sharing <> 'private'`;
    const rows = this.db
      .prepare(`${SAVED_SEARCH_SELECT}${where} ORDER BY s.updated_at DESC, s.id DESC`)
      .all(...(all ? [] : [userId])) as SavedSearchRow[];
    return rows.map(savedSearch);
  }

  getSavedSearch(id: number): SavedSearch | undefined {
    const row = this.db.prepare(`${SAVED_SEARCH_SELECT} WHERE s.id = ?`).get(id) as
      | SavedSearchRow
      | undefined;
    return row && savedSearch(row);
  }

  createSavedSearch(ownerId: number, input: SavedSearchInput): SavedSearch {
    const now = new Date().toISOString();
    const result = this.db
      .prepare(
        'INSERT INTO saved_searches (owner_id, name, description, query, query_json, sharing, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        ownerId,
        input.name,
        input.description,
        input.query,
        JSON.stringify(input.queryJson),
        input.sharing,
        now,
        now,
      );
    return this.getSavedSearch(Number(result.lastInsertRowid))!;
  }

  updateSavedSearch(id: number, input: SavedSearchInput): SavedSearch | undefined {
    this.db
      .prepare(
        'UPDATE saved_searches SET name = ?, description = ?, query = ?, query_json = ?, sharing = ?, updated_at = ? WHERE id = ?',
      )
      .run(
        input.name,
        input.description,
        input.query,
        JSON.stringify(input.queryJson),
        input.sharing,
        new Date().toISOString(),
        id,
      );
    return this.getSavedSearch(id);
  }

  deleteSavedSearch(id: number): boolean {
    return this.db.prepare('DELETE FROM saved_searches WHERE id = ?').run(id).changes > 0;
  }

  listLookups(): LookupInfo[] {
    const rows = this.db.prepare('SELECT * FROM lookups ORDER BY name').all() as {
      id: number;
      name: string;
      columns: string;
      row_count: number;
      bytes: number;
      created_at: string;
    }[];
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      columns: JSON.parse(row.columns) as string[],
      rowCount: row.row_count,
      bytes: row.bytes,
      createdAt: row.created_at,
    }));
  }

  getLookup(name: string): LookupInfo | undefined {
    return this.listLookups().find((lookup) => lookup.name.toLowerCase() === name.toLowerCase());
  }

  /** Adds a lookup table, or replaces the one whose name differs only in case, and returns it. */
  saveLookup(
    name: string,
    columns: string[],
    rowCount: number,
    bytes: number,
    ownerId: number | undefined,
  ): LookupInfo {
    const now = new Date().toISOString();
    this.db
      .prepare(
        `INSERT INTO lookups (name, columns, row_count, bytes, owner_id, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET columns = excluded.columns, row_count = excluded.row_count, bytes = excluded.bytes, owner_id = excluded.owner_id, created_at = excluded.created_at`,
      )
      .run(name, JSON.stringify(columns), rowCount, bytes, ownerId ?? null, now);
    return this.getLookup(name)!;
  }

  deleteLookup(name: string): boolean {
    return this.db.prepare('DELETE FROM lookups WHERE name = ?').run(name).changes > 0;
  }

  countUsers(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  createUser(username: string, password: string, role: Role): User {
    const createdAt = new Date().toISOString();
    const result = this.db
      .prepare('INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)')
      .run(username, hashPassword(password), role, createdAt);
    return { id: Number(result.lastInsertRowid), username, role, createdAt };
  }

  listUsers(): User[] {
    const rows = this.db
      .prepare('SELECT id, username, role, created_at FROM users ORDER BY username')
      .all() as { id: number; username: string; role: Role; created_at: string }[];
    return rows.map((row) => ({
      id: row.id,
      username: row.username,
      role: row.role,
      createdAt: row.created_at,
    }));
  }

  /** Deletes a user and, through the foreign key, their sessions. */
  deleteUser(username: string): boolean {
    return this.db.prepare('DELETE FROM users WHERE username = ?').run(username).changes > 0;
  }

  /** Sets a new password and ends every session of the user. */
  setPassword(username: string, password: string): boolean {
    const changes = this.db
      .prepare('UPDATE users SET password_hash = ? WHERE username = ?')
      .run(hashPassword(password), username).changes;
    if (changes > 0) {
      this.db
        .prepare('DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = ?)')
        .run(username);
    }
    return changes > 0;
  }

  /** Returns the user when the password matches, in constant time per user. */
  verifyPassword(username: string, password: string): User | undefined {
    const row = this.db
      .prepare('SELECT id, username, role, created_at, password_hash FROM users WHERE username = ?')
      .get(username) as
      | { id: number; username: string; role: Role; created_at: string; password_hash: string }
      | undefined;
    if (!row) {
      // Spend the same work as a real check so that timing does not reveal which users exist.
      verifyPasswordHash(password, DUMMY_HASH);
      return undefined;
    }
    if (!verifyPasswordHash(password, row.password_hash)) return undefined;
    return { id: row.id, username: row.username, role: row.role, createdAt: row.created_at };
  }

  /** Creates a session and returns its secret id, which only the cookie holds. */
  createSession(userId: number, lifetimeMs: number): string {
    const sessionId = crypto.randomBytes(32).toString('base64url');
    this.db
      .prepare('INSERT INTO sessions (id_hash, user_id, expires_at) VALUES (?, ?, ?)')
      .run(sha256(sessionId), userId, Date.now() + lifetimeMs);
    return sessionId;
  }

  getSession(sessionId: string): Session | undefined {
    const row = this.db
      .prepare(
        `SELECT s.user_id, s.expires_at, u.username, u.role FROM sessions s
         JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?`,
      )
      .get(sha256(sessionId)) as
      | { user_id: number; expires_at: number; username: string; role: Role }
      | undefined;
    if (!row || row.expires_at < Date.now()) return undefined;
    return {
      userId: row.user_id,
      username: row.username,
      role: row.role,
      expiresAt: row.expires_at,
    };
  }

  deleteSession(sessionId: string): void {
    this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(sha256(sessionId));
  }

  deleteExpiredSessions(): number {
    return this.db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(Date.now()).changes;
  }

  /** Creates a HEC token and returns it with its secret, which is not stored. */
  createHecToken(spec: NewHecToken): { token: HecToken; secret: string } {
    const secret = spec.secret ?? crypto.randomUUID();
    const id = crypto.randomUUID();
    this.db
      .prepare(
        `INSERT INTO hec_tokens (id, name, secret_hash, default_index, indexes, default_sourcetype,
           default_source, default_host, use_ack, allow_query_string_auth, created_at,
           connection_host)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        spec.name,
        sha256(secret),
        spec.defaultIndex ?? 'main',
        JSON.stringify(spec.indexes ?? []),
        spec.defaultSourcetype ?? null,
        spec.defaultSource ?? null,
        spec.defaultHost ?? null,
        spec.useAck ? 1 : 0,
        spec.allowQueryStringAuth ? 1 : 0,
        new Date().toISOString(),
        spec.connectionHost ?? null,
      );
    this.tokenCache.clear();
    return { token: this.lookupHecToken(secret)!, secret };
  }

  setHecTokenDisabled(id: string, disabled: boolean): boolean {
    const changes = this.db
      .prepare('UPDATE hec_tokens SET disabled = ? WHERE id = ?')
      .run(disabled ? 1 : 0, id).changes;
    this.tokenCache.clear();
    return changes > 0;
  }

  deleteHecToken(id: string): boolean {
    const changes = this.db.prepare('DELETE FROM hec_tokens WHERE id = ?').run(id).changes;
    this.tokenCache.clear();
    return changes > 0;
  }

  listHecTokens(): HecToken[] {
    const rows = this.db.prepare('SELECT * FROM hec_tokens ORDER BY name').all() as TokenRow[];
    return rows.map(tokenFromRow);
  }

  /** Finds a token by its secret; cached, and the cache is cleared on every change. */
  lookupHecToken(secret: string): HecToken | undefined {
    const hash = sha256(secret);
    const cached = this.tokenCache.get(hash);
    if (cached !== undefined) return cached ?? undefined;
    const row = this.db.prepare('SELECT * FROM hec_tokens WHERE secret_hash = ?').get(hash) as
      | TokenRow
      | undefined;
    const token = row ? tokenFromRow(row) : null;
    // Unknown secrets are cached too, but the map is bounded so that a flood
    // of random tokens cannot grow it without limit.
    if (this.tokenCache.size > 10_000) this.tokenCache.clear();
    this.tokenCache.set(hash, token);
    return token ?? undefined;
  }
}

function tokenFromRow(row: TokenRow): HecToken {
  return {
    id: row.id,
    name: row.name,
    disabled: row.disabled === 1,
    defaultIndex: row.default_index,
    indexes: JSON.parse(row.indexes) as string[],
    defaultSourcetype: row.default_sourcetype ?? undefined,
    defaultSource: row.default_source ?? undefined,
    defaultHost: row.default_host ?? undefined,
    useAck: row.use_ack === 1,
    allowQueryStringAuth: row.allow_query_string_auth === 1,
    ...(row.connection_host ? { connectionHost: row.connection_host as ConnectionHost } : {}),
  };
}

export function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

/** Hashes a password with scrypt and a random salt, as `scrypt$<salt>$<hash>`. */
export function hashPassword(password: string): string {
  const salt = crypto.randomBytes(16);
  const hash = crypto.scryptSync(password, salt, SCRYPT_KEY_LENGTH);
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export function verifyPasswordHash(password: string, stored: string): boolean {
  const [scheme, saltText, hashText] = stored.split('$');
  if (scheme !== 'scrypt' || !saltText || !hashText) return false;
  const expected = Buffer.from(hashText, 'base64');
  const actual = crypto.scryptSync(password, Buffer.from(saltText, 'base64'), expected.length);
  return crypto.timingSafeEqual(actual, expected);
}

const DUMMY_HASH = hashPassword(crypto.randomUUID());
