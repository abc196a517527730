/**
 * Splunk HEC conformance against the real appliance on loopback: one case per response
 * code of Splunk's code table, then routes, body forms, indexed fields and the token API
 * that sets per-token options (allowed indexes, ack, query-string auth).
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiBody,
  apiSession,
  type RunningAppliance,
  startAppliance,
} from './support/appliance.js';

interface Answer {
  status: number;
  /** Parsed JSON, or the text when the body is not JSON. */
  body: ApiBody;
  headers: Headers;
}

interface HecRequest {
  method?: string;
  /** Sends `Authorization: Splunk <token>`; null sends no Authorization header. */
  token?: string | null;
  headers?: Record<string, string>;
  body?: BodyInit;
}

type Api = Awaited<ReturnType<typeof apiSession>>;

const CHANNEL = '11111111-2222-4333-8444-555555555555';

let appliance: RunningAppliance;
let api: Api;
/** Every HEC response of this file, to check that none is a 500 or code 8. */
const answers: Answer[] = [];
const tokens = { restricted: '', acked: '', queryString: '', disabled: '' };

async function hec(path: string, request: HecRequest = {}): Promise<Answer> {
  const token = request.token === undefined ? appliance.hecToken : request.token;
  const headers: Record<string, string> = { ...request.headers };
  if (token !== null && headers.Authorization === undefined) {
    headers.Authorization = `Splunk ${token}`;
  }
  const response = await fetch(`${appliance.hecUrl}${path}`, {
    method: request.method ?? 'POST',
    headers,
    body: request.body,
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Empty or not JSON: keep the text.
  }
  const answer = { status: response.status, body, headers: response.headers };
  answers.push(answer);
  return answer;
}

async function createToken(spec: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  const created = await api('/api/v1/tokens', spec);
  if (created.status !== 201) {
    throw new Error(`token creation failed: ${created.status} ${JSON.stringify(created.body)}`);
  }
  return { id: created.body.token.id, secret: created.body.secret };
}

async function count(query: string): Promise<number> {
  const { status, body } = await api('/api/v1/query', {
    query: `${query} | stats count()`,
    earliest: '0',
  });
  if (status !== 200) throw new Error(`query failed: ${status} ${JSON.stringify(body)}`);
  return body.rows[0]?.count ?? 0;
}

beforeAll(async () => {
  appliance = await startAppliance();
  api = await apiSession(appliance);
  tokens.restricted = (
    await createToken({ name: 'restricted', indexes: ['main', 'web'], defaultIndex: 'main' })
  ).secret;
  tokens.acked = (await createToken({ name: 'acked', useAck: true })).secret;
  tokens.queryString = (
    await createToken({ name: 'query-string', allowQueryStringAuth: true })
  ).secret;
  const disabled = await createToken({ name: 'disabled' });
  tokens.disabled = disabled.secret;
  const result = await api(`/api/v1/tokens/${disabled.id}/disable`, {});
  if (result.status !== 200) throw new Error(`disable failed: ${JSON.stringify(result.body)}`);
});

afterAll(async () => {
  await appliance?.stop();
  if (appliance) fs.rmSync(appliance.dataDir, { recursive: true, force: true });
});

interface CodeCase {
  code: number;
  title: string;
  send: () => Promise<Answer>;
  status: number;
  body: Record<string, unknown>;
}

const reply = (code: number, text: string, eventNumber?: number) =>
  eventNumber === undefined ? { text, code } : { text, code, 'invalid-event-number': eventNumber };

/** One row per code of Splunk's table that one appliance can produce; 8, 9 and 18 follow. */
const CODE_CASES: CodeCase[] = [
  {
    code: 0,
    title: 'one event',
    send: () => hec('/services/collector/event', { body: '{"event":"conformance 0"}' }),
    status: 200,
    body: reply(0, 'Success'),
  },
  {
    code: 1,
    title: 'disabled token',
    send: () => hec('/services/collector/event', { token: tokens.disabled, body: '{"event":"x"}' }),
    status: 403,
    body: reply(1, 'Token disabled'),
  },
  {
    code: 2,
    title: 'no token at all',
    send: () => hec('/services/collector/event', { token: null, body: '{"event":"x"}' }),
    status: 401,
    body: reply(2, 'Token is required'),
  },
  {
    code: 3,
    title: 'Bearer scheme',
    send: () =>
      hec('/services/collector/event', {
        headers: { Authorization: `Bearer ${appliance.hecToken}` },
        body: '{"event":"x"}',
      }),
    status: 401,
    body: reply(3, 'Invalid authorization'),
  },
  {
    code: 4,
    title: 'unknown token',
    send: () =>
      hec('/services/collector/event', {
        token: '00000000-0000-0000-0000-000000000000',
        body: '{"event":"x"}',
      }),
    status: 403,
    body: reply(4, 'Invalid token'),
  },
  {
    code: 5,
    title: 'empty body',
    send: () => hec('/services/collector/event', { body: '' }),
    status: 400,
    body: reply(5, 'No data'),
  },
  {
    code: 5,
    title: 'only object has unknown keys and no event',
    send: () => hec('/services/collector/event', { body: '{"message":"x","level":"info"}' }),
    status: 400,
    body: reply(5, 'No data'),
  },
  {
    code: 6,
    title: 'syntax error in the second envelope',
    send: () => hec('/services/collector/event', { body: '{"event":"a"}{"event":' }),
    status: 400,
    body: reply(6, 'Invalid data format', 1),
  },
  {
    code: 6,
    title: 'null event',
    send: () => hec('/services/collector/event', { body: '{"event":null}' }),
    status: 400,
    body: reply(6, 'Invalid data format', 0),
  },
  {
    code: 7,
    title: 'index outside the token allow list',
    send: () =>
      hec('/services/collector/event', {
        token: tokens.restricted,
        body: '{"event":"a","index":"web"}{"event":"b","index":"secret"}',
      }),
    status: 400,
    body: reply(7, 'Incorrect index', 1),
  },
  {
    code: 10,
    title: 'ack token without a channel',
    send: () => hec('/services/collector/event', { token: tokens.acked, body: '{"event":"x"}' }),
    status: 400,
    body: reply(10, 'Data channel is missing'),
  },
  {
    code: 11,
    title: 'channel that is not a GUID',
    send: () =>
      hec('/services/collector/event', {
        token: tokens.acked,
        headers: { 'X-Splunk-Request-Channel': 'not-a-guid' },
        body: '{"event":"x"}',
      }),
    status: 400,
    body: reply(11, 'Invalid data channel'),
  },
  {
    code: 12,
    title: 'second envelope without event',
    send: () => hec('/services/collector/event', { body: '{"event":"a"}{"host":"h"}' }),
    status: 400,
    body: reply(12, 'Event field is required', 1),
  },
  {
    code: 13,
    title: 'blank event',
    send: () => hec('/services/collector/event', { body: '{"event":"  "}' }),
    status: 400,
    body: reply(13, 'Event field cannot be blank', 0),
  },
  {
    code: 14,
    title: 'ack poll on a token without ack',
    send: () =>
      hec('/services/collector/ack', {
        headers: { 'X-Splunk-Request-Channel': CHANNEL },
        body: '{"acks":[0]}',
      }),
    status: 400,
    body: reply(14, 'ACK is disabled'),
  },
  {
    code: 15,
    title: 'nested object in fields',
    send: () =>
      hec('/services/collector/event', { body: '{"event":"a","fields":{"team":{"name":"x"}}}' }),
    status: 400,
    body: reply(15, 'Error in handling indexed fields', 0),
  },
  {
    code: 16,
    title: 'token in the query string without allowQueryStringAuth',
    send: () =>
      hec(`/services/collector/event?token=${appliance.hecToken}`, {
        token: null,
        body: '{"event":"x"}',
      }),
    status: 400,
    body: reply(16, 'Query string authorization is not enabled'),
  },
  {
    code: 17,
    title: 'health',
    send: () => hec('/services/collector/health', { method: 'GET', token: null }),
    status: 200,
    body: reply(17, 'HEC is healthy'),
  },
  {
    // Splunk's code list has 400 code 21 for a bad token on the health check, but
    // Splunk 8.2.4 and 10.x ignore the token, as this appliance does.
    code: 17,
    title: 'health ignores an invalid token (no code 21)',
    send: () =>
      hec('/services/collector/health', {
        method: 'GET',
        token: '00000000-0000-0000-0000-000000000000',
      }),
    status: 200,
    body: reply(17, 'HEC is healthy'),
  },
  {
    code: 17,
    title: 'health ignores a disabled token (no code 22)',
    send: () => hec('/services/collector/health', { method: 'GET', token: tokens.disabled }),
    status: 200,
    body: reply(17, 'HEC is healthy'),
  },
];

describe('HEC response codes', () => {
  it.each(CODE_CASES)('code $code: $title', async ({ send, status, body }) => {
    const answer = await send();
    expect(answer.body).toEqual(body);
    expect(answer.status).toBe(status);
    if (status !== 200) {
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    }
  });

  it('code 4 wins over query-string auth checks', async () => {
    const answer = await hec('/services/collector/event?token=not-a-known-token', {
      token: null,
      body: '{"event":"x"}',
    });
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual(reply(4, 'Invalid token'));
  });

  it('code 16 passes with allowQueryStringAuth', async () => {
    const answer = await hec(`/services/collector/event?token=${tokens.queryString}`, {
      token: null,
      body: '{"event":"query string auth","host":"conformance-qs"}',
    });
    expect(answer.body).toEqual(reply(0, 'Success'));
    expect(await count('host:conformance-qs')).toBe(1);
  });

  it('stores events before the bad one', async () => {
    await hec('/services/collector/event', {
      body: '{"event":"kept","host":"conformance-partial"}{"event":""}{"event":"dropped","host":"conformance-partial"}',
    });
    expect(await count('host:conformance-partial')).toBe(1);
  });

  it('code 7 lets allowed indexes through', async () => {
    const answer = await hec('/services/collector/event', {
      token: tokens.restricted,
      body: '{"event":"web event","index":"web","host":"conformance-index"}',
    });
    expect(answer.body).toEqual(reply(0, 'Success'));
    expect(await count('host:conformance-index index:web')).toBe(1);
    const raw = await hec('/services/collector/raw?index=secret', {
      token: tokens.restricted,
      body: 'raw line',
    });
    expect(raw.body).toEqual(reply(7, 'Incorrect index', 0));
  });

  it('counts acks per channel on an ack token', async () => {
    const headers = { 'X-Splunk-Request-Channel': CHANNEL };
    const first = await hec('/services/collector/event', {
      token: tokens.acked,
      headers,
      body: '{"event":"acked 0","host":"conformance-ack"}',
    });
    const second = await hec(`/services/collector/raw?channel=${CHANNEL}`, {
      token: tokens.acked,
      body: 'acked 1',
    });
    expect(first.body).toEqual({ text: 'Success', code: 0, ackId: 0 });
    expect(second.body).toEqual({ text: 'Success', code: 0, ackId: 1 });
    // An ack turns true once the events are queryable, which may come after the reply, so
    // clients poll. A poll may report either id true first.
    const seen: Record<string, boolean> = {};
    for (let poll = 0; poll < 100 && !(seen[0] && seen[1]); poll++) {
      if (poll > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      const answer = await hec('/services/collector/ack', {
        token: tokens.acked,
        headers,
        body: '{"acks":[0,1,7]}',
      });
      expect(answer.body.acks[7]).toBe(false);
      for (const id of ['0', '1']) if (answer.body.acks[id]) seen[id] = true;
    }
    expect(seen).toEqual({ 0: true, 1: true });
    // Splunk drops an id once it has reported it true, so a second poll returns false.
    const again = await hec('/services/collector/ack', {
      token: tokens.acked,
      headers,
      body: '{"acks":[0]}',
    });
    expect(again.body).toEqual({ acks: { 0: false } });
  });
});

describe('HEC routes and body forms', () => {
  it.each([
    '/services/collector',
    '/services/collector/',
    '/services/collector/event/',
    '/services/collector/event/1.0',
    '/event/1.0',
  ])('accepts envelopes on %s', async (path) => {
    const answer = await hec(path, { body: `{"event":"route ${path}"}` });
    expect(answer.body).toEqual(reply(0, 'Success'));
  });

  it.each(['/services/collector/raw', '/services/collector/raw/1.0', '/raw/1.0'])(
    'accepts raw text on %s',
    async (path) => {
      const host = `conformance-raw-${path.replaceAll('/', '-')}`;
      const answer = await hec(`${path}?host=${host}&sourcetype=conformance:raw`, {
        body: 'line one\nline two\n',
      });
      expect(answer.body).toEqual(reply(0, 'Success'));
      expect(await count(`host:"${host}" sourcetype:"conformance:raw"`)).toBe(2);
    },
  );

  it.each(['/services/collector/health', '/services/collector/health/1.0', '/health/1.0'])(
    'answers health on %s',
    async (path) => {
      const get = await hec(path, { method: 'GET', token: null });
      expect(get.body).toEqual(reply(17, 'HEC is healthy'));
      const head = await hec(path, { method: 'HEAD', token: null });
      expect(head.status).toBe(200);
      expect(head.body).toBe('');
    },
  );

  it('answers OPTIONS without a token', async () => {
    const event = await hec('/services/collector/event', { method: 'OPTIONS', token: null });
    expect(event.status).toBe(200);
    expect(event.body).toBe('');
    expect(event.headers.get('allow')).toBe('POST,OPTIONS');
    const health = await hec('/services/collector/health', { method: 'OPTIONS', token: null });
    expect(health.headers.get('allow')).toBe('GET,HEAD,OPTIONS');
  });

  it('answers 404 for unknown and out-of-scope paths', async () => {
    for (const path of [
      '/services/collector/nope',
      '/services/collector/s2s',
      '/services/collector/mint/1.0',
    ]) {
      const answer = await hec(path, { body: '{"event":"x"}' });
      expect(answer.status, path).toBe(404);
      expect(answer.body, path).toEqual({
        text: 'The requested URL was not found on this server.',
        code: 404,
      });
    }
  });

  it('answers 405 for a wrong method', async () => {
    const answer = await hec('/services/collector/event', { method: 'GET' });
    expect(answer.status).toBe(405);
    expect(answer.body.code).toBe(405);
    expect(answer.headers.get('allow')).toBe('POST,OPTIONS');
  });

  it('accepts a top-level array of envelopes', async () => {
    const answer = await hec('/services/collector/event', {
      body: JSON.stringify([
        { event: 'array 0', host: 'conformance-array' },
        { event: { n: 1 }, host: 'conformance-array' },
      ]),
    });
    expect(answer.body).toEqual(reply(0, 'Success'));
    expect(await count('host:conformance-array')).toBe(2);
  });

  it('accepts envelopes concatenated without whitespace', async () => {
    const answer = await hec('/services/collector/event', {
      body: '{"event":"c0","host":"conformance-concat"}{"event":"c1","host":"conformance-concat"}{"event":0,"host":"conformance-concat"}',
    });
    expect(answer.body).toEqual(reply(0, 'Success'));
    expect(await count('host:conformance-concat')).toBe(3);
  });

  it('keeps metadata from leaking to the next envelope', async () => {
    await hec('/services/collector/event?host=conformance-default-host', {
      body: '{"event":"m0","host":"conformance-own-host"}{"event":"m1"}',
    });
    expect(await count('host:conformance-own-host')).toBe(1);
    expect(await count('host:conformance-default-host')).toBe(1);
  });

  it('keeps indexed fields and returns them with the event', async () => {
    const answer = await hec('/services/collector/event', {
      body: JSON.stringify({
        event: 'with fields',
        host: 'conformance-fields',
        fields: { team: 'blue', build: 42, tags: ['a', 'b'] },
      }),
    });
    expect(answer.body).toEqual(reply(0, 'Success'));
    const search = await api('/api/v1/query', { query: 'host:conformance-fields', earliest: '0' });
    expect(search.status).toBe(200);
    expect(search.body.rows).toHaveLength(1);
    const detail = await api(`/api/v1/events/${search.body.rows[0].id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.event.fields).toEqual({ team: 'blue', build: 42, tags: ['a', 'b'] });
  });

  it('reads envelope time as epoch seconds', async () => {
    await hec('/services/collector/event', {
      body: '{"event":"timed","host":"conformance-time","time":"1433188255.500"}',
    });
    const search = await api('/api/v1/query', { query: 'host:conformance-time', earliest: '0' });
    const detail = await api(`/api/v1/events/${search.body.rows[0].id}`);
    expect(detail.body.event.ocsf.time).toBe(1_433_188_255_500);
  });

  it('rejects deflate with 415', async () => {
    const answer = await hec('/services/collector/event', {
      headers: { 'Content-Encoding': 'deflate' },
      body: '{"event":"x"}',
    });
    expect(answer.status).toBe(415);
    expect(answer.body.code).toBe(415);
  });
});

describe('HEC token API', () => {
  it('rejects requests without an admin session', async () => {
    const response = await fetch(`${appliance.httpUrl}/api/v1/tokens`);
    expect(response.status).toBe(401);
  });

  it('lists tokens without secrets', async () => {
    const list = await api('/api/v1/tokens');
    expect(list.status).toBe(200);
    const names = list.body.tokens.map((token: { name: string }) => token.name);
    expect(names).toEqual(['acked', 'default', 'disabled', 'query-string', 'restricted']);
    const text = JSON.stringify(list.body);
    expect(text).not.toContain(appliance.hecToken);
    expect(text).not.toContain(tokens.restricted);
    expect(text).not.toMatch(/secret/i);
  });

  it('rejects invalid token requests', async () => {
    const outside = await api('/api/v1/tokens', { name: 'bad', indexes: ['web'] });
    expect(outside.status).toBe(400);
    expect(outside.body.error.message).toMatch(/defaultIndex/);
    const internal = await api('/api/v1/tokens', { name: 'bad', defaultIndex: '_audit' });
    expect(internal.status).toBe(400);
    expect(internal.body.error.message).toMatch(/_audit must be listed/);
    const listed = { name: 'audit-writer', defaultIndex: '_audit', indexes: ['_audit'] };
    expect((await api('/api/v1/tokens', listed)).status).toBe(201);
    const unknownKey = await api('/api/v1/tokens', { name: 'bad', use_ack: true });
    expect(unknownKey.status).toBe(400);
    const duplicate = await api('/api/v1/tokens', { name: 'acked' });
    expect(duplicate.status).toBe(409);
    const reused = await api('/api/v1/tokens', { name: 'reuse', secret: appliance.hecToken });
    expect(reused.status).toBe(409);
  });

  it('applies create, disable, enable and delete at once', async () => {
    const secret = 'conformance-secret-0123456789';
    const created = await api('/api/v1/tokens', {
      name: 'lifecycle',
      secret,
      defaultSourcetype: 'lifecycle:test',
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toBe(secret);
    const { id } = created.body.token;
    const send = () =>
      hec('/services/collector/event', {
        token: secret,
        body: '{"event":"lifecycle","host":"conformance-lifecycle"}',
      });

    expect((await send()).body).toEqual(reply(0, 'Success'));
    expect(await count('host:conformance-lifecycle sourcetype:"lifecycle:test"')).toBe(1);

    expect((await api(`/api/v1/tokens/${id}/disable`, {})).status).toBe(200);
    expect((await send()).body).toEqual(reply(1, 'Token disabled'));
    expect((await api(`/api/v1/tokens/${id}/enable`, {})).status).toBe(200);
    expect((await send()).body).toEqual(reply(0, 'Success'));

    const deleted = await fetch(`${appliance.httpUrl}/api/v1/tokens/${id}`, {
      method: 'DELETE',
      headers: { Cookie: await sessionCookie() },
    });
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');
    expect((await send()).body).toEqual(reply(4, 'Invalid token'));
    expect((await api(`/api/v1/tokens/${id}/enable`, {})).status).toBe(404);
  });
});

async function sessionCookie(): Promise<string> {
  const login = await fetch(`${appliance.httpUrl}/api/v1/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: appliance.adminPassword }),
  });
  return (login.headers.get('set-cookie') ?? '').split(';')[0]!;
}

describe('HEC back-pressure on a one-event queue', () => {
  let busy: RunningAppliance;

  beforeAll(async () => {
    busy = await startAppliance({
      env: { TELHAWK_MAX_QUEUED_EVENTS: '1', TELHAWK_COMMIT_MAX_DELAY_MS: '1500' },
    });
  });

  afterAll(async () => {
    await busy?.stop();
    if (busy) fs.rmSync(busy.dataDir, { recursive: true, force: true });
  });

  const post = (path: string, body: string, method = 'POST') =>
    fetch(`${busy.hecUrl}${path}`, {
      method,
      headers: { Authorization: `Splunk ${busy.hecToken}` },
      body: method === 'POST' ? body : undefined,
    }).then(async (response) => {
      const answer = {
        status: response.status,
        body: await response.json(),
        headers: response.headers,
      };
      answers.push(answer);
      return answer;
    });

  it('code 9: a body larger than the queue', async () => {
    const body = Array.from({ length: 50 }, (_, i) => `{"event":"busy ${i}"}`).join('');
    const answer = await post('/services/collector/event', body);
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual(reply(9, 'Server is busy'));
    expect(answer.headers.get('retry-after')).toBe('5');
  });

  it('code 18: health while the queue is full', async () => {
    // The one queued event waits up to 1.5 s for its group commit; health reads the queue meanwhile.
    const pending = post('/services/collector/event', '{"event":"fills the queue"}');
    let during = await post('/services/collector/health', '', 'GET');
    for (let poll = 0; poll < 25 && during.status === 200; poll++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      during = await post('/services/collector/health', '', 'GET');
    }
    expect(during.status).toBe(503);
    expect(during.body).toEqual(reply(18, 'HEC is unhealthy, queues are full'));
    expect((await pending).body).toEqual(reply(0, 'Success'));
    // The stored event counts against the queue until it is queryable, a moment later.
    let after = await post('/services/collector/health', '', 'GET');
    for (let poll = 0; poll < 100 && after.status !== 200; poll++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      after = await post('/services/collector/health', '', 'GET');
    }
    expect(after.body).toEqual(reply(17, 'HEC is healthy'));
  });
});

describe('HEC code 8', () => {
  // The appliance sends 503 code 9 with Retry-After where Splunk sends 500 code 8 (a
  // storage failure), because clients retry a 503 and some drop a batch on a 500. No
  // client request can make storage fail on purpose, so this checks every response above.
  it('is absent from every response', () => {
    expect(answers.length).toBeGreaterThan(50);
    expect(answers.filter((answer) => answer.status === 500)).toEqual([]);
    expect(answers.filter((answer) => answer.body?.code === 8)).toEqual([]);
  });
});
