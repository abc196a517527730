/**
 * Every corpus file of the supported sources normalizes without a failure,
 * with the exact class and activity counts read from the data.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { normalize } from './index.js';
import type { OcsfEvent } from './types.js';

// biome-ignore lint/suspicious/noExplicitAny: assertions walk into arbitrary OCSF JSON.
type Json = Record<string, any>;

const CORPUS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus');

/** 2026-01-05T00:00:00Z: the reference time for syslog lines without a year. */
const RECEIVED_AT = Date.UTC(2026, 0, 5);

/**
 * How a file divides into events: one a line, the whole file, Zeek TSV lines without
 * `#` headers, or syslog lines where lines that start with whitespace continue the event.
 */
type Split = 'lines' | 'whole' | 'tsv' | 'syslog';

/** Splits a corpus file into HEC events the way a forwarder sends them. */
function corpusEvents(path: string, split: Split): string[] {
  const text = readFileSync(resolve(CORPUS, path), 'utf8');
  if (split === 'whole') return [text];
  if (split === 'syslog') {
    const events: string[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      if (/^\s/.test(line) && events.length > 0) events[events.length - 1] += `\n${line}`;
      else events.push(line);
    }
    return events;
  }
  return text
    .split('\n')
    .filter((line) => line !== '' && !(split === 'tsv' && line.startsWith('#')));
}

function normalizeText(event: unknown, sourcetype: string) {
  return normalize({
    event,
    sourcetype,
    source: 'test',
    host: 'test-host',
    index: 'main',
    receivedAt: RECEIVED_AT,
  });
}

interface CorpusCase {
  path: string;
  sourcetype: string;
  split: Split;
  /** Events per `class_uid/activity_id`. */
  counts: Record<string, number>;
}

