import { describe, expect, test } from 'vitest';
import { normalize } from './index.js';
import { zeekLogFromSourcetype } from './zeek.js';

// biome-ignore lint/suspicious/noExplicitAny: assertions walk into arbitrary OCSF JSON.
type Json = Record<string, any>;

function zeek(event: unknown, sourcetype: string): Json {
  const result = normalize({
    event,
    sourcetype,
    source: 's',
    host: 'h',
    index: 'main',
    receivedAt: 0,
  });
  if (!result.ok) throw new Error(result.reason);
  return result.event;
}

describe('Zeek sourcetypes', () => {
  const cases: [string, string | undefined][] = [
    ['zeek:conn:json', 'conn'],
    ['zeek:dns', 'dns'],
    ['bro_http', 'http'],
    ['bro:ssl:json', 'ssl'],
    ['zeek', undefined],
    ['suricata', undefined],
  ];
  for (const [sourcetype, log] of cases) {
    test(`${sourcetype} names ${log ?? 'no log'}`, () => {
      expect(zeekLogFromSourcetype(sourcetype)).toBe(log);
    });
  }
});

describe('Zeek TSV values', () => {
  const dnsLine = [
    '1692161622.5',
    'Cabc',
    '192.168.1.41',
    '52605',
    '192.168.1.4',
    '53',
    'udp',
    '58519',
    '0.002',
    'host\\x09name.example',
    '1',
    'C_INTERNET',
    '1',
    'A',
    '0',
    'NOERROR',
    'F',
    'F',
    'T',
    'T',
    '0',
    '10.0.0.1,10.0.0.2',
    '60.000000,30.000000',
    'F',
  ].join('\t');

  test('dns line with sets and escapes', () => {
    const event = zeek(dnsLine, 'bro_dns');
    expect(event.class_uid).toBe(4003);
    expect(event.activity_id).toBe(6);
    expect(event.status_id).toBe(1);
    expect(event.time).toBe(1_692_161_622_500);
    expect(event.metadata.original_time).toBe('1692161622.5');
    expect(event.query).toEqual({
      hostname: 'host\tname.example',
      type: 'A',
      class: 'C_INTERNET',
      packet_uid: 58519,
    });
    expect(event.answers).toEqual([
      { rdata: '10.0.0.1', ttl: 60, packet_uid: 58519 },
      { rdata: '10.0.0.2', ttl: 30, packet_uid: 58519 },
    ]);
    expect(event.response_time).toBe(2);
    expect(event.unmapped.RD).toBe(true);
    expect(event.unmapped.TTLs).toBeUndefined();
  });

  test('unset and empty fields', () => {
    const columns = dnsLine.split('\t');
    columns[9] = '-';
    columns[21] = '(empty)';
    const event = zeek(columns.join('\t'), 'bro_dns');
    expect(event.query.hostname).toBeUndefined();
    expect(event.answers).toBeUndefined();
  });

  test('bad boolean rejected', () => {
    const columns = dnsLine.split('\t');
    columns[16] = 'yes';
    const result = normalize({
      event: columns.join('\t'),
      sourcetype: 'bro_dns',
      source: 's',
      host: 'h',
      index: 'main',
      receivedAt: 0,
    });
    expect(result).toEqual({
      ok: false,
      reason: 'Zeek dns column AA is invalid: "yes"',
      normalizer: 'zeek',
    });
  });
});

describe('Zeek JSON', () => {
  test('http url and response', () => {
    const event = zeek(
      {
        ts: 1036020209.801685,
        uid: 'C1',
        'id.orig_h': '131.243.1.23',
        'id.orig_p': 1035,
        'id.resp_h': '131.243.1.10',
        'id.resp_p': 80,
        method: 'GET',
        host: 'www.example.org',
        uri: '/a?b=1',
        status_code: 200,
        status_msg: 'OK',
      },
      'zeek:http:json',
    );
    expect(event.activity_id).toBe(3);
    expect(event.http_request.url).toEqual({
      url_string: 'http://www.example.org/a?b=1',
      hostname: 'www.example.org',
      path: '/a',
      query_string: 'b=1',
      port: 80,
    });
    expect(event.http_response.code).toBe(200);
    expect(event.message).toBe('GET /a?b=1 200');
    expect(event.time).toBe(1_036_020_209_802);
  });

  test('log without mapping as Base Event', () => {
    const record = {
      ts: 950988235.155866,
      uid: 'C2',
      'id.orig_h': '164.1.123.163',
      name: 'bad_TCP_checksum',
      peer: 'zeek',
    };
    const event = zeek(record, 'zeek:weird:json');
    expect(event.class_uid).toBe(0);
    expect(event.activity_name).toBe('weird');
    expect(event.unmapped).toEqual(record);
    expect(event.metadata.log_name).toBe('weird');
  });
});
