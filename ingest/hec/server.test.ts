import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { deflateSync, gzipSync } from 'node:zlib';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemorySink, MemoryTokenStore } from './memory.js';
import { type HecServer, type HecServerOptions, startHecServer } from './server.js';
import type { HecToken } from './types.js';

const SECRETS = {
  plain: '5f1a2b3c-0000-4000-8000-000000000001',
  query: '5f1a2b3c-0000-4000-8000-000000000002',
  ack: '5f1a2b3c-0000-4000-8000-000000000003',
  disabled: '5f1a2b3c-0000-4000-8000-000000000004',
  restricted: '5f1a2b3c-0000-4000-8000-000000000005',
};
const UNKNOWN_SECRET = '5f1a2b3c-0000-4000-8000-0000000000ff';

function token(id: string, overrides: Partial<HecToken> = {}): HecToken {
  return {
    id,
    name: id,
    disabled: false,
    defaultIndex: 'main',
    indexes: [],
    useAck: false,
    allowQueryStringAuth: false,
    ...overrides,
  };
}

function tokenStore(): MemoryTokenStore {
  return new MemoryTokenStore([
    [SECRETS.plain, token('plain')],
    [SECRETS.query, token('query', { allowQueryStringAuth: true })],
    [SECRETS.ack, token('ack', { useAck: true })],
    [SECRETS.disabled, token('disabled', { disabled: true })],
    [
      SECRETS.restricted,
      token('restricted', {
        defaultIndex: 'web',
        indexes: ['web', 'main'],
        defaultSourcetype: 'nginx',
        defaultSource: '/var/log/nginx.log',
        defaultHost: 'web-01',
      }),
    ],
  ]);
}

/** Log lines written by the servers under test, checked for leaked secrets at the end. */
const logLines: string[] = [];
const logger = pino(
  { level: 'debug' },
  new Writable({
    write(chunk, _encoding, callback) {
      logLines.push(String(chunk));
      if (process.env['HEC_TEST_LOG']) process.stderr.write(chunk);
      callback();
    },
  }),
);

async function startServer(
  sink: MemorySink,
  options: Partial<HecServerOptions> = {},
): Promise<HecServer> {
  return startHecServer({
    host: '127.0.0.1',
    port: 0,
    tokens: tokenStore(),
    sink,
    logger,
    ...options,
  });
}

interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