const CASES: CorpusCase[] = [
  {
    // Counts checked with grep. 3002/1 is 226 Accepted, 717 Failed, 178 Invalid user, 189
    // maximum attempts, 343 PAM auth failures, 141 "PAM N more authentication failures",
    // 1268 PAM sessions opened and 18 su lines.
    // 3002/2 is the 1074 sessions closed, and 1007/1 the 186 sudo COMMAND lines.
    // 3001/3 is 10 passwords changed plus 407 chpasswd "does not exist" failures.
    // 3001/1 is 10 new users plus 30 failed useradd runs. 3006/6 is 10 useradd groups plus
    // one groupadd, which writes 3 lines. 4007/2 is sshd's 303 "Connection closed by", 307
    // "Received disconnect from", 307 "Disconnected from" and 2 "Close session", 4007/3 the 8
    // "Connection reset by". 4007/1 is 17 "Connection from" and 11 "Starting session", 4007/4
    // the 14 "Did not receive identification string", 18 "Bad protocol version identification"
    // and 4 "Unable to negotiate", 4007/7 the 10 "Server listening". The other 1310 lines
    // (systemd-logind, other sshd messages, "check pass") are Base Events.
    path: 'linux/auth.log',
    sourcetype: 'linux_secure',
    split: 'lines',
    counts: {
      '0/99': 1310,
      '4007/1': 28,
      '4007/2': 919,
      '4007/4': 36,
      '4007/7': 10,
      '4007/3': 8,
      '3002/1': 3080,
      '3002/2': 1074,
      '1007/1': 186,
      '3001/1': 40,
      '3001/3': 417,
      '3006/6': 13,
    },
  },
  {
    path: 'windows/security.xml',
    sourcetype: 'XmlWinEventLog:Security',
    split: 'lines',
    counts: {
      '0/99': 1045,
      '3002/1': 628,
      '3002/2': 47,
      '3003/1': 459,
      '3001/1': 2,
      '3001/2': 2,
      '3001/3': 1,
      '3001/4': 1,
      '3001/99': 24,
      '3006/3': 8,
      '3006/4': 1,
      '3006/6': 7,
      '3006/99': 36,
    },
  },
  {
    path: 'cloudtrail/otrf-ec2-proxy-s3-exfiltration.json',
    sourcetype: 'aws:cloudtrail',
    split: 'lines',
    counts: { '6003/2': 98, '3002/1': 5 },
  },
  {
    path: 'zeek/json/conn.log',
    sourcetype: 'zeek:conn:json',
    split: 'lines',
    counts: { '4001/1': 45, '4001/2': 762, '4001/3': 56, '4001/5': 3, '4001/6': 384 },
  },
  {
    path: 'zeek/json/dns.log',
    sourcetype: 'zeek:dns:json',
    split: 'lines',
    counts: { '4003/1': 41, '4003/6': 126 },
  },
  {
    path: 'zeek/json/http.log',
    sourcetype: 'zeek:http:json',
    split: 'lines',
    counts: { '4002/0': 12, '4002/3': 182, '4002/6': 28 },
  },
  {
    path: 'zeek/json/ssh.log',
    sourcetype: 'zeek:ssh:json',
    split: 'lines',
    counts: { '4007/1': 40 },
  },
  {
    path: 'zeek/json/ssl.log',
    sourcetype: 'zeek:ssl:json',
    split: 'lines',
    counts: { '4001/6': 69 },
  },
  {
    path: 'zeek/tsv/conn.log',
    sourcetype: 'bro_conn',
    split: 'tsv',
    counts: { '4001/3': 17, '4001/6': 95 },
  },
  {
    path: 'zeek/tsv/dns.log',
    sourcetype: 'bro_dns',
    split: 'tsv',
    counts: { '4003/1': 27, '4003/6': 69 },
  },
  { path: 'zeek/tsv/http.log', sourcetype: 'bro_http', split: 'tsv', counts: { '4002/0': 3 } },
  { path: 'zeek/tsv/ssl.log', sourcetype: 'bro_ssl', split: 'tsv', counts: { '4001/6': 5 } },
  {
    // 3 events, the first spanning 19 lines; none has a class of its own.
    path: 'syslog/rfc3164/darwin-multiline.log',
    sourcetype: 'syslog',
    split: 'syslog',
    counts: { '0/99': 3 },
  },
  {
    // Includes a space after PRI, a missing program and a year in the timestamp. The two
    // Cynet CEF lines are Detection Findings and the other 10 lines Base Events.
    path: 'syslog/rfc3164/mixed-pri-cef.log',
    sourcetype: 'syslog',
    split: 'lines',
    counts: { '0/99': 10, '2004/1': 2 },
  },
  {
    path: 'syslog/rfc3164/suse-iso8601.log',
    sourcetype: 'syslog',
    split: 'lines',
    counts: { '0/99': 2 },
  },
  {
    // The third line is a PAM session opened by sudo.
    path: 'syslog/rfc3164/tz-offset.log',
    sourcetype: 'syslog',
    split: 'lines',
    counts: { '0/99': 2, '3002/1': 1 },
  },
  {
    // grep of the request methods: 9952 GET, 42 HEAD, 5 POST, 1 OPTIONS.
    path: 'web/apache/access_combined.log',
    sourcetype: 'access_combined',
    split: 'lines',
    counts: { '4002/3': 9952, '4002/4': 42, '4002/6': 5, '4002/5': 1 },
  },
  {
    // The request of a 408 line is "-": activity Unknown.
    path: 'web/apache/darwin-2.4.23.log',
    sourcetype: 'access_common',
    split: 'lines',
    counts: { '4002/3': 5, '4002/0': 1 },
  },
  {
    path: 'web/apache/edge-cases.log',
    sourcetype: 'access_combined',
    split: 'lines',
    counts: { '4002/3': 5, '4002/0': 2 },
  },
  {
    path: 'web/nginx/access.log',
    sourcetype: 'nginx:plus:access',
    split: 'lines',
    counts: { '4002/3': 13 },
  },
  {
    path: 'web/nginx/x-forwarded-for.log',
    sourcetype: 'nginx:plus:access',
    split: 'lines',
    counts: { '4002/3': 6, '4002/0': 1 },
  },
  {
    path: 'okta/ocsf-mapped/account_change.json',
    sourcetype: 'OktaIM2:log',
    split: 'whole',
    counts: { '3001/9': 1 },
  },
  {
    path: 'okta/ocsf-mapped/authentication.json',
    sourcetype: 'OktaIM2:log',
    split: 'whole',
    counts: { '3002/1': 1 },
  },
  {
    path: 'okta/ocsf-mapped/detection_finding.json',
    sourcetype: '_json',
    split: 'whole',
    counts: { '2004/1': 1 },
  },
  {
    path: 'okta/ocsf-mapped/generic_api_activity.json',
    sourcetype: '_json',
    split: 'whole',
    counts: { '6003/1': 1 },
  },
  {
    path: 'cloudtrail/ocsf-mapped/account_change.json',
    sourcetype: '_json',
    split: 'whole',
    counts: { '3001/1': 1 },
  },
  {
    // Firewall actions Accept and Bypass (Traffic) and Drop (Refuse).
    path: 'syslog/cef/checkpoint-cef.log',
    sourcetype: 'cefevents',
    split: 'lines',
    counts: { '4001/6': 2, '4001/5': 1 },
  },
  {
    // One each of alert, flow (state "new"), dns query and http POST.
    path: 'suricata/eve-mixed-types.json',
    sourcetype: 'suricata',
    split: 'lines',
    counts: { '2004/1': 1, '4001/1': 1, '4003/1': 1, '4002/6': 1 },
  },
  {
    path: 'suricata/wrccdc-2018-alerts.json',
    sourcetype: 'suricata',
    split: 'lines',
    counts: { '2004/1': 207 },
  },
  {
    // Counts by EventID from the file. Sysmon: 1 and 5 (process launch and exit), 7 (21
    // image loads), 10 (44 process accesses), 11 (2 files created), 12 (3 CreateKey) and
    // 13 (23 SetValue). Security: 4688/4689, 4656/4658/4663/4690 (15 handle events), 4703
    // (token right adjusted), 5156 (2 connections permitted), 5158 (2 binds) and 1102.
    path: 'windows/otrf-lsass-dumpert-sysmon-security.json',
    sourcetype: '_json',
    split: 'lines',
    counts: {
      '1007/1': 2,
      '1007/2': 2,
      '1007/3': 44,
      '1005/1': 21,
      '1001/1': 2,
      '201001/1': 3,
      '201002/2': 23,
      '201003/1': 15,
      '3003/1': 1,
      '4001/1': 2,
      '4001/99': 2,
      '0/99': 1,
    },
  },
  {
    path: 'aws-securityhub/ocsf-mapped/sechub-guardduty.json',
    sourcetype: 'aws:securityhub:finding',
    split: 'whole',
    counts: { '2004/1': 1 },
  },
  {
    // 5 requests for krbtgt (TGT) and 5 for other services (service tickets).
    path: 'zeek/tsv/kerberos.log',
    sourcetype: 'bro_kerberos',
    split: 'tsv',
    counts: { '3002/3': 5, '3002/4': 5 },
  },
  {
    // files, weird and x509 have no OCSF 1.1.0 class: Base Events with their fields kept.
    path: 'zeek/json/files.log',
    sourcetype: 'zeek:files:json',
    split: 'lines',
    counts: { '0/99': 334 },
  },
  {
    path: 'zeek/json/weird.log',
    sourcetype: 'zeek:weird:json',
    split: 'lines',
    counts: { '0/99': 134 },
  },
  { path: 'zeek/tsv/files.log', sourcetype: 'bro_files', split: 'tsv', counts: { '0/99': 3 } },
  { path: 'zeek/tsv/x509.log', sourcetype: 'bro_x509', split: 'tsv', counts: { '0/99': 1 } },
];

