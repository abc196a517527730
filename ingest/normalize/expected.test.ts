/**
 * Compares normalizer output with the published OCSF mappings in the corpus
 * (`*.expected.ocsf.json`). Those mappings were written for several OCSF
 * versions and contain slips, so each test checks the main attributes and
 * states where this project follows OCSF 1.1.0 or the source instead.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { normalize } from './index.js';
import type { OcsfEvent } from './types.js';

const CORPUS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus');

// biome-ignore lint/suspicious/noExplicitAny: assertions walk into arbitrary OCSF JSON.
type Json = Record<string, any>;

function load(path: string, sourcetype: string): { actual: Json; expected: Json } {
  const raw = readFileSync(resolve(CORPUS, path), 'utf8');
  const result = normalize({
    event: raw,
    sourcetype,
    source: path,
    host: 'test-host',
    index: 'main',
    receivedAt: Date.UTC(2026, 0, 5),
  });
  if (!result.ok) throw new Error(`${path}: ${result.reason}`);
  const expectedPath = path.replace(/\.(json|event)$/, '.expected.ocsf.json');
  const expected = JSON.parse(readFileSync(resolve(CORPUS, expectedPath), 'utf8')) as Json;
  return { actual: result.event as OcsfEvent as Json, expected };
}

/** Hours between US Eastern local time, which the Windows mappings used, and UTC. */
const HOUR = 3_600_000;

