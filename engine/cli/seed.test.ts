import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalize } from '../../ingest/normalize/index.js';
import {
  apiSession,
  CLI_JS,
  type RunningAppliance,
  startAppliance,
} from '../../test/support/appliance.js';
import {
  CLASS_MIX,
  generateEvents,
  type OcsfEvent,
  parseDuration,
  SEED_SOURCE,
  sendSeedEvents,
} from './seed.js';

const END = Date.parse('2026-03-01T12:00:00Z');
const DAY = 86_400_000;

function generate(events: number, seed: number, spreadMillis = DAY): OcsfEvent[] {
  return [...generateEvents({ events, seed, endMillis: END, spreadMillis })];
}

function countBy<T>(items: readonly T[], key: (item: T) => string | number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    const name = String(key(item));
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

describe('generateEvents', () => {
  const events = generate(20_000, 7);

  it('repeats events for the same seed', () => {
    expect(generate(300, 42)).toEqual(generate(300, 42));
  });

  it('differs for another seed', () => {
    expect(JSON.stringify(generate(50, 1))).not.toBe(JSON.stringify(generate(50, 2)));
  });

  it('mixes classes as CLASS_MIX states', () => {
    const counts = countBy(events, (event) => event.class_uid);
    expect([...counts.keys()].sort()).toEqual(Object.keys(CLASS_MIX).sort());
    for (const [classUid, share] of Object.entries(CLASS_MIX)) {
      const actual = ((counts.get(classUid) ?? 0) / events.length) * 100;
      expect(actual, `class ${classUid}`).toBeGreaterThan(share * 0.85);
      expect(actual, `class ${classUid}`).toBeLessThan(share * 1.15);
    }
  });

  it('sets type_uid to class_uid * 100 + activity_id', () => {
    for (const event of events) {
      expect(event.type_uid).toBe(event.class_uid * 100 + event.activity_id);
      expect(event.category_uid).toBe(Math.floor(event.class_uid / 1000));
    }
  });

  it('passes the appliance normalizer unchanged in class', () => {
    for (const event of events.slice(0, 3000)) {
      const result = normalize({
        event,
        sourcetype: 'ocsf',
        source: SEED_SOURCE,
        host: 'seed',
        index: 'main',
        receivedAt: END,
      });
      expect(result.ok, JSON.stringify(result)).toBe(true);
      if (!result.ok) continue;
      expect(result.normalizer).toBe('ocsf');
      expect(result.event.type_uid).toBe(event.type_uid);
      expect(result.event.time).toBe(event.time);
    }
  });

  it('carries metadata, severity and millisecond times', () => {
    for (const event of events) {
      expect(event.metadata.version).toBe('1.1.0');
      expect(typeof event.metadata.product.name).toBe('string');
      expect(event.severity_id).toBeGreaterThanOrEqual(1);
      expect(event.severity_id).toBeLessThanOrEqual(5);
      expect(Number.isInteger(event.time)).toBe(true);
    }
  });

  it('spreads times in order over the window', () => {
    const times = events.map((event) => event.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeGreaterThanOrEqual(END - DAY);
    expect(times[0]).toBeLessThan(END - DAY + 60_000);
    expect(times.at(-1)).toBeLessThanOrEqual(END);
    expect(times.at(-1)).toBeGreaterThan(END - 60_000);
  });

  it('stamps every event with the end when spread is 0', () => {
    expect(new Set(generate(100, 3, 0).map((event) => event.time))).toEqual(new Set([END]));
  });

  it('fails logons more often than other auth actions', () => {
    const auth = events.filter((event) => event.class_uid === 3002);
    const failureRate = (activityId: number) => {
      const some = auth.filter((event) => event.activity_id === activityId);
      return some.filter((event) => event.status_id === 2).length / some.length;
    };
    expect(failureRate(1)).toBeGreaterThan(0.08);
    expect(failureRate(1)).toBeLessThan(0.25);
    expect(failureRate(2)).toBe(0);
    expect(failureRate(3)).toBeLessThan(0.08);
  });

  it('draws users, hosts and IPs with realistic cardinality', () => {
    const users = countBy(
      events.filter((event) => event.class_uid === 3002),
      (event) => (event.user as { name: string }).name,
    );
    const hosts = countBy(events, (event) => (event.device as { hostname: string }).hostname);
    const ips = new Set<string>();
    for (const event of events) {
      for (const key of ['src_endpoint', 'dst_endpoint', 'device']) {
        const ip = (event[key] as { ip?: string } | undefined)?.ip;
        if (ip) ips.add(ip);
      }
    }
    expect(users.size).toBeGreaterThan(150);
    expect(users.size).toBeLessThan(400);
    expect(hosts.size).toBeGreaterThan(150);
    expect(hosts.size).toBeLessThanOrEqual(230);
    expect(ips.size).toBeGreaterThan(1500);
    expect(ips.size).toBeLessThan(5000);
    // Zipf-like: the most popular user carries far more than an even share.
    const top = Math.max(...users.values());
    const total = [...users.values()].reduce((sum, count) => sum + count, 0);
    expect(top / total).toBeGreaterThan(10 / users.size);
  });

  it('gives DNS record types and rcodes', () => {
    const dns = events.filter((event) => event.class_uid === 4003 && event.activity_id === 2);
    const rcodes = countBy(dns, (event) => event.rcode_id as number);
    const types = countBy(dns, (event) => (event.query as { type: string }).type);
    expect((rcodes.get('0') ?? 0) / dns.length).toBeGreaterThan(0.8);
    expect(rcodes.get('3')).toBeGreaterThan(0);
    expect(types.get('A')).toBeGreaterThan(types.get('AAAA') ?? 0);
    expect(types.size).toBeGreaterThanOrEqual(6);
  });

  it('gives HTTP status codes and findings with ATT&CK', () => {
    const http = events.filter((event) => event.class_uid === 4002);
    const codes = countBy(http, (event) => (event.http_response as { code: number }).code);
    expect((codes.get('200') ?? 0) / http.length).toBeGreaterThan(0.6);
    expect(codes.get('404')).toBeGreaterThan(0);
    const findings = events.filter((event) => event.class_uid === 2004);
    for (const finding of findings) {
      const [attack] = finding.attacks as { tactic: { uid: string }; technique: { uid: string } }[];
      expect(attack?.tactic.uid).toMatch(/^TA\d{4}$/);
      expect(attack?.technique.uid).toMatch(/^T\d{4}(\.\d{3})?$/);
    }
    const processes = events.filter((event) => event.class_uid === 1007);
    for (const event of processes.slice(0, 200)) {
      const process = event.process as { cmd_line: string; parent_process: { name: string } };
      expect(process.cmd_line.length).toBeGreaterThan(0);
      expect(process.parent_process.name.length).toBeGreaterThan(0);
    }
  });
});

describe('parseDuration', () => {
  it('reads units and zero', () => {
    expect(parseDuration('24h')).toBe(DAY);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('7d')).toBe(7 * DAY);
    expect(parseDuration('0')).toBe(0);
  });

  it('rejects text without a unit', () => {
    expect(() => parseDuration('24')).toThrow(/expected a duration/);
  });
});

describe('thawk seed against the appliance', () => {
  let appliance: RunningAppliance;

  beforeAll(async () => {
    appliance = await startAppliance();
  });

  afterAll(async () => {
    await appliance?.stop();
    if (appliance) fs.rmSync(appliance.dataDir, { recursive: true, force: true });
  });

  it('makes seeded events searchable by class', async () => {
    const events = 2000;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        CLI_JS,
        'seed',
        '--events',
        String(events),
        '--seed',
        '11',
        '--spread',
        '6h',
        '--batch-size',
        '250',
        '--url',
        appliance.hecUrl,
        '--token',
        appliance.hecToken,
      ],
      { timeout: 60_000 },
    );
    expect(stdout).toMatch(/^sent 2000 events \(seed 11\) in [\d.]+ s\n$/);

    const expected = countBy(
      [...generateEvents({ events, seed: 11, endMillis: Date.now(), spreadMillis: 6 * 3_600_000 })],
      (event) => event.class_uid,
    );
    const api = await apiSession(appliance);
    const result = await api('/api/v1/query', {
      query: `source:"${SEED_SOURCE}" sourcetype:ocsf | stats count() by class_uid`,
      earliest: '-7h',
    });
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    const actual = new Map<string, number>(
      result.body.rows.map((row: { class_uid: number; count: number }) => [
        String(row.class_uid),
        row.count,
      ]),
    );
    expect(actual).toEqual(expected);
    const all = await api('/api/v1/query', {
      query: `source:"${SEED_SOURCE}" | stats count()`,
      earliest: '0',
    });
    expect(all.body.rows[0].count).toBe(events);
  });

  it('paces to --rate and stamps send times', async () => {
    const before = Date.now();
    const { sent, elapsedMillis } = await sendSeedEvents({
      url: appliance.hecUrl,
      token: appliance.hecToken,
      events: 300,
      seed: 5,
      endMillis: before,
      spreadMillis: 0,
      ratePerSecond: 500,
      batchSize: 50,
      index: 'seed-rate',
    });
    expect(sent).toBe(300);
    // 300 events at 500 per second take 600 ms; allow for timer granularity.
    expect(elapsedMillis).toBeGreaterThanOrEqual(580);
    expect(elapsedMillis).toBeLessThan(10_000);

    const api = await apiSession(appliance);
    const times = await api('/api/v1/query', {
      query: 'index:seed-rate | stats count(), min(time), max(time)',
      earliest: '0',
    });
    expect(times.status, JSON.stringify(times.body)).toBe(200);
    const [row] = times.body.rows;
    expect(row.count).toBe(300);
    // With spread 0 each event carries its send time, so the times span the sending itself.
    const first = Date.parse(row['min(time)']);
    const last = Date.parse(row['max(time)']);
    expect(first).toBeGreaterThanOrEqual(before);
    expect(last).toBeLessThanOrEqual(before + elapsedMillis);
    expect(last - first).toBeGreaterThanOrEqual(400);
  });
});
