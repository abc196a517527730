import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetadataStore } from './metadata.js';

describe('MetadataStore', () => {
  let dataDir: string;
  let metadata: MetadataStore;

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'telhawk-meta-'));
    metadata = new MetadataStore(dataDir);
  });

  afterEach(() => {
    metadata.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('verifies passwords and keeps only hashes', () => {
    metadata.createUser('alice', 'correct horse', 'analyst');
    expect(metadata.verifyPassword('alice', 'correct horse')?.role).toBe('analyst');
    expect(metadata.verifyPassword('alice', 'wrong')).toBeUndefined();
    expect(metadata.verifyPassword('nobody', 'correct horse')).toBeUndefined();
    const file = fs.readFileSync(path.join(dataDir, 'meta.sqlite'));
    expect(file.includes(Buffer.from('correct horse'))).toBe(false);
  });

  it('adds connection_host to an older token table', () => {
    metadata.close();
    const db = new Database(path.join(dataDir, 'meta.sqlite'));
    db.exec('ALTER TABLE hec_tokens DROP COLUMN connection_host');
    db.close();
    metadata = new MetadataStore(dataDir);
    const { secret } = metadata.createHecToken({ name: 'proxy', connectionHost: 'proxied_ip' });
    expect(metadata.lookupHecToken(secret)?.connectionHost).toBe('proxied_ip');
    const plain = metadata.createHecToken({ name: 'plain' });
    expect(plain.token.connectionHost).toBeUndefined();
  });

  it('expires and deletes sessions', () => {
    const user = metadata.createUser('bob', 'password1', 'viewer');
    const live = metadata.createSession(user.id, 60_000);
    const expired = metadata.createSession(user.id, -1);
    expect(metadata.getSession(live)?.username).toBe('bob');
    expect(metadata.getSession(expired)).toBeUndefined();
    metadata.deleteSession(live);
    expect(metadata.getSession(live)).toBeUndefined();
  });

  it('looks up HEC tokens and sees a disable at once', () => {
    const { token, secret } = metadata.createHecToken({ name: 'fw', indexes: ['net'] });
    expect(metadata.lookupHecToken(secret)).toMatchObject({
      name: 'fw',
      indexes: ['net'],
      disabled: false,
    });
    metadata.setHecTokenDisabled(token.id, true);
    expect(metadata.lookupHecToken(secret)?.disabled).toBe(true);
    metadata.deleteHecToken(token.id);
    expect(metadata.lookupHecToken(secret)).toBeUndefined();
    expect(metadata.lookupHecToken('not-a-token')).toBeUndefined();
  });

  it('keeps a preset token secret', () => {
    const { secret } = metadata.createHecToken({ name: 'preset', secret: 'abc-123' });
    expect(secret).toBe('abc-123');
    expect(metadata.lookupHecToken('abc-123')?.name).toBe('preset');
  });
});
