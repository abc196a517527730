#!/usr/bin/env node
import fs from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { QueryDiagnostic } from '../../query-lang/index.js';
import {
  OfflineInputError,
  type OfflineResult,
  runOffline,
  toCsv,
  toJsonLines,
} from '../offline.js';
import { ApiClient, ApiRequestError, formatTable, type QueryResult } from './api-client.js';
/**
 * `thawk`: the TelHawk command line. Sends files over HEC and runs queries
 * through the REST API.
 */
import {
  defaultApiUrl,
  defaultDataDir,
  defaultHecUrl,
  defaultUser,
  passwordHelp,
  resolvePassword,
} from './defaults.js';
import { registerDlqCommands } from './dlq.js';
import { registerExportCommand, registerRestoreCommand } from './export.js';
import { HecClient } from './hec-client.js';
import { type ImportFormat, sourcetypeFromContent, splitEvents } from './import-file.js';
import { formatQueryErrors } from './query-errors.js';
import { seedCommand } from './seed.js';
import { printJson } from './terminal-text.js';

const DEFAULT_DATA_DIR = defaultDataDir();

/** Collects `--lookup name=file` options into a map of lookup names to CSV files. */
function lookupOption(value: string, previous: Record<string, string>): Record<string, string> {
  const separator = value.indexOf('=');
  if (separator <= 0 || separator === value.length - 1) {
    throw new InvalidArgumentError('expected NAME=FILE, such as badips=./badips.csv');
  }
  return { ...previous, [value.slice(0, separator)]: value.slice(separator + 1) };
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) {
    throw new InvalidArgumentError(
      `expected a positive whole number, got ${JSON.stringify(value)}`,
    );
  }
  return parsed;
}

