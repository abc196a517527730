/**
 * Control characters of logged text in `thawk` output, through the built command line against a
 * real appliance: escaped in human-readable output, kept in CSV and JSON written to a pipe, and
 * escaped in CSV and JSON written to a terminal. The terminal runs use util-linux `script`, which
 * gives the command a pseudo-terminal as its stdout.
 */
import { execFile, execFileSync } from 'node:child_process';
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

/** `{"user": HOSTILE}` as JSON with the characters that JSON.stringify leaves raw escaped. */
const ESCAPED_JSON =
  '{"user":"eve\\u0007\\u001b[31m\\u001b]0;pwned\\u0007\\t\\n\\u007f\\u009b1m\\u202egnp.exe\\u2028"}';

/** Every character that the command line escapes for a terminal. */
const TERMINAL_CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the tests look for these characters.
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const QUERY = 'host=terminal | table user';

/** Returns whether `script` is the util-linux one, whose `--command` and `--return` options the terminal runs use. */
function hasUtilLinuxScript(): boolean {
  try {
    return execFileSync('script', ['--version'], { encoding: 'utf8' }).includes('util-linux');
  } catch {
    return false;
  }
}

function shellQuote(argument: string): string {
  return `'${argument.replaceAll("'", "'\\''")}'`;
}

describe('thawk output of control characters', () => {
  let appliance: RunningAppliance;
  let env: NodeJS.ProcessEnv;

  /** Runs the built `thawk` with stdout and stderr to pipes. */
  async function thawk(...args: string[]): Promise<{ stdout: string; stderr: string }> {
    return run(process.execPath, [CLI_JS, ...args, '--url', appliance.httpUrl], { env });
  }

  /**
   * Runs the built `thawk` with a pseudo-terminal as stdout and stderr, and returns what it
   * wrote to both, with the terminal's CRLF line ends turned back into LF.
   */
  async function thawkOnTerminal(...args: string[]): Promise<string> {
    const command = [process.execPath, CLI_JS, ...args, '--url', appliance.httpUrl]
      .map(shellQuote)
      .join(' ');
    const { stdout } = await run(
      'script',
      ['--quiet', '--return', '--command', command, '/dev/null'],
      {
        env,
      },
    );
    return stdout.replaceAll('\r\n', '\n');
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

  describe.skipIf(!hasUtilLinuxScript())('on a terminal', () => {
    it('escapes controls in CSV', async () => {
      const output = await thawkOnTerminal('query', QUERY, '--format', 'csv');
      expect(output).toBe(`user\n${ESCAPED}\n`);
    });

    it('escapes controls in JSON lines', async () => {
      const output = await thawkOnTerminal('query', QUERY, '--format', 'jsonl');
      expect(output).toBe(`${ESCAPED_JSON}\n`);
      expect(JSON.parse(output)).toEqual({ user: HOSTILE });
    });

    it('escapes controls in the JSON document', async () => {
      const output = await thawkOnTerminal('query', QUERY, '--json');
      expect(output.replaceAll('\n', '')).not.toMatch(TERMINAL_CONTROL);
      expect(JSON.parse(output).rows).toEqual([{ user: HOSTILE }]);
    });

    it('escapes controls in dead-letter JSON', async () => {
      const output = await thawkOnTerminal('dlq', 'list', '--sourcetype', 'ocsf', '--json');
      expect(output.replaceAll('\n', '')).not.toMatch(TERMINAL_CONTROL);
      expect(JSON.parse(output).entries[0].raw).toBe(HOSTILE);
    });
  });
});
