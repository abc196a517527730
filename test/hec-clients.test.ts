/**
 * Real HEC clients against the real appliance on loopback: Splunk's splunk-logging
 * library, winston with winston-splunk-httplogger, curl (gzip, Basic auth, /raw, acks)
 * and syslog-ng's http() destination. Each sends, then the events are searched for.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiSession,
  CORPUS_DIR,
  type RunningAppliance,
  startAppliance,
} from './support/appliance.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

type Callback = (error: unknown, response: { statusCode: number }, body: unknown) => void;

interface SplunkLoggerInstance {
  config: { maxBatchCount: number; batchInterval: number };
  _disableTimer(): void;
  eventFormatter: (message: unknown, severity: string) => unknown;
  send(
    context: { message: unknown; metadata?: Record<string, unknown> },
    callback?: Callback,
  ): void;
  flush(callback?: Callback): void;
}

const SplunkLogger = require('splunk-logging').Logger as new (
  config: Record<string, unknown>,
) => SplunkLoggerInstance;
const winston = require('winston') as typeof import('winston');
const SplunkStreamEvent = require('winston-splunk-httplogger') as new (
  config: Record<string, unknown>,
) => import('winston').transport & { server: SplunkLoggerInstance };

const SYSLOG_NG = '/usr/sbin/syslog-ng';
const SYSLOG_NG_HTTP_MODULE = '/usr/lib/syslog-ng';
const CHANNEL = 'a1b2c3d4-0000-4000-8000-000000000001';

let appliance: RunningAppliance;
let api: Awaited<ReturnType<typeof apiSession>>;
let workDir: string;

beforeAll(async () => {
  appliance = await startAppliance();
  api = await apiSession(appliance);
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'telhawk-clients-'));
});

afterAll(async () => {
  await appliance?.stop();
  if (appliance) fs.rmSync(appliance.dataDir, { recursive: true, force: true });
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

async function count(query: string): Promise<number> {
  const { status, body } = await api('/api/v1/query', {
    query: `${query} | stats count()`,
    earliest: '0',
  });
  if (status !== 200) throw new Error(`query failed: ${status} ${JSON.stringify(body)}`);
  return body.rows[0]?.count ?? 0;
}

/** Polls `count(query)` until it reaches `expected` or `timeoutMillis` passes; returns the last count. */
async function waitForCount(
  query: string,
  expected: number,
  timeoutMillis = 15_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMillis;
  let last = await count(query);
  while (last < expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    last = await count(query);
  }
  return last;
}

/** Returns the first `n` "Failed password" lines of the corpus auth.log. */
function failedPasswordLines(n: number): string[] {
  return fs
    .readFileSync(path.join(CORPUS_DIR, 'linux/auth.log'), 'utf8')
    .split('\n')
    .filter((line) => line.includes('Failed password'))
    .slice(0, n);
}

describe('splunk-logging', () => {
  it('sends batches by count and by interval', async () => {
    // The library posts with Content-Type application/x-www-form-urlencoded, so this also
    // checks that HEC ignores the request Content-Type.
    const logger = new SplunkLogger({
      token: appliance.hecToken,
      url: appliance.hecUrl,
      maxBatchCount: 10,
      batchInterval: 200,
      maxRetries: 2,
    });
    const statuses: number[] = [];
    const callback: Callback = (error, response) => {
      if (error) throw error;
      statuses.push(response.statusCode);
    };
    for (let i = 0; i < 25; i++) {
      logger.send(
        {
          message: { action: 'checkout', order: i, user: `user${i % 3}` },
          metadata: { sourcetype: '_json', source: 'splunk-logging-test', host: 'node-app' },
        },
        callback,
      );
    }
    // Two batches of 10 by count, each calling back once; the interval timer posts the
    // last 5 without a callback.
    expect(await waitForCount('source:splunk-logging-test host:node-app', 25)).toBe(25);
    expect(statuses).toEqual([200, 200]);
    // Stops the library's interval timer, which would otherwise keep running.
    logger._disableTimer();
  });
});

