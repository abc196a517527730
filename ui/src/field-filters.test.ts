/**
 * Every search term the event detail panel offers must find its own event through the real
 * normalizers, event store and query service. The events are the query-language fixtures, one
 * event with field shapes that are hard to name, and real events of the corpus.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryService } from '../../engine/query-service.js';
import { normalize } from '../../ingest/normalize/index.js';
import type { OcsfEvent } from '../../ingest/normalize/types.js';
import { buildColumnBatch, type EventMetadata } from '../../ingest/rows.js';
import { FIXTURE_EVENTS, NOW_MS } from '../../query-lang/test-fixtures.js';
import { EventStore } from '../../storage/index.js';
import { CORPUS_DIR } from '../../test/support/appliance.js';
import { eventFields, type FieldRow } from './flatten.js';

const MINUTE_MS = 60_000;

/** An event with field shapes that are hard to name: arrays, aliases and odd JSON keys. */
const SHAPES_OCSF = {
  class_uid: 4001,
  class_name: 'Network Activity',
  category_uid: 4,
  activity_id: 6,
  type_uid: 400106,
  severity_id: 1,
  severity: 'Informational',
  status_id: 1,
  status: 'Success',
  time: NOW_MS - 3 * MINUTE_MS,
  message: 'udp S0',
  metadata: { profiles: ['cloud', 'host'], product: { name: 'Zeek' }, version: '1.1.0' },
  src_endpoint: { ip: '10.4.30.5', port: 49227 },
  dst_endpoint: { ip: '37.120.182.208', port: 80 },
  traffic: { bytes: 377, packets: 11 },
  observables: [
    { name: 'src_endpoint.ip', type_id: 2, value: '10.4.30.5' },
    { name: 'dst_endpoint.ip', type_id: 2, value: '37.120.182.208' },
  ],
  attacks: [{ technique: { uid: 'T1059' }, tactics: [{ name: 'Execution' }] }],
  unmapped: {
    'id.orig_h_name.src': 'NTLM_AUTH',
    'id.orig_h_name.vals': ['PODTRONICS'],
    'k<b>ey': 'markup key',
    _system_name: 'sensor',
    local_orig: true,
    missed_bytes: 0,
    pcr: -0.129973474801061,
    empty_text: '',
    quoted: 'say "hi" \\ *star* | pipe',
    two_lines: 'first\nsecond',
    rtl: 'RTL \u202Egnp.exe',
    Mixed_Case: 'MiXeD',
    matrix: [
      [1, 2],
      [3, 'x'],
    ],
    nothing: null,
    no_keys: {},
    no_items: [],
  },
};

/** Paths of the shapes event that have no term, because the language cannot match them. */
const SHAPES_WITHOUT_TERMS = [
  'unmapped.id.orig_h_name.src',
  'unmapped.id.orig_h_name.vals[0]',
  'unmapped.k<b>ey',
  // An empty value offers no term, as Splunk shows no empty field.
  'unmapped.empty_text',
  'unmapped.nothing',
  'unmapped.no_keys',
  'unmapped.no_items',
];

/** Corpus files and their sourcetype; `lines` sends that many lines as events, else the file. */
const CORPUS_SAMPLES: { file: string; sourcetype: string; lines?: number }[] = [
  { file: 'zeek/ocsf-mapped/conn_log.json', sourcetype: 'zeek:conn:json' },
  { file: 'zeek/json/conn.log', sourcetype: 'zeek:conn:json', lines: 2 },
  { file: 'zeek/json/dns.log', sourcetype: 'zeek:dns:json', lines: 2 },
  { file: 'zeek/json/http.log', sourcetype: 'zeek:http:json', lines: 2 },
  { file: 'zeek/json/ssl.log', sourcetype: 'zeek:ssl:json', lines: 1 },
  { file: 'windows/security.xml', sourcetype: 'XmlWinEventLog:Security', lines: 4 },
  { file: 'windows/ocsf-mapped/4688_0.event', sourcetype: 'WinEventLog:Security' },
  { file: 'cloudtrail/ocsf-mapped/authentication.json', sourcetype: 'aws:cloudtrail' },
  { file: 'cloudtrail/ocsf-mapped/generic_api_activity.json', sourcetype: 'aws:cloudtrail' },
  { file: 'okta/ocsf-mapped/authentication.json', sourcetype: 'OktaIM2:log' },
  {
    file: 'aws-securityhub/ocsf-mapped/sechub-guardduty.json',
    sourcetype: 'aws:securityhub:finding',
  },
  { file: 'suricata/eve-mixed-types.json', sourcetype: 'suricata', lines: 4 },
  { file: 'linux/auth.log', sourcetype: 'linux_secure', lines: 3 },
  { file: 'web/apache/access_combined.log', sourcetype: 'access_combined', lines: 2 },
  { file: 'syslog/cef/checkpoint-cef.log', sourcetype: 'cefevents', lines: 2 },
];

interface StoredEvent {
  label: string;
  ocsf: OcsfEvent;
  meta: EventMetadata;
  raw: string;
}

function metadataOf(source: string, sourcetype: string, host: string): EventMetadata {
  return { host, source, sourcetype, index: 'main', tokenId: 'test', receivedAt: NOW_MS };
}

