import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { normalize } from './index.js';
import type { NormalizeResult } from './types.js';

// biome-ignore lint/suspicious/noExplicitAny: assertions walk into arbitrary OCSF JSON.
type Json = Record<string, any>;

const CORPUS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus');
const RECEIVED_AT = Date.UTC(2026, 0, 5);

function run(event: unknown, sourcetype: string, time?: number): NormalizeResult {
  return normalize({
    event,
    sourcetype,
    source: 's',
    host: 'h',
    index: 'main',
    time,
    receivedAt: RECEIVED_AT,
  });
}

function eventOf(event: unknown, sourcetype: string, time?: number): Json {
  const result = run(event, sourcetype, time);
  if (!result.ok) throw new Error(result.reason);
  return result.event;
}

function reasonOf(event: unknown, sourcetype: string): string {
  const result = run(event, sourcetype);
  if (result.ok) throw new Error(`expected a failure, got class ${result.event.class_uid}`);
  return result.reason;
}

/** Returns the first line of a corpus file that contains every one of `parts`. */
function corpusLine(path: string, ...parts: string[]): string {
  const lines = readFileSync(resolve(CORPUS, path), 'utf8').split('\n');
  return lines.find((line) => parts.every((part) => line.includes(part)))!;
}

const SSH_LINE =
  'Mar 27 13:08:09 web1 sshd[1361]: Accepted password for ubuntu from 203.0.113.10 port 54259 ssh2';
const ZEEK_DNS = corpusLine('zeek/json/dns.log', '"query"');
const CLOUDTRAIL = corpusLine(
  'cloudtrail/otrf-ec2-proxy-s3-exfiltration.json',
  'DescribeInstances"',
);
const XML_4624 = corpusLine(
  'windows/security.xml',
  '<EventID>4624<',
  '<Data Name="IpAddress">127.0.0.1',
);

describe('routing by sourcetype', () => {
  const cases: [unknown, string, string][] = [
    [SSH_LINE, 'linux_secure', 'linux-auth'],
    [SSH_LINE, 'LINUX_SECURE', 'linux-auth'],
    [SSH_LINE, 'syslog', 'linux-auth'],
    [CLOUDTRAIL, 'aws:cloudtrail', 'cloudtrail'],
    [JSON.parse(CLOUDTRAIL), 'aws:cloudtrail', 'cloudtrail'],
    [XML_4624, 'XmlWinEventLog:Security', 'windows-xml'],
    [XML_4624, 'XmlWinEventLog', 'windows-xml'],
    [XML_4624, 'WinEventLog:Security', 'windows-xml'],
    [ZEEK_DNS, 'zeek:dns:json', 'zeek:dns'],
    [ZEEK_DNS, 'bro_dns', 'zeek:dns'],
    [JSON.parse(ZEEK_DNS), 'zeek:dns', 'zeek:dns'],
  ];
  for (const [event, sourcetype, normalizer] of cases) {
    test(`${sourcetype} to ${normalizer}`, () => {
      const result = run(event, sourcetype);
      expect(result.ok).toBe(true);
      expect(result.normalizer).toBe(normalizer);
    });
  }
});

