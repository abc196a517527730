/**
 * Opaque page cursors for event searches: the (time, id) of the last event of a page, so the
 * next page starts below it (keyset pagination, not OFFSET). Bound to the query text, so a cursor
 * of another query is rejected.
 */

import type { PageKey } from './compiler.js';

interface CursorBody {
  v: 1;
  t: string;
  i: string;
  q: string;
}

/** A short, stable fingerprint of the query (FNV-1a over its canonical text). */
export function queryFingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(token: string): string {
  const binary = atob(token.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
}

export function encodeCursor(key: PageKey, fingerprint: string): string {
  const body: CursorBody = { v: 1, t: key.timeUs, i: key.id, q: fingerprint };
  return toBase64Url(JSON.stringify(body));
}

/** Decodes a cursor, or returns undefined when it is malformed or belongs to another query. */
export function decodeCursor(token: string, fingerprint: string): PageKey | undefined {
  if (token.length > 512 || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  try {
    const body = JSON.parse(fromBase64Url(token)) as Partial<CursorBody>;
    if (body.v !== 1 || body.q !== fingerprint) return undefined;
    if (typeof body.t !== 'string' || !/^-?\d{1,20}$/.test(body.t)) return undefined;
    if (typeof body.i !== 'string' || body.i.length > 64) return undefined;
    return { timeUs: body.t, id: body.i };
  } catch {
    return undefined;
  }
}
