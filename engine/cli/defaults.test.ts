import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADMIN_USER, resolvePassword } from './defaults.js';

describe('resolvePassword', () => {
  let dataDir: string;
  let emptyDir: string;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thawk-defaults-'));
    emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thawk-defaults-empty-'));
    fs.writeFileSync(path.join(dataDir, 'admin-password.txt'), 'stored-admin-pass\n');
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(emptyDir, { recursive: true, force: true });
  });

  it('reads the admin password file for admin', () => {
    vi.stubEnv('TELHAWK_PASSWORD', undefined);
    expect(resolvePassword(ADMIN_USER, undefined, dataDir)).toBe('stored-admin-pass');
  });

  it('rejects another user without a password', () => {
    vi.stubEnv('TELHAWK_PASSWORD', undefined);
    expect(() => resolvePassword('ana', undefined, dataDir)).toThrow(
      "no password for user 'ana': pass --password or set TELHAWK_PASSWORD",
    );
  });

  it('prefers the option, then the environment', () => {
    vi.stubEnv('TELHAWK_PASSWORD', 'env-pass');
    expect(resolvePassword('ana', 'option-pass', dataDir)).toBe('option-pass');
    expect(resolvePassword('ana', undefined, dataDir)).toBe('env-pass');
    expect(resolvePassword(ADMIN_USER, undefined, dataDir)).toBe('env-pass');
  });

  it('names the data folder when admin has no file', () => {
    vi.stubEnv('TELHAWK_PASSWORD', undefined);
    expect(() => resolvePassword(ADMIN_USER, undefined, emptyDir)).toThrow(
      path.join(emptyDir, 'admin-password.txt'),
    );
  });
});