describe('routing by content', () => {
  const cases: [unknown, string, string][] = [
    [JSON.parse(CLOUDTRAIL), '_json', 'cloudtrail'],
    [CLOUDTRAIL, 'httpevent', 'cloudtrail'],
    [JSON.parse(ZEEK_DNS), '', 'zeek:dns'],
    [ZEEK_DNS, 'json', 'zeek:dns'],
    [XML_4624, '_json', 'windows-xml'],
    [SSH_LINE, 'httpevent', 'linux-auth'],
    ['127.0.0.1 - - [12/Apr/2018:09:48:40 +0200] "GET / HTTP/1.1" 200 5', '', 'access-log'],
    ['CEF:0|Acme|IDS|1.0|100|Port scan|5|src=10.0.0.1', '_json', 'cef'],
    [
      {
        uuid: 'u1',
        published: '2024-01-01T00:00:00Z',
        eventType: 'user.session.start',
        actor: { type: 'User', id: 'x' },
      },
      '_json',
      'okta',
    ],
    [
      { timestamp: '2024-01-01T00:00:00Z', event_type: 'flow', src_ip: '10.0.0.1' },
      'httpevent',
      'suricata',
    ],
    [{ class_uid: 3002, activity_id: 1, time: 1 }, 'my:custom', 'ocsf'],
  ];
  for (const [event, sourcetype, normalizer] of cases) {
    test(`${normalizer} sniffed under "${sourcetype}"`, () => {
      const result = run(event, sourcetype);
      expect(result.ok).toBe(true);
      expect(result.normalizer).toBe(normalizer);
    });
  }

  test('unknown JSON as Base Event', () => {
    const event = eventOf({ action: 'door opened', badge: 42 }, '_json');
    expect(event.class_uid).toBe(0);
    expect(event.activity_id).toBe(0);
    expect(event.type_uid).toBe(0);
    expect(event.unmapped).toEqual({ action: 'door opened', badge: 42 });
    expect(event.time).toBe(RECEIVED_AT);
  });

  test('unknown text keeps message', () => {
    const event = eventOf('plain text from a device', 'vendor:thing');
    expect(event.class_uid).toBe(0);
    expect(event.message).toBe('plain text from a device');
    expect(event.metadata.log_name).toBe('vendor:thing');
  });

  test('HEC time used when source has none', () => {
    const event = eventOf('plain text', 'httpevent', 1_700_000_000_123);
    expect(event.time).toBe(1_700_000_000_123);
  });
});

describe('OCSF passthrough', () => {
  test('fills derived fields', () => {
    const event = eventOf(
      {
        class_uid: 3002,
        activity_id: 2,
        time: 1_700_000_000_000,
        user: { name: 'a' },
        metadata: { product: { name: 'App' }, version: '1.1.0' },
      },
      'ocsf',
    );
    expect(event.type_uid).toBe(300202);
    expect(event.class_name).toBe('Authentication');
    expect(event.category_uid).toBe(3);
    expect(event.category_name).toBe('Identity & Access Management');
    expect(event.activity_name).toBe('Logoff');
    expect(event.severity_id).toBe(0);
    expect(event.user).toEqual({ name: 'a' });
    expect(event.observables).toEqual([
      { name: 'user.name', type_id: 4, type: 'User Name', value: 'a' },
    ]);
  });

  test('Security Hub finding 1.1.0', () => {
    const path = resolve(CORPUS, 'aws-securityhub/ocsf-mapped/sechub-guardduty.expected.ocsf.json');
    const source = JSON.parse(readFileSync(path, 'utf8'));
    const event = eventOf(source, '_json');
    expect(event.class_uid).toBe(2004);
    expect(event.type_uid).toBe(200401);
    expect(event.time).toBe(source.time);
    expect(event.finding_info.title).toBe(source.finding_info.title);
    expect(event.metadata.product).toEqual(source.metadata.product);
  });

  test('Okta 1.3.0 events with time in seconds', () => {
    // The Okta mappings were written for OCSF 1.3.0 with `time` in seconds.
    for (const name of [
      'account_change',
      'authentication',
      'detection_finding',
      'generic_api_activity',
    ]) {
      const path = resolve(CORPUS, `okta/ocsf-mapped/${name}.expected.ocsf.json`);
      const source = JSON.parse(readFileSync(path, 'utf8'));
      const event = eventOf(JSON.stringify(source), 'ocsf');
      expect(event.class_uid).toBe(source.class_uid);
      expect(event.time).toBe(source.time * 1000);
      expect(event.metadata.version).toBe('1.1.0');
      expect(event.unmapped['metadata.version']).toBe('1.3.0');
    }
  });

  test('unknown class_uid rejected', () => {
    expect(reasonOf({ class_uid: 9999, time: 1 }, 'ocsf')).toBe(
      'class_uid 9999 is not an OCSF 1.1.0 class',
    );
  });
});