describe('Windows classic rendering', () => {
  test('4624 logon', () => {
    const { actual, expected } = load('windows/ocsf-mapped/4624_0.event', 'WinEventLog:Security');
    expect(actual.class_uid).toBe(expected.class_uid);
    expect(actual.activity_id).toBe(expected.activity_id);
    expect(actual.severity_id).toBe(expected.severity_id);
    expect(actual.status_id).toBe(expected.status_id);
    expect(actual.message).toBe(expected.message);
    // The text rendering has no time zone: the mapping read it as US Eastern (UTC-5 in
    // March 2021), this project reads it as UTC.
    expect(actual.time).toBe(expected.time - 5 * HOUR);
    expect(actual.metadata.original_time).toBe(expected.metadata.original_time);
    expect(actual.user.name).toBe(expected.user.name);
    expect(actual.user.domain).toBe(expected.user.domain);
    expect(actual.user.uid).toBe(expected.user.uid);
    expect(actual.actor.user.name).toBe(expected.actor.user.name);
    expect(actual.actor.process.pid).toBe(expected.actor.process.pid);
    expect(actual.actor.process.file.path).toBe(expected.actor.process.file.path);
    expect(actual.logon_type_id).toBe(expected.logon_type_id);
    // Windows pads logon process names to 8 characters ("Advapi  "); the padding is dropped.
    expect(actual.logon_process.name).toBe(expected.logon_process.name.trimEnd());
    expect(actual.session.uid).toBe(expected.session.uid);
    expect(actual.dst_endpoint.hostname).toBe(expected.dst_endpoint.hostname);
    // The mapping wrote "-" as src_endpoint.ip and port 0; "-" is not an IP address, so
    // this project leaves the source endpoint out.
    expect(expected.src_endpoint.ip).toBe('-');
    expect(actual.src_endpoint).toBeUndefined();
  });

  test('4625 failed logon', () => {
    const { actual, expected } = load('windows/ocsf-mapped/4625_0.event', 'WinEventLog:Security');
    expect(actual.class_uid).toBe(expected.class_uid);
    expect(actual.activity_id).toBe(expected.activity_id);
    expect(actual.severity_id).toBe(expected.severity_id);
    expect(actual.status_id).toBe(expected.status_id);
    expect(actual.message).toBe(expected.message);
    // US Eastern daylight time (UTC-4) in the mapping, UTC here.
    expect(actual.time).toBe(expected.time - 4 * HOUR);
    expect(actual.user.name).toBe(expected.user.name);
    expect(actual.user.domain).toBe(expected.user.domain);
    expect(actual.status_detail).toBe('Unknown user name or bad password. 0xC000006D 0xC000006A');
    expect(actual.logon_type_id).toBe(expected.logon_type_id);
    // Workstation name as the source host name, as in the mapping; its "-" IP is left out.
    expect(actual.src_endpoint).toEqual({ hostname: expected.src_endpoint.name });
    expect(actual.dst_endpoint.hostname).toBe(expected.dst_endpoint.hostname);
  });

  test('4688 process creation', () => {
    const { actual, expected } = load('windows/ocsf-mapped/4688_0.event', 'WinEventLog:Security');
    expect(actual.class_uid).toBe(expected.class_uid);
    expect(actual.activity_id).toBe(expected.activity_id);
    expect(actual.severity_id).toBe(expected.severity_id);
    expect(actual.status_id).toBe(expected.status_id);
    expect(actual.message).toBe(expected.message);
    expect(actual.time).toBe(expected.time - 5 * HOUR);
    expect(actual.process.pid).toBe(expected.process.pid);
    expect(actual.process.name).toBe(expected.process.file.name);
    expect(actual.process.file.path).toBe(expected.process.file.path);
    expect(actual.process.cmd_line).toBe(expected.process.cmd_line);
    expect(actual.actor.process.pid).toBe(expected.actor.process.pid);
    expect(actual.actor.process.file.path).toBe(expected.actor.process.file.path);
    expect(actual.actor.user.name).toBe(expected.actor.user.name);
    expect(actual.actor.user.domain).toBe(expected.actor.user.domain);
    expect(actual.actor.session.uid).toBe(expected.actor.session.uid);
  });

  test('4689 process exit', () => {
    const { actual, expected } = load('windows/ocsf-mapped/4689_0.event', 'WinEventLog:Security');
    expect(actual.class_uid).toBe(expected.class_uid);
    expect(actual.activity_id).toBe(expected.activity_id);
    expect(actual.severity_id).toBe(expected.severity_id);
    expect(actual.status_id).toBe(expected.status_id);
    expect(actual.message).toBe(expected.message);
    expect(actual.time).toBe(expected.time - 4 * HOUR);
    expect(actual.process.pid).toBe(expected.process.pid);
    expect(actual.process.file.path).toBe(expected.process.file.path);
    expect(actual.actor.user.name).toBe(expected.actor.user.name);
    expect(actual.actor.user.uid).toBe(expected.actor.user.uid);
    expect(actual.exit_code).toBe(0);
  });

  test('4663 object access', () => {
    const { actual, expected } = load('windows/ocsf-mapped/4663_0.event', 'WinEventLog:Security');
    // The mapping used rc.2 class 1010; OCSF 1.1.0 moved it to the Windows extension as
    // win/resource_activity, uid 201003.
    expect(expected.class_uid).toBe(1010);
    expect(actual.class_uid).toBe(201003);
    expect(actual.category_uid).toBe(1);
    expect(actual.activity_id).toBe(expected.activity_id);
    expect(actual.severity_id).toBe(expected.severity_id);
    expect(actual.status_id).toBe(expected.status_id);
    expect(actual.message).toBe(expected.message);
    expect(actual.time).toBe(expected.time - 5 * HOUR);
    expect(actual.actor.user.name).toBe(expected.actor.user.name);
    expect(actual.actor.process.pid).toBe(expected.actor.process.pid);
    expect(actual.win_resource.name).toBe(
      '\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001\\Services\\EventLog\\Security',
    );
  });
});

