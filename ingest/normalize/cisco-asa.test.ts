import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { normalize } from './index.js';
import type { NormalizeResult } from './types.js';

// biome-ignore lint/suspicious/noExplicitAny: assertions walk into arbitrary OCSF JSON.
type Json = Record<string, any>;

const CORPUS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus');

/** 2024-01-20T00:00:00Z: the reference time for timestamps without a year. */
const RECEIVED_AT = Date.UTC(2024, 0, 20);

function run(event: unknown, sourcetype = 'cisco:asa'): NormalizeResult {
  return normalize({
    event,
    sourcetype,
    source: 'udp:514',
    host: 'syslog-relay',
    index: 'main',
    receivedAt: RECEIVED_AT,
  });
}

function asa(line: string, sourcetype = 'cisco:asa'): Json {
  const result = run(line, sourcetype);
  if (!result.ok) throw new Error(result.reason);
  expect(result.normalizer).toBe('cisco-asa');
  return result.event;
}

// The corpus has no Cisco ASA sample. These lines follow the message formats of Cisco's ASA
// syslog message guide, with the header forms that `logging timestamp`, `logging device-id`
// and syslog relays produce.

describe('Cisco ASA header', () => {
  const text = '%ASA-6-611101: User authentication succeeded: IP address: 10.1.1.5, Uname: admin';
  const cases: [string, string, number, string | undefined, string | undefined][] = [
    [
      'PRI and timestamp with year',
      `<166>Jan 18 2024 11:07:53: ${text}`,
      Date.UTC(2024, 0, 18, 11, 7, 53),
      'Jan 18 2024 11:07:53',
      undefined,
    ],
    [
      'device id after timestamp',
      `<166>Jan 18 2024 11:07:53 asa01 : ${text}`,
      Date.UTC(2024, 0, 18, 11, 7, 53),
      'Jan 18 2024 11:07:53',
      'asa01',
    ],
    [
      'relay header without year',
      `Jan  8 11:07:53 asa01 ${text}`,
      Date.UTC(2024, 0, 8, 11, 7, 53),
      'Jan  8 11:07:53',
      'asa01',
    ],
    [
      'relay header before device timestamp',
      `Jan 18 11:07:54 10.0.0.1 Jan 18 2024 11:07:52: ${text}`,
      Date.UTC(2024, 0, 18, 11, 7, 52),
      'Jan 18 2024 11:07:52',
      '10.0.0.1',
    ],
    [
      'RFC 5424 timestamp',
      `<166>2024-01-18T11:07:53.250Z asa01 : ${text}`,
      Date.UTC(2024, 0, 18, 11, 7, 53, 250),
      '2024-01-18T11:07:53.250Z',
      'asa01',
    ],
    [
      'RFC 5424 relay with nil fields',
      `<166>1 2024-01-18T11:07:53Z asa01 - - - - ${text}`,
      Date.UTC(2024, 0, 18, 11, 7, 53),
      '2024-01-18T11:07:53Z',
      'asa01',
    ],
    ['no header', text, RECEIVED_AT, undefined, undefined],
  ];
  for (const [name, line, time, stamp, host] of cases) {
    test(name, () => {
      const event = asa(line);
      expect(event.time).toBe(time);
      expect(event.metadata.original_time).toBe(stamp);
      expect(event.device?.hostname).toBe(host);
      expect(event.class_uid).toBe(3002);
      expect(event.metadata.event_code).toBe('611101');
      expect(event.metadata.log_level).toBe('informational');
      expect(event.metadata.product).toEqual({ name: 'ASA', vendor_name: 'Cisco' });
      expect(event.message).toBe(
        'User authentication succeeded: IP address: 10.1.1.5, Uname: admin',
      );
    });
  }

  test('device is a firewall', () => {
    const event = asa(`<166>Jan 18 2024 11:07:53 asa01 : ${text}`);
    expect(event.device).toEqual({ hostname: 'asa01', type_id: 9, type: 'Firewall' });
  });
});

