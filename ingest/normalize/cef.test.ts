import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { normalize } from './index.js';

// biome-ignore lint/suspicious/noExplicitAny: assertions walk into arbitrary OCSF JSON.
type Json = Record<string, any>;

const CORPUS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus');

function lines(path: string): string[] {
  return readFileSync(resolve(CORPUS, path), 'utf8').split('\n').filter(Boolean);
}

function cef(line: string, sourcetype = 'cefevents'): Json {
  const result = normalize({
    event: line,
    sourcetype,
    source: 's',
    host: 'h',
    index: 'main',
    receivedAt: Date.UTC(2026, 0, 5),
  });
  if (!result.ok) throw new Error(result.reason);
  return result.event;
}

describe('CEF Check Point', () => {
  test('accepted connection', () => {
    const event = cef(lines('syslog/cef/checkpoint-cef.log')[0]!);
    expect(event.class_uid).toBe(4001);
    expect(event.activity_id).toBe(6);
    expect(event.action_id).toBe(1);
    expect(event.time).toBe(1543270652000);
    expect(event.src_endpoint).toEqual({ ip: '192.168.101.100', port: 49363 });
    expect(event.dst_endpoint).toEqual({ ip: '52.173.84.157', port: 443 });
    expect(event.metadata.product).toEqual({
      name: 'VPN-1 & FireWall-1',
      vendor_name: 'Check Point',
      version: 'Check Point',
    });
    expect(event.unmapped.originsicname).toBe('CN=R80,O=R80_M..6u6bdo');
    expect(event.unmapped['Matched Category']).toBe('Business / Economy');
    expect(event.unmapped.product).toBe('VPN-1 & FireWall-1');
  });

  test('dropped IPv6 connection', () => {
    const event = cef(lines('syslog/cef/checkpoint-cef.log')[2]!);
    expect(event.activity_id).toBe(5);
    expect(event.action).toBe('Denied');
    expect(event.src_endpoint).toEqual({ ip: 'fd00::555' });
    expect(event.dst_endpoint).toEqual({ ip: '::1' });
    expect(event.time).toBe(Date.UTC(2026, 0, 5));
  });
});

describe('CEF in syslog', () => {
  test('Cynet detection', () => {
    const line = lines('syslog/rfc3164/mixed-pri-cef.log').find((text) =>
      text.includes('CEF:0|Cynet'),
    )!;
    const event = cef(line, 'syslog');
    expect(event.class_uid).toBe(2004);
    expect(event.severity_id).toBe(4);
    expect(event.finding_info).toEqual({
      uid: '6',
      title: 'Memory Pattern - Cobalt Strike Beacon ReflectiveLoader',
      types: ['END-POINT Alert'],
    });
    expect(event.file).toEqual({ name: 'javac.exe', path: 'c:\\windows\\temp\\javac.exe' });
    expect(event.user.name).toBe('tikasrv01\\administrator');
    expect(event.src_endpoint).toEqual({ ip: '172.31.5.93' });
    expect(event.dst_endpoint).toEqual({ hostname: 'TikaSrv01' });
    expect(event.device.hostname).toBe('mymachine/10.1.1.16');
    // rt is "3/30/2022 10:55:34 AM", not a CEF date format, so the syslog time is used.
    expect(event.time).toBe(Date.UTC(2025, 10, 21, 13, 9, 11));
    expect(event.unmapped.actRem).toBe('Kill, Rename');
  });

  test('header with too few fields', () => {
    const result = normalize({
      event: 'CEF:0|Vendor|Product',
      sourcetype: 'cef',
      source: 's',
      host: 'h',
      index: 'main',
      receivedAt: 0,
    });
    expect(result).toEqual({
      ok: false,
      reason: 'CEF header has fewer than 7 fields separated by |',
      normalizer: 'cef',
    });
  });
});

describe('CEF extension fields', () => {
  test('repeated key keeps first position', () => {
    const event = cef('CEF:0|V|P|1|sig|Name|3|aa=1 bb=2 aa=3 cc=4');
    expect(Object.keys(event.unmapped)).toEqual(['cef_version', 'aa', 'bb', 'cc']);
    expect(event.unmapped.aa).toBe('3');
  });

  test('labels rename custom fields', () => {
    const event = cef(
      'CEF:0|V|P|1|sig|Name|3|act=deny cs1=10.9.9.9 cs1Label=src cs2=x cs2Label=Rule Name cs3Label=Empty',
    );
    expect(event.src_endpoint).toEqual({ ip: '10.9.9.9' });
    expect(event.unmapped['Rule Name']).toBe('x');
    expect(event.unmapped.cs1).toBe('10.9.9.9');
    expect(event.unmapped.Empty).toBeUndefined();
  });

  test('labels ignore Object.prototype names', () => {
    const event = cef('CEF:0|V|P|1|sig|Name|3|constructorLabel=x toStringLabel=y abc=1');
    expect(event.unmapped).toEqual({
      cef_version: '0',
      constructorLabel: 'x',
      toStringLabel: 'y',
      abc: '1',
    });
  });

  test('escapes, white space, many keys', () => {
    const event = cef(
      'CEF:0|V|P|1|sig|Name|3|msg=a\\=b \\\\ c\\nd  \u00a0 k1=\u00a0v\u00a0 k2=  tab\t',
    );
    expect(event.message).toBe('a=b \\ c\nd');
    expect(event.unmapped.k1).toBe('v');
    expect(event.unmapped.k2).toBe('tab');
    // More distinct keys than the key cache holds: names are still read right.
    for (let round = 0; round < 3; round++) {
      const keys = Array.from({ length: 3000 }, (_, i) => `key${round}x${i}`);
      const line = `CEF:0|V|P|1|sig|Name|3|${keys.map((key, i) => `${key}=${i}`).join(' ')}`;
      const unmapped = cef(line).unmapped;
      expect(Object.keys(unmapped)).toEqual(['cef_version', ...keys]);
      expect(unmapped[keys[2999]!]).toBe('2999');
    }
  });
});