describe('CloudTrail', () => {
  test('CreateUser account change', () => {
    const { actual, expected } = load(
      'cloudtrail/ocsf-mapped/account_change.json',
      'aws:cloudtrail',
    );
    expect(actual.class_uid).toBe(expected.class_uid);
    expect(actual.activity_id).toBe(expected.activity_id);
    expect(actual.time).toBe(expected.time);
    expect(actual.severity_id).toBe(expected.severity_id);
    expect(actual.user).toEqual(expected.user);
    expect(actual.src_endpoint).toEqual(expected.src_endpoint);
    expect(actual.api.operation).toBe(expected.api.operation);
    expect(actual.actor.user.uid).toBe(expected.actor.user.uid);
    expect(actual.actor.user.credential_uid).toBe(expected.actor.user.credential_uid);
    expect(actual.actor.session.issuer).toBe(expected.actor.session.issuer);
    expect(actual.actor.session.is_mfa).toBe(expected.actor.session.is_mfa);
    // The mapping has no actor name for an assumed role; the role session name is the one
    // analysts search for, so this project fills it.
    expect(actual.actor.user.name).toBe('Admin-user');
    expect(actual.metadata.uid).toBe(expected.metadata.uid);
    // The mapping has no status for a call without errorCode; CloudTrail records only
    // completed calls there, so this project sets Success.
    expect(actual.status_id).toBe(1);
  });

  test('ConsoleLogin authentication', () => {
    const { actual, expected } = load(
      'cloudtrail/ocsf-mapped/authentication.json',
      'aws:cloudtrail',
    );
    expect(actual.class_uid).toBe(expected.class_uid);
    expect(actual.activity_id).toBe(expected.activity_id);
    expect(actual.time).toBe(expected.time);
    expect(actual.severity_id).toBe(expected.severity_id);
    expect(actual.user.uid).toBe(expected.user.uid);
    expect(actual.user.uid_alt).toBe(expected.user.uid_alt);
    expect(actual.user.name).toBe('anaya');
    expect(actual.actor.user.name).toBe(expected.actor.user.name);
    expect(actual.src_endpoint).toEqual(expected.src_endpoint);
    expect(actual.dst_endpoint.svc_name).toBe(expected.dst_endpoint.svc_name);
    expect(actual.status_id).toBe(1);
  });

  test('Describe call as API Activity read', () => {
    const { actual, expected } = load(
      'cloudtrail/ocsf-mapped/generic_api_activity.json',
      'aws:cloudtrail',
    );
    expect(actual.class_uid).toBe(expected.class_uid);
    expect(actual.activity_id).toBe(expected.activity_id);
    expect(actual.time).toBe(expected.time);
    expect(actual.severity_id).toBe(expected.severity_id);
    expect(actual.actor.user.name).toBe(expected.actor.user.name);
    expect(actual.actor.user.uid).toBe(expected.actor.user.uid);
    expect(actual.src_endpoint).toEqual(expected.src_endpoint);
    expect(actual.api.operation).toBe(expected.api.operation);
    expect(actual.api.service.name).toBe(expected.api.service.name);
    expect(actual.api.request.uid).toBe(expected.api.request.uid);
  });
});

describe('Zeek (Corelight JSON)', () => {
  // The Zeek mappings were written for OCSF 1.3.0 with `time` in seconds that does not
  // match the record's `ts` (conn: 04:27:01 for a ts of 04:07:01.489619). This project
  // takes `ts`, in milliseconds.
  const cases: [string, string, string][] = [
    ['conn', 'zeek:conn:json', '2024-10-16T04:07:01.489Z'],
    ['dns', 'zeek:dns:json', '2024-10-18T14:30:29.145Z'],
    ['http', 'zeek:http:json', '2024-10-16T02:43:57.734Z'],
    ['ssh', 'zeek:ssh:json', '2024-10-16T04:54:04.474Z'],
    ['ssl', 'zeek:ssl:json', '2024-10-18T13:57:30.489Z'],
  ];
  for (const [log, sourcetype, time] of cases) {
    test(`${log} log endpoints and class`, () => {
      const { actual, expected } = load(`zeek/ocsf-mapped/${log}_log.json`, sourcetype);
      expect(actual.class_uid).toBe(expected.class_uid);
      expect(actual.severity_id).toBe(expected.severity_id);
      expect(actual.time).toBe(Date.parse(time));
      expect(actual.src_endpoint.ip).toBe(expected.src_endpoint.ip);
      expect(actual.src_endpoint.port).toBe(expected.src_endpoint.port);
      expect(actual.dst_endpoint.ip).toBe(expected.dst_endpoint.ip);
      expect(actual.dst_endpoint.port).toBe(expected.dst_endpoint.port);
      expect(actual.metadata.uid).toBe(expected.metadata.uid);
    });
  }

  test('conn activity and traffic', () => {
    const { actual, expected } = load('zeek/ocsf-mapped/conn_log.json', 'zeek:conn:json');
    expect(actual.activity_id).toBe(expected.activity_id);
    expect(actual.traffic).toEqual(expected.traffic);
    expect(actual.connection_info.protocol_name).toBe(expected.connection_info.protocol_name);
  });

  test('dns query and answers', () => {
    const { actual, expected } = load('zeek/ocsf-mapped/dns_log.json', 'zeek:dns:json');
    // The mapping left activity_id out; a Zeek dns record pairs query and response, which
    // OCSF 1.1.0 calls Traffic (6).
    expect(expected.activity_id).toBeUndefined();
    expect(actual.activity_id).toBe(6);
    expect(actual.status_id).toBe(expected.status_id);
    expect(actual.query).toEqual(expected.query);
    expect(actual.rcode_id).toBe(expected.rcode_id);
    expect(actual.answers.map((answer: Json) => [answer.rdata, answer.ttl])).toEqual(
      expected.answers.map((answer: Json) => [answer.rdata, answer.ttl]),
    );
  });

  test('http request and response', () => {
    const { actual, expected } = load('zeek/ocsf-mapped/http_log.json', 'zeek:http:json');
    expect(actual.activity_id).toBe(expected.activity_id);
    expect(actual.http_request.http_method).toBe(expected.http_request.http_method);
    expect(actual.http_request.url.hostname).toBe(expected.http_request.url.hostname);
    expect(actual.http_request.url.path).toBe(expected.http_request.url.path);
    expect(actual.http_request.url.url_string).toBe(
      'http://lifeisnetwork.com/wp-includes/css/wp-config.php',
    );
    expect(actual.http_request.user_agent).toBe(expected.http_request.user_agent);
    expect(actual.http_response.code).toBe(expected.http_response.code);
    expect(actual.http_response.status).toBe(expected.http_response.status);
  });

  test('ssh activity', () => {
    const { actual, expected } = load('zeek/ocsf-mapped/ssh_log.json', 'zeek:ssh:json');
    // The 1.3.0 mapping used activity 99 "Authorization Successful"; OCSF 1.1.0 SSH Activity
    // has Open (1) for a session and the outcome in status_id.
    expect(expected.activity_id).toBe(99);
    expect(actual.activity_id).toBe(1);
    expect(actual.status_id).toBe(1);
    expect(actual.connection_info.direction_id).toBe(expected.connection_info.direction_id);
  });

  test('ssl activity', () => {
    const { actual, expected } = load('zeek/ocsf-mapped/ssl_log.json', 'zeek:ssl:json');
    expect(actual.activity_id).toBe(expected.activity_id);
    expect(actual.tls.sni).toBe('code.yengo.com');
  });
});

