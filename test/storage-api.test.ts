/**
 * The event store through the running appliance: with a failing disk write
 * (fault hook) HEC returns 503 and loses nothing acknowledged, the dead-letter
 * queue API and CLI, the metrics gauge, and exports read back by DuckDB
 * and by an independent Parquet reader (hyparquet, with the zstd CLI as its
 * decompressor).
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStore } from '../storage/index.js';
import {
  type ApiBody,
  apiSession,
  CLI_JS,
  type RunningAppliance,
  startAppliance,
} from './support/appliance.js';

const run = promisify(execFile);
const T0 = Date.UTC(2025, 2, 1);

function authEvent(n: number, host: string): string {
  return JSON.stringify({
    host,
    sourcetype: 'ocsf',
    event: {
      class_uid: 3002,
      activity_id: 1,
      time: T0 + n * 1000,
      user: { name: `user${n}` },
      process: { pid: n },
    },
  });
}

describe('event store through the appliance', () => {
  let appliance: RunningAppliance;
  let api: (route: string, body?: unknown) => Promise<{ status: number; body: ApiBody }>;
  let cookie: string;
  const faultFile = path.join(os.tmpdir(), `telhawk-fault-${process.pid}-${Date.now()}`);

  async function hec(body: string): Promise<number> {
    const response = await fetch(`${appliance.hecUrl}/services/collector/event`, {
      method: 'POST',
      headers: { Authorization: `Splunk ${appliance.hecToken}` },
      body,
    });
    await response.arrayBuffer();
    return response.status;
  }

  async function count(query: string): Promise<number> {
    const { status, body } = await api('/api/v1/query', {
      query: `${query} | stats count()`,
      earliest: '0',
    });
    expect(status, JSON.stringify(body)).toBe(200);
    return body.rows[0]?.count ?? 0;
  }

  async function send(method: string, route: string): Promise<{ status: number; body: ApiBody }> {
    const response = await fetch(`${appliance.httpUrl}${route}`, {
      method,
      headers: { Cookie: cookie },
    });
    return { status: response.status, body: await response.json() };
  }

  beforeAll(async () => {
    appliance = await startAppliance({
      env: {
        TELHAWK_FAULT_FILE: faultFile,
        TELHAWK_ROLLOVER_AGE_MINUTES: '0.005',
        TELHAWK_ROLLOVER_INTERVAL_SECONDS: '0.3',
      },
    });
    api = await apiSession(appliance);
    const login = await fetch(`${appliance.httpUrl}/api/v1/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: appliance.adminPassword }),
    });
    cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  }, 90_000);

  afterAll(async () => {
    await appliance?.stop();
    fs.rmSync(faultFile, { force: true });
    if (appliance) fs.rmSync(appliance.dataDir, { recursive: true, force: true });
  });

  it('returns 503 while disk writes fail, then recovers', async () => {
    const first = Array.from({ length: 50 }, (_, i) => authEvent(i, 'fault')).join('\n');
    expect(await hec(first)).toBe(200);

    fs.writeFileSync(faultFile, 'fail');
    const second = Array.from({ length: 50 }, (_, i) => authEvent(50 + i, 'fault')).join('\n');
    expect(await hec(second)).toBe(503);
    expect(await hec(second)).toBe(503);
    expect(appliance.output()).toContain('injected storage fault');

    fs.rmSync(faultFile);
    expect(await hec(second)).toBe(200);
    expect(await count('host:fault')).toBe(100);
    const perPid = await api('/api/v1/query', {
      query: 'host:fault | stats count() by pid | where count > 1',
      earliest: '0',
    });
    expect(perPid.body.rows).toEqual([]);
  });

  it('serves events from both tiers once rollover has run', async () => {
    const deadline = Date.now() + 20_000;
    let storage: ApiBody;
    do {
      await new Promise((resolve) => setTimeout(resolve, 300));
      storage = (await api('/api/v1/storage')).body;
    } while (storage.coldRows < 100 && Date.now() < deadline);
    expect(storage.coldRows).toBeGreaterThanOrEqual(100);
    expect(storage.consistency).toEqual({ missing: [], unlisted: [] });
    expect(await count('host:fault')).toBe(100);
    const one = await api('/api/v1/query', { query: 'host:fault pid=7', earliest: '0' });
    expect(one.body.rows).toHaveLength(1);
    const event = await api(`/api/v1/events/${one.body.rows[0].id}`);
    expect(event.status).toBe(200);
    expect(event.body.event.user_name).toBe('user7');
  });

  it('lists, replays and purges dead letters through the API and the CLI', async () => {
    const bad = Array.from({ length: 3 }, (_, i) =>
      JSON.stringify({ sourcetype: 'ocsf', host: 'dlq', event: `not json ${i}` }),
    ).join('\n');
    expect(await hec(bad)).toBe(200);

    const listed = await send('GET', '/api/v1/dlq?sourcetype=ocsf&limit=2');
    expect(listed.status).toBe(200);
    expect(listed.body.total).toBe(3);
    expect(listed.body.entries).toHaveLength(2);
    expect(listed.body.entries[0].raw).toMatch(/^not json/);
    const none = await send('GET', '/api/v1/dlq?reason=no-such-reason');
    expect(none.body.total).toBe(0);

    const metrics = await (await fetch(`${appliance.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/^telhawk_dead_letter_entries 3$/m);

    // The normalizer still rejects them: replay keeps them queued.
    const replay = await api('/api/v1/dlq/replay', { sourcetype: 'ocsf' });
    expect(replay.body).toEqual({ replayed: 0, remaining: 3 });

    const env = { ...process.env, TELHAWK_PASSWORD: appliance.adminPassword };
    const cli = (...args: string[]) =>
      run(process.execPath, [CLI_JS, ...args, '--url', appliance.httpUrl], { env });
    const list = await cli('dlq', 'list', '--json');
    expect(JSON.parse(list.stdout).total).toBe(3);
    const purge = await cli('dlq', 'purge', '--reason', 'json');
    expect(purge.stdout).toMatch(/^purged 3 entries/);
    expect((await send('GET', '/api/v1/dlq')).body.total).toBe(0);
  });

  it('exports Parquet in Hive layout that DuckDB and hyparquet read back', async () => {
    const answer = await api('/api/v1/export', {
      earliest: String(T0),
      latest: String(T0 + 60_000),
      query: 'host:fault',
      name: 'first-minute',
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const outDir = answer.body.path as string;
    expect(outDir).toBe(path.join(appliance.dataDir, 'exports', 'first-minute'));
    const manifest = JSON.parse(fs.readFileSync(path.join(outDir, 'manifest.json'), 'utf8'));
    expect(manifest.rows).toBe(60);
    expect(manifest.files[0].file).toMatch(/^date=2025-03-01\/class_uid=3002\/part-\d+\.parquet$/);

    const duck = await DuckDBInstance.create(':memory:');
    const connection = await duck.connect();
    const read = await connection.runAndReadAll(
      `SELECT count(*)::INTEGER AS n, min(process_pid) AS lo, max(process_pid) AS hi,
        CAST(min("date") AS VARCHAR) AS day
       FROM read_parquet('${outDir}/*/*/*.parquet', hive_partitioning = true)`,
    );
    expect(read.getRowObjectsJS()[0]).toEqual({ n: 60, lo: 0, hi: 59, day: '2025-03-01' });
    connection.closeSync();
    duck.closeSync();

    const file = path.join(outDir, manifest.files[0].file);
    const rows = await parquetReadObjects({
      file: await asyncBufferFromFile(file),
      columns: ['id', 'time', 'user_name', 'process_pid'],
      compressors: {
        ZSTD: (input: Uint8Array) => new Uint8Array(execFileSync('zstd', ['-d', '-c'], { input })),
      },
    });
    expect(rows).toHaveLength(60);
    const byPid = new Map(rows.map((row) => [row.process_pid, row]));
    expect(byPid.get(7)?.user_name).toBe('user7');
    expect(byPid.get(7)?.time).toEqual(new Date(T0 + 7000));

    const again = await api('/api/v1/export', { earliest: '0', name: 'first-minute' });
    expect(again.status).toBe(409);
  });

  it('exports internal indexes by query only when the query names them', async () => {
    const rowsOf = async (name: string, query?: string) => {
      const answer = await api('/api/v1/export', { earliest: '0', name, query });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return JSON.parse(fs.readFileSync(path.join(answer.body.path, 'manifest.json'), 'utf8'))
        .rows as number;
    };
    const count = async (query: string) =>
      (await api('/api/v1/query', { query: `${query} | stats count`, earliest: '0' })).body.rows[0]
        .count as number;
    const audit = await count('index=_audit');
    const events = await count('*');
    expect(audit).toBeGreaterThan(0);
    expect(await rowsOf('audit', 'index=_audit')).toBe(audit);
    expect(await rowsOf('searched', '*')).toBe(events);
    expect(await rowsOf('everything')).toBe(events + audit);
  });

  it("exports from a stopped appliance's data folder with thawk export", async () => {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'telhawk-export-'));
    const cli = (...args: string[]) =>
      run(process.execPath, [CLI_JS, 'export', '--data-dir', appliance.dataDir, ...args]);
    try {
      await expect(cli('--out', path.join(outDir, 'a'))).rejects.toThrow(/is running/);
      await appliance.stop();
      const done = await cli('--query', 'host:fault pid<10', '--out', path.join(outDir, 'b'));
      expect(done.stdout).toMatch(/^exported 10 events in 1 files/);
      const manifest = JSON.parse(fs.readFileSync(path.join(outDir, 'b', 'manifest.json'), 'utf8'));
      expect(manifest).toMatchObject({ rows: 10, query: 'host:fault pid<10' });
      // No end by default, so that events stamped ahead of the clock are exported too.
      expect(manifest.latest).toBeNull();
      expect(manifest.columns.find((c: { name: string }) => c.name === 'time').type).toBe(
        'TIMESTAMP',
      );

      // The export restores into a fresh appliance's cold tier.
      const fresh = path.join(outDir, 'fresh');
      const restored = await run(process.execPath, [
        CLI_JS,
        'restore',
        '--from',
        path.join(outDir, 'b'),
        '--data-dir',
        fresh,
      ]);
      expect(restored.stdout).toMatch(/^restored 10 events from 1 files/);
      const store = await EventStore.open(fresh);
      const snapshot = await store.snapshot();
      const rows = await snapshot.query(
        `SELECT count(*) AS n, min(process_pid) AS lo, max(process_pid) AS hi FROM ${snapshot.source}`,
      );
      await snapshot.release();
      await store.close();
      expect(rows.rows[0]).toEqual({ n: 10, lo: 0, hi: 9 });
    } finally {
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  });
});