function fixtureEvents(): StoredEvent[] {
  return FIXTURE_EVENTS.map((fixture) => {
    const meta = metadataOf(
      'fixture',
      String(fixture.columns['sourcetype'] ?? '_json'),
      String(fixture.columns['host'] ?? 'fixture-host'),
    );
    const fields = fixture.columns['fields'];
    if (typeof fields === 'string') meta.fields = JSON.parse(fields) as Record<string, unknown>;
    const ocsf = { ...fixture.ocsf, time: NOW_MS - fixture.minutesAgo * MINUTE_MS } as OcsfEvent;
    return { label: `fixture ${fixture.id}`, ocsf, meta, raw: fixture.raw };
  });
}

function shapesEvent(): StoredEvent {
  const meta = metadataOf('shapes', 'zeek:conn:json', 'sensor-1');
  meta.fields = {
    env: 'prod',
    tags: ['pci', 'dmz'],
    'metric_name:cpu.idle': 42.5,
    'dot.ted-name': 'x',
    nested: { a: 1 },
  };
  return { label: 'shapes', ocsf: SHAPES_OCSF as OcsfEvent, meta, raw: 'shapes event' };
}

function corpusEvents(): StoredEvent[] {
  return CORPUS_SAMPLES.flatMap(({ file, sourcetype, lines }) => {
    const text = fs.readFileSync(path.join(CORPUS_DIR, file), 'utf8');
    const texts =
      lines === undefined
        ? [text]
        : text
            .split('\n')
            .filter((line) => line.trim() !== '' && !line.startsWith('#'))
            .slice(0, lines);
    return texts.map((raw, index) => {
      const meta = metadataOf(file, sourcetype, 'corpus');
      const result = normalize({ ...meta, event: raw });
      if (!result.ok) throw new Error(`${file} event ${index} did not normalize: ${result.reason}`);
      return { label: `${file} event ${index}`, ocsf: result.event, meta, raw };
    });
  });
}

describe('offered search terms', () => {
  let dataDir: string;
  let store: EventStore;
  let service: QueryService;
  const stored: { label: string; id: string }[] = [];

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'telhawk-field-filters-'));
    store = await EventStore.open(dataDir);
    const events = [...fixtureEvents(), shapesEvent(), ...corpusEvents()];
    const batch = buildColumnBatch(events);
    await store.commit([batch], []);
    const ids = batch.columns['id'] as string[];
    events.forEach((event, index) => {
      stored.push({ label: event.label, id: ids[index]! });
    });
    service = new QueryService(store);
  });

  afterAll(async () => {
    await store?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function rowsOf(id: string): Promise<FieldRow[]> {
    const event = await service.getEvent(id);
    if (event === undefined) throw new Error(`event ${id} is not stored`);
    const fields = eventFields(event);
    return [...fields.metadata, ...fields.ocsf];
  }

  it('find their own event', async () => {
    let checked = 0;
    for (const { label, id } of stored) {
      const filters = (await rowsOf(id)).flatMap((row) => row.filter ?? []);
      checked += filters.length;
      // One query with every term of the event; each term alone only to name a failing one.
      const all = await service.run({ query: `id=${id} ${filters.join(' ')}`, limit: 10 });
      if (all.total === 1) continue;
      for (const filter of filters) {
        const single = await service.run({ query: `id=${id} ${filter}`, limit: 10 });
        expect.soft(single.total, `${label}: ${filter}`).toBe(1);
      }
      expect.soft(all.total, `${label}: all terms together`).toBe(1);
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('cover every mapped OCSF field', async () => {
    for (const { label, id } of stored) {
      const rows = await rowsOf(id);
      const missing = rows.filter(
        (row) =>
          row.filter === undefined &&
          !row.path.startsWith('unmapped.') &&
          row.value !== null &&
          row.value !== '' &&
          row.queryPath !== undefined,
      );
      expect.soft(missing, label).toEqual([]);
      const unnamed = rows.filter(
        (row) =>
          row.queryPath === undefined &&
          !row.path.startsWith('unmapped') &&
          !row.path.startsWith('fields.') &&
          row.value !== '{}' &&
          row.value !== '[]',
      );
      expect.soft(unnamed, label).toEqual([]);
    }
  });

  it('skip what the language cannot match', async () => {
    const shapes = stored.find((event) => event.label === 'shapes')!;
    const rows = await rowsOf(shapes.id);
    const without = rows.filter((row) => row.filter === undefined).map((row) => row.path);
    expect(without).toEqual([
      'fields.metric_name:cpu.idle',
      'fields.nested.a',
      ...SHAPES_WITHOUT_TERMS,
    ]);
  });

  it('name the reported shapes', async () => {
    const shapes = stored.find((event) => event.label === 'shapes')!;
    const filters = (await rowsOf(shapes.id)).map((row) => row.filter);
    expect(filters).toContain('observables{}.value:"10.4.30.5"');
    expect(filters).toContain('metadata.profiles{}:"cloud"');
    expect(filters).toContain('.severity:"Informational"');
    expect(filters).toContain('.status:"Success"');
    expect(filters).toContain('severity_id:"1"');
    expect(filters).toContain('attacks{}.tactics{}.name:"Execution"');
    expect(filters).toContain('unmapped.matrix{}{}:"x"');
    expect(filters).toContain('unmapped.quoted:"say \\"hi\\" \\\\ \\*star\\* | pipe"');
    expect(filters).toContain('fields.tags{}:"dmz"');
    expect(filters).toContain('fields.dot.ted-name:"x"');
  });
});
