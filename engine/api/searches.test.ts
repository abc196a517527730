/**
 * Query API features through the real appliance: text and JSON queries, explain, cursor
 * pagination, content assist, lookups and saved searches with their role and sharing rules.
 * Needs `npm run build` first.
 */

import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MetadataStore } from '../../storage/metadata.js';
import { type RunningAppliance, startAppliance } from '../../test/support/appliance.js';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by the assertions.
type Body = any;
type Call = (
  method: string,
  route: string,
  body?: unknown,
) => Promise<{ status: number; body: Body }>;

let appliance: RunningAppliance;
let admin: Call;
let analyst: Call;
let analyst2: Call;
let viewer: Call;

async function cookieOf(username: string, password: string): Promise<string> {
  const response = await fetch(`${appliance.httpUrl}/api/v1/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  expect(response.status).toBe(200);
  return (response.headers.get('set-cookie') ?? '').split(';')[0]!;
}

async function login(username: string, password: string): Promise<Call> {
  const cookie = await cookieOf(username, password);
  return async (method, route, body) => {
    const result = await fetch(`${appliance.httpUrl}${route}`, {
      method,
      headers: { 'Content-Type': 'application/json', Cookie: cookie },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await result.text();
    return { status: result.status, body: text === '' ? undefined : JSON.parse(text) };
  };
}

const EVENTS = 35;

beforeAll(async () => {
  appliance = await startAppliance();
  const metadata = new MetadataStore(appliance.dataDir);
  metadata.createUser('ana', 'analyst-password-1', 'analyst');
  metadata.createUser('bob', 'analyst-password-2', 'analyst');
  metadata.createUser('vic', 'viewer-password-1', 'viewer');
  metadata.close();
  admin = await login('admin', appliance.adminPassword);
  analyst = await login('ana', 'analyst-password-1');
  analyst2 = await login('bob', 'analyst-password-2');
  viewer = await login('vic', 'viewer-password-1');

  const base = Date.now() - 60_000;
  const body = Array.from({ length: EVENTS }, (_, i) =>
    JSON.stringify({
      time: (base + Math.floor(i / 2) * 1000) / 1000,
      sourcetype: 'linux_secure',
      event: `May  1 10:00:00 web01 sshd[${i}]: Failed password for user${i % 3} from 198.51.100.${i} port 22 ssh2`,
    }),
  ).join('\n');
  const sent = await fetch(`${appliance.hecUrl}/services/collector/event`, {
    method: 'POST',
    headers: { Authorization: `Splunk ${appliance.hecToken}` },
    body,
  });
  expect(sent.status).toBe(200);
  for (let attempt = 0; attempt < 100; attempt++) {
    const { body: result } = await admin('POST', '/api/v1/query', {
      query: 'sourcetype=linux_secure | stats count',
      earliest: '0',
    });
    if (result.rows?.[0]?.count === EVENTS) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const last = await admin('GET', '/api/v1/dlq');
  throw new Error(`events did not arrive: ${JSON.stringify(last.body)}`);
}, 60_000);

afterAll(async () => {
  await appliance?.stop();
  if (appliance) fs.rmSync(appliance.dataDir, { recursive: true, force: true });
});

describe('query API', () => {
  test('a body that is not JSON gets 400 with the reason', async () => {
    const login = await fetch(`${appliance.httpUrl}/api/v1/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"username": "admin",',
    });
    expect(login.status).toBe(400);
    const body = (await login.json()) as Body;
    expect(body.error.code).toBe('invalid_json');
    expect(body.error.message).toMatch(/^the request body is not valid JSON: /);
  });

  test('a regular expression DuckDB rejects gets 400, not 500', async () => {
    const answer = await viewer('POST', '/api/v1/query', {
      query: '| eval p = "[" | where match(raw, p)',
      earliest: '0',
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toMatch(/Invalid Input Error/);
    const lookahead = await viewer('POST', '/api/v1/query', { query: '| rex "(?<x>a(?=b))"' });
    expect(lookahead.status).toBe(400);
    expect(lookahead.body.error.message).toMatch(/lookahead and lookbehind are not supported/);
  });

  test('a body without a query names what is missing', async () => {
    const none = await viewer('POST', '/api/v1/query', { earliest: '0' });
    expect(none.status).toBe(400);
    expect(none.body.error.message).toMatch(/missing query/);
    const both = await viewer('POST', '/api/v1/query', { query: '*', json: {} });
    expect(both.status).toBe(400);
    expect(both.body.error.message).toMatch(/not both/);
  });

  test('an out-of-range limit names the field and the bound', async () => {
    const answer = await viewer('POST', '/api/v1/query', { query: '*', limit: 20_000 });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toBe(
      'invalid query request: limit: Too big: expected number to be <=10000',
    );
  });

  test('query text and canonical JSON give the same result', async () => {
    const text = 'sourcetype=linux_secure | stats count by user | sort user';
    const byText = await viewer('POST', '/api/v1/query', { query: text, earliest: '0' });
    expect(byText.status).toBe(200);
    const json = {
      version: 1,
      filter: { op: 'eq', field: 'sourcetype', value: 'linux_secure' },
      stages: [
        { stage: 'stats', aggregations: [{ fn: 'count' }], by: [{ name: 'user' }] },
        { stage: 'sort', keys: [{ field: 'user', descending: false }] },
      ],
    };
    const byJson = await viewer('POST', '/api/v1/query', { json, earliest: '0' });
    expect(byJson.status).toBe(200);
    expect(byJson.body.rows).toEqual(byText.body.rows);
    expect(byText.body.rows).toHaveLength(3);

    const both = await viewer('POST', '/api/v1/query', { query: text, json });
    expect(both.status).toBe(400);
    const badJson = await viewer('POST', '/api/v1/query', {
      json: { version: 1, stages: [{ stage: 'x' }] },
    });
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.diagnostics[0].code).toBe('json.invalid');
  });

  test('explain shows SQL, parameters and files without running', async () => {
    const { status, body } = await viewer('POST', '/api/v1/query/explain', {
      query: 'user=user1 | stats count',
    });
    expect(status).toBe(200);
    expect(body.sql).toContain('WITH s0 AS');
    expect(body.sql).not.toContain('user1');
    expect(body.params).toContain('user1');
    expect(body.kind).toBe('aggregate');
    expect(Array.isArray(body.files)).toBe(true);
  });

  test('cursor pagination walks every event once, newest first', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const { status, body } = await viewer('POST', '/api/v1/query', {
        query: 'sourcetype=linux_secure',
        earliest: '0',
        limit: 10,
        ...(cursor ? { cursor } : {}),
      });
      expect(status).toBe(200);
      expect(body.total).toBe(EVENTS);
      expect(body.columns).not.toContain('__cursor_us');
      seen.push(...body.rows.map((row: { id: string }) => row.id));
      cursor = body.next_cursor;
      pages++;
    } while (cursor !== undefined && pages < 10);
    expect(pages).toBe(4);
    expect(new Set(seen).size).toBe(EVENTS);
    const tampered = await viewer('POST', '/api/v1/query', {
      query: 'sourcetype=other',
      cursor: 'eyJ2IjoxfQ',
    });
    expect(tampered.status).toBe(400);
    expect(tampered.body.error.code).toBe('invalid_cursor');
  });

  test('content assist', async () => {
    const { status, body } = await viewer(
      'GET',
      `/api/v1/assist?q=${encodeURIComponent('* | sta')}&pos=7`,
    );
    expect(status).toBe(200);
    expect(body.replaceFrom).toBe(4);
    expect(body.suggestions.map((s: { label: string }) => s.label)).toContain('stats');
  });
});

