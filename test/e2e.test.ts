/**
 * End to end: the real appliance in a child process (uWS, piscina workers,
 * DuckDB in a temporary data folder), fed with the corpus through
 * `thawk import` and Splunk's own HEC library, then searched through the
 * REST API and `thawk query`.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiBody,
  apiSession,
  CLI_JS,
  CORPUS_DIR,
  type RunningAppliance,
  startAppliance,
} from './support/appliance.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const SplunkLogger = require('splunk-logging').Logger as new (
  config: Record<string, unknown>,
) => {
  eventFormatter: (message: unknown) => unknown;
  send(
    context: { message: unknown; metadata?: Record<string, unknown> },
    callback?: (error: unknown, response: { statusCode: number }, body: unknown) => void,
  ): void;
  flush(callback?: (error: unknown, response: { statusCode: number }, body: unknown) => void): void;
};

/** Corpus files sent with `thawk import`, with the event count of each. */
const IMPORTS: { file: string; sourcetype: string; events: number }[] = [
  { file: 'linux/auth.log', sourcetype: 'linux_secure', events: 7121 },
  { file: 'windows/security.xml', sourcetype: 'XmlWinEventLog:Security', events: 2261 },
  { file: 'windows/ocsf-mapped/4624_0.event', sourcetype: 'WinEventLog:Security', events: 1 },
  { file: 'windows/ocsf-mapped/4625_0.event', sourcetype: 'WinEventLog:Security', events: 1 },
  { file: 'windows/ocsf-mapped/4688_0.event', sourcetype: 'WinEventLog:Security', events: 1 },
  {
    file: 'cloudtrail/otrf-ec2-proxy-s3-exfiltration.json',
    sourcetype: 'aws:cloudtrail',
    events: 103,
  },
  { file: 'cloudtrail/ocsf-mapped/authentication.json', sourcetype: 'aws:cloudtrail', events: 1 },
  { file: 'zeek/json/conn.log', sourcetype: 'zeek:conn:json', events: 1250 },
  { file: 'zeek/json/dns.log', sourcetype: 'zeek:dns:json', events: 167 },
  { file: 'zeek/json/http.log', sourcetype: 'zeek:http:json', events: 222 },
  { file: 'zeek/json/ssh.log', sourcetype: 'zeek:ssh:json', events: 40 },
  { file: 'zeek/json/ssl.log', sourcetype: 'zeek:ssl:json', events: 69 },
  { file: 'zeek/tsv/conn.log', sourcetype: 'bro_conn', events: 112 },
  { file: 'zeek/tsv/dns.log', sourcetype: 'bro_dns', events: 96 },
  { file: 'zeek/tsv/http.log', sourcetype: 'bro_http', events: 3 },
  { file: 'zeek/tsv/ssl.log', sourcetype: 'bro_ssl', events: 5 },
  { file: 'okta/ocsf-mapped/authentication.expected.ocsf.json', sourcetype: 'ocsf', events: 1 },
  { file: 'zeek/ocsf-mapped/conn_log.expected.ocsf.json', sourcetype: 'ocsf', events: 1 },
];

const SPLUNK_LOGGING_EVENTS = 60;

