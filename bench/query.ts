/**
 * `npm run bench:query`: query latency over realistic events, split like the appliance stores
 * them: recent events in a hot DuckDB table, older ones in zstd Parquet files, read through one
 * `UNION ALL BY NAME` FROM-item as the storage snapshot gives the compiler. Each query of a fixed
 * set runs compiled from query text and hand-written in DuckDB SQL in the same run, and the
 * searches also run as `grep -c` and `jq` over the same events as NDJSON.
 *
 * Environment: BENCH_EVENTS (default 10,000,000), BENCH_RUNS (default 5; the median is
 * reported), BENCH_HOT_FRACTION (default 0.2), BENCH_SHELL_TIMEOUT_MS (default 120,000),
 * BENCH_DIR (default a temporary folder), BENCH_REUSE=1 (query the data already in BENCH_DIR)
 * BENCH_KEEP=1 (keep BENCH_DIR afterwards; otherwise it is deleted) and BENCH_SHELL=0 (leave
 * out the grep and jq comparison, which writes a 10 GB NDJSON copy).
 */

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { QueryService } from '../engine/query-service.js';
import { createEventsTableSql } from '../query-lang/catalog.js';
import { parquetOptions, snapshotView, writeSidecars } from '../storage/index.js';
import { updateReadmeSection } from './readme.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const HOT_FRACTION = Number(process.env.BENCH_HOT_FRACTION ?? 0.2);
const DAYS = 7;
const NOW_MS = Date.UTC(2024, 4, 8, 0, 0, 0);
const LIMIT = 100;
/** grep and jq runs are cut off here; a cut-off run counts as this long, a lower bound. */
const SHELL_TIMEOUT_MS = Number(process.env.BENCH_SHELL_TIMEOUT_MS ?? 120_000);
const WITH_SHELL = process.env.BENCH_SHELL !== '0';
/** Runs only the queries whose name contains this text, and leaves bench/README.md as it is. */
const ONLY = process.env.BENCH_QUERY;

const NEEDLE_USER = 'user4242';
const NEEDLE_IP = '10.3.7.42';
const TERM = 'mimikatz';

interface BenchQuery {
  name: string;
  text: string;
  /** The same question in hand-written SQL over `{src}`, rows then count when it is a search. */
  sql: string[];
  /** The search as a shell pipeline over the NDJSON file, `{file}` replaced. */
  shell?: string;
  target: number;
}