describe('Okta System Log', () => {
  // The Okta mappings were written for OCSF 1.3.0 with `time` in seconds; this project
  // writes milliseconds.
  const sourcetype = 'OktaIM2:log';

  test('account lock', () => {
    const { actual, expected } = load('okta/ocsf-mapped/account_change.json', sourcetype);
    expect(actual.class_uid).toBe(expected.class_uid);
    expect(actual.activity_id).toBe(expected.activity_id);
    expect(actual.status_id).toBe(expected.status_id);
    // `published` is 2023-09-30T10:42:16.000Z, but the mapping's time is the same moment in
    // 2024 (366 days later); this project keeps the event's own time.
    expect(actual.time).toBe(Date.parse('2023-09-30T10:42:16.000Z'));
    expect(expected.time * 1000 - actual.time).toBe(366 * 86_400_000);
    expect(actual.message).toBe(expected.message);
    expect(actual.user).toEqual(expected.user);
    expect(actual.actor.user).toEqual(expected.actor.user);
    expect(actual.src_endpoint.ip).toBe(expected.src_endpoint.ip);
    // The mapping gave Okta's DEBUG severity as Unknown (0); this project reads DEBUG and
    // INFO as Informational (1).
    expect(expected.severity_id).toBe(0);
    expect(actual.severity_id).toBe(1);
  });

  test('session start', () => {
    const { actual, expected } = load('okta/ocsf-mapped/authentication.json', sourcetype);
    expect(actual.class_uid).toBe(expected.class_uid);
    expect(actual.activity_id).toBe(expected.activity_id);
    expect(actual.status_id).toBe(expected.status_id);
    expect(actual.severity_id).toBe(expected.severity_id);
    expect(actual.time).toBe(Date.parse('2024-08-13T15:58:20.353Z'));
    expect(Math.floor(actual.time / 1000)).toBe(expected.time);
    expect(actual.message).toBe(expected.message);
    expect(actual.user).toEqual(expected.user);
    expect(actual.actor.user.name).toBe(expected.actor.user.name);
    expect(actual.src_endpoint.ip).toBe(expected.src_endpoint.ip);
  });

  test('threat detected', () => {
    const { actual, expected } = load('okta/ocsf-mapped/detection_finding.json', sourcetype);
    expect(actual.class_uid).toBe(expected.class_uid);
    expect(actual.activity_id).toBe(expected.activity_id);
    expect(actual.message).toBe(expected.message);
    expect(actual.finding_info.title).toBe(expected.finding_info.title);
    expect(actual.finding_info.uid).toBe(expected.finding_info.uid);
    expect(Math.floor(actual.time / 1000)).toBe(expected.time);
    // The mapping left status out and gave WARN as Unknown severity; this project reads the
    // DENY outcome as Failure and WARN as Medium (3).
    expect(actual.status_id).toBe(2);
    expect(actual.severity_id).toBe(3);
  });

  test('API token created', () => {
    const { actual, expected } = load('okta/ocsf-mapped/generic_api_activity.json', sourcetype);
    expect(actual.class_uid).toBe(expected.class_uid);
    expect(actual.activity_id).toBe(expected.activity_id);
    expect(actual.status_id).toBe(expected.status_id);
    expect(actual.severity_id).toBe(expected.severity_id);
    expect(Math.floor(actual.time / 1000)).toBe(expected.time);
    expect(actual.message).toBe(expected.message);
    expect(actual.actor.user).toEqual(expected.actor.user);
    expect(actual.src_endpoint.ip).toBe(expected.src_endpoint.ip);
    expect(actual.api.operation).toBe('system.api_token.create');
  });
});

