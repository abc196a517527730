/**
 * Control characters of logged text in `thawk` output, through the built command line against a
 * real appliance: escaped in human-readable output, kept in CSV and JSON written to a pipe.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_JS, type RunningAppliance, startAppliance } from './support/appliance.js';

const run = promisify(execFile);

/**
 * A user name with BEL, a colour change, a window title change, tab, line feed, DEL, the C1
 * control CSI, a right-to-left override and a line separator.
 */
const HOSTILE = 'eve\u0007\u001b[31m\u001b]0;pwned\u0007\t\n\u007f\u009b1m\u202egnp.exe\u2028';

/** `HOSTILE` as `escapeForTerminal` writes it. */
const ESCAPED = 'eve\\x07\\x1b[31m\\x1b]0;pwned\\x07\\t\\n\\x7f\\x9b1m\\u202egnp.exe\\u2028';

/** Every character that the command line escapes for a terminal. */
const TERMINAL_CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the tests look for these characters.
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const QUERY = 'host=terminal | table user';

describe('thawk output of control characters', () => {
  let appliance: RunningAppliance;
  let env: NodeJS.ProcessEnv;

  /** Runs the built `thawk` with stdout and stderr to pipes. */
  async function thawk(...args: string[]): Promise<{ stdout: string; stderr: string }> {
    return run(process.execPath, [CLI_JS, ...args, '--url', appliance.httpUrl], { env });
  }

  beforeAll(async () => {
    appliance = await startAppliance();
    env = { ...process.env, TELHAWK_PASSWORD: appliance.adminPassword };
    const stored = {
      host: 'terminal',
      sourcetype: 'ocsf',
      event: {
        class_uid: 3002,
        activity_id: 1,
        time: Date.UTC(2025, 3, 1),
        user: { name: HOSTILE },
      },
    };
    // Not JSON, so the ocsf normalizer moves it to the dead-letter queue.
    const deadLetter = { host: 'terminal', sourcetype: 'ocsf', event: HOSTILE };
    const sent = await fetch(`${appliance.hecUrl}/services/collector/event`, {
      method: 'POST',
      headers: { Authorization: `Splunk ${appliance.hecToken}` },
      body: `${JSON.stringify(stored)}\n${JSON.stringify(deadLetter)}`,
    });
    expect(sent.status).toBe(200);
  }, 90_000);

  afterAll(async () => {
    await appliance?.stop();
    if (appliance) fs.rmSync(appliance.dataDir, { recursive: true, force: true });
  });

  it('escapes controls in a query table', async () => {
    const { stdout } = await thawk('query', QUERY);
    expect(stdout).toContain(`│ ${ESCAPED} │`);
    expect(stdout.replaceAll('\n', '')).not.toMatch(TERMINAL_CONTROL);
  });

  it('escapes controls in the dead-letter list', async () => {
    const { stdout } = await thawk('dlq', 'list', '--sourcetype', 'ocsf');
    expect(stdout).toContain(ESCAPED);
    expect(stdout.replaceAll('\n', '')).not.toMatch(TERMINAL_CONTROL);
  });

  it('writes CSV to a pipe unchanged', async () => {
    const { stdout } = await thawk('query', QUERY, '--format', 'csv');
    expect(stdout).toBe(`user\n"${HOSTILE}"\n`);
  });

  it('writes JSON lines to a pipe unchanged', async () => {
    const { stdout } = await thawk('query', QUERY, '--format', 'jsonl');
    expect(stdout).toBe(`${JSON.stringify({ user: HOSTILE })}\n`);
  });
});
