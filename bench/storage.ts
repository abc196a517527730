/**
 * `npm run bench:storage`: the event store's footprint and speed.
 *
 * - Bytes on disk per event in the hot tier (DuckDB) and the cold tier
 *   (zstd Parquet) against the same rows as NDJSON.
 * - Rollover throughput (rows per second moved from hot to cold).
 * - Insert throughput of the commit path alone (appender data chunks in one
 *   transaction per 5,000 rows) against DuckDB's own `read_ndjson` insert of
 *   the same rows into a file-backed database, in the same run.
 *
 * The rows are corpus events (auth log, Zeek, web, Windows XML, CloudTrail)
 * normalized by the real normalizers. Environment: BENCH_RUNS (default 5),
 * BENCH_COPIES (copies of the corpus rows for the throughput runs, default 8).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { JsonText, splitEvents } from '../engine/cli/import-file.js';
import type { WorkerEvent } from '../ingest/normalize-worker.js';
import normalizeBatch from '../ingest/normalize-worker.js';
import { COLUMNS, createEventsTableSql } from '../query-lang/catalog.js';
import {
  type ColumnBatch,
  EventStore,
  rowsFileOf,
  termsFileOf,
  tokensFileOf,
} from '../storage/index.js';
import { CORPUS_DIR } from '../test/support/appliance.js';
import { updateReadmeSection } from './readme.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const COPIES = Number(process.env.BENCH_COPIES ?? 8);
const COMMIT_ROWS = 5000;

const SOURCES: { file: string; sourcetype: string }[] = [
  { file: 'linux/auth.log', sourcetype: 'linux_secure' },
  { file: 'windows/security.xml', sourcetype: 'XmlWinEventLog:Security' },
  { file: 'zeek/json/conn.log', sourcetype: 'zeek:conn:json' },
  { file: 'zeek/json/dns.log', sourcetype: 'zeek:dns:json' },
  { file: 'zeek/json/http.log', sourcetype: 'zeek:http:json' },
  { file: 'web/apache/access_combined.log', sourcetype: 'access_combined' },
  { file: 'cloudtrail/otrf-ec2-proxy-s3-exfiltration.json', sourcetype: 'aws:cloudtrail' },
];

/** Normalized corpus rows, as one column batch. */
function corpusRows(): ColumnBatch {
  const events: WorkerEvent[] = [];
  const receivedAt = Date.now();
  for (const source of SOURCES) {
    const text = fs.readFileSync(path.join(CORPUS_DIR, source.file), 'utf8');
    for (const item of splitEvents(text, source.sourcetype)) {
      events.push({
        raw: item instanceof JsonText ? item.text : item,
        json: item instanceof JsonText,
        host: 'bench',
        source: source.file,
        sourcetype: source.sourcetype,
        index: 'main',
        tokenId: 'bench',
        receivedAt,
      });
    }
  }
  const columns: Record<string, unknown[]> = {};
  for (const column of COLUMNS) columns[column.name] = [];
  let rowCount = 0;
  for (let start = 0; start < events.length; start += 500) {
    const { batch } = normalizeBatch(events.slice(start, start + 500));
    for (const column of COLUMNS) columns[column.name]!.push(...batch.columns[column.name]!);
    rowCount += batch.rowCount;
  }
  return { rowCount, columns };
}

/** `copies` copies of the rows with fresh ids, cut into commit-sized batches. */
function replicate(rows: ColumnBatch, copies: number): ColumnBatch[] {
  const batches: ColumnBatch[] = [];
  let id = 0;
  for (let copy = 0; copy < copies; copy++) {
    for (let start = 0; start < rows.rowCount; start += COMMIT_ROWS) {
      const end = Math.min(start + COMMIT_ROWS, rows.rowCount);
      const columns: Record<string, unknown[]> = {};
      for (const column of COLUMNS)
        columns[column.name] = rows.columns[column.name]!.slice(start, end);
      columns.id = columns.id!.map(() => (id++).toString(16).padStart(26, '0'));
      batches.push({ rowCount: end - start, columns });
    }
  }
  return batches;
}