describe('Cisco ASA routing', () => {
  const line =
    '<164>Jan 18 2024 11:08:01 asa01 : %ASA-4-106023: Deny tcp src outside:198.51.100.7/51234 dst inside:10.1.1.20/3389 by access-group "outside_access_in" [0x0, 0x0]';

  for (const sourcetype of ['cisco:asa', 'syslog', '_json', '', 'acme:firewall']) {
    test(`sourcetype "${sourcetype}"`, () => {
      expect(asa(line, sourcetype).class_uid).toBe(4001);
    });
  }

  test('FTD line from corpus', () => {
    const text = readFileSync(resolve(CORPUS, 'syslog/rfc3164/mixed-pri-cef.log'), 'utf8');
    const ftd = text.split('\n').find((entry) => entry.includes('%FTD-'))!;
    const event = asa(ftd, 'syslog');
    expect(event.class_uid).toBe(0);
    expect(event.activity_id).toBe(99);
    expect(event.activity_name).toBe('419002');
    expect(event.metadata.product).toEqual({
      name: 'Firepower Threat Defense',
      vendor_name: 'Cisco',
    });
    expect(event.time).toBe(Date.UTC(2024, 0, 18, 11, 50, 3));
    expect(event.device.hostname).toBe('firepower');
    expect(event.severity_id).toBe(2);
    expect(event.unmapped).toEqual({
      message_id: '419002',
      level: 4,
      text: 'Duplicate TCP SYN from outside:84.241.12.18/59821 to inside:134.40.10.168/8192 with different initial sequence number',
    });
  });

  test('line without tag kept', () => {
    const event = asa('Jan 18 11:07:53 asa01 logging started');
    expect(event.class_uid).toBe(0);
    expect(event.message).toBe('Jan 18 11:07:53 asa01 logging started');
    expect(event.time).toBe(RECEIVED_AT);
  });

  test('empty line rejected', () => {
    expect(run(' ')).toEqual({ ok: false, reason: 'event text is empty', normalizer: 'cisco-asa' });
  });
});

describe('Cisco ASA unknown messages', () => {
  test('unknown id as Base Event', () => {
    const event = asa(
      '<166>Jan 18 2024 11:09:00 asa01 : %ASA-6-305011: Built dynamic TCP translation from inside:10.1.1.20/51234 to outside:198.51.100.1/51234',
    );
    expect(event.class_uid).toBe(0);
    expect(event.type_uid).toBe(99);
    expect(event.severity_id).toBe(1);
    expect(event.metadata.event_code).toBe('305011');
    expect(event.metadata.original_time).toBe('Jan 18 2024 11:09:00');
    expect(event.device.hostname).toBe('asa01');
    expect(event.message).toBe(
      'Built dynamic TCP translation from inside:10.1.1.20/51234 to outside:198.51.100.1/51234',
    );
    expect(event.unmapped.message_id).toBe('305011');
    expect(event.unmapped.text).toBe(event.message);
  });

  test('known id in unknown form', () => {
    const event = asa('Jan 18 11:07:53 asa01 %ASA-6-302013: Built outbound TCP connection');
    expect(event.class_uid).toBe(0);
    expect(event.unmapped).toEqual({
      message_id: '302013',
      level: 6,
      text: 'Built outbound TCP connection',
    });
  });
});

