/**
 * The mapping file for custom sourcetypes: the worked example of
 * docs/ADDING_A_SOURCE.md, the transforms, and the load-time errors with lines.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import {
  loadMappingFile,
  MappingFileError,
  normalize,
  resetMappings,
  setMappings,
} from './index.js';

// biome-ignore lint/suspicious/noExplicitAny: assertions walk into arbitrary OCSF JSON.
type Json = Record<string, any>;

const EXAMPLE = resolve(dirname(fileURLToPath(import.meta.url)), 'fixtures/mappings.example.json');

function run(event: unknown, sourcetype: string): Json {
  const result = normalize({
    event,
    sourcetype,
    source: 'test',
    host: 'test-host',
    index: 'main',
    receivedAt: Date.UTC(2026, 0, 5),
  });
  if (!result.ok) throw new Error(result.reason);
  return { ...(result.event as Json), normalizer: result.normalizer };
}

/** The error message of installing `text`, which must fail. */
function errorOf(text: string): string {
  try {
    setMappings(text, 'mappings.json');
  } catch (error) {
    expect(error).toBeInstanceOf(MappingFileError);
    return (error as Error).message;
  }
  throw new Error('expected a MappingFileError');
}

afterEach(() => resetMappings());

describe('mapping file', () => {
  test('the documented example maps key=value and JSON events', () => {
    expect(loadMappingFile(EXAMPLE)).toEqual(['acme:firewall', 'acme:vpn:json']);
    const firewall = run(
      'ts=1709288430.25 action=DENY level=warn src=10.0.0.5 sport=50111 dst=203.0.113.7 dport=22 user=Bob rule=r-17 iface="outside 1"',
      'ACME:Firewall',
    );
    expect(firewall.normalizer).toBe('custom:acme:firewall');
    expect(`${firewall.class_uid}/${firewall.activity_id}`).toBe('4001/5');
    expect(firewall.severity_id).toBe(3);
    expect(firewall.time).toBe(1709288430250);
    expect(firewall.metadata.original_time).toBe('1709288430.25');
    expect(firewall.metadata.uid).toBe('r-17');
    expect(firewall.metadata.product).toEqual({ name: 'Acme Firewall', vendor_name: 'Acme' });
    expect(firewall.src_endpoint).toEqual({ ip: '10.0.0.5', port: 50111 });
    expect(firewall.dst_endpoint).toEqual({ ip: '203.0.113.7', port: 22 });
    expect(firewall.actor.user.name).toBe('bob');
    expect(firewall.action_id).toBe(2);
    expect(firewall.unmapped).toEqual({ iface: 'outside 1' });
    expect(firewall.observables).toContainEqual({
      name: 'src_endpoint.ip',
      type_id: 2,
      type: 'IP Address',
      value: '10.0.0.5',
    });

    const vpn = run(
      {
        event: { time: '2024-03-01T10:20:30Z', user: 'alice' },
        client: { ip: 'not-an-ip' },
        result: 'failed',
        duration_ms: '1200',
        tunnel: 'ipsec',
      },
      'acme:vpn:json',
    );
    expect(`${vpn.class_uid}/${vpn.activity_id}`).toBe('3002/1');
    expect(vpn.user.name).toBe('alice');
    // to_ip drops a value that is not an address instead of failing the event.
    expect(vpn.src_endpoint).toBeUndefined();
    expect(vpn.status_id).toBe(2);
    expect(vpn.duration).toBe(1200);
    expect(vpn.unmapped).toEqual({ tunnel: 'ipsec' });
  });

  test('unknown lookup values take the default, and a bad time fails the event', () => {
    setMappings(readFileSync(EXAMPLE, 'utf8'));
    expect(run('ts=1 action=shrug src=10.0.0.1', 'acme:firewall').activity_id).toBe(99);
    const result = normalize({
      event: 'ts=yesterday action=allow',
      sourcetype: 'acme:firewall',
      source: 's',
      host: 'h',
      index: 'main',
      receivedAt: 0,
    });
    expect(result).toEqual({
      ok: false,
      reason: 'custom mapping: time "yesterday" is not epoch_s',
      normalizer: 'custom:acme:firewall',
    });
  });

  test('a mapped sourcetype takes precedence over a built-in one, and reset removes it', () => {
    const text = JSON.stringify({
      sourcetypes: {
        syslog: {
          format: 'kv',
          class_uid: 0,
          activity_id: 99,
          product: { name: 'Custom', vendor_name: 'Custom' },
        },
      },
    });
    setMappings(text);
    expect(run('a=1', 'syslog').normalizer).toBe('custom:syslog');
    resetMappings();
    expect(run('Jan 18 11:07:53 host app: a=1', 'syslog').normalizer).toBe('linux-auth');
  });

  test('errors name the file and the line', () => {
    const text = [
      '{',
      '  "sourcetypes": {',
      '    "a": {',
      '      "class_uid": 4001,',
      '      "activity_id": 42,',
      '      "product": { "name": "A", "vendor_name": "A" },',
      '      "fields": [',
      '        { "from": "x", "to": "src_endpoint.ip", "transform": "reverse" },',
      '        { "from": "y", "to": "type_uid" }',
      '      ]',
      '    },',
      '    "b": { "class_uid": 9999, "activity_id": 1, "colour": "red" }',
      '  }',
      '}',
    ].join('\n');
    expect(errorOf(text).split('\n')).toEqual([
      'mappings.json:5: sourcetype "a": activity_id 42 is not an activity of class 4001 (0, 1, 2, 3, 4, 5, 6, 99)',
      'mappings.json:8: sourcetype "a": fields[0].transform "reverse" is not one of lowercase, uppercase, trim, to_int, to_float, to_ip, to_string, epoch_s, epoch_ms, iso8601',
      'mappings.json:9: sourcetype "a": fields[1].to "type_uid" is derived by the normalizer and cannot be mapped',
      'mappings.json:12: sourcetype "b": unknown key "colour"',
      'mappings.json:12: sourcetype "b": class_uid 9999 is not an OCSF 1.1.0 class',
      'mappings.json:12: sourcetype "b": product must be an object with "name" and "vendor_name" strings',
    ]);
  });

  test('JSON syntax errors name the line and column', () => {
    expect(errorOf('{\n  "sourcetypes": {\n    "a": { "class_uid": 1 \n  }\n')).toBe(
      'mappings.json: line 5, column 1: expected "," or "}"',
    );
    expect(errorOf('{ "sourcetypes": {}, "sourcetypes": {} }')).toBe(
      'mappings.json: line 1, column 22: duplicate key "sourcetypes"',
    );
  });

  test('a failed load keeps the mappings installed before', () => {
    setMappings(readFileSync(EXAMPLE, 'utf8'));
    expect(() => setMappings('{ "sourcetypes": { "x": 1 } }')).toThrow(MappingFileError);
    expect(run('ts=1 action=allow', 'acme:firewall').normalizer).toBe('custom:acme:firewall');
  });

  test('loadMappingFile reports a missing file', () => {
    const folder = mkdtempSync(join(tmpdir(), 'telhawk-mappings-'));
    expect(() => loadMappingFile(join(folder, 'missing.json'))).toThrow(
      /failed to read the mapping file/,
    );
    const path = join(folder, 'empty.json');
    writeFileSync(path, '[]');
    expect(() => loadMappingFile(path)).toThrow(
      `${path}:1: the file must be an object with a "sourcetypes" object`,
    );
    rmSync(folder, { recursive: true, force: true });
  });
});
