/**
 * `thawk dlq list|replay|purge`: the dead-letter queue through the REST API.
 */

import type { Command } from 'commander';
import { formatTable } from './api-client.js';
import { defaultApiUrl, defaultUser, passwordHelp, resolvePassword } from './defaults.js';
import { printJson } from './terminal-text.js';

export interface ApiOptions {
  url: string;
  user: string;
  password?: string;
}

/** Logs in and sends one request with the session cookie; throws with the API's message on failure. */
export async function apiRequest(
  options: ApiOptions,
  method: 'GET' | 'POST' | 'DELETE',
  route: string,
  body?: unknown,
): Promise<unknown> {
  const password = resolvePassword(options.user, options.password);
  const call = async (callMethod: string, callRoute: string, payload?: unknown, cookie = '') => {
    const url = new URL(callRoute, options.url);
    let response: Response;
    try {
      response = await fetch(url, {
        method: callMethod,
        headers: {
          ...(payload !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...(cookie ? { Cookie: cookie } : {}),
        },
        ...(payload !== undefined ? { body: JSON.stringify(payload) } : {}),
      });
    } catch (error) {
      throw new Error(`cannot reach TelHawk at ${url.origin}: ${(error as Error).message}`);
    }
    if (!response.ok) {
      const answer = (await response.json().catch(() => undefined)) as
        | { error?: { message?: string } }
        | undefined;
      throw new Error(
        `${callRoute} failed with HTTP ${response.status}: ${answer?.error?.message ?? response.statusText}`,
      );
    }
    return response;
  };
  const login = await call('POST', '/api/v1/login', { username: options.user, password });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const response = await call(method, route, body, cookie);
  return response.json();
}

/** Adds the REST API connection options to a command. */
export function withApiOptions(command: Command): Command {
  return command
    .option('--url <url>', 'REST API base URL', defaultApiUrl())
    .option('--user <name>', 'user name', defaultUser())
    .option('--password <password>', passwordHelp());
}

function filterParams(options: { sourcetype?: string; reason?: string }): URLSearchParams {
  const params = new URLSearchParams();
  if (options.sourcetype) params.set('sourcetype', options.sourcetype);
  if (options.reason) params.set('reason', options.reason);
  return params;
}

function fail(error: unknown): never {
  process.stderr.write(`thawk: ${(error as Error).message}\n`);
  process.exit(1);
}

function nonNegativeInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new Error(`expected a whole number, got ${value}`);
  return parsed;
}

/** Registers `thawk dlq` and its subcommands. */
export function registerDlqCommands(program: Command): void {
  const dlq = program
    .command('dlq')
    .description('list, replay or purge events that could not be normalized');

  withApiOptions(
    dlq
      .command('list')
      .description('list dead-letter entries, newest first')
      .option('--sourcetype <sourcetype>', 'only this sourcetype')
      .option('--reason <text>', 'only reasons containing this text')
      .option('--limit <n>', 'entries to show (at most 1000)', nonNegativeInteger, 20)
      .option('--offset <n>', 'entries to skip', nonNegativeInteger, 0)
      .option('--json', 'print the response as JSON'),
  ).action(async (options) => {
    try {
      const params = filterParams(options);
      params.set('limit', String(options.limit));
      params.set('offset', String(options.offset));
      const answer = (await apiRequest(options, 'GET', `/api/v1/dlq?${params}`)) as {
        total: number;
        entries: Record<string, unknown>[];
      };
      if (options.json) {
        printJson(`${JSON.stringify(answer, null, 2)}\n`);
        return;
      }
      const columns = ['received_at', 'sourcetype', 'normalizer', 'reason', 'raw'];
      process.stdout.write(
        `${formatTable({ rows: answer.entries, columns, total: answer.total, elapsed_ms: 0, kind: 'aggregate' })}\n`,
      );
      process.stderr.write(`${answer.entries.length} of ${answer.total} entries\n`);
    } catch (error) {
      fail(error);
    }
  });

  withApiOptions(
    dlq
      .command('replay')
      .description('normalize entries again, store those that now succeed and keep the rest')
      .option('--sourcetype <sourcetype>', 'only this sourcetype')
      .option('--reason <text>', 'only reasons containing this text'),
  ).action(async (options) => {
    try {
      const body: Record<string, string> = {};
      if (options.sourcetype) body.sourcetype = options.sourcetype;
      if (options.reason) body.reason = options.reason;
      const answer = (await apiRequest(options, 'POST', '/api/v1/dlq/replay', body)) as {
        replayed: number;
        remaining: number;
      };
      process.stdout.write(
        `replayed ${answer.replayed} entries; ${answer.remaining} still fail and stay queued\n`,
      );
    } catch (error) {
      fail(error);
    }
  });

  withApiOptions(
    dlq
      .command('purge')
      .description('delete dead-letter entries for good (admin)')
      .option('--sourcetype <sourcetype>', 'only this sourcetype')
      .option('--reason <text>', 'only reasons containing this text')
      .option('--yes', 'confirm deleting every entry when no filter is given'),
  ).action(async (options) => {
    const params = filterParams(options);
    if (params.size === 0 && !options.yes) {
      fail(new Error('purging every entry needs --yes (or give --sourcetype or --reason)'));
    }
    try {
      const query = params.size > 0 ? `?${params}` : '';
      const answer = (await apiRequest(options, 'DELETE', `/api/v1/dlq${query}`)) as {
        purged: number;
      };
      process.stdout.write(`purged ${answer.purged} entries\n`);
    } catch (error) {
      fail(error);
    }
  });
}