function toNdjson(batches: readonly ColumnBatch[]): string {
  const lines: string[] = [];
  for (const batch of batches) {
    for (let i = 0; i < batch.rowCount; i++) {
      const row: Record<string, unknown> = {};
      for (const column of COLUMNS) {
        const value = batch.columns[column.name]![i] ?? null;
        row[column.name] =
          column.type === 'TIMESTAMP' && typeof value === 'number'
            ? new Date(value).toISOString()
            : value;
      }
      lines.push(JSON.stringify(row));
    }
  }
  return `${lines.join('\n')}\n`;
}

function rowsOf(batches: readonly ColumnBatch[]): number {
  return batches.reduce((sum, batch) => sum + batch.rowCount, 0);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function footprint(batches: ColumnBatch[], dir: string) {
  const store = await EventStore.open(dir);
  await store.close();
  const empty = fs.statSync(path.join(dir, 'hot.duckdb')).size;
  const reopened = await EventStore.open(dir);
  for (const batch of batches) await reopened.commit([batch], []);
  await reopened.close();
  const hotBytes = fs.statSync(path.join(dir, 'hot.duckdb')).size - empty;
  const again = await EventStore.open(dir);
  const rolled = await again.rollover(0, Date.now() + 3_600_000);
  await again.close();
  // The term index, the row store and the token index beside each cold file count as part of
  // the cold tier.
  const sidecarBytes = (file: string) =>
    [termsFileOf, rowsFileOf, tokensFileOf].reduce(
      (sum, of) => sum + fs.statSync(of(file)).size,
      0,
    );
  const parquetBytes = rolled.files.reduce((sum, file) => sum + file.bytes, 0);
  const coldBytes = rolled.files.reduce(
    (sum, file) => sum + file.bytes + sidecarBytes(path.join(dir, file.file)),
    0,
  );
  return { hotBytes, coldBytes, parquetBytes, files: rolled.files.length };
}

async function throughput(
  batches: ColumnBatch[],
  ndjsonFile: string,
  ndjsonBatchFiles: readonly string[],
  dir: string,
) {
  const rows = rowsOf(batches);
  const store = await EventStore.open(dir);
  let started = performance.now();
  for (const batch of batches) await store.commit([batch], []);
  const commitSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const rolled = await store.rollover(0, Date.now() + 3_600_000);
  const rolloverSeconds = (performance.now() - started) / 1000;
  await store.close();
  if (rolled.rows !== rows) throw new Error(`rollover moved ${rolled.rows} of ${rows} rows`);

  const instance = await DuckDBInstance.create(path.join(dir, 'ndjson.duckdb'));
  const connection = await instance.connect();
  await connection.run(createEventsTableSql('events'));
  const types = COLUMNS.map((column) => `'${column.name}': '${column.type}'`).join(', ');
  started = performance.now();
  await connection.run(
    `INSERT INTO events SELECT * FROM read_ndjson('${ndjsonFile}', columns = {${types}}, maximum_object_size = 67108864)`,
  );
  const ndjsonSeconds = (performance.now() - started) / 1000;
  // The same rows again, one transaction per commit-sized file, so that both
  // paths pay the same number of write-ahead-log syncs.
  await connection.run('DELETE FROM events');
  await connection.run('CHECKPOINT');
  started = performance.now();
  for (const file of ndjsonBatchFiles) {
    await connection.run(
      `INSERT INTO events SELECT * FROM read_ndjson('${file}', columns = {${types}}, maximum_object_size = 67108864)`,
    );
  }
  const ndjsonBatchedSeconds = (performance.now() - started) / 1000;
  const check = await connection.runAndReadAll('SELECT count(*) FROM events');
  if (Number(check.getRows()[0]?.[0]) !== rows) throw new Error('read_ndjson lost rows');
  connection.closeSync();
  instance.closeSync();
  return {
    commitRowsPerSecond: rows / commitSeconds,
    ndjsonRowsPerSecond: rows / ndjsonSeconds,
    ndjsonBatchedRowsPerSecond: rows / ndjsonBatchedSeconds,
    rolloverRowsPerSecond: rows / rolloverSeconds,
  };
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'telhawk-bench-storage-'));
  try {
    const corpus = corpusRows();
    const single = replicate(corpus, 1);
    const many = replicate(corpus, COPIES);
    const ndjsonSingle = toNdjson(single);
    const ndjsonBytes = Buffer.byteLength(ndjsonSingle);
    const ndjsonFile = path.join(work, 'rows.ndjson');
    fs.writeFileSync(ndjsonFile, toNdjson(many));
    const ndjsonBatchFiles = many.map((batch, i) => {
      const file = path.join(work, `batch-${i}.ndjson`);
      fs.writeFileSync(file, toNdjson([batch]));
      return file;
    });
    const perRun: {
      hot: number;
      cold: number;
      parquet: number;
      commit: number;
      ndjson: number;
      ndjsonBatched: number;
      rollover: number;
    }[] = [];
    for (let run = 0; run < RUNS; run++) {
      const sizes = await footprint(single, fs.mkdtempSync(path.join(work, 'size-')));
      const speed = await throughput(
        many,
        ndjsonFile,
        ndjsonBatchFiles,
        fs.mkdtempSync(path.join(work, 'speed-')),
      );
      perRun.push({
        hot: sizes.hotBytes,
        cold: sizes.coldBytes,
        parquet: sizes.parquetBytes,
        commit: speed.commitRowsPerSecond,
        ndjson: speed.ndjsonRowsPerSecond,
        ndjsonBatched: speed.ndjsonBatchedRowsPerSecond,
        rollover: speed.rolloverRowsPerSecond,
      });
      process.stderr.write(`run ${run + 1}/${RUNS}: ${JSON.stringify(perRun.at(-1))}\n`);
    }
    const rows = corpus.rowCount;
    const pick = (key: keyof (typeof perRun)[number]) => median(perRun.map((run) => run[key]));
    const ndjsonPerEvent = ndjsonBytes / rows;
    const hotPerEvent = pick('hot') / rows;
    const coldPerEvent = pick('cold') / rows;
    const parquetPerEvent = pick('parquet') / rows;
    const commit = pick('commit');
    const ndjson = pick('ndjson');
    const ndjsonBatched = pick('ndjsonBatched');
    const ratios = perRun.map((run) => run.commit / run.ndjson);
    const batchedRatios = perRun.map((run) => run.commit / run.ndjsonBatched);
    const ratio = (value: number) => value.toFixed(2);
    const text = [
      `Run on ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, Node ${process.version}; medians of ${RUNS} runs.`,
      `Rows: ${rows} corpus events normalized by the real normalizers (sizes); ${rows * COPIES} rows (${COPIES} copies, fresh ids) for the throughput figures.`,
      '',
      '| Measure | Value | Target |',
      '| --- | --- | --- |',
      `| NDJSON of the same rows | ${ndjsonPerEvent.toFixed(0)} bytes/event | |`,
      `| Hot tier (hot.duckdb growth) | ${hotPerEvent.toFixed(0)} bytes/event (${ratio(ndjsonPerEvent / hotPerEvent)}x smaller) | |`,
      `| Cold tier (zstd Parquet, term index, row store, token index) | ${coldPerEvent.toFixed(0)} bytes/event (${ratio(ndjsonPerEvent / coldPerEvent)}x smaller) | >= 5x smaller |`,
      `| of which Parquet | ${parquetPerEvent.toFixed(0)} bytes/event (${ratio(ndjsonPerEvent / parquetPerEvent)}x smaller) | |`,
      `| Rollover | ${Math.round(pick('rollover'))} rows/s | |`,
      `| Commit path (appender, ${COMMIT_ROWS} rows per transaction) | ${Math.round(commit)} rows/s | |`,
      `| DuckDB read_ndjson insert, same rows, one transaction | ${Math.round(ndjson)} rows/s | |`,
      `| DuckDB read_ndjson insert, one transaction per ${COMMIT_ROWS} rows | ${Math.round(ndjsonBatched)} rows/s | |`,
      `| Commit path / read_ndjson, one transaction | ${ratio(median(ratios))} | >= 0.5 |`,
      `| Commit path / read_ndjson, same transactions | ${ratio(median(batchedRatios))} | >= 0.5 |`,
      '',
      'Ratios are medians of the per-run ratios. Other processes shared the machine during the run, so the throughput figures vary between runs; the per-run figures are printed on stderr.',
    ].join('\n');
    process.stdout.write(`${text}\n`);
    updateReadmeSection('storage', text);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