/** Reads a first-start secret file of a local appliance, if there is one. */
function readSecret(file: string): string | undefined {
  try {
    return fs.readFileSync(path.join(DEFAULT_DATA_DIR, file), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

const LIMIT_HINT = 'raise --limit to show more';

/** Describes how many results there are and, when `--limit` cut them, how many are shown. */
function resultCount(result: QueryResult): string {
  const noun = result.total === 1 ? 'result' : 'results';
  if (result.rows.length >= result.total) return `${result.total} ${noun}`;
  return `showing ${result.rows.length} of ${result.total} ${noun}`;
}

/**
 * Prints the result in `format` on stdout. The JSON document contains `total` itself, so only the
 * table, and JSON lines or CSV cut by `--limit`, get a count on stderr. CSV and JSON go to a file
 * or pipe unchanged, but on a terminal their control characters show as escapes, as in the table.
 */
function printResult(result: QueryResult, format: string): void {
  const truncated = result.rows.length < result.total;
  const terminal = process.stdout.isTTY === true;
  if (format === 'json') {
    printJson(`${JSON.stringify(result, null, 2)}\n`);
  } else if (format === 'jsonl') {
    printJson(toJsonLines(result.rows));
    if (truncated) process.stderr.write(`thawk: ${resultCount(result)}; ${LIMIT_HINT}\n`);
  } else if (format === 'csv') {
    process.stdout.write(toCsv(result.columns, result.rows, { forTerminal: terminal }));
    if (truncated) process.stderr.write(`thawk: ${resultCount(result)}; ${LIMIT_HINT}\n`);
  } else {
    process.stdout.write(`${formatTable(result)}\n`);
    const hint = truncated ? `; ${LIMIT_HINT}` : '';
    process.stderr.write(`${resultCount(result)} in ${result.elapsed_ms} ms${hint}\n`);
  }
}

/** Shows `file` relative to the working folder when it is inside it, else in full. */
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === '' ? '.' : relative.startsWith('..') ? file : relative;
}

/** Notes on stderr which folder of an appliance data folder an offline search read. */
function printOfflineSource(dataDir: string, result: OfflineResult): void {
  if (result.searched === path.resolve(dataDir)) return;
  process.stderr.write(
    `thawk: ${dataDir} is an appliance data folder: searched its cold tier ${displayPath(result.searched)} (${result.files} Parquet files); events not yet rolled over stay in hot.duckdb, which offline search does not read\n`,
  );
  if (result.excluded_exports.length === 0) return;
  const names = result.excluded_exports.map((folder) => path.basename(folder)).join(', ');
  const first = result.excluded_exports[0]!;
  process.stderr.write(
    `thawk: left out the exports in ${displayPath(path.dirname(first))} (${names}), which repeat events of the cold tier; pass --data ${displayPath(first)} to search one\n`,
  );
}

function fail(message: string): never {
  process.stderr.write(`thawk: ${message}\n`);
  process.exit(1);
}

/** Fails with the query shown under each error of a rejected query, else with the message. */
function failQuery(query: string, error: unknown): never {
  let diagnostics: QueryDiagnostic[] = [];
  if (error instanceof OfflineInputError || error instanceof ApiRequestError) {
    diagnostics = error.diagnostics;
  }
  if (diagnostics.length === 0) fail((error as Error).message);
  fail(formatQueryErrors(query, diagnostics));
}

const program = new Command('thawk')
  .description('TelHawk command line: send logs over HEC and search them')
  .showHelpAfterError();

program
  .command('import')
  .description('send a log file to a TelHawk (or Splunk) HEC endpoint in batches')
  .argument('<file>', 'log file to send')
  .option(
    '-s, --sourcetype <sourcetype>',
    'sourcetype of every event, e.g. linux_secure; without it the appliance reads the content',
  )
  .option('--url <url>', 'HEC base URL', defaultHecUrl())
  .option(
    '--token <token>',
    `HEC token (default: $TELHAWK_HEC_TOKEN, then ${DEFAULT_DATA_DIR}/hec-token.txt)`,
  )
  .option('--source <source>', 'source of every event (default: the file path)')
  .option('--host <host>', 'host of every event')
  .option('--index <index>', 'index of every event')
  .addOption(
    new Option('--format <format>', 'how the file splits into events')
      .choices(['auto', 'lines', 'ndjson', 'json', 'zeek-tsv', 'multiline'])
      .default('auto'),
  )
  .option('--batch-size <events>', 'events per HEC request', positiveInteger, 500)
  .option('--quiet', 'no progress bar')
  .action(async (file: string, options) => {
    const token = options.token ?? process.env.TELHAWK_HEC_TOKEN ?? readSecret('hec-token.txt');
    if (!token) fail('no HEC token: pass --token or set TELHAWK_HEC_TOKEN');
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      fail(`cannot read ${file}: ${(error as Error).message}`);
    }
    let sourcetype: string | undefined = options.sourcetype;
    if (sourcetype === undefined) {
      sourcetype = sourcetypeFromContent(text);
      if (sourcetype !== undefined) {
        process.stderr.write(`sourcetype ${sourcetype}, from the content of ${file}\n`);
      }
    }
    let events: unknown[];
    try {
      events = splitEvents(text, sourcetype ?? '', options.format as ImportFormat);
    } catch (error) {
      fail(`cannot split ${file} into events: ${(error as Error).message}`);
    }
    const client = new HecClient(options.url, token);
    try {
      const sent = await client.sendEvents(events, {
        sourcetype,
        source: options.source ?? file,
        host: options.host,
        index: options.index,
        batchSize: options.batchSize,
        progress: !options.quiet && process.stderr.isTTY,
      });
      process.stdout.write(`sent ${sent} ${sent === 1 ? 'event' : 'events'} from ${file}\n`);
    } catch (error) {
      fail((error as Error).message);
    }
  });

program
  .command('query')
  .description('run a search and print the results')
  .argument('<query>', "query text, e.g. 'class_uid:3002 status_id:2 | stats count() by user'")
  .option(
    '--earliest <time>',
    'start of the time range: -24h, -7d, ISO time, or 0 for all time',
    '0',
  )
  .option('--latest <time>', "end of the time range (none by default, as Splunk's All time)")
  .option('--limit <rows>', 'maximum rows', positiveInteger, 100)
  .addOption(
    new Option(
      '--json',
      'print the response as JSON, the same as --format json (so not with --format)',
    ).conflicts('format'),
  )
  .addOption(
    new Option(
      '--format <format>',
      "output: a table, one JSON document, JSON lines or CSV; in CSV, a text cell that starts with =, +, -, @, a tab or a carriage return gets a leading ' so that spreadsheets do not run it as a formula; the table, and CSV or JSON written to a terminal, show control characters as escapes such as \\x1b",
    ).choices(['table', 'json', 'jsonl', 'csv']),
  )
  .option(
    '--data <dir>',
    'search Parquet files under this folder offline, with no server; of an appliance data folder only cold/ is read, so pass an export folder to search an export',
  )
  .option(
    '--lookup <name=file>',
    'with --data: a CSV file for the lookup stage, by name (repeatable)',
    lookupOption,
    {},
  )
  .option('--url <url>', 'REST API base URL', defaultApiUrl())
  .option('--user <name>', 'user name', defaultUser())
  .option('--password <password>', passwordHelp())
  .action(async (query: string, options) => {
    const format: string = options.format ?? (options.json ? 'json' : 'table');
    if (options.data !== undefined) {
      try {
        const result = await runOffline({
          dataDir: options.data,
          query,
          earliest: options.earliest,
          latest: options.latest,
          limit: options.limit,
          lookups: options.lookup,
        });
        printOfflineSource(options.data, result);
        printResult({ ...result }, format);
      } catch (error) {
        failQuery(query, error);
      }
      return;
    }
    if (Object.keys(options.lookup).length > 0) {
      // The appliance's own lookup tables serve a search over the API.
      fail(
        '--lookup works only with --data; upload the table to the appliance (POST /api/v1/lookups) to use it there',
      );
    }
    const client = new ApiClient(options.url);
    try {
      await client.login(options.user, resolvePassword(options.user, options.password));
      const result = await client.query({
        query,
        earliest: options.earliest,
        latest: options.latest,
        limit: options.limit,
      });
      printResult(result, format);
    } catch (error) {
      failQuery(query, error);
    }
  });

program.addCommand(seedCommand(() => process.env.TELHAWK_HEC_TOKEN ?? readSecret('hec-token.txt')));

registerDlqCommands(program);
registerExportCommand(program);
registerRestoreCommand(program);

await program.parseAsync(process.argv);