describe('winston-splunk-httplogger', () => {
  it('sends winston records one request each', async () => {
    const transport = new SplunkStreamEvent({
      splunk: {
        token: appliance.hecToken,
        url: appliance.hecUrl,
        source: 'winston-test',
        sourcetype: 'winston:app',
        maxRetries: 2,
      },
    });
    // No batching here: the transport sets splunk-logging's maxBatchCount to 1 in its
    // constructor, and it must, because its log() waits for splunk-logging's callback,
    // which splunk-logging calls only for the send that triggers a flush. With a batch
    // size of 8, winston's stream stalls after the first record (tried: 1 of 17 arrived).
    expect(transport.server.config.maxBatchCount).toBe(1);
    const logger = winston.createLogger({ level: 'info', transports: [transport] });
    for (let i = 0; i < 16; i++) {
      logger.info(`payment ${i} settled`, { orderId: 1000 + i });
    }
    logger.warn('card declined', { orderId: 2000 });
    // The transport's default index is winston-index; the default token allows any index.
    expect(await waitForCount('source:winston-test index:winston-index', 17)).toBe(17);

    const search = await api('/api/v1/query', {
      query: 'source:winston-test sourcetype:"winston:app" "card declined"',
      earliest: '0',
    });
    expect(search.body.total).toBe(1);
    const detail = await api(`/api/v1/events/${search.body.rows[0].id}`);
    const raw = JSON.parse(detail.body.event.raw);
    expect(raw.severity).toBe('warn');
    expect(raw.message.msg).toBe('card declined');
    expect(raw.message.meta.orderId).toBe(2000);
    logger.close();
  });
});

describe('curl', () => {
  async function curl(...args: string[]): Promise<{ status: number; body: unknown }> {
    const { stdout } = await run(
      'curl',
      ['-sS', '--max-time', '20', '-w', '\n%{http_code}', ...args],
      { timeout: 30_000 },
    );
    const newline = stdout.lastIndexOf('\n');
    return {
      status: Number(stdout.slice(newline + 1)),
      body: JSON.parse(stdout.slice(0, newline)),
    };
  }

  it('posts a gzip body', async () => {
    const lines = failedPasswordLines(40);
    const envelopes = lines
      .map((line) => JSON.stringify({ event: line, sourcetype: 'linux_secure', host: 'curl-gzip' }))
      .join('\n');
    const file = path.join(workDir, 'events.json.gz');
    fs.writeFileSync(file, zlib.gzipSync(envelopes));
    const answer = await curl(
      `${appliance.hecUrl}/services/collector/event`,
      '-H',
      `Authorization: Splunk ${appliance.hecToken}`,
      '-H',
      'Content-Encoding: gzip',
      '--data-binary',
      `@${file}`,
    );
    expect(answer).toEqual({ status: 200, body: { text: 'Success', code: 0 } });
    expect(await count('host:curl-gzip class_uid:3002 status_id:2')).toBe(40);
  });

  it('authenticates with Basic auth', async () => {
    const answer = await curl(
      `${appliance.hecUrl}/services/collector/event`,
      '-u',
      `x:${appliance.hecToken}`,
      '-d',
      '{"event":{"action":"basic auth"},"host":"curl-basic","sourcetype":"_json"}',
    );
    expect(answer).toEqual({ status: 200, body: { text: 'Success', code: 0 } });
    expect(await count('host:curl-basic')).toBe(1);
    const wrong = await curl(
      `${appliance.hecUrl}/services/collector/event`,
      '-u',
      'x:00000000-0000-0000-0000-000000000000',
      '-d',
      '{"event":"x"}',
    );
    expect(wrong).toEqual({ status: 403, body: { text: 'Invalid token', code: 4 } });
  });

  it('sends /raw with query-string metadata', async () => {
    const lines = failedPasswordLines(12);
    const file = path.join(workDir, 'auth.log');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const answer = await curl(
      `${appliance.hecUrl}/services/collector/raw?sourcetype=linux_secure&host=curl-raw&source=/var/log/auth.log&index=main`,
      '-H',
      `Authorization: Splunk ${appliance.hecToken}`,
      '--data-binary',
      `@${file}`,
    );
    expect(answer).toEqual({ status: 200, body: { text: 'Success', code: 0 } });
    expect(await count('host:curl-raw source:"/var/log/auth.log" class_uid:3002')).toBe(12);
  });

  it('polls acks with a channel', async () => {
    const created = await api('/api/v1/tokens', { name: 'curl-ack', useAck: true });
    expect(created.status).toBe(201);
    const token: string = created.body.secret;
    const url = `${appliance.hecUrl}/services/collector/event`;
    const headers = [
      '-H',
      `Authorization: Splunk ${token}`,
      '-H',
      `X-Splunk-Request-Channel: ${CHANNEL}`,
    ];
    const first = await curl(url, ...headers, '-d', '{"event":"ack 0","host":"curl-ack"}');
    const second = await curl(url, ...headers, '-d', '{"event":"ack 1","host":"curl-ack"}');
    expect(first.body).toEqual({ text: 'Success', code: 0, ackId: 0 });
    expect(second.body).toEqual({ text: 'Success', code: 0, ackId: 1 });
    // Acks turn true once the events are queryable, a moment after the reply; clients poll.
    const seen: Record<string, boolean> = {};
    for (let round = 0; round < 100 && !(seen[0] && seen[1]); round++) {
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      const poll = await curl(
        `${appliance.hecUrl}/services/collector/ack?channel=${CHANNEL}`,
        '-H',
        `Authorization: Splunk ${token}`,
        '-d',
        '{"acks":[0,1,2]}',
      );
      expect(poll.status).toBe(200);
      const { acks } = poll.body as { acks: Record<string, boolean> };
      expect(acks[2]).toBe(false);
      for (const id of ['0', '1']) if (acks[id]) seen[id] = true;
    }
    expect(seen).toEqual({ 0: true, 1: true });
    // An ack reported true means the events are queryable.
    expect(await count('host:curl-ack')).toBe(2);
    const missing = await curl(url, '-H', `Authorization: Splunk ${token}`, '-d', '{"event":"x"}');
    expect(missing).toEqual({ status: 400, body: { text: 'Data channel is missing', code: 10 } });
  });
});