describe('lookups', () => {
  test('upload, use in a query, list and delete', async () => {
    const csv = 'name,team\nuser1,"red, team"\nUSER2,blue\n';
    expect((await viewer('POST', '/api/v1/lookups', { name: 'owners', csv })).status).toBe(403);
    const bad = await analyst('POST', '/api/v1/lookups', { name: 'x; drop', csv });
    expect(bad.status).toBe(400);
    const badHeader = await analyst('POST', '/api/v1/lookups', {
      name: 'bad',
      csv: 'a b,c\n1,2\n',
    });
    expect(badHeader.status).toBe(400);
    const uploaded = await analyst('POST', '/api/v1/lookups', { name: 'owners', csv });
    expect(uploaded.status).toBe(201);
    expect(uploaded.body.lookup).toMatchObject({
      name: 'owners',
      columns: ['name', 'team'],
      rowCount: 2,
    });

    const result = await viewer('POST', '/api/v1/query', {
      query:
        'sourcetype=linux_secure | lookup owners name as user output team | fillnull value=none team | stats count by user, team | sort user',
      earliest: '0',
    });
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body.rows).toEqual([
      { user: 'user0', team: 'none', count: 12 },
      { user: 'user1', team: 'red, team', count: 12 },
      { user: 'user2', team: 'blue', count: 11 },
    ]);

    const listed = await viewer('POST', '/api/v1/query', {
      query: '| inputlookup owners | sort name',
    });
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    expect(listed.body.rows).toEqual([
      { name: 'USER2', team: 'blue' },
      { name: 'user1', team: 'red, team' },
    ]);

    expect((await viewer('GET', '/api/v1/lookups')).body.lookups).toHaveLength(1);
    expect((await viewer('DELETE', '/api/v1/lookups/owners')).status).toBe(403);
    expect((await analyst('DELETE', '/api/v1/lookups/owners')).status).toBe(204);
    const gone = await viewer('POST', '/api/v1/query', {
      query: '| lookup owners name as user',
      earliest: '0',
    });
    expect(gone.status).toBe(400);
    expect(gone.body.error.code).toBe('query_syntax');
  });
});