describe('Cisco ASA access decisions', () => {
  test('106023 deny by access-group', () => {
    const event = asa(
      '<164>Jan 18 2024 11:08:01 asa01 : %ASA-4-106023: Deny tcp src outside:198.51.100.7/51234 dst inside:10.1.1.20/3389 by access-group "outside_access_in" [0x0, 0x0]',
    );
    expect(event.class_uid).toBe(4001);
    expect(event.activity_id).toBe(5);
    expect(event.action_id).toBe(2);
    expect(event.action).toBe('Denied');
    expect(event.disposition_id).toBe(2);
    expect(event.disposition).toBe('Blocked');
    expect(event.severity_id).toBe(2);
    expect(event.src_endpoint).toEqual({
      ip: '198.51.100.7',
      port: 51234,
      interface_name: 'outside',
    });
    expect(event.dst_endpoint).toEqual({ ip: '10.1.1.20', port: 3389, interface_name: 'inside' });
    expect(event.connection_info).toEqual({ protocol_name: 'tcp' });
    expect(event.firewall_rule).toEqual({ name: 'outside_access_in' });
    expect(event.unmapped).toBeUndefined();
  });

  test('106023 icmp with type and code', () => {
    const event = asa(
      '%ASA-4-106023: Deny icmp src outside:198.51.100.7 dst inside:10.1.1.20 (type 8, code 0) by access-group "outside_access_in" [0x9d6b5c1a, 0x0]',
    );
    expect(event.src_endpoint).toEqual({ ip: '198.51.100.7', interface_name: 'outside' });
    expect(event.dst_endpoint).toEqual({ ip: '10.1.1.20', interface_name: 'inside' });
    expect(event.firewall_rule).toEqual({ name: 'outside_access_in', uid: '0x9d6b5c1a' });
    expect(event.unmapped).toEqual({ icmp_type: '8', icmp_code: '0' });
  });

  test('106023 IPv6 and identity user', () => {
    const event = asa(
      '%ASA-4-106023: Deny udp src outside:2001:db8::7/5353 dst inside:2001:db8:1::20/53(CORP\\jdoe) by access-group "outside_access_in_v6" [0x0, 0x0]',
    );
    expect(event.src_endpoint.ip).toBe('2001:db8::7');
    expect(event.dst_endpoint).toEqual({
      ip: '2001:db8:1::20',
      port: 53,
      interface_name: 'inside',
    });
    expect(event.unmapped).toEqual({ dst_user: 'CORP\\jdoe' });
  });

  test('106100 permitted and denied', () => {
    const permitted = asa(
      '%ASA-6-106100: access-list outside_access_in permitted tcp outside/198.51.100.7(51234) -> inside/10.1.1.20(443) hit-cnt 1 first hit [0x9d6b5c1a, 0x0]',
    );
    expect(permitted.activity_id).toBe(6);
    expect(permitted.action_id).toBe(1);
    expect(permitted.disposition_id).toBe(1);
    expect(permitted.count).toBe(1);
    expect(permitted.status_detail).toBe('permitted');
    expect(permitted.firewall_rule).toEqual({ name: 'outside_access_in', uid: '0x9d6b5c1a' });
    expect(permitted.src_endpoint).toEqual({
      ip: '198.51.100.7',
      port: 51234,
      interface_name: 'outside',
    });
    expect(permitted.unmapped).toEqual({ hit_interval: 'first hit' });
    const denied = asa(
      '%ASA-6-106100: access-list inside_access_in denied udp inside/10.1.1.20(137) -> outside/203.0.113.255(137) hit-cnt 5 300-second interval [0x1f2c3d4e, 0x0]',
    );
    expect(denied.activity_id).toBe(5);
    expect(denied.action_id).toBe(2);
    expect(denied.count).toBe(5);
    expect(denied.dst_endpoint.port).toBe(137);
  });

  test('106100 icmp type and code', () => {
    const event = asa(
      '%ASA-6-106100: access-list outside_access_in permitted icmp outside/198.51.100.7(8) -> inside/10.1.1.20(0) hit-cnt 1 first hit [0x9d6b5c1a, 0x0]',
    );
    expect(event.src_endpoint).toEqual({ ip: '198.51.100.7', interface_name: 'outside' });
    expect(event.unmapped.icmp_type).toBe('8');
    expect(event.unmapped.icmp_code).toBe('0');
  });

  test('106001 inbound connection denied', () => {
    const event = asa(
      '%ASA-2-106001: Inbound TCP connection denied from 198.51.100.7/51234 to 203.0.113.5/23 flags SYN  on interface outside',
    );
    expect(event.activity_id).toBe(5);
    expect(event.action_id).toBe(2);
    expect(event.severity_id).toBe(4);
    expect(event.src_endpoint).toEqual({
      ip: '198.51.100.7',
      port: 51234,
      interface_name: 'outside',
    });
    expect(event.dst_endpoint).toEqual({ ip: '203.0.113.5', port: 23 });
    expect(event.unmapped).toEqual({ tcp_flags: 'SYN' });
  });

  test('106006 and 106007 inbound UDP denied', () => {
    const onInterface = asa(
      '%ASA-2-106006: Deny inbound UDP from 198.51.100.7/5060 to 203.0.113.5/5060 on interface outside',
    );
    expect(onInterface.activity_id).toBe(5);
    expect(onInterface.connection_info).toEqual({
      protocol_name: 'udp',
      direction_id: 1,
      direction: 'Inbound',
    });
    expect(onInterface.src_endpoint.interface_name).toBe('outside');
    const dns = asa(
      '%ASA-2-106007: Deny inbound UDP from 198.51.100.53/53 to 10.1.1.20/61234 due to DNS Response',
    );
    expect(dns.status_detail).toBe('due to DNS Response');
    expect(dns.dst_endpoint).toEqual({ ip: '10.1.1.20', port: 61234 });
  });

  test('106015 no connection', () => {
    const event = asa(
      '%ASA-6-106015: Deny TCP (no connection) from 10.1.1.20/52675 to 198.51.100.7/443 flags FIN ACK  on interface inside',
    );
    expect(event.activity_id).toBe(5);
    expect(event.status_detail).toBe('no connection');
    expect(event.src_endpoint.interface_name).toBe('inside');
    expect(event.unmapped).toEqual({ tcp_flags: 'FIN ACK' });
  });

  test('710003 denied to the device', () => {
    const numeric = asa(
      '%ASA-3-710003: TCP access denied by ACL from 198.51.100.7/51123 to outside:203.0.113.1/22',
    );
    expect(numeric.activity_id).toBe(5);
    expect(numeric.severity_id).toBe(3);
    expect(numeric.dst_endpoint).toEqual({
      ip: '203.0.113.1',
      port: 22,
      interface_name: 'outside',
    });
    const named = asa(
      '%ASA-3-710003: TCP access denied by ACL from 198.51.100.7/51123 to outside:203.0.113.1/ssh',
    );
    expect(named.dst_endpoint).toEqual({
      ip: '203.0.113.1',
      interface_name: 'outside',
      svc_name: 'ssh',
    });
  });
});

