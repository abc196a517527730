/**
 * Console users and roles, against the real appliance.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiBody,
  apiSession,
  type RunningAppliance,
  startAppliance,
} from './support/appliance.js';

async function login(appliance: RunningAppliance, username: string, password: string) {
  const response = await fetch(`${appliance.httpUrl}/api/v1/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
  const call = async (method: string, route: string, body?: unknown) => {
    const answer = await fetch(`${appliance.httpUrl}${route}`, {
      method,
      headers: { 'Content-Type': 'application/json', Cookie: cookie },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: answer.status, body: (await answer.json()) as ApiBody };
  };
  return { status: response.status, call };
}

describe('console users', () => {
  let appliance: RunningAppliance;
  let admin: Awaited<ReturnType<typeof apiSession>>;

  beforeAll(async () => {
    appliance = await startAppliance();
    admin = await apiSession(appliance);
  });

  afterAll(async () => {
    await appliance?.stop();
    if (appliance) fs.rmSync(appliance.dataDir, { recursive: true, force: true });
  });

  it('lets an admin create a viewer', async () => {
    const created = await admin('/api/v1/users', {
      username: 'vera',
      password: 'viewer-pass-1',
      role: 'viewer',
    });
    expect(created.status).toBe(201);
    expect(created.body.user.role).toBe('viewer');
    const duplicate = await admin('/api/v1/users', {
      username: 'vera',
      password: 'viewer-pass-1',
      role: 'viewer',
    });
    expect(duplicate.status).toBe(409);
    const weak = await admin('/api/v1/users', {
      username: 'weak',
      password: 'short',
      role: 'viewer',
    });
    expect(weak.status).toBe(400);
  });

  it('limits a viewer to read-only routes', async () => {
    const vera = await login(appliance, 'vera', 'viewer-pass-1');
    expect(vera.status).toBe(200);
    const search = await vera.call('POST', '/api/v1/query', { query: '*', earliest: '0' });
    expect(search.status).toBe(200);
    const token = await vera.call('POST', '/api/v1/tokens', { name: 'nope' });
    expect(token.status).toBe(403);
    const users = await vera.call('GET', '/api/v1/users');
    expect(users.status).toBe(403);
    const other = await vera.call('POST', '/api/v1/users/admin/password', {
      password: 'taken-over-1',
    });
    expect(other.status).toBe(403);
  });

  it('shows the audit index to admins only', async () => {
    const vera = await login(appliance, 'vera', 'viewer-pass-1');
    const query = { query: 'index=_audit', earliest: '0', limit: 5 };
    const asAdmin = await admin('/api/v1/query', query);
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body.total).toBeGreaterThan(0);
    const auditId = String(asAdmin.body.rows[0].id);
    const asViewer = await vera.call('POST', '/api/v1/query', query);
    expect(asViewer.status).toBe(200);
    expect(asViewer.body.total).toBe(0);
    const everything = await admin('/api/v1/query', { query: 'index=*', earliest: '0' });
    expect(everything.body.rows.map((row: { index: string }) => row.index)).not.toContain('_audit');
    expect((await vera.call('GET', `/api/v1/events/${auditId}`)).status).toBe(404);
    expect((await admin(`/api/v1/events/${auditId}`)).status).toBe(200);
  });

  it('changes a password and ends old sessions', async () => {
    const vera = await login(appliance, 'vera', 'viewer-pass-1');
    const wrong = await vera.call('POST', '/api/v1/users/vera/password', {
      currentPassword: 'not-it',
      password: 'viewer-pass-2',
    });
    expect(wrong.status).toBe(403);
    const changed = await vera.call('POST', '/api/v1/users/vera/password', {
      currentPassword: 'viewer-pass-1',
      password: 'viewer-pass-2',
    });
    expect(changed.status).toBe(200);
    const stale = await vera.call('GET', '/api/v1/me');
    expect(stale.status).toBe(401);
    expect((await login(appliance, 'vera', 'viewer-pass-1')).status).toBe(401);
    expect((await login(appliance, 'vera', 'viewer-pass-2')).status).toBe(200);
  });

  it('deletes users and audits every change', async () => {
    const deleted = await fetch(`${appliance.httpUrl}/api/v1/users/vera`, {
      method: 'DELETE',
      headers: { Cookie: await sessionCookie(appliance) },
    });
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');
    const again = await fetch(`${appliance.httpUrl}/api/v1/users/vera`, {
      method: 'DELETE',
      headers: { Cookie: await sessionCookie(appliance) },
    });
    expect(again.status).toBe(404);
    expect((await login(appliance, 'vera', 'viewer-pass-2')).status).toBe(401);
    const audit = await admin('/api/v1/query', {
      query:
        'index=_audit sourcetype:"telhawk:audit" class_uid:3001 | stats count() by activity_id | sort activity_id',
      earliest: '0',
    });
    expect(audit.status, JSON.stringify(audit.body)).toBe(200);
    // OCSF Account Change activities: 1 Create, 3 Password Change, 6 Delete.
    expect(audit.body.rows).toEqual([
      { activity_id: 1, count: 1 },
      { activity_id: 3, count: 1 },
      { activity_id: 6, count: 1 },
    ]);
  });
});

async function sessionCookie(appliance: RunningAppliance): Promise<string> {
  const response = await fetch(`${appliance.httpUrl}/api/v1/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: appliance.adminPassword }),
  });
  return (response.headers.get('set-cookie') ?? '').split(';')[0]!;
}