describe('lookup audit', () => {
  test('uploads, replacements and deletions', async () => {
    const upload = { name: 'assets', csv: 'ip,owner\n10.0.0.5,alice\n10.0.0.6,bob\n' };
    expect((await analyst('POST', '/api/v1/lookups', upload)).status).toBe(201);
    const replacement = { name: 'Assets', csv: 'ip,owner,site\n10.0.0.7,carol,lab\n' };
    expect((await analyst('POST', '/api/v1/lookups', replacement)).status).toBe(201);
    expect((await analyst('DELETE', '/api/v1/lookups/ASSETS')).status).toBe(204);
    // Rejected requests change nothing and are not recorded.
    expect((await analyst('DELETE', '/api/v1/lookups/assets')).status).toBe(404);
    expect((await viewer('POST', '/api/v1/lookups', upload)).status).toBe(403);

    const audit = await admin('POST', '/api/v1/query', {
      query:
        'index=_audit sourcetype:"telhawk:audit" class_uid=3004 "lookup table assets" | sort activity_id | table id, activity_id, actor_user, message',
      earliest: '0',
    });
    expect(audit.status, JSON.stringify(audit.body)).toBe(200);
    // OCSF Entity Management activities: 1 Create, 3 Update, 4 Delete.
    expect(audit.body.rows.map(({ id, ...row }: Body) => row)).toEqual([
      { activity_id: 1, actor_user: 'ana', message: 'ana uploaded lookup table assets (2 rows)' },
      { activity_id: 3, actor_user: 'ana', message: 'ana replaced lookup table assets (1 row)' },
      { activity_id: 4, actor_user: 'ana', message: 'ana deleted lookup table assets (1 row)' },
    ]);

    const replaced = await admin('GET', `/api/v1/events/${audit.body.rows[1].id}`);
    expect(replaced.status).toBe(200);
    expect(replaced.body.event.index).toBe('_audit');
    expect(replaced.body.event.ocsf.entity).toMatchObject({
      type: 'lookup table',
      name: 'assets',
      data: { columns: ['ip', 'owner', 'site'], row_count: 1 },
    });
    expect(replaced.body.event.ocsf.comment).toBe('replace');
  });
});