describe('Cisco ASA connections', () => {
  test('302013 outbound built', () => {
    const event = asa(
      '<166>Jan 18 2024 11:07:53: %ASA-6-302013: Built outbound TCP connection 3367824 for outside:203.0.113.10/443 (203.0.113.10/443) to inside:10.1.1.20/51234 (198.51.100.1/51234)',
    );
    expect(event.class_uid).toBe(4001);
    expect(event.activity_id).toBe(1);
    expect(event.action_id).toBe(1);
    expect(event.disposition_id).toBe(1);
    expect(event.src_endpoint).toEqual({ ip: '10.1.1.20', port: 51234, interface_name: 'inside' });
    expect(event.dst_endpoint).toEqual({
      ip: '203.0.113.10',
      port: 443,
      interface_name: 'outside',
    });
    expect(event.connection_info).toEqual({
      protocol_name: 'tcp',
      uid: '3367824',
      direction_id: 2,
      direction: 'Outbound',
    });
    expect(event.unmapped).toEqual({
      for_mapped: '203.0.113.10/443',
      to_mapped: '198.51.100.1/51234',
    });
  });

  test('302013 inbound with identity user', () => {
    const event = asa(
      '%ASA-6-302013: Built inbound TCP connection 79601067 for outside:192.0.2.44/62197 (192.0.2.44/62197)(CORP\\jdoe) to dmz:10.2.0.8/88 (203.0.113.8/88)',
    );
    expect(event.src_endpoint).toEqual({
      ip: '192.0.2.44',
      port: 62197,
      interface_name: 'outside',
    });
    expect(event.dst_endpoint).toEqual({ ip: '10.2.0.8', port: 88, interface_name: 'dmz' });
    expect(event.connection_info.direction_id).toBe(1);
    expect(event.unmapped.for_user).toBe('CORP\\jdoe');
  });

  test('302014 teardown with bytes and duration', () => {
    const event = asa(
      'Jan 18 11:07:55 asa01 %ASA-6-302014: Teardown TCP connection 3367824 for outside:203.0.113.10/443 to inside:10.1.1.20/51234 duration 0:00:02 bytes 6287 TCP FINs',
    );
    expect(event.activity_id).toBe(2);
    expect(event.duration).toBe(2000);
    expect(event.traffic).toEqual({ bytes: 6287 });
    expect(event.status_detail).toBe('TCP FINs');
    expect(event.connection_info).toEqual({ protocol_name: 'tcp', uid: '3367824' });
    expect(event.src_endpoint.ip).toBe('203.0.113.10');
    expect(event.dst_endpoint.ip).toBe('10.1.1.20');
    expect(event.time).toBe(Date.UTC(2024, 0, 18, 11, 7, 55));
  });

  test('302014 reset with user', () => {
    const event = asa(
      '%ASA-6-302014: Teardown TCP connection 3642851852 for outside:192.0.2.93/63677 to dmz:172.17.1.200/443 duration 1:10:06 bytes 4666 TCP Reset-O from outside (CORP\\jdoe)',
    );
    expect(event.activity_id).toBe(3);
    expect(event.duration).toBe((3600 + 600 + 6) * 1000);
    expect(event.status_detail).toBe('TCP Reset-O from outside');
    expect(event.unmapped).toEqual({ user: 'CORP\\jdoe' });
  });

  test('302015 and 302016 UDP', () => {
    const built = asa(
      '%ASA-6-302015: Built inbound UDP connection 3367830 for outside:198.51.100.23/50123 (198.51.100.23/50123) to dmz:10.2.0.5/53 (203.0.113.53/53)',
    );
    expect(built.activity_id).toBe(1);
    expect(built.connection_info.protocol_name).toBe('udp');
    expect(built.src_endpoint.port).toBe(50123);
    const teardown = asa(
      '%ASA-6-302016: Teardown UDP connection 3367830 for outside:198.51.100.23/50123 to dmz:10.2.0.5/53 duration 0:02:01 bytes 512',
    );
    expect(teardown.activity_id).toBe(2);
    expect(teardown.duration).toBe(121_000);
    expect(teardown.traffic).toEqual({ bytes: 512 });
    expect(teardown.status_detail).toBeUndefined();
  });

  test('302020 and 302021 ICMP', () => {
    const built = asa(
      '%ASA-6-302020: Built inbound ICMP connection for faddr 198.51.100.2/1 gaddr 203.0.113.5/0 laddr 10.2.0.5/0 type 8 code 0',
    );
    expect(built.activity_id).toBe(1);
    expect(built.src_endpoint).toEqual({ ip: '198.51.100.2' });
    expect(built.dst_endpoint).toEqual({ ip: '10.2.0.5' });
    expect(built.connection_info).toEqual({
      protocol_name: 'icmp',
      direction_id: 1,
      direction: 'Inbound',
    });
    expect(built.unmapped).toEqual({
      faddr_id: '1',
      gaddr: '203.0.113.5',
      icmp_type: '8',
      icmp_code: '0',
    });
    const outbound = asa(
      '%ASA-6-302020: Built outbound ICMP connection for faddr 8.8.8.8/0 gaddr 203.0.113.1/1 laddr 10.1.1.20/1(CORP\\jdoe) type 8 code 0',
    );
    expect(outbound.src_endpoint).toEqual({ ip: '10.1.1.20' });
    expect(outbound.dst_endpoint).toEqual({ ip: '8.8.8.8' });
    expect(outbound.unmapped.local_user).toBe('CORP\\jdoe');
    const teardown = asa(
      '%ASA-6-302021: Teardown ICMP connection for faddr 198.51.100.2/1 gaddr 203.0.113.5/0 laddr 10.2.0.5/0 type 8 code 0',
    );
    expect(teardown.activity_id).toBe(2);
    expect(teardown.connection_info).toEqual({ protocol_name: 'icmp' });
  });
});

