/**
 * A small set of realistic events for tests that run compiled queries on DuckDB. Test support
 * only; no production module imports it.
 */

import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { createEventsTableSql } from './catalog.js';
import { type CompiledQuery, TOTAL_COLUMN } from './compiler.js';
import { runResultStages } from './result-stages.js';
import { widenSeries } from './series-output.js';

/** Reference time of the fixtures: 2024-05-01T12:00:00Z. */
export const NOW_MS = Date.UTC(2024, 4, 1, 12, 0, 0);

const MINUTE = 60_000;

export interface FixtureEvent {
  id: string;
  minutesAgo: number;
  columns: Record<string, string | number>;
  ocsf: Record<string, unknown>;
  raw: string;
}

export const FIXTURE_EVENTS: FixtureEvent[] = [
  {
    id: 'e01',
    minutesAgo: 10,
    columns: {
      class_uid: 3002,
      status_id: 1,
      user_name: 'alice',
      src_ip: '10.0.0.5',
      src_port: 50000,
      host: 'web01',
      sourcetype: 'linux_secure',
      message: 'Accepted password for alice from 10.0.0.5',
      fields: '{"env":"prod","team":"Blue","tags":["pci","dmz"]}',
    },
    ocsf: {
      class_uid: 3002,
      user: { name: 'alice', uid: '1000' },
      src_endpoint: { ip: '10.0.0.5', port: 50000 },
      auth_protocol: 'ssh',
      metadata: { product: { name: 'sshd' } },
    },
    raw: 'sshd[812]: Accepted password for alice from 10.0.0.5 port 50000 ssh2',
  },
  {
    id: 'e02',
    minutesAgo: 20,
    columns: {
      class_uid: 3002,
      status_id: 2,
      user_name: 'admin',
      src_ip: '203.0.113.7',
      src_port: 41000,
      host: 'web01',
      sourcetype: 'linux_secure',
      message: 'Failed password for admin from 203.0.113.7',
    },
    ocsf: {
      class_uid: 3002,
      user: { name: 'admin' },
      src_endpoint: { ip: '203.0.113.7', location: { country: 'NL' } },
      auth_protocol: 'ssh',
    },
    raw: 'sshd[813]: Failed password for admin from 203.0.113.7 port 41000 ssh2',
  },
  {
    id: 'e03',
    minutesAgo: 21,
    columns: {
      class_uid: 3002,
      status_id: 2,
      user_name: 'Admin',
      src_ip: '203.0.113.7',
      host: 'web02',
      sourcetype: 'linux_secure',
      message: 'Failed password for Admin from 203.0.113.7',
    },
    ocsf: {
      class_uid: 3002,
      user: { name: 'Admin' },
      src_endpoint: { ip: '203.0.113.7', location: { country: 'NL' } },
      auth_protocol: 'ssh',
    },
    raw: 'sshd[900]: Failed password for Admin from 203.0.113.7 port 41022 ssh2',
  },
  {
    id: 'e04',
    minutesAgo: 30,
    columns: {
      class_uid: 3002,
      status_id: 2,
      user_name: 'root',
      src_ip: '198.51.100.23',
      host: 'web02',
      sourcetype: 'linux_secure',
      message: 'Failed password for root from 198.51.100.23',
    },
    ocsf: {
      class_uid: 3002,
      user: { name: 'root' },
      src_endpoint: { ip: '198.51.100.23', location: { country: 'US' } },
    },
    raw: 'sshd[901]: Failed password for root from 198.51.100.23 port 5022 ssh2',
  },
  {
    id: 'e05',
    minutesAgo: 40,
    columns: {
      class_uid: 1007,
      severity_id: 3,
      actor_user: 'bob',
      process_name: 'powershell.exe',
      process_pid: 4242,
      process_cmd_line: 'powershell.exe -enc SQBFAFgA',
      host: 'win01',
      sourcetype: 'WinEventLog',
      message: 'A new process has been created',
    },
    ocsf: {
      class_uid: 1007,
      actor: { user: { name: 'bob' } },
      process: { name: 'powershell.exe', pid: 4242, parent_process: { name: 'cmd.exe' } },
      metadata: { event_code: '4688' },
    },
    raw: 'EventCode=4688 New Process Name: C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
  },
  {
    id: 'e06',
    minutesAgo: 50,
    columns: {
      class_uid: 1007,
      severity_id: 1,
      actor_user: 'carol',
      process_name: 'notepad.exe',
      process_pid: 100,
      host: 'win02',
      sourcetype: 'WinEventLog',
      message: 'A new process has been created',
    },
    ocsf: {
      class_uid: 1007,
      actor: { user: { name: 'carol' } },
      process: { name: 'notepad.exe', pid: 100, parent_process: { name: 'explorer.exe' } },
    },
    raw: 'EventCode=4688 New Process Name: C:\\Windows\\notepad.exe',
  },
  {
    id: 'e07',
    minutesAgo: 70,
    columns: {
      class_uid: 4001,
      src_ip: '10.0.0.5',
      dst_ip: '8.8.8.8',
      dst_port: 53,
      host: 'fw01',
      sourcetype: 'pan:traffic',
    },
    ocsf: { class_uid: 4001, traffic: { bytes: 1200 }, dst_endpoint: { ip: '8.8.8.8', port: 53 } },
    raw: 'TRAFFIC allow 10.0.0.5 -> 8.8.8.8:53 bytes=1200',
  },
  {
    id: 'e08',
    minutesAgo: 80,
    columns: {
      class_uid: 4001,
      src_ip: '10.1.2.3',
      dst_ip: '93.184.216.34',
      dst_port: 443,
      host: 'fw01',
      sourcetype: 'pan:traffic',
    },
    ocsf: {
      class_uid: 4001,
      traffic: { bytes: 5400 },
      dst_endpoint: { ip: '93.184.216.34', port: 443 },
    },
    raw: 'TRAFFIC allow 10.1.2.3 -> 93.184.216.34:443 bytes=5400',
  },
  {
    id: 'e09',
    minutesAgo: 90,
    columns: {
      class_uid: 4003,
      src_ip: '10.0.0.5',
      dns_query: 'example.com',
      host: 'dns01',
      sourcetype: 'bind',
    },
    ocsf: { class_uid: 4003, query: { hostname: 'example.com', type: 'A' } },
    raw: 'client 10.0.0.5#5353: query: example.com IN A',
  },
  {
    id: 'e10',
    minutesAgo: 100,
    columns: {
      class_uid: 4002,
      src_ip: '192.168.1.10',
      http_method: 'GET',
      url: "/login?user=x'; DROP",
      http_status: 200,
      host: 'web01',
      sourcetype: 'access_combined',
    },
    ocsf: { class_uid: 4002, http_request: { http_method: 'GET' }, http_response: { code: 200 } },
    raw: `192.168.1.10 - - "GET /login?user=x'; DROP HTTP/1.1" 200 512`,
  },
  {
    id: 'e11',
    minutesAgo: 110,
    columns: {
      class_uid: 4002,
      src_ip: '192.168.1.10',
      http_method: 'POST',
      url: '/admin',
      http_status: 403,
      host: 'web01',
      sourcetype: 'access_combined',
    },
    ocsf: { class_uid: 4002, http_request: { http_method: 'POST' }, http_response: { code: 403 } },
    raw: '192.168.1.10 - - "POST /admin HTTP/1.1" 403 128',
  },
  {
    id: 'e12',
    minutesAgo: 3 * 24 * 60,
    columns: {
      class_uid: 1001,
      actor_user: 'bob',
      file_path: 'C:\\Windows\\Temp\\evil*.exe',
      host: 'win01',
      sourcetype: 'WinEventLog',
    },
    ocsf: { class_uid: 1001, file: { path: 'C:\\Windows\\Temp\\evil*.exe' } },
    raw: 'File created: C:\\Windows\\Temp\\evil*.exe',
  },
  {
    id: 'e13',
    minutesAgo: 5,
    columns: {
      class_uid: 2004,
      severity_id: 4,
      finding_title: 'Brute force',
      host: 'telhawk',
      sourcetype: 'telhawk:alert',
      message: 'Brute force detected for user admin',
    },
    ocsf: { class_uid: 2004, finding_info: { title: 'Brute force' } },
    raw: 'ALERT Brute force detected for user admin',
  },
];