const syslogNgMissing = !fs.existsSync(SYSLOG_NG)
  ? `${SYSLOG_NG} is missing: apt-get install syslog-ng-core syslog-ng-mod-http`
  : !fs.existsSync(SYSLOG_NG_HTTP_MODULE) ||
      !fs
        .readdirSync(SYSLOG_NG_HTTP_MODULE, { recursive: true })
        .some((name) => String(name).endsWith('libhttp.so'))
    ? "syslog-ng's http() module is missing: apt-get install syslog-ng-mod-http"
    : undefined;

/**
 * Builds the syslog-ng configuration that docs/SENDING.md shows: a file source read line
 * by line, and the http() destination posting batches of envelopes built with format-json.
 */
function syslogNgConfig(input: string, hecUrl: string, token: string): string {
  return `@version: 3.38
options { stats-freq(0); };

source s_auth {
  file("${input}" flags(no-parse) follow-freq(1));
};

destination d_telhawk {
  http(
    url("${hecUrl}/services/collector/event")
    method("POST")
    headers("Authorization: Splunk ${token}", "Content-Type: application/json")
    body('$(format-json --scope none time=$R_UNIXTIME host=syslog-ng-client source=${input} sourcetype=linux_secure event=$MESSAGE)')
    batch-lines(25)
    batch-timeout(500)
  );
};

log { source(s_auth); destination(d_telhawk); };
`;
}

describe('syslog-ng', () => {
  let daemon: ChildProcess | undefined;
  let output = '';

  afterAll(async () => {
    if (daemon && daemon.exitCode === null) {
      const exited = new Promise((resolve) => daemon?.once('exit', resolve));
      daemon.kill('SIGTERM');
      await exited;
    }
  });

  it.skipIf(syslogNgMissing !== undefined)(
    `forwards a log file with its http() destination${syslogNgMissing ? ` (skipped: ${syslogNgMissing})` : ''}`,
    async () => {
      const dir = fs.mkdtempSync(path.join(workDir, 'syslog-ng-'));
      const input = path.join(dir, 'auth.log');
      const lines = failedPasswordLines(60);
      fs.writeFileSync(input, `${lines.slice(0, 30).join('\n')}\n`);
      const config = path.join(dir, 'syslog-ng.conf');
      fs.writeFileSync(config, syslogNgConfig(input, appliance.hecUrl, appliance.hecToken));

      daemon = spawn(
        SYSLOG_NG,
        [
          '-F',
          '-e',
          '-f',
          config,
          '--persist-file',
          path.join(dir, 'syslog-ng.persist'),
          '--pidfile',
          path.join(dir, 'syslog-ng.pid'),
          '--control',
          path.join(dir, 'syslog-ng.ctl'),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      daemon.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      daemon.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });

      const query = 'host:syslog-ng-client sourcetype:linux_secure class_uid:3002 status_id:2';
      expect(await waitForCount(query, 30), output).toBe(30);
      // Lines appended while it runs are followed too.
      fs.appendFileSync(input, `${lines.slice(30).join('\n')}\n`);
      expect(await waitForCount(query, 60), output).toBe(60);
      expect(daemon.exitCode, output).toBe(null);

      const search = await api('/api/v1/query', { query: `${query} | head 1`, earliest: '0' });
      const detail = await api(`/api/v1/events/${search.body.rows[0].id}`);
      expect(lines).toContain(detail.body.event.raw);
      expect(detail.body.event.source).toBe(input);
    },
    60_000,
  );
});