describe('corpus files', () => {
  for (const { path, sourcetype, split, counts } of CASES) {
    test(`${path} class counts`, () => {
      const actual: Record<string, number> = {};
      const failures: string[] = [];
      for (const event of corpusEvents(path, split)) {
        const result = normalizeText(event, sourcetype);
        if (!result.ok) {
          failures.push(result.reason);
          continue;
        }
        const key = `${result.event.class_uid}/${result.event.activity_id}`;
        actual[key] = (actual[key] ?? 0) + 1;
      }
      expect(failures).toEqual([]);
      expect(actual).toEqual(counts);
    });
  }
});

describe('Zeek TSV column layouts', () => {
  const layouts: Record<string, string> = {
    'zeek/tsv/conn.log': 'bro_conn',
    'zeek/tsv/dns.log': 'bro_dns',
    'zeek/tsv/http.log': 'bro_http',
    'zeek/tsv/ssl.log': 'bro_ssl',
  };
  for (const [path, sourcetype] of Object.entries(layouts)) {
    test(`${sourcetype} matches #fields header`, () => {
      const text = readFileSync(resolve(CORPUS, path), 'utf8');
      const header = text.split('\n').find((line) => line.startsWith('#fields\t'))!;
      const names = header.split('\t').slice(1);
      const line = corpusEvents(path, 'tsv')[0]!;
      const values = line.split('\t');
      const result = normalizeText(line, sourcetype);
      expect(result.ok).toBe(true);
      const event = (result as { event: OcsfEvent }).event;
      const src = event.src_endpoint as { ip: string; port: number };
      expect(src.ip).toBe(values[names.indexOf('id.orig_h')]);
      expect(src.port).toBe(Number(values[names.indexOf('id.orig_p')]));
      expect(event.metadata.uid).toBe(values[names.indexOf('uid')]);
      expect(event.time).toBe(Math.round(Number(values[names.indexOf('ts')]) * 1000));
    });
  }
});