describe('Cisco ASA authentication', () => {
  test('113004 AAA success', () => {
    const event = asa(
      '%ASA-6-113004: AAA user authentication Successful : server = 10.1.1.10 : user = jdoe',
    );
    expect(event.class_uid).toBe(3002);
    expect(event.activity_id).toBe(1);
    expect(event.status_id).toBe(1);
    expect(event.user).toEqual({ name: 'jdoe' });
    expect(event.unmapped).toEqual({ aaa_server: '10.1.1.10' });
  });

  test('113004 AAA authorization', () => {
    const event = asa(
      '%ASA-6-113004: AAA user authorization Successful : server =  10.1.1.10 : user = jdoe',
    );
    expect(event.activity_id).toBe(99);
    expect(event.activity_name).toBe('Authorization');
    expect(event.unmapped.aaa_server).toBe('10.1.1.10');
  });

  test('113005 AAA rejected', () => {
    const spaced = asa(
      '%ASA-6-113005: AAA user authentication Rejected : reason = AAA failure : server = 10.1.1.10 : user = jdoe : user IP = 198.51.100.8',
    );
    expect(spaced.status_id).toBe(2);
    expect(spaced.status_detail).toBe('AAA failure');
    expect(spaced.user).toEqual({ name: 'jdoe' });
    expect(spaced.src_endpoint).toEqual({ ip: '198.51.100.8' });
    const documented = asa(
      '%ASA-6-113005: AAA user authentication Rejected: reason = Invalid password: server = 10.1.1.10, User = jdoe: user IP = 198.51.100.8',
    );
    expect(documented.status_detail).toBe('Invalid password');
    expect(documented.user).toEqual({ name: 'jdoe' });
    expect(documented.src_endpoint).toEqual({ ip: '198.51.100.8' });
  });

  test('113015 local database rejected', () => {
    const event = asa(
      '%ASA-6-113015: AAA user authentication Rejected : reason = Invalid password : local database : user = admin : user IP = 10.1.1.5',
    );
    expect(event.activity_id).toBe(1);
    expect(event.status_id).toBe(2);
    expect(event.status_detail).toBe('Invalid password');
    expect(event.user).toEqual({ name: 'admin' });
    expect(event.src_endpoint).toEqual({ ip: '10.1.1.5' });
  });

  test('113019 VPN session disconnected', () => {
    const event = asa(
      '%ASA-4-113019: Group = GroupPolicy_VPN, Username = jdoe, IP = 198.51.100.8, Session disconnected. Session Type: SSL, Duration: 2h:28m:09s, Bytes xmt: 54735230, Bytes rcv: 27473152, Reason: Idle Timeout',
    );
    expect(event.class_uid).toBe(3002);
    expect(event.activity_id).toBe(2);
    expect(event.status_id).toBeUndefined();
    expect(event.status_detail).toBe('Idle Timeout');
    expect(event.duration).toBe((2 * 3600 + 28 * 60 + 9) * 1000);
    expect(event.session).toEqual({ is_vpn: true });
    expect(event.user).toEqual({ name: 'jdoe' });
    expect(event.unmapped).toEqual({
      group: 'GroupPolicy_VPN',
      session_type: 'SSL',
      bytes_xmt: 54735230,
      bytes_rcv: 27473152,
    });
  });

  test('611101 and 611102 management login', () => {
    const success = asa(
      '%ASA-6-611101: User authentication succeeded: IP address: 10.1.1.5, Uname: admin',
    );
    expect(success.status_id).toBe(1);
    expect(success.user).toEqual({ name: 'admin' });
    const failed = asa(
      '%ASA-6-611102: User authentication failed: IP address: 198.51.100.9, Uname: root',
    );
    expect(failed.status_id).toBe(2);
    expect(failed.src_endpoint).toEqual({ ip: '198.51.100.9' });
  });

  test('605004 and 605005 login to the device', () => {
    const denied = asa(
      '%ASA-6-605004: Login denied from 198.51.100.9/48200 to outside:203.0.113.1/ssh for user "root"',
    );
    expect(denied.class_uid).toBe(3002);
    expect(denied.status_id).toBe(2);
    expect(denied.user).toEqual({ name: 'root' });
    expect(denied.src_endpoint).toEqual({ ip: '198.51.100.9', port: 48200 });
    expect(denied.dst_endpoint).toEqual({
      ip: '203.0.113.1',
      interface_name: 'outside',
      svc_name: 'ssh',
    });
    const permitted = asa(
      '%ASA-6-605005: Login permitted from 10.1.1.5/55123 to inside:10.1.1.1/443 for user "admin"',
    );
    expect(permitted.status_id).toBe(1);
    expect(permitted.dst_endpoint).toEqual({ ip: '10.1.1.1', port: 443, interface_name: 'inside' });
  });

  test('716001 and 716002 WebVPN session', () => {
    const started = asa(
      '%ASA-6-716001: Group <DfltGrpPolicy> User <jdoe> IP <198.51.100.8> WebVPN session started.',
    );
    expect(started.activity_id).toBe(1);
    expect(started.status_id).toBe(1);
    expect(started.session).toEqual({ is_vpn: true });
    expect(started.src_endpoint).toEqual({ ip: '198.51.100.8' });
    expect(started.unmapped).toEqual({ group: 'DfltGrpPolicy' });
    const terminated = asa(
      '%ASA-6-716002: Group <DfltGrpPolicy> User <jdoe> IP <198.51.100.8> WebVPN session terminated: User Requested.',
    );
    expect(terminated.activity_id).toBe(2);
    expect(terminated.status_detail).toBe('User Requested');
  });

  test('722022, 722023 and 722051 AnyConnect', () => {
    const established = asa(
      '%ASA-6-722022: Group <GroupPolicy_VPN> User <jdoe> IP <198.51.100.8> TCP SVC connection established without compression',
    );
    expect(established.activity_id).toBe(1);
    expect(established.status_id).toBe(1);
    const terminated = asa(
      '%ASA-6-722023: Group <GroupPolicy_VPN> User <jdoe> IP <198.51.100.8> UDP SVC connection terminated without compression',
    );
    expect(terminated.activity_id).toBe(2);
    const assigned = asa(
      '%ASA-4-722051: Group <GroupPolicy_VPN> User <jdoe> IP <198.51.100.8> IPv4 Address <10.10.10.5> IPv6 address <::> assigned to session',
    );
    expect(assigned.class_uid).toBe(3002);
    expect(assigned.activity_id).toBe(1);
    expect(assigned.severity_id).toBe(2);
    expect(assigned.user).toEqual({ name: 'jdoe' });
    expect(assigned.unmapped).toEqual({ group: 'GroupPolicy_VPN', assigned_ipv4: '10.10.10.5' });
  });
});

