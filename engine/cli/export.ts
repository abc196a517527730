/**
 * `thawk export`: writes events of a time range as Parquet in Hive layout
 * plus `manifest.json`. By default it reads a stopped appliance's data
 * folder directly and writes anywhere. With `--server` it sends the request
 * to a running appliance, which writes under its data folder's `exports/`. `thawk restore`
 * adds such files (or a copied cold tier) to a stopped appliance.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { EventStore } from '../../storage/index.js';
import { apiRequest, withApiOptions } from './dlq.js';

function fail(message: string): never {
  process.stderr.write(`thawk: ${message}\n`);
  process.exit(1);
}

/** Registers `thawk export`. */
export function registerExportCommand(program: Command): void {
  withApiOptions(
    program
      .command('export')
      .description('write events as Parquet files (Hive layout) plus manifest.json')
      .option('--earliest <time>', 'start of the time range: -7d, ISO time, or 0 for all', '0')
      .option(
        '--latest <time>',
        'end of the time range (none by default, so that events stamped ahead of the clock are kept)',
      )
      .option('--query <query>', "only events this search finds, e.g. 'class_uid:3002 user:alice'")
      .option('--out <dir>', 'destination folder (must be empty or absent)')
      .option(
        '--data-dir <dir>',
        'data folder of a stopped appliance',
        process.env.TELHAWK_DATA_DIR ?? 'var',
      )
      .option('--server <name>', 'ask the running appliance to export to <data>/exports/<name>'),
  ).action(async (options) => {
    if (options.server) {
      try {
        const answer = (await apiRequest(options, 'POST', '/api/v1/export', {
          earliest: options.earliest,
          latest: options.latest,
          name: options.server,
          ...(options.query ? { query: options.query } : {}),
        })) as { path: string; manifest: { rows: number; files: unknown[] } };
        process.stdout.write(
          `exported ${answer.manifest.rows} events in ${answer.manifest.files.length} files to ${answer.path} on the appliance\n`,
        );
      } catch (error) {
        fail((error as Error).message);
      }
      return;
    }
    if (!options.out) fail('pass --out DIR (or --server NAME for a running appliance)');
    // Loaded here so that other commands start without DuckDB.
    const { EventStore, exportEvents } = await import('../../storage/index.js');
    const { exportRange } = await import('../api/dlq.js');
    let range: ReturnType<typeof exportRange>;
    try {
      range = exportRange(options, Date.now());
    } catch (error) {
      fail((error as Error).message);
    }
    let store: EventStore;
    try {
      store = await EventStore.open(options.dataDir);
    } catch (error) {
      const text = (error as Error).message;
      if (/lock/i.test(text)) {
        fail(
          `the appliance using ${options.dataDir} is running; stop it, or export through it with --server NAME`,
        );
      }
      fail(`cannot open ${options.dataDir}: ${text}`);
    }
    try {
      const outDir = path.resolve(options.out);
      const manifest = await exportEvents(store, { ...range, outDir });
      process.stdout.write(
        `exported ${manifest.rows} events in ${manifest.files.length} files to ${outDir}\n`,
      );
    } catch (error) {
      fail((error as Error).message);
    } finally {
      await store.close();
    }
  });
}

/** Lists every `.parquet` file below `dir`, recursively. */
function parquetFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...parquetFiles(child));
    else if (entry.name.endsWith('.parquet')) out.push(child);
  }
  return out.sort();
}

/** Registers `thawk restore`. */
export function registerRestoreCommand(program: Command): void {
  program
    .command('restore')
    .description(
      'add Parquet files (an export or a copy of cold/) to the cold tier of a stopped appliance',
    )
    .requiredOption('--from <dir>', 'folder with the Parquet files, searched recursively')
    .option(
      '--data-dir <dir>',
      'data folder of a stopped appliance',
      process.env.TELHAWK_DATA_DIR ?? 'var',
    )
    .action(async (options) => {
      const { EventStore } = await import('../../storage/index.js');
      let files: string[];
      try {
        files = parquetFiles(path.resolve(options.from));
      } catch (error) {
        fail(`cannot read ${options.from}: ${(error as Error).message}`);
      }
      if (files.length === 0) fail(`no .parquet files below ${options.from}`);
      let store: EventStore;
      try {
        store = await EventStore.open(options.dataDir);
      } catch (error) {
        const text = (error as Error).message;
        if (/lock/i.test(text))
          fail(`the appliance using ${options.dataDir} is running; stop it first`);
        fail(`cannot open ${options.dataDir}: ${text}`);
      }
      // DuckDB reads only inside the data folder: stage the files there first.
      const staging = path.join(store.dataDir, 'restore', `import-${process.pid}-${Date.now()}`);
      try {
        fs.mkdirSync(staging, { recursive: true });
        const staged = files.map((file, i) => {
          const target = path.join(staging, `${i}.parquet`);
          fs.copyFileSync(file, target);
          return target;
        });
        const result = await store.importParquet(staged);
        process.stdout.write(
          `restored ${result.rows} events from ${files.length} files into ${result.files.length} cold files\n`,
        );
      } catch (error) {
        fail((error as Error).message);
      } finally {
        fs.rmSync(staging, { recursive: true, force: true });
        await store.close();
      }
    });
}
