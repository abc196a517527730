/**
 * `thawk query --data` through the built command line, on the data folder of a real appliance
 * that rolled its events over into the cold tier and wrote an export under `exports/`.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiBody,
  apiSession,
  CLI_JS,
  type RunningAppliance,
  startAppliance,
} from './support/appliance.js';

const run = promisify(execFile);
const T0 = Date.UTC(2025, 3, 1);
const EVENTS = 40;

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `thawk` with `args` and returns its exit code and output, also on failure. */
async function thawk(...args: string[]): Promise<CliRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI_JS, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** A user name that a spreadsheet would run as a formula if a CSV cell started with it. */
const FORMULA_USER = '=HYPERLINK("http://203.0.113.9/x","open")';

function authEvent(n: number, host = 'offline', user = `user${n}`): string {
  return JSON.stringify({
    host,
    sourcetype: 'ocsf',
    event: {
      class_uid: 3002,
      activity_id: 1,
      time: T0 + n * 1000,
      user: { name: user },
      process: { pid: n },
    },
  });
}

describe('thawk query --data', () => {
  let appliance: RunningAppliance;
  let exportDir: string;

  beforeAll(async () => {
    appliance = await startAppliance({
      env: { TELHAWK_ROLLOVER_AGE_MINUTES: '0.005', TELHAWK_ROLLOVER_INTERVAL_SECONDS: '0.3' },
    });
    const api = await apiSession(appliance);
    const events = Array.from({ length: EVENTS }, (_, n) => authEvent(n));
    events.push(authEvent(3, 'formula', FORMULA_USER));
    const body = events.join('\n');
    const sent = await fetch(`${appliance.hecUrl}/services/collector/event`, {
      method: 'POST',
      headers: { Authorization: `Splunk ${appliance.hecToken}` },
      body,
    });
    expect(sent.status).toBe(200);

    const deadline = Date.now() + 20_000;
    let storage: ApiBody;
    do {
      await new Promise((resolve) => setTimeout(resolve, 300));
      storage = (await api('/api/v1/storage')).body;
    } while (storage.coldRows < events.length && Date.now() < deadline);
    expect(storage.coldRows).toBeGreaterThanOrEqual(events.length);

    const exported = await run(
      process.execPath,
      [CLI_JS, 'export', '--server', 'week', '--earliest', '0', '--url', appliance.httpUrl],
      { env: { ...process.env, TELHAWK_PASSWORD: appliance.adminPassword } },
    );
    expect(exported.stdout).toMatch(/^exported \d+ events/);
    exportDir = path.join(appliance.dataDir, 'exports', 'week');
    await appliance.stop();
  }, 90_000);

  afterAll(async () => {
    await appliance?.stop();
    if (appliance) fs.rmSync(appliance.dataDir, { recursive: true, force: true });
  });

  it('reads only the cold tier of a data folder', async () => {
    const result = await thawk(
      'query',
      '--data',
      appliance.dataDir,
      'host=offline | stats count',
      '--format',
      'json',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).rows).toEqual([{ count: EVENTS }]);
    expect(result.stderr).toContain(
      `thawk: ${appliance.dataDir} is an appliance data folder: searched its cold tier ${path.join(appliance.dataDir, 'cold')} (`,
    );
    expect(result.stderr).toContain(
      `thawk: left out the exports in ${path.join(appliance.dataDir, 'exports')} (week), which repeat events of the cold tier; pass --data ${exportDir} to search one`,
    );
  });

  it('rejects a folder without Parquet files', async () => {
    const result = await thawk('query', '--data', path.join(appliance.dataDir, 'rowlog'), '*');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `thawk: no Parquet files (*.parquet) found under ${path.join(appliance.dataDir, 'rowlog')}: expected an appliance data folder (with cold/), a copy of its cold/ folder, or an export written by thawk export\n`,
    );
  });

  it('rejects --lookup without --data', async () => {
    const result = await thawk('query', '--lookup', 'bad=./bad.csv', '| stats count');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--lookup works only with --data');
  });

  it('neutralises formulas in CSV output', async () => {
    const result = await thawk(
      'query',
      '--data',
      exportDir,
      'host=formula | eval delta = pid - 10 | table user, delta',
      '--format',
      'csv',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`user,delta\n"'=HYPERLINK(""http://203.0.113.9/x"",""open"")",-7\n`);
  });

  it('says when --limit cuts the rows', async () => {
    const query = ['query', '--data', exportDir, 'host=offline', '--limit', '3'];
    const table = await thawk(...query);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stderr).toMatch(
      /^showing 3 of 40 results in [\d.]+ ms; raise --limit to show more\n$/,
    );
    const all = await thawk('query', '--data', exportDir, 'host=offline | stats count by user');
    expect(all.stderr).toMatch(/^40 results in [\d.]+ ms\n$/);

    const csv = await thawk(...query, '--format', 'csv');
    expect(csv.stdout.trimEnd().split('\n')).toHaveLength(4);
    expect(csv.stderr).toBe('thawk: showing 3 of 40 results; raise --limit to show more\n');
    const lines = await thawk(...query, '--format', 'jsonl');
    expect(
      lines.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toHaveLength(3);
    expect(lines.stderr).toBe('thawk: showing 3 of 40 results; raise --limit to show more\n');
    const json = await thawk(...query, '--json');
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout).total).toBe(40);
    expect(JSON.parse(json.stdout).rows).toHaveLength(3);
  });

  it('rejects --json with --format', async () => {
    const result = await thawk('query', '--data', exportDir, '*', '--json', '--format', 'csv');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      "error: option '--json' cannot be used with option '--format <format>'",
    );
  });

  it('reads an export folder given directly', async () => {
    const result = await thawk(
      'query',
      '--data',
      exportDir,
      'host=offline | stats count',
      '--format',
      'json',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).rows).toEqual([{ count: EVENTS }]);
    expect(result.stderr).toBe('');
  });
});