describe('Cisco ASA commands', () => {
  test('111008 command executed', () => {
    const event = asa("%ASA-5-111008: User 'enable_15' executed the 'configure terminal' command.");
    expect(event.class_uid).toBe(6003);
    expect(event.activity_id).toBe(3);
    expect(event.actor).toEqual({ user: { name: 'enable_15' } });
    expect(event.api).toEqual({ operation: 'configure terminal' });
    expect(event.severity_id).toBe(1);
  });

  test('111010 configuration change', () => {
    const event = asa(
      "%ASA-5-111010: User 'admin', running 'CLI' from IP 10.1.1.5, executed 'no access-list outside_access_in extended permit tcp any host 10.1.1.20 eq 3389'",
    );
    expect(event.class_uid).toBe(6003);
    expect(event.activity_id).toBe(4);
    expect(event.api).toEqual({
      operation: 'no access-list outside_access_in extended permit tcp any host 10.1.1.20 eq 3389',
      service: { name: 'CLI' },
    });
    expect(event.src_endpoint).toEqual({ ip: '10.1.1.5' });
    expect(event.actor.user.name).toBe('admin');
  });

  test('111010 without colon after id', () => {
    const event = asa(
      "%ASA-5-111010 User 'admin', running 'CLI' from IP 10.1.1.5, executed 'write memory'",
    );
    expect(event.activity_id).toBe(3);
    expect(event.api.operation).toBe('write memory');
  });
});

describe('Cisco ASA event shape', () => {
  test('no undefined attributes', () => {
    const event = asa(
      '%ASA-6-113004: AAA user authentication Successful : server = 10.1.1.10 : user = jdoe',
    );
    expect('src_endpoint' in event).toBe(false);
    expect(Object.values(event).includes(undefined)).toBe(false);
  });
});