describe('AWS Security Hub (ASFF)', () => {
  test('GuardDuty finding as Detection Finding', () => {
    const { actual, expected } = load('aws-securityhub/ocsf-mapped/sechub-guardduty.json', '_json');
    expect(actual.class_uid).toBe(expected.class_uid);
    expect(actual.category_uid).toBe(expected.category_uid);
    expect(actual.activity_id).toBe(expected.activity_id);
    expect(actual.type_uid).toBe(expected.type_uid);
    expect(actual.severity_id).toBe(expected.severity_id);
    expect(actual.time).toBe(expected.time);
    expect(actual.status).toBe(expected.status);
    // OCSF 1.1.0 Detection Finding has status_id 1 (New) for status "New"; the mapping left it out.
    expect(actual.status_id).toBe(1);
    expect(actual.finding_info.uid).toBe(expected.finding_info.uid);
    expect(actual.finding_info.title).toBe(expected.finding_info.title);
    expect(actual.finding_info.desc).toBe(expected.finding_info.desc);
    expect(actual.finding_info.types).toEqual(expected.finding_info.types);
    expect(actual.finding_info.src_url).toBe(expected.finding_info.src_url);
    // The mapping wrote the *_time_dt profile attributes; this project writes the epoch
    // milliseconds attributes of the same instants.
    expect(actual.finding_info.created_time).toBe(
      Date.parse(expected.finding_info.created_time_dt),
    );
    expect(actual.finding_info.first_seen_time).toBe(
      Date.parse(expected.finding_info.first_seen_time_dt),
    );
    expect(actual.cloud).toEqual(expected.cloud);
    expect(actual.metadata.product.name).toBe(expected.metadata.product.name);
    expect(actual.metadata.product.vendor_name).toBe(expected.metadata.product.vendor_name);
    expect(actual.metadata.product.uid).toBe(expected.metadata.product.uid);
    expect(actual.metadata.log_version).toBe(expected.metadata.log_version);
    const resource = expected.resources[0];
    expect(actual.resources[0]).toEqual(resource);
    const evidence = actual.evidences[0];
    expect(evidence.api).toEqual(expected.evidences[0].api);
    expect(evidence.src_endpoint.ip).toBe(expected.evidences[0].src_endpoint.ip);
    // Coordinates as [longitude, latitude] from the text; the mapping rounded -100.822.
    expect(evidence.src_endpoint.location.coordinates).toEqual([-100.822, 37.751]);
    expect(evidence.src_endpoint.location.country).toBe('United States');
    // The empty city name and the empty evidence data of the mapping are left out.
    expect(evidence.src_endpoint.location.city).toBeUndefined();
    for (const observable of expected.observables) {
      expect(actual.observables).toContainEqual(observable);
    }
  });
});
