import { describe, expect, test } from 'vitest';
import { createEvent } from './ocsf.js';
import type { OcsfEvent } from './types.js';
import { validateEvent } from './validate.js';

function validEvent(attributes: Record<string, unknown> = {}): OcsfEvent {
  return createEvent({
    classUid: 4001,
    activityId: 6,
    time: 1_700_000_000_000,
    product: { name: 'Test', vendor_name: 'Test' },
    attributes,
  });
}

describe('validateEvent', () => {
  test('valid event', () => {
    expect(
      validateEvent(validEvent({ src_endpoint: { ip: '2001:db8::1', port: 443 } })),
    ).toBeUndefined();
  });

  const cases: [string, (event: OcsfEvent) => void, string][] = [
    ['unknown class', (e) => (e.class_uid = 4999), 'class_uid 4999 is not an OCSF 1.1.0 class'],
    [
      'wrong category',
      (e) => (e.category_uid = 3),
      'category_uid 3 does not match class 4001 (category 4)',
    ],
    [
      'wrong type_uid',
      (e) => (e.type_uid = 400101),
      'type_uid 400101 is not class_uid * 100 + activity_id',
    ],
    ['unknown severity', (e) => (e.severity_id = 7), 'severity_id 7 is not an OCSF severity'],
    ['time in float', (e) => (e.time = 1.5), 'time 1.5 is not an integer epoch milliseconds value'],
    [
      'time NaN',
      (e) => (e.time = Number.NaN),
      'time NaN is not an integer epoch milliseconds value',
    ],
    ['version', (e) => (e.metadata.version = '1.3.0'), 'metadata.version 1.3.0 is not 1.1.0'],
    [
      'bad IPv4',
      (e) => (e.dst_endpoint = { ip: '10.0.0.256' }),
      'dst_endpoint.ip "10.0.0.256" is not an IPv4 or IPv6 address',
    ],
    [
      'port too large',
      (e) => (e.src_endpoint = { port: 65536 }),
      'src_endpoint.port 65536 is not an integer port from 0 to 65535',
    ],
    [
      'port as text',
      (e) => (e.src_endpoint = { port: '22' }),
      'src_endpoint.port "22" is not an integer port from 0 to 65535',
    ],
    ['pid as text', (e) => (e.process = { pid: '0x1f' }), 'process.pid "0x1f" is not an integer'],
  ];
  for (const [name, change, reason] of cases) {
    test(name, () => {
      const event = validEvent();
      change(event);
      expect(validateEvent(event)).toBe(reason);
    });
  }
});