describe('every event', () => {
  test('carries the base attributes', () => {
    const samples: [string, string, Split][] = [
      ['linux/auth.log', 'linux_secure', 'lines'],
      ['windows/security.xml', 'XmlWinEventLog:Security', 'lines'],
      ['zeek/json/dns.log', 'zeek:dns:json', 'lines'],
      ['cloudtrail/otrf-ec2-proxy-s3-exfiltration.json', 'aws:cloudtrail', 'lines'],
    ];
    for (const [path, sourcetype, split] of samples) {
      for (const text of corpusEvents(path, split).slice(0, 200)) {
        const result = normalizeText(text, sourcetype);
        if (!result.ok) throw new Error(`${path}: ${result.reason}`);
        const event = result.event;
        expect(event.type_uid).toBe(event.class_uid * 100 + event.activity_id);
        expect(typeof event.class_name).toBe('string');
        expect(typeof event.category_name).toBe('string');
        expect(typeof event.activity_name).toBe('string');
        expect(typeof event.severity).toBe('string');
        expect(event.metadata.version).toBe('1.1.0');
        expect(typeof event.metadata.original_time).toBe('string');
        expect(typeof event.message).toBe('string');
      }
    }
  });
});

describe('Suricata alerts', () => {
  test('severity from alert severity', () => {
    // grep counts: 76 alerts of severity 1, 82 of 2, 49 of 3.
    const bySeverity: Record<number, number> = {};
    for (const line of corpusEvents('suricata/wrccdc-2018-alerts.json', 'lines')) {
      const result = normalizeText(line, '_json');
      if (!result.ok) throw new Error(result.reason);
      bySeverity[result.event.severity_id] = (bySeverity[result.event.severity_id] ?? 0) + 1;
    }
    expect(bySeverity).toEqual({ 4: 76, 3: 82, 2: 49 });
  });

  test('alert fields', () => {
    const line = corpusEvents('suricata/eve-mixed-types.json', 'lines')[0]!;
    const result = normalizeText(line, 'suricata');
    if (!result.ok) throw new Error(result.reason);
    const event = result.event as Json;
    expect(event.finding_info.title).toBe('Corrupted HTTP body');
    expect(event.finding_info.uid).toBe('6');
    expect(event.time).toBe(Date.parse('2021-05-30T18:07:13.208Z'));
    expect(event.src_endpoint).toEqual({ ip: '10.0.0.5', port: 18715 });
    expect(event.evidences[0].dst_endpoint).toEqual({ ip: '179.60.192.3', port: 80 });
    expect(event.action_id).toBe(1);
    expect(event.severity_id).toBe(2);
  });
});

describe('access logs', () => {
  test('proxy chain and virtual host', () => {
    const lines = corpusEvents('web/nginx/x-forwarded-for.log', 'lines');
    const chain = normalizeText(lines[4]!, 'nginx:plus:access');
    if (!chain.ok) throw new Error(chain.reason);
    const event = chain.event as Json;
    expect(event.src_endpoint).toEqual({ ip: '10.2.1.185' });
    expect(event.http_request.x_forwarded_for).toEqual([
      '10.5.102.222',
      '199.96.1.1',
      '204.246.1.1',
    ]);
    expect(event.time).toBe(Date.UTC(2016, 0, 22, 13, 18, 29));
    expect(event.http_request.url).toEqual({
      url_string: '/assets/xxxx?q=100',
      path: '/assets/xxxx',
      query_string: 'q=100',
    });
    expect(event.metadata.product.name).toBe('nginx');

    const vhost = normalizeText(
      corpusEvents('web/nginx/access.log', 'lines').at(-1)!,
      'nginx:plus:access',
    );
    if (!vhost.ok) throw new Error(vhost.reason);
    expect((vhost.event as Json).dst_endpoint).toEqual({ hostname: 'lessons.example.com' });
    expect((vhost.event as Json).http_response).toEqual({ code: 206, length: 7648063 });
    expect(vhost.event.time).toBe(Date.UTC(2020, 5, 9, 19, 10, 39));
  });
});