const QUERIES: BenchQuery[] = [
  {
    name: 'needle: user',
    text: `user=${NEEDLE_USER}`,
    sql: [
      `SELECT * EXCLUDE (ocsf) FROM {src} WHERE lower(coalesce(user_name, actor_user)) = '${NEEDLE_USER}' ORDER BY "time" DESC LIMIT ${LIMIT}`,
      `SELECT count(*) FROM {src} WHERE lower(coalesce(user_name, actor_user)) = '${NEEDLE_USER}'`,
    ],
    shell: `grep -ciE '"(user_name|actor_user)":"${NEEDLE_USER}"' {file}`,
    target: 200,
  },
  {
    name: 'needle: IP',
    text: `src_ip=${NEEDLE_IP}`,
    sql: [
      `SELECT * EXCLUDE (ocsf) FROM {src} WHERE lower(src_ip) = '${NEEDLE_IP}' ORDER BY "time" DESC LIMIT ${LIMIT}`,
      `SELECT count(*) FROM {src} WHERE lower(src_ip) = '${NEEDLE_IP}'`,
    ],
    shell: `grep -c '"src_ip":"${NEEDLE_IP}"' {file}`,
    target: 200,
  },
  {
    name: 'free text',
    text: TERM,
    sql: [
      `SELECT * EXCLUDE (ocsf) FROM {src} WHERE contains(lower(raw), '${TERM}') OR contains(lower(message), '${TERM}') ORDER BY "time" DESC LIMIT ${LIMIT}`,
      `SELECT count(*) FROM {src} WHERE contains(lower(raw), '${TERM}') OR contains(lower(message), '${TERM}')`,
    ],
    shell: `grep -ci '${TERM}' {file}`,
    target: 500,
  },
  {
    name: 'stats count by user',
    text: '| stats count by user',
    sql: [
      `SELECT coalesce(user_name, actor_user) AS "user", count(*) AS "count" FROM {src} GROUP BY 1 ORDER BY 1 LIMIT ${LIMIT}`,
    ],
    shell: `jq -n 'reduce inputs as $e ({}; .[$e.user_name // $e.actor_user // "null"] += 1) | length' {file}`,
    target: 500,
  },
  {
    name: 'timechart span=1h count by severity_id',
    text: '| timechart span=1h count by severity_id',
    sql: [
      // Splunk's shape: every hour from the first to the last with the severities it has,
      // which the query service spreads into columns.
      `WITH c AS (SELECT time_bucket(INTERVAL 1 HOUR, "time") AS t, severity_id AS s, count(*) AS n FROM {src} GROUP BY 1, 2), b AS (SELECT unnest(generate_series(min(t), max(t), INTERVAL 1 HOUR)) AS t FROM c) SELECT b.t AS "_time", list({'s': CAST(c.s AS VARCHAR), 'v0': c.n}) FILTER (WHERE c.t IS NOT NULL) AS series FROM b LEFT JOIN c ON c.t = b.t GROUP BY 1 ORDER BY 1 LIMIT ${LIMIT}`,
    ],
    target: 500,
  },
  {
    name: 'top src_ip',
    text: '| top src_ip',
    sql: [
      `SELECT src_ip, count(*) AS "count", 100.0 * count(*) / sum(count(*)) OVER () AS "percent" FROM {src} WHERE src_ip IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10`,
    ],
    target: 500,
  },
  {
    name: 'dc(dst_ip) by src_ip',
    text: '| stats dc(dst_ip) by src_ip',
    sql: [
      `SELECT src_ip, count(DISTINCT dst_ip) AS "dc(dst_ip)" FROM {src} GROUP BY 1 ORDER BY 1 LIMIT ${LIMIT}`,
    ],
    target: 500,
  },
];

/** Pseudo-random value in [0, 1) for row `i` and salt `k`, from DuckDB's hash. */
const r = (k: number) => `(hash(i * 31 + ${k}) % 1000000) / 1000000.0`;
const pick = (k: number, list: string[]) =>
  `(['${list.join("','")}'])[1 + floor(${r(k)} * ${list.length})::INTEGER]`;