async function request(
  server: HecServer,
  path: string,
  init: { method?: string; body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const response = await fetch(`http://127.0.0.1:${server.port}${path}`, {
    method: init.method ?? 'POST',
    body: typeof init.body === 'string' ? init.body : init.body && new Uint8Array(init.body),
    headers: init.headers,
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text === '' ? '' : JSON.parse(text),
    headers: response.headers,
  };
}

function splunk(secret: string): Record<string, string> {
  return { Authorization: `Splunk ${secret}` };
}

interface CurlAnswer {
  status: number;
  body: string;
}

/** Runs curl against the server; the last output line is the HTTP status. */
function curl(server: HecServer, path: string, args: string[]): Promise<CurlAnswer> {
  return new Promise((resolve, reject) => {
    execFile(
      'curl',
      [
        '-s',
        '--max-time',
        '20',
        '-w',
        '\n%{http_code}',
        ...args,
        `http://127.0.0.1:${server.port}${path}`,
      ],
      { maxBuffer: 1 << 20 },
      (err, stdout) => {
        if (err) return reject(err);
        const cut = stdout.lastIndexOf('\n');
        resolve({ body: stdout.slice(0, cut), status: Number(stdout.slice(cut + 1)) });
      },
    );
  });
}

const sink = new MemorySink();
let server: HecServer;

beforeAll(async () => {
  server = await startServer(sink);
});

afterAll(async () => {
  await server.close();
});

afterEach(() => {
  sink.busy = false;
  sink.failure = undefined;
  sink.gate = undefined;
  sink.clear();
});

async function expectHealthy(): Promise<void> {
  const answer = await request(server, '/services/collector/event', {
    body: '{"event":"still alive"}',
    headers: splunk(SECRETS.plain),
  });
  expect(answer.status).toBe(200);
}

interface ConformanceCase {
  code: number;
  name: string;
  path?: string;
  method?: string;
  body?: string;
  headers?: Record<string, string>;
  setup?: () => void;
  status: number;
  reply: unknown;
  stored: number;
}

const channel = randomUUID();

const CONFORMANCE: ConformanceCase[] = [
  {
    code: 0,
    name: 'success',
    body: '{"event":"a"}',
    headers: splunk(SECRETS.plain),
    status: 200,
    reply: { text: 'Success', code: 0 },
    stored: 1,
  },
  {
    code: 1,
    name: 'disabled token',
    body: '{"event":"a"}',
    headers: splunk(SECRETS.disabled),
    status: 403,
    reply: { text: 'Token disabled', code: 1 },
    stored: 0,
  },
  {
    code: 2,
    name: 'no token',
    body: '{"event":"a"}',
    status: 401,
    reply: { text: 'Token is required', code: 2 },
    stored: 0,
  },
  {
    code: 3,
    name: 'bare token without Splunk scheme',
    body: '{"event":"a"}',
    headers: { Authorization: SECRETS.plain },
    status: 401,
    reply: { text: 'Invalid authorization', code: 3 },
    stored: 0,
  },
  {
    code: 4,
    name: 'unknown token',
    body: '{"event":"a"}',
    headers: splunk(UNKNOWN_SECRET),
    status: 403,
    reply: { text: 'Invalid token', code: 4 },
    stored: 0,
  },
  {
    code: 5,
    name: 'empty body',
    body: '',
    headers: splunk(SECRETS.plain),
    status: 400,
    reply: { text: 'No data', code: 5 },
    stored: 0,
  },
  {
    code: 6,
    name: 'syntax error',
    body: '{"event":"a"',
    headers: splunk(SECRETS.plain),
    status: 400,
    reply: { text: 'Invalid data format', code: 6, 'invalid-event-number': 0 },
    stored: 0,
  },
  {
    code: 7,
    name: 'index outside the allow list',
    body: '{"event":"a","index":"finance"}',
    headers: splunk(SECRETS.restricted),
    status: 400,
    reply: { text: 'Incorrect index', code: 7, 'invalid-event-number': 0 },
    stored: 0,
  },
  {
    code: 7,
    name: 'internal index without an allow list',
    body: '{"event":"a"}{"event":"forged","index":"_audit"}',
    headers: splunk(SECRETS.plain),
    status: 400,
    reply: { text: 'Incorrect index', code: 7, 'invalid-event-number': 1 },
    stored: 1,
  },
  {
    code: 7,
    name: 'index name no index can have',
    body: '{"event":"a"}{"event":"b","index":"no such index!"}',
    headers: splunk(SECRETS.plain),
    status: 400,
    reply: { text: 'Incorrect index', code: 7, 'invalid-event-number': 1 },
    stored: 1,
  },
  {
    // The server never sends code 8: a storage failure gets 503 code 9 so that clients retry.
    code: 8,
    name: 'storage failure answers 9, not 8',
    body: '{"event":"a"}',
    headers: splunk(SECRETS.plain),
    setup: () => {
      sink.failure = new Error('disk full');
    },
    status: 503,
    reply: { text: 'Server is busy', code: 9 },
    stored: 0,
  },
  {
    code: 9,
    name: 'sink busy',
    body: '{"event":"a"}',
    headers: splunk(SECRETS.plain),
    setup: () => {
      sink.busy = true;
    },
    status: 503,
    reply: { text: 'Server is busy', code: 9 },
    stored: 0,
  },
  {
    code: 10,
    name: 'ack token without channel',
    body: '{"event":"a"}',
    headers: splunk(SECRETS.ack),
    status: 400,
    reply: { text: 'Data channel is missing', code: 10 },
    stored: 0,
  },
  {
    code: 11,
    name: 'channel not a GUID',
    body: '{"event":"a"}',
    headers: { ...splunk(SECRETS.ack), 'X-Splunk-Request-Channel': 'not-a-guid' },
    status: 400,
    reply: { text: 'Invalid data channel', code: 11 },
    stored: 0,
  },
  {
    code: 12,
    name: 'second envelope without event',
    body: '{"event":"a"}{"host":"x"}',
    headers: splunk(SECRETS.plain),
    status: 400,
    reply: { text: 'Event field is required', code: 12, 'invalid-event-number': 1 },
    stored: 1,
  },
  {
    code: 13,
    name: 'blank event',
    body: '{"event":"  "}',
    headers: splunk(SECRETS.plain),
    status: 400,
    reply: { text: 'Event field cannot be blank', code: 13, 'invalid-event-number': 0 },
    stored: 0,
  },
  {
    code: 14,
    name: 'ack poll on a token without ack',
    path: '/services/collector/ack',
    body: '{"acks":[0]}',
    headers: { ...splunk(SECRETS.plain), 'X-Splunk-Request-Channel': channel },
    status: 400,
    reply: { text: 'ACK is disabled', code: 14 },
    stored: 0,
  },
  {
    code: 15,
    name: 'nested indexed fields',
    body: '{"event":"a","fields":{"geo":{"lat":1}}}',
    headers: splunk(SECRETS.plain),
    status: 400,
    reply: { text: 'Error in handling indexed fields', code: 15, 'invalid-event-number': 0 },
    stored: 0,
  },
  {
    code: 16,
    name: 'query-string token not allowed',
    path: `/services/collector/event?token=${SECRETS.plain}`,
    body: '{"event":"a"}',
    status: 400,
    reply: { text: 'Query string authorization is not enabled', code: 16 },
    stored: 0,
  },
  {
    code: 17,
    name: 'health',
    path: '/services/collector/health',
    method: 'GET',
    status: 200,
    reply: { text: 'HEC is healthy', code: 17 },
    stored: 0,
  },
  {
    code: 18,
    name: 'health while the sink is busy',
    path: '/services/collector/health',
    method: 'GET',
    setup: () => {
      sink.busy = true;
    },
    status: 503,
    reply: { text: 'HEC is unhealthy, queues are full', code: 18 },
    stored: 0,
  },
  {
    // Splunk 8.2.4 and 10.x ignore a token on the health check, so codes 21 and 22 never appear.
    code: 21,
    name: 'health ignores an unknown token',
    path: '/health/1.0',
    method: 'GET',
    headers: splunk(UNKNOWN_SECRET),
    status: 200,
    reply: { text: 'HEC is healthy', code: 17 },
    stored: 0,
  },
];

describe('HEC response-code conformance', () => {
  it.each(CONFORMANCE)('code $code: $name', async (row) => {
    row.setup?.();
    const answer = await request(server, row.path ?? '/services/collector/event', {
      method: row.method,
      body: row.body,
      headers: row.headers,
    });
    expect(answer.status).toBe(row.status);
    expect(answer.body).toEqual(row.reply);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(sink.events).toHaveLength(row.stored);
    if (row.status === 503 && row.code !== 18) {
      expect(answer.headers.get('retry-after')).toBe('5');
    }
    sink.busy = false;
    sink.failure = undefined;
    await expectHealthy();
  });

  it('logs a storage failure with its error', async () => {
    sink.failure = new Error('disk full at /var/lib/telhawk');
    await request(server, '/services/collector/event', {
      body: '{"event":"a"}',
      headers: splunk(SECRETS.plain),
    });
    const line = logLines.find((l) => l.includes('disk full at /var/lib/telhawk'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ level: 50, msg: 'HEC sink failed to store events' });
  });
});

describe('HEC routes', () => {
  it.each([
    '/services/collector',
    '/services/collector/',
    '/services/collector/event',
    '/services/collector/event/',
    '/event/1.0',
  ])('accepts events on %s', async (path) => {
    const answer = await request(server, path, {
      body: '{"event":"x"}',
      headers: splunk(SECRETS.plain),
    });
    expect(answer.status).toBe(200);
    expect(sink.events).toHaveLength(1);
  });

  it.each([
    '/services/collector/s2s',
    '/services/collector/mint/1.0',
    '/services/collector/nope',
    '/',
  ])('answers 404 on %s', async (path) => {
    const answer = await request(server, path, {
      body: '{"event":"x"}',
      headers: splunk(SECRETS.plain),
    });
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({
      text: 'The requested URL was not found on this server.',
      code: 404,
    });
  });

  it('answers 405 on GET of the event endpoint', async () => {
    const answer = await request(server, '/services/collector/event', { method: 'GET' });
    expect(answer.status).toBe(405);
    expect(answer.body).toEqual({ text: 'Method Not Allowed', code: 405 });
    expect(answer.headers.get('allow')).toBe('POST,OPTIONS');
  });

  it('answers 405 on POST to health', async () => {
    const answer = await request(server, '/services/collector/health', { body: '{}' });
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('GET,HEAD,OPTIONS');
  });

  it('answers OPTIONS without a token', async () => {
    const event = await request(server, '/services/collector/event', { method: 'OPTIONS' });
    expect(event.status).toBe(200);
    expect(event.body).toBe('');
    expect(event.headers.get('allow')).toBe('POST,OPTIONS');
    const health = await request(server, '/services/collector/health/', { method: 'OPTIONS' });
    expect(health.headers.get('allow')).toBe('GET,HEAD,OPTIONS');
  });

  it('answers HEAD on health without a body', async () => {
    const response = await fetch(`http://127.0.0.1:${server.port}/services/collector/health`, {
      method: 'HEAD',
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('answers 415 for deflate', async () => {
    const answer = await request(server, '/services/collector/event', {
      body: deflateSync('{"event":"a"}'),
      headers: { ...splunk(SECRETS.plain), 'Content-Encoding': 'deflate' },
    });
    expect(answer.status).toBe(415);
    expect(answer.body).toEqual({ text: 'Unsupported Media Type', code: 415 });
    await expectHealthy();
  });
});

describe('HEC authentication', () => {
  it('accepts Basic with the token as password', async () => {
    const basic = Buffer.from(`anyone:${SECRETS.plain}`).toString('base64');
    const answer = await request(server, '/services/collector/event', {
      body: '{"event":"a"}',
      headers: { Authorization: `Basic ${basic}` },
    });
    expect(answer.status).toBe(200);
    expect(sink.events[0]!.tokenId).toBe('plain');
  });

  it('accepts Basic from curl -u', async () => {
    const answer = await curl(server, '/services/collector/event', [
      '-u',
      `x:${SECRETS.plain}`,
      '-d',
      '{"event":"from curl"}',
    ]);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ text: 'Success', code: 0 });
    expect(sink.events.map((e) => e.event)).toEqual(['from curl']);
  });

  it('accepts the scheme in any case with extra spaces', async () => {
    const answer = await request(server, '/services/collector/event', {
      body: '{"event":"a"}',
      headers: { Authorization: `  sPLUNK    ${SECRETS.plain}  ` },
    });
    expect(answer.status).toBe(200);
  });

  it.each([`Bearer ${SECRETS.plain}`, 'Basic !!!notbase64', `Basic ${btoa('no-colon')}`])(
    'rejects %s with code 3',
    async (authorization) => {
      const answer = await request(server, '/services/collector/event', {
        body: '{"event":"a"}',
        headers: { Authorization: authorization },
      });
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ text: 'Invalid authorization', code: 3 });
    },
  );

  it('accepts a query token when the token allows it', async () => {
    const answer = await request(server, `/services/collector/event?token=${SECRETS.query}`, {
      body: '{"event":"a"}',
    });
    expect(answer.status).toBe(200);
    expect(sink.events[0]!.tokenId).toBe('query');
  });

  it('lets the query token win over the header', async () => {
    const unknown = await request(server, `/services/collector/event?token=${UNKNOWN_SECRET}`, {
      body: '{"event":"a"}',
      headers: splunk(SECRETS.plain),
    });
    expect(unknown.status).toBe(403);
    expect(unknown.body).toEqual({ text: 'Invalid token', code: 4 });
    const disabled = await request(server, `/services/collector/event?token=${SECRETS.disabled}`, {
      body: '{"event":"a"}',
      headers: splunk(SECRETS.plain),
    });
    expect(disabled.body).toEqual({ text: 'Token disabled', code: 1 });
    const notAllowed = await request(server, `/services/collector/event?token=${SECRETS.plain}`, {
      body: '{"event":"a"}',
      headers: splunk(SECRETS.query),
    });
    expect(notAllowed.body).toEqual({
      text: 'Query string authorization is not enabled',
      code: 16,
    });
    expect(sink.events).toHaveLength(0);
  });
});

describe('HEC event bodies', () => {
  it('stores the events before a bad one in the middle', async () => {
    const answer = await request(server, '/services/collector/event', {
      body: '{"event":"e0"}\n{"event":"e1"}\n{"event":"e2",}\n{"event":"e3"}',
      headers: splunk(SECRETS.plain),
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      text: 'Invalid data format',
      code: 6,
      'invalid-event-number': 2,
    });
    expect(sink.events.map((e) => e.event)).toEqual(['e0', 'e1']);
  });

  it.each([
    ['negative', '-5'],
    ['past 9999-12-31 in seconds', '1e300'],
    ['past 9999-12-31 in nanoseconds', '253402300800000000000'],
    ['past 9999-12-31 as a string', '"253402300800000000000"'],
    ['infinite', '1e400'],
  ])('rejects an envelope time that is %s', async (_case, time) => {
    const answer = await request(server, '/services/collector/event', {
      body: `{"event":"e0"}{"event":"e1","time":${time}}{"event":"e2"}`,
      headers: splunk(SECRETS.plain),
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      text: 'Invalid data format',
      code: 6,
      'invalid-event-number': 1,
    });
    expect(sink.events.map((e) => e.event)).toEqual(['e0']);
  });

  it.each([
    ['/services/collector/event', '-5'],
    ['/services/collector/event', '10000000000000000000000000'],
    ['/services/collector', '253402300800000000000'],
    ['/services/collector/raw', '-5'],
    ['/services/collector/raw', '10000000000000000000000000'],
    ['/services/collector/raw', '253402300800000000000'],
  ])('rejects on %s the query time %s', async (path, time) => {
    const answer = await request(server, `${path}?time=${time}`, {
      body: path.endsWith('/raw') ? 'line' : '{"event":"e0"}',
      headers: splunk(SECRETS.plain),
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ text: 'Invalid data format', code: 6 });
    expect(sink.events).toHaveLength(0);
  });

  it('answers 503 when the events before a bad one cannot be stored', async () => {
    sink.busy = true;
    const answer = await request(server, '/services/collector/event', {
      body: '{"event":"e0"}{"event":null}',
      headers: splunk(SECRETS.plain),
    });
    expect(answer.status).toBe(503);
    expect(sink.events).toHaveLength(0);
  });

  it('accepts concatenated envelopes without whitespace', async () => {
    const answer = await request(server, '/services/collector/event', {
      body: '{"event":"a"}{"event":{"b":1}}{"event":2}',
      headers: splunk(SECRETS.plain),
    });
    expect(answer.status).toBe(200);
    expect(sink.events.map((e) => e.raw)).toEqual(['a', '{"b":1}', '2']);
  });

  it('accepts a top-level array', async () => {
    const answer = await request(server, '/services/collector/event', {
      body: '[{"event":"a"},{"event":"b"}]',
      headers: splunk(SECRETS.plain),
    });
    expect(answer.status).toBe(200);
    expect(sink.events.map((e) => e.event)).toEqual(['a', 'b']);
  });

  it('resolves metadata from envelope, query, token and server', async () => {
    await request(server, '/services/collector/event?sourcetype=q_st&index=main', {
      body: '{"event":"a","host":"env-host","time":"1433188255.500"}{"event":"b"}',
      headers: splunk(SECRETS.restricted),
    });
    expect(sink.events[0]).toMatchObject({
      host: 'env-host',
      source: '/var/log/nginx.log',
      sourcetype: 'q_st',
      index: 'main',
      time: 1433188255500,
      tokenId: 'restricted',
    });
    expect(sink.events[1]).toMatchObject({ host: 'web-01', time: undefined });

    await request(server, '/services/collector/event', {
      body: '{"event":"c"}',
      headers: splunk(SECRETS.plain),
    });
    expect(sink.events[2]).toMatchObject({
      host: `127.0.0.1:${server.port}`,
      source: 'http:plain',
      sourcetype: 'httpevent',
      index: 'main',
    });
  });

  it('rejects a disallowed query index with code 7', async () => {
    const answer = await request(server, '/services/collector/event?index=finance', {
      body: '{"event":"a"}',
      headers: splunk(SECRETS.restricted),
    });
    expect(answer.body).toEqual({ text: 'Incorrect index', code: 7, 'invalid-event-number': 0 });
  });

  it('accepts a gzip body', async () => {
    const events = Array.from({ length: 50 }, (_, i) => JSON.stringify({ event: `g${i}` }));
    const answer = await request(server, '/services/collector/event', {
      body: gzipSync(events.join('\n')),
      headers: { ...splunk(SECRETS.plain), 'Content-Encoding': 'gzip' },
    });
    expect(answer.status).toBe(200);
    expect(sink.events).toHaveLength(50);
    expect(sink.events[49]!.event).toBe('g49');
  });

  it('accepts a gzip body from curl', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hec-'));
    try {
      const file = join(dir, 'body.gz');
      writeFileSync(file, gzipSync('{"event":"zipped"}'));
      const answer = await curl(server, '/services/collector', [
        '-H',
        `Authorization: Splunk ${SECRETS.plain}`,
        '-H',
        'Content-Encoding: gzip',
        '--data-binary',
        `@${file}`,
      ]);
      expect(answer.status).toBe(200);
      expect(sink.events.map((e) => e.event)).toEqual(['zipped']);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('rejects a gzip bomb with 413', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(1_000_000);
    const answer = await request(server, '/services/collector/event', {
      body: bomb,
      headers: { ...splunk(SECRETS.plain), 'Content-Encoding': 'gzip' },
    });
    expect(answer.status).toBe(413);
    expect(answer.body).toEqual({ text: 'Request Entity Too Large', code: 413 });
    await expectHealthy();
  });

  it('rejects a corrupt gzip body with code 6', async () => {
    const answer = await request(server, '/services/collector/event', {
      body: Buffer.from('not gzip at all'),
      headers: { ...splunk(SECRETS.plain), 'Content-Encoding': 'gzip' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ text: 'Invalid data format', code: 6 });
  });

  it('rejects binary garbage with code 6', async () => {
    const garbage = Buffer.concat([Buffer.from([0x00, 0xff, 0xfe]), randomBytes(4096)]);
    const answer = await request(server, '/services/collector/event', {
      body: garbage,
      headers: splunk(SECRETS.plain),
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      text: 'Invalid data format',
      code: 6,
      'invalid-event-number': 0,
    });
    await expectHealthy();
  });

  it('rejects a 10 MB line with 413 under the default cap', async () => {
    const line = `{"event":"${'x'.repeat(10 * 1024 * 1024)}"}`;
    const answer = await request(server, '/services/collector/event', {
      body: line,
      headers: splunk(SECRETS.plain),
    });
    expect(answer.status).toBe(413);
    expect(answer.body).toEqual({ text: 'Request Entity Too Large', code: 413 });
    await expectHealthy();
  });

  it('rejects a 10 MB body from curl with 413', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hec-'));
    try {
      const file = join(dir, 'big.txt');
      writeFileSync(file, 'y'.repeat(10 * 1024 * 1024));
      const answer = await curl(server, '/services/collector/raw', [
        '-H',
        `Authorization: Splunk ${SECRETS.plain}`,
        '--data-binary',
        `@${file}`,
      ]);
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toEqual({ text: 'Request Entity Too Large', code: 413 });
    } finally {
      rmSync(dir, { recursive: true });
    }
    await expectHealthy();
  });
});

describe('HEC raw endpoint', () => {
  it('splits CRLF lines with query metadata', async () => {
    const answer = await curl(
      server,
      '/services/collector/raw?sourcetype=syslog&source=router&host=edge-1&index=main',
      [
        '-H',
        `Authorization: Splunk ${SECRETS.plain}`,
        '-H',
        'Content-Type: text/plain',
        '--data-binary',
        'first line\r\nsecond line\r\n\r\nthird line\r\n',
      ],
    );
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ text: 'Success', code: 0 });
    expect(sink.events.map((e) => e.raw)).toEqual(['first line', 'second line', 'third line']);
    expect(sink.events[0]).toMatchObject({
      sourcetype: 'syslog',
      source: 'router',
      host: 'edge-1',
      index: 'main',
    });
  });

  it('accepts raw without a channel on a token without ack', async () => {
    const answer = await request(server, '/raw/1.0', {
      body: 'one line',
      headers: splunk(SECRETS.plain),
    });
    expect(answer.status).toBe(200);
  });

  it('rejects an empty raw body with code 5', async () => {
    const answer = await request(server, '/services/collector/raw', {
      body: '',
      headers: splunk(SECRETS.plain),
    });
    expect(answer.body).toEqual({ text: 'No data', code: 5 });
  });

  it('reads the query time', async () => {
    await request(server, '/services/collector/raw?time=1433188255.25', {
      body: 'timed',
      headers: splunk(SECRETS.plain),
    });
    expect(sink.events[0]!.time).toBe(1433188255250);
  });
});

describe('HEC acks', () => {
  it('assigns ids per channel and reports them once', async () => {
    const ch = randomUUID();
    const headers = { ...splunk(SECRETS.ack), 'X-Splunk-Request-Channel': ch };
    const first = await request(server, '/services/collector/event', {
      body: '{"event":"a"}',
      headers,
    });
    expect(first.body).toEqual({ text: 'Success', code: 0, ackId: 0 });
    const second = await request(server, `/services/collector/raw?channel=${ch}`, {
      body: 'b',
      headers: splunk(SECRETS.ack),
    });
    expect(second.body).toEqual({ text: 'Success', code: 0, ackId: 1 });
    expect(sink.events.map((e) => e.channel)).toEqual([ch, ch]);

    const other = randomUUID();
    const otherFirst = await request(server, '/services/collector/event', {
      body: '{"event":"c"}',
      headers: { ...splunk(SECRETS.ack), 'X-Splunk-Request-Channel': other },
    });
    expect(otherFirst.body).toEqual({ text: 'Success', code: 0, ackId: 0 });

    const poll = await request(server, '/services/collector/ack', {
      body: '{"acks":[0,1,5]}',
      headers,
    });
    expect(poll.status).toBe(200);
    expect(poll.body).toEqual({ acks: { '0': true, '1': true, '5': false } });
    const again = await request(server, '/services/collector/ack', {
      body: '{"acks":[0,1]}',
      headers,
    });
    expect(again.body).toEqual({ acks: { '0': false, '1': false } });
  });

  it('reports false until the sink stores the events', async () => {
    const ch = randomUUID();
    const headers = { ...splunk(SECRETS.ack), 'X-Splunk-Request-Channel': ch };
    let release!: () => void;
    sink.gate = new Promise((resolve) => {
      release = resolve;
    });
    const pending = request(server, '/services/collector/event', {
      body: '{"event":"a"}',
      headers,
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.stats().acksPending).toBeGreaterThanOrEqual(1);
    const early = await request(server, '/services/collector/ack', {
      body: '{"acks":[0]}',
      headers,
    });
    expect(early.body).toEqual({ acks: { '0': false } });
    release();
    expect((await pending).body).toEqual({ text: 'Success', code: 0, ackId: 0 });
    const late = await request(server, '/services/collector/ack', {
      body: '{"acks":[0]}',
      headers,
    });
    expect(late.body).toEqual({ acks: { '0': true } });
  });

  it('requires a channel on the ack endpoint', async () => {
    const answer = await request(server, '/services/collector/ack', {
      body: '{"acks":[0]}',
      headers: splunk(SECRETS.ack),
    });
    expect(answer.body).toEqual({ text: 'Data channel is missing', code: 10 });
  });

  it('rejects a malformed ack body with code 6', async () => {
    const answer = await request(server, '/services/collector/ack', {
      body: '{"acks":["x"]}',
      headers: { ...splunk(SECRETS.ack), 'X-Splunk-Request-Channel': randomUUID() },
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ text: 'Invalid data format', code: 6 });
  });

  it('rejects an empty body on an ack channel with code 5', async () => {
    const answer = await request(server, '/services/collector/event', {
      body: '',
      headers: { ...splunk(SECRETS.ack), 'X-Splunk-Request-Channel': randomUUID() },
    });
    expect(answer.body).toEqual({ text: 'No data', code: 5 });
  });
});

describe('HEC load and limits', () => {
  it('stays healthy through a 1000-request burst', async () => {
    const body = Array.from({ length: 10 }, (_, i) => `{"event":"burst ${i}","time":1}`).join('');
    let next = 0;
    const statuses: number[] = [];
    async function worker(): Promise<void> {
      while (next < 1000) {
        next++;
        const response = await fetch(`http://127.0.0.1:${server.port}/services/collector/event`, {
          method: 'POST',
          body,
          headers: splunk(SECRETS.plain),
        });
        statuses.push(response.status);
        await response.arrayBuffer();
      }
    }
    await Promise.all(Array.from({ length: 32 }, worker));
    expect(statuses).toHaveLength(1000);
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(sink.events).toHaveLength(10_000);
    const health = await request(server, '/services/collector/health', { method: 'GET' });
    expect(health.status).toBe(200);
  }, 30_000);

  it('counts requests and events in stats', async () => {
    const before = server.stats();
    await request(server, '/services/collector/event', {
      body: '{"event":"a"}{"event":"b"}',
      headers: splunk(SECRETS.plain),
    });
    const after = server.stats();
    expect(after.eventsAccepted - before.eventsAccepted).toBe(2);
    const row = after.requests.find(
      (r) => r.path === '/services/collector/event' && r.status === 200 && r.code === 0,
    );
    expect(row?.count).toBeGreaterThan(0);
  });

  it('rejects with 413 from Content-Length', async () => {
    const answer = await request(server, '/services/collector/event', {
      body: 'z'.repeat(1_000_001),
      headers: splunk(SECRETS.plain),
    });
    expect(answer.status).toBe(413);
    await expectHealthy();
  });
});

describe('HEC with larger caps', () => {
  const bigSink = new MemorySink();
  let big: HecServer;

  beforeAll(async () => {
    big = await startServer(bigSink, { maxContentLength: 16 * 1024 * 1024 });
  });

  afterAll(async () => {
    await big.close();
  });

  it('rejects a 10 MB raw line with code 6', async () => {
    const answer = await request(big, '/services/collector/raw', {
      body: `short line\n${'x'.repeat(10 * 1024 * 1024)}\nlast`,
      headers: splunk(SECRETS.plain),
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      text: 'Invalid data format',
      code: 6,
      'invalid-event-number': 1,
    });
    expect(bigSink.events.map((e) => e.raw)).toEqual(['short line']);
  });

  it('rejects a 10 MB event with code 6', async () => {
    bigSink.clear();
    const answer = await request(big, '/services/collector/event', {
      body: `{"event":"${'x'.repeat(10 * 1024 * 1024)}"}`,
      headers: splunk(SECRETS.plain),
    });
    expect(answer.body).toEqual({
      text: 'Invalid data format',
      code: 6,
      'invalid-event-number': 0,
    });
    expect(bigSink.events).toHaveLength(0);
  });
});

describe('HEC rate limits', () => {
  it('limits per source IP before authentication', async () => {
    const limited = await startServer(new MemorySink(), {
      rateLimitPerIp: { ratePerSec: 0.01, burst: 2 },
    });
    try {
      const statuses: number[] = [];
      let last: Answer | undefined;
      for (let i = 0; i < 3; i++) {
        last = await request(limited, '/services/collector/event', { body: '{"event":"a"}' });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([401, 401, 429]);
      expect(last!.body).toEqual({ text: 'Too Many Requests', code: 429 });
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(limited.stats().rateLimited).toBe(1);
    } finally {
      await limited.close();
    }
  });

  it('limits per token after authentication', async () => {
    const limited = await startServer(new MemorySink(), {
      rateLimitPerToken: { ratePerSec: 0.01, burst: 1 },
    });
    try {
      const first = await request(limited, '/services/collector/event', {
        body: '{"event":"a"}',
        headers: splunk(SECRETS.plain),
      });
      const second = await request(limited, '/services/collector/event', {
        body: '{"event":"a"}',
        headers: splunk(SECRETS.plain),
      });
      const otherToken = await request(limited, '/services/collector/event', {
        body: '{"event":"a"}',
        headers: splunk(SECRETS.restricted),
      });
      expect(first.status).toBe(200);
      expect(second.status).toBe(429);
      expect(otherToken.status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('HEC CORS', () => {
  it('allows listed origins only', async () => {
    const cors = await startServer(new MemorySink(), {
      corsOrigins: ['!https://evil.example.com', 'https://*.example.com'],
    });
    try {
      const preflight = await request(cors, '/services/collector/event', {
        method: 'OPTIONS',
        headers: { Origin: 'https://app.example.com' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
      expect(preflight.headers.get('access-control-allow-headers')).toContain(
        'X-Splunk-Request-Channel',
      );
      const denied = await request(cors, '/services/collector/event', {
        body: '{"event":"a"}',
        headers: { ...splunk(SECRETS.plain), Origin: 'https://evil.example.com' },
      });
      expect(denied.status).toBe(200);
      expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await cors.close();
    }
  });
});

describe('HEC reply headers and channel cookie', () => {
  it('adds configured headers and the channel cookie', async () => {
    const server = await startServer(new MemorySink(), {
      replyHeaders: { 'X-Frame-Options': 'DENY', 'X-Team': 'soc' },
      channelCookie: 'hec_channel',
    });
    try {
      const channel = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
      const withChannel = await request(server, `/services/collector/event?channel=${channel}`, {
        body: '{"event":"a"}',
        headers: splunk(SECRETS.plain),
      });
      expect(withChannel.status).toBe(200);
      expect(withChannel.headers.get('x-frame-options')).toBe('DENY');
      expect(withChannel.headers.get('x-team')).toBe('soc');
      expect(withChannel.headers.get('set-cookie')).toBe(`hec_channel=${channel}`);

      const without = await request(server, '/services/collector/health', { method: 'GET' });
      expect(without.headers.get('x-frame-options')).toBe('DENY');
      expect(without.headers.get('set-cookie')).toBeNull();

      // An invalid channel gets code 11 and no cookie.
      const invalid = await request(server, '/services/collector/event?channel=a%0d%0ab', {
        body: '{"event":"a"}',
        headers: splunk(SECRETS.plain),
      });
      expect(invalid.body).toMatchObject({ code: 11 });
      expect(invalid.headers.get('set-cookie')).toBeNull();
    } finally {
      await server.close();
    }
  });
});

describe('HEC logging', () => {
  it('answers open connections with 503 once closing', async () => {
    const sink = new MemorySink();
    const server = await startServer(sink);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const post = () =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const request = http.request(
          {
            host: '127.0.0.1',
            port: server.port,
            path: '/services/collector/event',
            method: 'POST',
            agent,
            headers: { Authorization: `Splunk ${SECRETS.plain}` },
          },
          (response) => {
            let body = '';
            response.on('data', (chunk) => {
              body += chunk;
            });
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
          },
        );
        request.on('error', reject);
        request.end('{"event":"one"}');
      });
    try {
      expect((await post()).status).toBe(200);
      await server.close();
      const late = await post();
      expect(late.status).toBe(503);
      expect(JSON.parse(late.body)).toMatchObject({ code: 9 });
      expect(sink.events).toHaveLength(1);
    } finally {
      agent.destroy();
    }
  });

  it('never logs a token secret', () => {
    expect(logLines.length).toBeGreaterThan(0);
    for (const secret of [...Object.values(SECRETS), UNKNOWN_SECRET]) {
      expect(logLines.filter((line) => line.includes(secret))).toEqual([]);
    }
  });
});