describe('malformed input', () => {
  test('truncated Windows XML', () => {
    expect(reasonOf(XML_4624.slice(0, 300), 'XmlWinEventLog:Security')).toBe(
      'invalid Windows XML: unclosed <Keywords> (truncated?)',
    );
  });

  test('Windows XML with mismatched tags', () => {
    expect(reasonOf(XML_4624.replace('</Computer>', '</Channel>'), 'XmlWinEventLog:Security')).toBe(
      'invalid Windows XML: mismatched tags: <Computer> closed by </Channel>',
    );
  });

  test('Windows XML with an unknown entity', () => {
    expect(
      reasonOf(XML_4624.replace('</Computer>', '&nbsp;</Computer>'), 'XmlWinEventLog:Security'),
    ).toMatch(/^invalid Windows XML: unknown or malformed entity/);
  });

  test('Windows XML without EventID', () => {
    expect(
      reasonOf('<Event xmlns="x"><System><Level>0</Level></System></Event>', 'XmlWinEventLog'),
    ).toBe('Windows XML event has no numeric <EventID>');
  });

  test('Zeek TSV line with too few columns', () => {
    expect(reasonOf('1692161622.036086\tCnsu5m395zFmE9ikp4\t192.168.1.41', 'bro_conn')).toBe(
      'Zeek conn TSV line has 3 columns, expected 21',
    );
  });

  test('Zeek TSV header line', () => {
    expect(reasonOf('#fields\tts\tuid', 'bro_conn')).toBe(
      'Zeek TSV header line (starting with #), not an event',
    );
  });

  test('Zeek TSV port that is not a number', () => {
    const columns = corpusLine('zeek/tsv/conn.log', 'Cnsu5m395zFmE9ikp4').split('\t');
    columns[3] = 'http';
    expect(reasonOf(columns.join('\t'), 'bro_conn')).toBe(
      'Zeek conn column id.orig_p is invalid: "http"',
    );
  });

  test('CloudTrail array event', () => {
    expect(reasonOf([1, 2, 3], 'aws:cloudtrail')).toBe(
      'CloudTrail event is an array, expected a JSON object',
    );
  });

  test('CloudTrail text that is not JSON', () => {
    expect(reasonOf('eventVersion=1.08', 'aws:cloudtrail')).toBe(
      'CloudTrail event text is not a JSON object',
    );
  });

  test('CloudTrail Records file', () => {
    const records = { Records: [JSON.parse(CLOUDTRAIL), JSON.parse(CLOUDTRAIL)] };
    expect(reasonOf(records, 'aws:cloudtrail')).toBe(
      'CloudTrail file with 2 Records: send each record as its own event',
    );
  });

  test('binary garbage', () => {
    const garbage = String.fromCharCode(0, 159, 146, 150, 1, 2, 3, 255, 254, 27);
    for (const sourcetype of [
      'httpevent',
      'linux_secure',
      'XmlWinEventLog:Security',
      'bro_dns',
      'aws:cloudtrail',
      'WinEventLog:Security',
      'ocsf',
    ]) {
      const result = run(garbage, sourcetype);
      expect(result.ok, sourcetype).toBe(false);
    }
    expect(reasonOf(garbage, 'httpevent')).toBe(
      'event text is binary data (control characters), not a log line',
    );
    expect(reasonOf('bad \ufffd\ufffd utf8', 'httpevent')).toBe(
      'event text is binary data (invalid UTF-8), not a log line',
    );
  });

  test('console colors are text', () => {
    const line = '\u001b[31mERROR\u001b[0m payment failed\f';
    const result = run(line, 'httpevent');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.event.message).toBe(line);
    expect(reasonOf('one NUL \u0000 in text', 'httpevent')).toBe(
      'event text is binary data (control characters), not a log line',
    );
  });

  test('invalid IP rejected by validation', () => {
    const event = { class_uid: 4001, activity_id: 6, time: 1, src_endpoint: { ip: '999.1.1.1' } };
    expect(reasonOf(event, 'ocsf')).toBe(
      'invalid OCSF event: src_endpoint.ip "999.1.1.1" is not an IPv4 or IPv6 address',
    );
  });

  test('sshd host name as hostname', () => {
    const line =
      'Mar 27 13:08:09 web1 sshd[1]: Accepted password for u from gw.example.org port 22 ssh2';
    expect(eventOf(line, 'linux_secure').src_endpoint).toEqual({
      hostname: 'gw.example.org',
      port: 22,
    });
  });

  test('empty event', () => {
    expect(reasonOf('', 'httpevent')).toBe('event text is empty');
    expect(reasonOf(null, '_json')).toBe('event is missing');
  });
});