/** Generates the events with one INSERT ... SELECT over `range()`. */
function generateSql(table: string, from: number, to: number): string {
  const spanMs = DAYS * 86_400_000;
  const cls = `(CASE WHEN ${r(1)} < 0.40 THEN 3002 WHEN ${r(1)} < 0.75 THEN 4001 WHEN ${r(1)} < 0.85 THEN 1007 WHEN ${r(1)} < 0.95 THEN 4003 ELSE 2004 END)`;
  // Users and addresses are skewed: a few are common, most are rare.
  const user = `'user' || floor(pow(${r(2)}, 2) * 20000)::INTEGER`;
  const srcIp = `'10.' || floor(pow(${r(3)}, 2) * 16)::INTEGER || '.' || floor(${r(4)} * 16)::INTEGER || '.' || floor(${r(5)} * 200)::INTEGER`;
  const dstIp = `'172.16.' || floor(${r(6)} * 64)::INTEGER || '.' || floor(pow(${r(7)}, 3) * 250)::INTEGER`;
  const host = `'host' || floor(${r(8)} * 300)::INTEGER`;
  const proc = pick(9, ['sshd', 'powershell.exe', 'cmd.exe', 'bash', 'python3', 'svchost.exe']);
  const query = pick(10, [
    'example.com',
    'login.microsoftonline.com',
    'updates.vendor.net',
    'cdn.site.org',
  ]);
  const title = pick(11, [
    'Suspicious login',
    'Credential dumping (mimikatz)',
    'Port scan',
    'Malware beacon',
  ]);
  return `
INSERT INTO ${table} BY NAME
SELECT
  printf('%026x', i) AS id,
  epoch_ms(${NOW_MS - spanMs} + (i * ${spanMs} // ${EVENTS})) AS "time",
  class_uid,
  class_uid // 1000 AS category_uid,
  1 + floor(${r(12)} * 3)::INTEGER AS activity_id,
  class_uid * 100 + 1 AS type_uid,
  1 + floor(pow(${r(13)}, 2) * 6)::INTEGER AS severity_id,
  CASE WHEN ${r(14)} < 0.8 THEN 1 ELSE 2 END AS status_id,
  CASE class_uid WHEN 3002 THEN 'Authentication' WHEN 4001 THEN 'Network Activity' WHEN 1007 THEN 'Process Activity' WHEN 4003 THEN 'DNS Activity' ELSE 'Detection Finding' END AS class_name,
  message,
  CASE WHEN class_uid IN (1007, 2004) THEN usr END AS actor_user,
  CASE WHEN class_uid = 3002 THEN usr END AS user_name,
  src_ip,
  CASE WHEN class_uid IN (3002, 4001, 4003) THEN 1024 + floor(${r(15)} * 60000)::INTEGER END AS src_port,
  CASE WHEN class_uid IN (4001, 4003) THEN dst_ip END AS dst_ip,
  CASE WHEN class_uid IN (4001, 4003) THEN (['53', '443', '80', '22', '3389'])[1 + floor(${r(16)} * 5)::INTEGER]::INTEGER END AS dst_port,
  host AS device_hostname,
  CASE WHEN class_uid = 1007 THEN proc END AS process_name,
  CASE WHEN class_uid = 1007 THEN floor(${r(17)} * 65000)::INTEGER END AS process_pid,
  CASE WHEN class_uid = 1007 THEN proc || ' -nop -w hidden' END AS process_cmd_line,
  CASE WHEN class_uid = 4003 THEN query END AS dns_query,
  CASE WHEN class_uid = 2004 THEN title END AS finding_title,
  host,
  CASE class_uid WHEN 3002 THEN '/var/log/auth.log' WHEN 4001 THEN 'zeek' ELSE 'winlogbeat' END AS source,
  CASE class_uid WHEN 3002 THEN 'linux_secure' WHEN 4001 THEN 'zeek:conn:json' WHEN 4003 THEN 'zeek:dns:json' ELSE 'XmlWinEventLog:Security' END AS sourcetype,
  'main' AS "index",
  epoch_ms(${NOW_MS - spanMs} + (i * ${spanMs} // ${EVENTS}) + 2000) AS ingest_time,
  json_object('class_uid', class_uid, 'severity_id', 1, 'src_endpoint', json_object('ip', src_ip), 'dst_endpoint', json_object('ip', dst_ip), 'actor', json_object('user', json_object('name', usr)), 'device', json_object('hostname', host)) AS ocsf,
  raw
FROM (
  SELECT i, ${cls} AS class_uid, ${user} AS usr, ${srcIp} AS src_ip, ${dstIp} AS dst_ip, ${host} AS host, ${proc} AS proc, ${query} AS query, ${title} AS title
  FROM range(${from}, ${to}) t(i)
) base,
LATERAL (SELECT CASE class_uid
  WHEN 3002 THEN strftime(epoch_ms(${NOW_MS}), '%b %d %H:%M:%S') || ' ' || host || ' sshd[' || (i % 30000) || ']: ' || CASE WHEN ${r(14)} < 0.8 THEN 'Accepted' ELSE 'Failed' END || ' password for ' || usr || ' from ' || src_ip || ' port ' || (1024 + i % 60000) || ' ssh2'
  WHEN 4001 THEN '{"ts":' || i || ',"id.orig_h":"' || src_ip || '","id.resp_h":"' || dst_ip || '","proto":"tcp","conn_state":"SF"}'
  WHEN 1007 THEN '<Event><EventID>4688</EventID><Computer>' || host || '</Computer><NewProcessName>' || proc || '</NewProcessName><SubjectUserName>' || usr || '</SubjectUserName></Event>'
  WHEN 4003 THEN '{"query":"' || query || '","id.orig_h":"' || src_ip || '","qtype_name":"A"}'
  ELSE 'ALERT ' || title || ' on ' || host || ' user=' || usr END AS raw),
-- The message each class's normalizer writes: the syslog text after the program, a summary of
-- the Zeek record, the description of the Windows event id, the finding's title.
LATERAL (SELECT CASE class_uid
  WHEN 3002 THEN substr(raw, strpos(raw, ']: ') + 3)
  WHEN 4001 THEN 'tcp SF'
  WHEN 1007 THEN 'A new process has been created.'
  WHEN 4003 THEN 'DNS A ' || query
  ELSE title END AS message)`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function time(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

async function measure(
  connection: DuckDBConnection,
  source: string,
  service: QueryService,
  query: BenchQuery,
) {
  const compiledRun = () => service.run({ query: query.text, limit: LIMIT }, NOW_MS);
  const handRun = async () => {
    for (const statement of query.sql) {
      await connection.runAndReadAll(statement.replaceAll('{src}', source));
    }
  };
  await compiledRun();
  await handRun();
  const compiled: number[] = [];
  const hand: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    compiled.push(await time(compiledRun));
    hand.push(await time(handRun));
  }
  return { compiled: median(compiled), hand: median(hand) };
}

function shellTime(command: string): number | undefined {
  const started = performance.now();
  // One process per command (no pipes), so the time-out ends all of it. Output goes to a pipe
  // because GNU grep stops at the first match when its output is /dev/null.
  const result = spawnSync('sh', ['-c', `exec ${command}`], {
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: SHELL_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  if (result.error !== undefined || result.signal !== null) return SHELL_TIMEOUT_MS;
  if (result.status !== 0 && result.status !== 1) return undefined;
  return performance.now() - started;
}

async function generate(connection: DuckDBConnection, coldDir: string): Promise<void> {
  await connection.run(createEventsTableSql('events'));
  await connection.run(createEventsTableSql('staging'));
  const cold = Math.floor(EVENTS * (1 - HOT_FRACTION));
  const chunk = 2_000_000;
  for (let from = 0; from < EVENTS; from += chunk) {
    const to = Math.min(EVENTS, from + chunk);
    // Older events go to Parquet through a staging table; recent ones stay hot.
    const coldEnd = Math.min(to, Math.max(from, cold));
    if (coldEnd > from) await connection.run(generateSql('staging', from, coldEnd));
    if (to > coldEnd) await connection.run(generateSql('events', coldEnd, to));
    process.stderr.write(`generated ${to} of ${EVENTS} events\n`);
  }
  // Each file in time order, as rollover writes them.
  await connection.run(
    `COPY (SELECT *, strftime("time", '%Y-%m-%d') AS "date" FROM staging ORDER BY "time") TO '${coldDir}' (${parquetOptions(EVENTS)}, PARTITION_BY ("date", class_uid), WRITE_PARTITION_COLUMNS true)`,
  );
  await connection.run('DROP TABLE staging');
  await connection.run('CHECKPOINT');
}

async function main(): Promise<void> {
  const dir =
    process.env.BENCH_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'telhawk-bench-query-'));
  const keep = process.env.BENCH_DIR !== undefined && process.env.BENCH_KEEP === '1';
  fs.mkdirSync(dir, { recursive: true });
  const instance = await DuckDBInstance.create(path.join(dir, 'hot.duckdb'));
  const connection = await instance.connect();
  // As the appliance's event store sets them.
  await connection.run('SET parquet_metadata_cache = true');
  await connection.run('SET GLOBAL dynamic_or_filter_threshold = 1000');
  try {
    const startedAll = performance.now();
    const coldDir = path.join(dir, 'cold');
    // BENCH_REUSE=1 with BENCH_DIR reads the data a previous run left there.
    const reuse = process.env.BENCH_REUSE === '1' && fs.existsSync(coldDir);
    if (!reuse) await generate(connection, coldDir);
    const files: string[] = [];
    const walk = (folder: string) => {
      for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
        const full = path.join(folder, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith('.parquet')) files.push(full);
      }
    };
    walk(coldDir);
    // Each cold file gets its term index and row store, as the appliance's rollover writes them.
    for (const file of files) await writeSidecars(connection, file);
    // The appliance's own snapshot view and query service, over the bench's connection. As in
    // the appliance, the view leaves out the hot rows of internal indexes; the hand-written SQL
    // reads every row.
    const view = snapshotView(connection, files, { hideInternalHotRows: true });
    const service = new QueryService({
      snapshot: async () => ({ ...view, files, interrupt: () => {}, release: async () => {} }),
    });
    const { source } = snapshotView(connection, files);
    const generatedSeconds = (performance.now() - startedAll) / 1000;
    process.stderr.write(
      `data ready in ${generatedSeconds.toFixed(0)} s: ${files.length} cold files\n`,
    );

    const results: { query: BenchQuery; compiled: number; hand: number; shell?: number }[] = [];
    for (const query of QUERIES) {
      if (ONLY !== undefined && !query.name.includes(ONLY)) continue;
      const measured = await measure(connection, source, service, query);
      results.push({ query, ...measured });
      process.stderr.write(
        `${query.name}: ${measured.compiled.toFixed(0)} ms compiled, ${measured.hand.toFixed(0)} ms hand-written\n`,
      );
    }

    const ndjson = path.join(dir, 'events.ndjson');
    let ndjsonBytes = 0;
    if (WITH_SHELL) {
      await connection.run(
        `COPY (SELECT * EXCLUDE (ocsf) FROM ${source}) TO '${ndjson.replace(/'/g, "''")}' (FORMAT json)`,
      );
      ndjsonBytes = fs.statSync(ndjson).size;
    }
    for (const result of results) {
      if (result.query.shell === undefined || !WITH_SHELL) continue;
      const command = result.query.shell.replaceAll('{file}', `'${ndjson}'`);
      const warm = shellTime(command);
      const shell = warm !== undefined && warm >= SHELL_TIMEOUT_MS ? warm : shellTime(command);
      if (shell !== undefined) result.shell = shell;
      process.stderr.write(
        `${result.query.name}: ${shell?.toFixed(0) ?? 'failed'} ms as ${command}\n`,
      );
    }

    const lines = [
      `${EVENTS.toLocaleString('en-US')} events (${Math.round(HOT_FRACTION * 100)}% in the hot DuckDB table, the rest in ${files.length} zstd Parquet files), ${os.cpus().length} cores, median of ${RUNS} runs after one warm-up, ${new Date().toISOString().slice(0, 10)}. Compiled times are the query service end to end (parse, compile, run; searches find the count and the newest matches first, then read those rows). grep and jq read an NDJSON copy (${(ndjsonBytes / 1e9).toFixed(1)} GB, without the OCSF column) once after one warm-up run, with a ${SHELL_TIMEOUT_MS / 1000} s cut-off.`,
      '',
      '| query | compiled | hand-written SQL | ratio | target | grep/jq | speed-up |',
      '| ----- | -------: | ---------------: | ----: | -----: | ------: | -------: |',
      ...results.map((result) => {
        const ratio = result.compiled / result.hand;
        const pass = result.compiled <= result.query.target ? 'met' : 'missed';
        const cut = result.shell !== undefined && result.shell >= SHELL_TIMEOUT_MS ? '> ' : '';
        const shell =
          result.shell === undefined ? '' : `${cut}${(result.shell / 1000).toFixed(1)} s`;
        const speedup =
          result.shell === undefined ? '' : `${cut}${(result.shell / result.compiled).toFixed(0)}×`;
        return `| \`${result.query.text.replaceAll('|', '\\|')}\` | ${result.compiled.toFixed(0)} ms | ${result.hand.toFixed(0)} ms | ${ratio.toFixed(2)} | ≤ ${result.query.target} ms (${pass}) | ${shell} | ${speedup} |`;
      }),
    ];
    const text = lines.join('\n');
    process.stdout.write(`${text}\n`);
    if (ONLY === undefined) updateReadmeSection('query', text);
  } finally {
    connection.closeSync();
    instance.closeSync();
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
