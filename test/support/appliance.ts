/**
 * Starts the built appliance (`dist/engine/main.js`) as a child process on
 * free loopback ports with a fresh data folder, for end-to-end tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this file with a package.json, from source or from dist/. */
export const REPO_ROOT = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));
export const CORPUS_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'corpus');
export const MAIN_JS = path.join(REPO_ROOT, 'dist', 'engine', 'main.js');
export const CLI_JS = path.join(REPO_ROOT, 'dist', 'engine', 'cli', 'main.js');

export interface RunningAppliance {
  httpUrl: string;
  hecUrl: string;
  adminPassword: string;
  hecToken: string;
  dataDir: string;
  process: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
  /** Kills the process with SIGKILL, leaving the data folder as it is. */
  kill(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Reuse a data folder, e.g. to restart after a stop. */
  dataDir?: string;
  adminPassword?: string;
  hecToken?: string;
}

export async function startAppliance(options: StartOptions = {}): Promise<RunningAppliance> {
  if (!fs.existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run npm run build first`);
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'telhawk-test-'));
  const adminPassword =
    options.adminPassword ?? `pw-${crypto.randomBytes(9).toString('base64url')}`;
  const hecToken = options.hecToken ?? crypto.randomUUID();
  const child = spawn(process.execPath, [MAIN_JS], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      TELHAWK_DATA_DIR: dataDir,
      TELHAWK_HEC_PORT: '0',
      TELHAWK_HTTP_PORT: '0',
      TELHAWK_BIND_ADDRESS: '127.0.0.1',
      TELHAWK_ADMIN_PASSWORD: adminPassword,
      TELHAWK_HEC_TOKEN: hecToken,
      TELHAWK_WORKERS: '2',
      TELHAWK_LOG_LEVEL: 'info',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });

  const ports = await new Promise<{ hecPort: number; httpPort: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Do not leave a half-started appliance running after the caller gives up.
      child.kill('SIGKILL');
      reject(new Error(`appliance did not start within 60 s:\n${output}`));
    }, 60_000);
    const onData = () => {
      for (const line of output.split('\n')) {
        if (!line.includes('TelHawk is ready')) continue;
        try {
          const entry = JSON.parse(line) as { hecPort: number; httpPort: number };
          clearTimeout(timer);
          child.stdout.off('data', onData);
          resolve(entry);
          return;
        } catch {
          // A partial line: wait for the rest.
        }
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`appliance exited with code ${code} before it was ready:\n${output}`));
    });
  });

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    httpUrl: `http://127.0.0.1:${ports.httpPort}`,
    hecUrl: `http://127.0.0.1:${ports.hecPort}`,
    adminPassword,
    hecToken,
    dataDir,
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Parsed API response body; tests read fields from it freely. */
// biome-ignore lint/suspicious/noExplicitAny: response bodies differ per route and tests check them field by field.
export type ApiBody = any;

/** Logs in and returns a function that posts JSON to the API with the session cookie. */
export async function apiSession(
  appliance: RunningAppliance,
): Promise<(route: string, body?: unknown) => Promise<{ status: number; body: ApiBody }>> {
  const login = await fetch(`${appliance.httpUrl}/api/v1/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: appliance.adminPassword }),
  });
  if (login.status !== 200) throw new Error(`login failed with HTTP ${login.status}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  return async (route, body) => {
    const response = await fetch(`${appliance.httpUrl}${route}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: cookie },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: keep the text.
    }
    return { status: response.status, body: parsed };
  };
}

function findRepoRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
  return dir;
}