/** An INSERT statement and its parameters for one fixture event. */
export function insertEventStatement(event: FixtureEvent): {
  sql: string;
  params: (string | number)[];
} {
  const columns: Record<string, string | number> = {
    id: event.id,
    index: 'main',
    ...event.columns,
    ocsf: JSON.stringify(event.ocsf),
    raw: event.raw,
  };
  const names = Object.keys(columns);
  const placeholders = names.map(() => '?');
  const time = 'epoch_ms(CAST(? AS BIGINT))';
  return {
    sql: `INSERT INTO events ("time", ${names.map((name) => `"${name}"`).join(', ')}) VALUES (${[time, ...placeholders].join(', ')})`,
    params: [NOW_MS - event.minutesAgo * MINUTE, ...Object.values(columns)],
  };
}

/**
 * Returns result rows as the query service returns them: without the count of aggregate rows,
 * and with the series of a final `timechart` spread into columns.
 */
export function serviceRows(
  compiled: CompiledQuery,
  columns: string[],
  rows: Record<string, unknown>[],
): Record<string, unknown>[] {
  let result = {
    columns: columns.filter((column) => column !== TOTAL_COLUMN),
    rows: rows.map(({ [TOTAL_COLUMN]: _, ...row }) => row),
  };
  if (compiled.series !== undefined) {
    result = widenSeries(result.columns, result.rows, compiled.series);
  }
  if (compiled.resultStages !== undefined) {
    result = runResultStages(result.columns, result.rows, compiled.resultStages);
  }
  return result.rows;
}

/** Series that come after the values, in this order, as the series columns are ordered. */
const LAST_SERIES = ['NULL', 'OTHER'];

/**
 * Returns the series columns of timechart rows, or of chart rows over `index`: the values in
 * lexical order, then `NULL` and `OTHER`.
 */
export function seriesNames(result: Record<string, unknown>[], index = '_time'): string[] {
  const rank = (name: string) => LAST_SERIES.indexOf(name);
  return Object.keys(result[0] ?? {})
    .filter((name) => name !== index)
    .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
}

/** Returns the sum of every series of every row of a timechart, or of a chart over `index`. */
export function cellTotal(result: Record<string, unknown>[], index = '_time'): number {
  let total = 0;
  for (const row of result) {
    for (const name of seriesNames([row], index)) total += Number(row[name] ?? 0);
  }
  return total;
}

/** Opens an in-memory DuckDB whose events table contains `events`, the fixture events by default. */
export async function openFixtureDatabase(
  events: readonly FixtureEvent[] = FIXTURE_EVENTS,
): Promise<{ connection: DuckDBConnection; close: () => void }> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(createEventsTableSql());
  for (const event of events) {
    const statement = insertEventStatement(event);
    await connection.run(statement.sql, statement.params as never);
  }
  const close = () => {
    connection.closeSync();
    instance.closeSync();
  };
  return { connection, close };
}