describe('Windows XML', () => {
  test('4624 logon with source address', () => {
    const event = eventOf(XML_4624, 'XmlWinEventLog:Security');
    expect(event.class_uid).toBe(3002);
    expect(event.activity_id).toBe(1);
    expect(event.status_id).toBe(1);
    expect(event.time).toBe(Date.parse('2016-07-08T18:15:51.672Z'));
    expect(event.metadata.original_time).toBe('2016-07-08T18:15:51.672433600Z');
    expect(event.user.name).toBe('fsir');
    expect(event.actor.user.name).toBe('WIN-03DLIIOFRRA$');
    expect(event.src_endpoint).toEqual({ ip: '127.0.0.1', port: 0, hostname: 'WIN-03DLIIOFRRA' });
    expect(event.logon_type_id).toBe(2);
    expect(event.actor.process.pid).toBe(0x194);
    expect(event.device.hostname).toBe('WIN-03DLIIOFRRA');
    expect(event.metadata.event_code).toBe('4624');
  });

  test('4672 privilege list', () => {
    const event = eventOf(corpusLine('windows/security.xml', '<EventID>4672<'), 'XmlWinEventLog');
    expect(event.class_uid).toBe(3003);
    expect(event.user.name).toBe('SYSTEM');
    expect(event.privileges.slice(0, 2)).toEqual([
      'SeAssignPrimaryTokenPrivilege',
      'SeTcbPrivilege',
    ]);
    expect(event.privileges).toHaveLength(11);
  });

  test('4732 member added', () => {
    const event = eventOf(corpusLine('windows/security.xml', '<EventID>4732<'), 'XmlWinEventLog');
    expect(event.class_uid).toBe(3006);
    expect(event.activity_id).toBe(3);
    expect(event.group).toEqual({ name: 'Users', domain: 'Builtin', uid: 'S-1-5-32-545' });
    expect(event.user).toEqual({ uid: 'S-1-5-21-2603537626-3982775912-406486804-1000' });
  });

  test('rendered message used', () => {
    const xml = XML_4624.replace(
      '</EventData>',
      '</EventData><RenderingInfo Culture="en-US"><Message>An account was logged on.&#13;&#10;&#13;&#10;Subject:</Message></RenderingInfo>',
    );
    expect(eventOf(xml, 'XmlWinEventLog').message).toBe('An account was logged on.');
  });

  test('event without class as Base Event', () => {
    const event = eventOf(corpusLine('windows/security.xml', '<EventID>4608<'), 'XmlWinEventLog');
    expect(event.class_uid).toBe(0);
    expect(event.activity_name).toBe('EventID 4608');
    expect(event.metadata.event_code).toBe('4608');
    expect(event.message).toBe('Windows event 4608');
  });
});

describe('events nested too deeply', () => {
  test('go to the dead-letter queue with a clear reason', () => {
    const nested = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(reasonOf(nested, '_json')).toBe(
      'the event is nested too deeply to normalize: flatten its arrays and objects',
    );
  });
});