describe('appliance end to end', () => {
  let appliance: RunningAppliance;
  let api: Awaited<ReturnType<typeof apiSession>>;

  const AUTH_LOG = `source:"${path.join(CORPUS_DIR, 'linux/auth.log')}"`;

  async function count(query: string): Promise<number> {
    const { status, body } = await api('/api/v1/query', {
      query: `${query} | stats count()`,
      earliest: '0',
    });
    expect(status, JSON.stringify(body)).toBe(200);
    return body.rows[0]?.count ?? 0;
  }

  async function cli(...args: string[]): Promise<string> {
    const { stdout } = await run(process.execPath, [CLI_JS, ...args], {
      env: {
        ...process.env,
        TELHAWK_PASSWORD: appliance.adminPassword,
        TELHAWK_HEC_TOKEN: appliance.hecToken,
      },
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  }

  beforeAll(async () => {
    appliance = await startAppliance();
    api = await apiSession(appliance);
  });

  afterAll(async () => {
    await appliance?.stop();
    if (appliance) fs.rmSync(appliance.dataDir, { recursive: true, force: true });
  });

  it('imports every corpus file with thawk import', async () => {
    for (const { file, sourcetype, events } of IMPORTS) {
      const stdout = await cli(
        'import',
        path.join(CORPUS_DIR, file),
        '--sourcetype',
        sourcetype,
        '--url',
        appliance.hecUrl,
        '--quiet',
      );
      expect(stdout, file).toContain(`sent ${events} ${events === 1 ? 'event' : 'events'} from`);
    }
    for (const { file, sourcetype, events } of IMPORTS) {
      expect(
        await count(`source:"${path.join(CORPUS_DIR, file)}" sourcetype:"${sourcetype}"`),
        file,
      ).toBe(events);
    }
  }, 300_000);

  it('accepts batches from the splunk-logging library', async () => {
    const logger = new SplunkLogger({
      token: appliance.hecToken,
      url: appliance.hecUrl,
      maxBatchCount: 25,
      maxRetries: 2,
    });
    logger.eventFormatter = (message) => message;
    const lines = fs
      .readFileSync(path.join(CORPUS_DIR, 'linux/auth.log'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('Failed password'))
      .slice(0, SPLUNK_LOGGING_EVENTS);
    // With batching on, the library calls back once per batch it posts.
    const statuses: number[] = [];
    const batches = Math.floor(lines.length / 25);
    await new Promise<void>((resolve, reject) => {
      for (const line of lines) {
        logger.send(
          {
            message: line,
            metadata: { sourcetype: 'linux_secure', host: 'splunk-logging-client', index: 'main' },
          },
          (error, response) => {
            if (error) return reject(error);
            statuses.push(response.statusCode);
            if (statuses.length === batches) resolve();
          },
        );
      }
    });
    await new Promise<void>((resolve, reject) =>
      logger.flush((error, response) => {
        if (error) return reject(error);
        statuses.push(response.statusCode);
        resolve();
      }),
    );
    expect(statuses).toEqual([200, 200, 200]);
    expect(await count('host:splunk-logging-client class_uid:3002 status_id:2')).toBe(
      SPLUNK_LOGGING_EVENTS,
    );
  });

  it('counts events per class for each source', async () => {
    // Figures from the corpus itself: grep -c of the EventID, eventName or line text.
    expect(await count(`${AUTH_LOG} sourcetype:linux_secure`)).toBe(7121);
    expect(await count(`${AUTH_LOG} "Failed password"`)).toBe(713);
    expect(await count('sourcetype:"XmlWinEventLog:Security" metadata.event_code:4624')).toBe(583);
    expect(await count('sourcetype:"XmlWinEventLog:Security" class_uid:3003')).toBe(459);
    expect(await count('sourcetype:"zeek:conn:json" class_uid:4001')).toBe(1250);
    expect(await count('sourcetype:"zeek:dns:json" class_uid:4003')).toBe(167);
    expect(await count('sourcetype:"zeek:http:json" class_uid:4002')).toBe(222);
    expect(await count('sourcetype:"zeek:ssh:json" class_uid:4007')).toBe(40);
    expect(await count('sourcetype:bro_conn class_uid:4001')).toBe(112);
    expect(await count('sourcetype:bro_dns class_uid:4003')).toBe(96);
    expect(await count('sourcetype:"aws:cloudtrail"')).toBe(104);
    // Counted with jq over the two corpus files: every record's awsRegion and eventSource.
    expect(await count('sourcetype:"aws:cloudtrail" awsRegion=us-east-1')).toBe(104);
    expect(await count('sourcetype:"aws:cloudtrail" eventSource=s3.amazonaws.com')).toBe(11);
    expect(await count('sourcetype:"WinEventLog:Security" class_uid:3002')).toBe(2);
    expect(await count('sourcetype:"WinEventLog:Security" class_uid:1007')).toBe(1);
    expect(await count('sourcetype:ocsf class_uid:3002')).toBe(1);
    expect(await count('sourcetype:ocsf class_uid:4001')).toBe(1);
  });

  it('counts failed and accepted logins per user and IP', async () => {
    const failedByIp = await api('/api/v1/query', {
      query: `${AUTH_LOG} class_uid:3002 status_id:2 "Failed password" | stats count() by src_ip | sort -count | head 3`,
      earliest: '0',
    });
    expect(failedByIp.status).toBe(200);
    expect(failedByIp.body.rows).toEqual([
      { src_ip: '203.0.113.20', count: 157 },
      { src_ip: '34.204.227.175', count: 43 },
      { src_ip: '49.4.143.105', count: 40 },
    ]);
    const accepted = await api('/api/v1/query', {
      query:
        'sourcetype:linux_secure class_uid:3002 status_id:1 "Accepted" | stats count() by user | sort -count | head 3',
      earliest: '0',
    });
    expect(accepted.body.rows).toEqual([
      { user: 'ubuntu', count: 36 },
      { user: 'elastic_user_0', count: 29 },
      { user: 'elastic_user_1', count: 25 },
    ]);
    const windowsLogons = await api('/api/v1/query', {
      query:
        'sourcetype:"XmlWinEventLog:Security" metadata.event_code:4624 | stats count() by user | sort -count | head 2',
      earliest: '0',
    });
    expect(windowsLogons.body.rows).toEqual([
      { user: 'SYSTEM', count: 377 },
      { user: 'fsir', count: 84 },
    ]);
    const zeekSources = await api('/api/v1/query', {
      query: 'sourcetype:"zeek:conn:json" | stats count() by src_ip | sort -count | head 2',
      earliest: '0',
    });
    expect(zeekSources.body.rows).toEqual([
      { src_ip: '127.0.0.1', count: 104 },
      { src_ip: '192.168.56.1', count: 48 },
    ]);
  });

  it('builds thawk as an executable, which npx needs', () => {
    expect(fs.statSync(CLI_JS).mode & 0o111).toBe(0o111);
  });

  it('prints the same counts through thawk query', async () => {
    const stdout = await cli(
      'query',
      `${AUTH_LOG} class_uid:3002 status_id:2 "Failed password" | stats count() by src_ip | sort -count | head 3`,
      '--url',
      appliance.httpUrl,
      '--json',
    );
    const result = JSON.parse(stdout) as ApiBody;
    expect(result.rows[0]).toEqual({ src_ip: '203.0.113.20', count: 157 });
    const table = await cli(
      'query',
      'sourcetype:bro_dns | stats count() by class_name',
      '--url',
      appliance.httpUrl,
    );
    expect(table).toMatch(/DNS Activity\s*│\s*96/);
  });

  it('returns events with their OCSF document and raw text', async () => {
    const search = await api('/api/v1/query', {
      query: `${AUTH_LOG} "Failed password" src_ip:49.4.143.105`,
      earliest: '0',
      limit: 5,
    });
    expect(search.status).toBe(200);
    expect(search.body.total).toBe(40);
    expect(search.body.rows).toHaveLength(5);
    const [first] = search.body.rows;
    const detail = await api(`/api/v1/events/${first.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.event.ocsf.class_uid).toBe(3002);
    expect(detail.body.event.ocsf.src_endpoint.ip).toBe('49.4.143.105');
    expect(detail.body.event.raw).toContain('Failed password');
    const missing = await api('/api/v1/events/00000000000000000000000000');
    expect(missing.status).toBe(404);
  });

  it('answers bad HEC input with Splunk codes and loses nothing', async () => {
    const before = await count('*');
    const hec = (body: BodyInit, headers: Record<string, string> = {}) =>
      fetch(`${appliance.hecUrl}/services/collector/event`, {
        method: 'POST',
        headers: { Authorization: `Splunk ${appliance.hecToken}`, ...headers },
        body,
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as ApiBody,
      }));

    expect(await hec('{"event": "x"')).toEqual({
      status: 400,
      body: { text: 'Invalid data format', code: 6, 'invalid-event-number': 0 },
    });
    expect(
      await hec('{"event":"ok"}', { Authorization: 'Splunk 00000000-0000-0000-0000-000000000000' }),
    ).toEqual({
      status: 403,
      body: { text: 'Invalid token', code: 4 },
    });
    expect(await hec('')).toEqual({ status: 400, body: { text: 'No data', code: 5 } });
    const huge = await hec(`{"event": "${'a'.repeat(10 * 1024 * 1024)}"}`);
    expect(huge.status).toBe(413);
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
    const binary = await hec(garbage);
    expect(binary.status).toBe(400);
    expect(binary.body.code).toBe(6);

    const health = await fetch(`${appliance.hecUrl}/services/collector/health`);
    expect(health.status).toBe(200);
    expect(await count('*')).toBe(before);
    expect(
      await hec('{"event": "still serving", "sourcetype": "_json", "host": "after-bad-input"}'),
    ).toEqual({
      status: 200,
      body: { text: 'Success', code: 0 },
    });
    expect(await count('host:after-bad-input')).toBe(1);

    // Console output keeps its color codes: stored and returned as sent.
    const colored = '\u001b[31mERROR\u001b[0m payment failed for order 991';
    expect(await hec(JSON.stringify({ event: colored, host: 'colored-console' }))).toEqual({
      status: 200,
      body: { text: 'Success', code: 0 },
    });
    const found = await api('/api/v1/query', { query: 'host:colored-console', earliest: '0' });
    expect(found.body.rows.map((row: ApiBody) => row.message)).toEqual([colored]);
    expect(await count('host:colored-console payment')).toBe(1);
  });

  it('records console logins as searchable audit events', async () => {
    const failed = await fetch(`${appliance.httpUrl}/api/v1/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'not the password' }),
    });
    expect(failed.status).toBe(401);
    expect(
      await count('index=_audit sourcetype:"telhawk:audit" class_uid:3002 status_id:2 user:admin'),
    ).toBe(1);
    expect(
      await count('index=_audit sourcetype:"telhawk:audit" status_id:1 user:admin'),
    ).toBeGreaterThanOrEqual(1);
  });

  it('records console logouts as audit events', async () => {
    const login = await fetch(`${appliance.httpUrl}/api/v1/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: appliance.adminPassword }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const logout = await fetch(`${appliance.httpUrl}/api/v1/logout`, {
      method: 'POST',
      headers: { Cookie: cookie },
    });
    expect(logout.status).toBe(200);
    expect(await count('index=_audit class_uid:3002 activity_id:2 user:admin')).toBe(1);
  });

  it('records token changes as audit events', async () => {
    const created = await api('/api/v1/tokens', { name: 'audit-check' });
    expect(created.status).toBe(201);
    const disabled = await api(`/api/v1/tokens/${created.body.token.id}/disable`, {});
    expect(disabled.status).toBe(200);
    expect(
      await count(
        'index=_audit sourcetype:"telhawk:audit" class_uid:3004 activity_id:1 actor:admin',
      ),
    ).toBe(1);
    expect(
      await count(
        'index=_audit sourcetype:"telhawk:audit" class_uid:3004 activity_id:3 "audit-check"',
      ),
    ).toBe(1);
  });

  it('exposes ingest metrics for Prometheus', async () => {
    const text = await (await fetch(`${appliance.httpUrl}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('telhawk_events_stored_total')).toBeGreaterThan(11_000);
    expect(value('telhawk_commit_duration_seconds_count')).toBeGreaterThan(0);
    expect(value('telhawk_normalize_batch_duration_seconds_count')).toBeGreaterThan(0);
    expect(text).toMatch(
      /^telhawk_hec_requests_total\{path="\/services\/collector\/event",status="200",code="0"\} \d+/m,
    );
  });

  it('rejects API calls without a session', async () => {
    const response = await fetch(`${appliance.httpUrl}/api/v1/query`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: '*' }),
    });
    expect(response.status).toBe(401);
    const event = await fetch(`${appliance.httpUrl}/api/v1/events/00000000000000000000000000`);
    expect(event.status).toBe(401);
  });

  it('reports query syntax errors with their position', async () => {
    const { status, body } = await api('/api/v1/query', { query: 'user:"unterminated' });
    expect(status).toBe(400);
    expect(body.error.code).toBe('query_syntax');
    expect(body.error.line).toBe(1);
    expect(body.error.column).toBeGreaterThan(0);
  });
});
