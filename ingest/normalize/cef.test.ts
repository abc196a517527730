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