describe('saved searches', () => {
  test('owners, sharing and roles', async () => {
    const query = 'sourcetype=linux_secure | stats count by user';
    expect((await viewer('POST', '/api/v1/searches', { name: 'v', query })).status).toBe(403);
    const invalid = await analyst('POST', '/api/v1/searches', { name: 'bad', query: 'user=' });
    expect(invalid.status).toBe(400);

    const created = await analyst('POST', '/api/v1/searches', { name: 'private one', query });
    expect(created.status).toBe(201);
    const privateSearch = created.body.search;
    expect(privateSearch).toMatchObject({ owner: 'ana', sharing: 'private', query });
    expect(privateSearch.json.stages[0].stage).toBe('stats');

    const shared = (
      await analyst('POST', '/api/v1/searches', { name: 'shared read', query, sharing: 'read' })
    ).body.search;
    const editable = (
      await analyst('POST', '/api/v1/searches', { name: 'shared edit', query, sharing: 'edit' })
    ).body.search;

    // A viewer sees shared searches only, and changes none.
    const listed = (await viewer('GET', '/api/v1/searches')).body.searches.map(
      (search: { name: string }) => search.name,
    );
    expect(listed.sort()).toEqual(['shared edit', 'shared read']);
    expect((await viewer('GET', `/api/v1/searches/${privateSearch.id}`)).status).toBe(404);
    expect((await viewer('GET', `/api/v1/searches/${shared.id}`)).body.search.can_edit).toBe(false);
    const update = { name: 'renamed', query: 'user=user1', sharing: 'edit' };
    expect((await viewer('PUT', `/api/v1/searches/${editable.id}`, update)).status).toBe(403);

    // Another analyst edits only what is shared for editing, and never changes the sharing.
    expect(
      (await analyst2('PUT', `/api/v1/searches/${shared.id}`, { ...update, sharing: 'read' }))
        .status,
    ).toBe(403);
    const edited = await analyst2('PUT', `/api/v1/searches/${editable.id}`, update);
    expect(edited.status).toBe(200);
    expect(edited.body.search).toMatchObject({
      name: 'renamed',
      owner: 'ana',
      query: 'user=user1',
    });
    expect(
      (await analyst2('PUT', `/api/v1/searches/${editable.id}`, { ...update, sharing: 'private' }))
        .status,
    ).toBe(403);
    expect((await analyst2('DELETE', `/api/v1/searches/${editable.id}`)).status).toBe(403);

    // An edit without sharing or description keeps them.
    const described = (
      await analyst('POST', '/api/v1/searches', {
        name: 'described',
        query,
        description: 'failed logons',
        sharing: 'edit',
      })
    ).body.search;
    const unchanged = await analyst2('PUT', `/api/v1/searches/${described.id}`, {
      name: 'described again',
      query: 'user=user2',
    });
    expect(unchanged.status).toBe(200);
    expect(unchanged.body.search).toMatchObject({
      name: 'described again',
      query: 'user=user2',
      description: 'failed logons',
      sharing: 'edit',
    });
    expect((await analyst('DELETE', `/api/v1/searches/${described.id}`)).status).toBe(204);

    // The saved JSON runs as the text does.
    const byJson = await viewer('POST', '/api/v1/query', { json: shared.json, earliest: '0' });
    const byText = await viewer('POST', '/api/v1/query', { query: shared.query, earliest: '0' });
    expect(byJson.body.rows).toEqual(byText.body.rows);

    // An admin lists every user's searches, the private ones too.
    const all = (await admin('GET', '/api/v1/searches')).body.searches.map(
      (search: { name: string }) => search.name,
    );
    expect(all).toContain('private one');

    // Names are unique per owner, ignoring case.
    const again = await analyst('POST', '/api/v1/searches', { name: 'Private One', query });
    expect(again.status).toBe(409);
    const other = await analyst2('POST', '/api/v1/searches', { name: 'private one', query });
    expect(other.status).toBe(201);
    const rename = await analyst('PUT', `/api/v1/searches/${shared.id}`, {
      name: 'PRIVATE ONE',
      query,
    });
    expect(rename.status).toBe(409);
    expect((await analyst2('DELETE', `/api/v1/searches/${other.body.search.id}`)).status).toBe(204);

    expect((await analyst('DELETE', `/api/v1/searches/${editable.id}`)).status).toBe(204);
    expect((await admin('DELETE', `/api/v1/searches/${privateSearch.id}`)).status).toBe(204);
    expect((await analyst('GET', `/api/v1/searches/${privateSearch.id}`)).status).toBe(404);
  });

  test('run a saved search by its id', async () => {
    const query = 'sourcetype=linux_secure | stats count by user | sort user';
    const saved = (await analyst('POST', '/api/v1/searches', { name: 'run me', query })).body
      .search;
    const hidden = (await analyst('POST', '/api/v1/searches', { name: 'mine', query })).body.search;

    const direct = await viewer('POST', '/api/v1/query', { query, earliest: '0' });
    expect(direct.body.rows).toHaveLength(3);
    // Private unless shared: another user gets 404, as for reading it.
    expect(
      (await viewer('POST', `/api/v1/searches/${saved.id}/run`, { earliest: '0' })).status,
    ).toBe(404);
    await analyst('PUT', `/api/v1/searches/${saved.id}`, {
      name: 'run me',
      query,
      sharing: 'read',
    });
    const run = await viewer('POST', `/api/v1/searches/${saved.id}/run`, { earliest: '0' });
    expect(run.status).toBe(200);
    expect(run.body.rows).toEqual(direct.body.rows);
    expect(run.body.total).toBe(3);

    // No body: the time range written in the search text, and without one all time, as for
    // /api/v1/query.
    const bare = await fetch(`${appliance.httpUrl}/api/v1/searches/${saved.id}/run`, {
      method: 'POST',
      headers: { Cookie: await cookieOf('vic', 'viewer-password-1') },
    });
    expect(bare.status).toBe(200);
    expect(((await bare.json()) as Body).rows).toEqual(direct.body.rows);

    // A time range that contains none of the events.
    const empty = await viewer('POST', `/api/v1/searches/${saved.id}/run`, {
      earliest: '0',
      latest: '1',
    });
    expect(empty.body.rows).toEqual([]);

    const invalid = await viewer('POST', `/api/v1/searches/${saved.id}/run`, { query: 'x' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.message).toMatch(/query/);
    expect((await viewer('POST', `/api/v1/searches/${hidden.id}/run`, {})).status).toBe(404);
    expect((await viewer('POST', '/api/v1/searches/999999/run', {})).status).toBe(404);
  });
});
