/**
 * Sources without a corpus file of their own, or with only part of their
 * events in the corpus: Windows Security events in XML and flat JSON, Sysmon
 * network and DNS events, LEEF, RFC 5424 syslog, nginx key-value logs, Zeek
 * application logs, and the GitHub and Kubernetes audit logs (fixtures written
 * from the vendors' documented formats, in `fixtures/`).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { normalize } from './index.js';

// biome-ignore lint/suspicious/noExplicitAny: assertions walk into arbitrary OCSF JSON.
type Json = Record<string, any>;

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), 'fixtures');

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
  return result.event as Json;
}

function reasonOf(event: unknown, sourcetype: string): string {
  const result = normalize({
    event,
    sourcetype,
    source: 'test',
    host: 'test-host',
    index: 'main',
    receivedAt: Date.UTC(2026, 0, 5),
  });
  if (result.ok) throw new Error('expected a failure');
  return result.reason;
}

/** A Windows event in the XML rendering, with `data` as its EventData. */
function windowsXml(
  eventId: number,
  data: Record<string, string>,
  channel = 'Security',
  keywords = '0x8020000000000000',
): string {
  const items = Object.entries(data)
    .map(([name, value]) => `<Data Name='${name}'>${value}</Data>`)
    .join('');
  const provider =
    channel === 'Security' ? 'Microsoft-Windows-Security-Auditing' : 'Microsoft-Windows-Sysmon';
  return (
    `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>` +
    `<Provider Name='${provider}' Guid='{54849625-5478-4994-a5ba-3e3b0328c30d}'/>` +
    `<EventID>${eventId}</EventID><Version>0</Version><Level>0</Level><Task>12544</Task>` +
    `<Opcode>0</Opcode><Keywords>${keywords}</Keywords>` +
    `<TimeCreated SystemTime='2024-03-01T10:20:30.123456700Z'/><EventRecordID>4711</EventRecordID>` +
    `<Correlation/><Execution ProcessID='636' ThreadID='700'/><Channel>${channel}</Channel>` +
    `<Computer>dc01.corp.example.com</Computer><Security/></System>` +
    `<EventData>${items}</EventData></Event>`
  );
}

const SUBJECT = {
  SubjectUserSid: 'S-1-5-21-1-2-3-500',
  SubjectUserName: 'admin',
  SubjectDomainName: 'CORP',
  SubjectLogonId: '0x3e7',
};
const TARGET = {
  TargetUserSid: 'S-1-5-21-1-2-3-1104',
  TargetUserName: 'alice',
  TargetDomainName: 'CORP',
};

/** EventData of each Windows Security event the issue lists, with the class/activity it maps to. */
const SECURITY_EVENTS: [number, Record<string, string>, string][] = [
  [
    4624,
    {
      ...SUBJECT,
      ...TARGET,
      LogonType: '3',
      IpAddress: '10.1.2.3',
      IpPort: '50100',
      AuthenticationPackageName: 'Kerberos',
    },
    '3002/1',
  ],
  [
    4625,
    {
      ...SUBJECT,
      ...TARGET,
      LogonType: '3',
      IpAddress: '10.1.2.3',
      Status: '0xc000006d',
      SubStatus: '0xc000006a',
    },
    '3002/1',
  ],
  [4634, { ...TARGET, TargetLogonId: '0x1234', LogonType: '3' }, '3002/2'],
  [
    4648,
    { ...SUBJECT, ...TARGET, TargetServerName: 'fs01', IpAddress: '-', IpPort: '-' },
    '3002/1',
  ],
  [4672, { ...SUBJECT, PrivilegeList: 'SeDebugPrivilege SeBackupPrivilege' }, '3003/1'],
  [
    4688,
    {
      ...SUBJECT,
      NewProcessId: '0x1a74',
      NewProcessName: 'C:\\Windows\\System32\\whoami.exe',
      CommandLine: 'whoami /all',
      ProcessId: '0xc08',
      ParentProcessName: 'C:\\Windows\\System32\\cmd.exe',
    },
    '1007/1',
  ],
  [
    4689,
    {
      ...SUBJECT,
      ProcessId: '0x1a74',
      ProcessName: 'C:\\Windows\\System32\\whoami.exe',
      Status: '0x0',
    },
    '1007/2',
  ],
  [4720, { ...SUBJECT, ...TARGET, TargetSid: 'S-1-5-21-1-2-3-1104' }, '3001/1'],
  [4722, { ...SUBJECT, ...TARGET, TargetSid: 'S-1-5-21-1-2-3-1104' }, '3001/2'],
  [4725, { ...SUBJECT, ...TARGET, TargetSid: 'S-1-5-21-1-2-3-1104' }, '3001/5'],
  [4726, { ...SUBJECT, ...TARGET, TargetSid: 'S-1-5-21-1-2-3-1104' }, '3001/6'],
  [
    4728,
    {
      ...SUBJECT,
      MemberName: 'CN=alice,OU=Users,DC=corp',
      MemberSid: 'S-1-5-21-1-2-3-1104',
      TargetUserName: 'Domain Admins',
      TargetDomainName: 'CORP',
      TargetSid: 'S-1-5-21-1-2-3-512',
    },
    '3006/3',
  ],
  [
    4732,
    {
      ...SUBJECT,
      MemberName: '-',
      MemberSid: 'S-1-5-21-1-2-3-1104',
      TargetUserName: 'Administrators',
      TargetDomainName: 'Builtin',
      TargetSid: 'S-1-5-32-544',
    },
    '3006/3',
  ],
  [
    4740,
    {
      ...SUBJECT,
      TargetUserName: 'alice',
      TargetDomainName: 'WS01',
      TargetSid: 'S-1-5-21-1-2-3-1104',
    },
    '3001/9',
  ],
  [
    4768,
    {
      TargetUserName: 'alice',
      TargetDomainName: 'CORP.EXAMPLE.COM',
      TargetSid: 'S-1-5-21-1-2-3-1104',
      ServiceName: 'krbtgt',
      IpAddress: '::ffff:10.1.2.3',
      IpPort: '50211',
      Status: '0x0',
      TicketEncryptionType: '0x12',
    },
    '3002/3',
  ],
  [
    4769,
    {
      TargetUserName: 'alice@CORP.EXAMPLE.COM',
      TargetDomainName: 'CORP.EXAMPLE.COM',
      ServiceName: 'fs01$',
      IpAddress: '::ffff:10.1.2.3',
      IpPort: '50212',
      Status: '0x0',
    },
    '3002/4',
  ],
  [
    4776,
    {
      PackageName: 'MICROSOFT_AUTHENTICATION_PACKAGE_V1_0',
      TargetUserName: 'alice',
      Workstation: 'WS01',
      Status: '0xc000006a',
    },
    '3002/1',
  ],
];

describe('Windows Security events', () => {
  for (const [eventId, data, classActivity] of SECURITY_EVENTS) {
    test(`${eventId} in XML and flat JSON maps to ${classActivity}`, () => {
      const xml = run(windowsXml(eventId, data), 'XmlWinEventLog:Security');
      expect(`${xml.class_uid}/${xml.activity_id}`).toBe(classActivity);
      expect(xml.time).toBe(Date.parse('2024-03-01T10:20:30.123Z'));
      expect(xml.metadata.original_time).toBe('2024-03-01T10:20:30.123456700Z');
      expect(xml.metadata.event_code).toBe(String(eventId));
      expect(xml.metadata.uid).toBe('4711');
      expect(xml.device.hostname).toBe('dc01.corp.example.com');

      const json = run(
        {
          EventID: eventId,
          Channel: 'Security',
          SourceName: 'Microsoft-Windows-Security-Auditing',
          Hostname: 'dc01.corp.example.com',
          TimeCreated: '2024-03-01 10:20:30.123',
          ...data,
        },
        '_json',
      );
      expect(`${json.class_uid}/${json.activity_id}`).toBe(classActivity);
      expect(json.time).toBe(Date.parse('2024-03-01T10:20:30.123Z'));
      // Both renderings carry the same OCSF entities.
      expect(json.user).toEqual(xml.user);
      expect(json.actor).toEqual(xml.actor);
      expect(json.process).toEqual(xml.process);
      expect(json.src_endpoint).toEqual(xml.src_endpoint);
    });
  }

  test('Kerberos and NTLM details', () => {
    const tgt = run(windowsXml(4768, SECURITY_EVENTS[14]![1]), 'XmlWinEventLog');
    expect(tgt.auth_protocol).toBe('Kerberos');
    expect(tgt.src_endpoint).toEqual({ ip: '10.1.2.3', port: 50211 });
    expect(tgt.status_id).toBe(1);
    expect(tgt.service).toEqual({ name: 'krbtgt' });
    const ntlm = run(windowsXml(4776, SECURITY_EVENTS[16]![1]), 'XmlWinEventLog');
    expect(ntlm.auth_protocol_id).toBe(1);
    expect(ntlm.status_id).toBe(2);
    expect(ntlm.status_detail).toBe('0xc000006a');
    expect(ntlm.src_endpoint).toEqual({ hostname: 'WS01' });
  });

  test('4688 process and observables', () => {
    const event = run(windowsXml(4688, SECURITY_EVENTS[5]![1]), 'XmlWinEventLog:Security');
    expect(event.process.pid).toBe(0x1a74);
    expect(event.process.cmd_line).toBe('whoami /all');
    expect(event.process.parent_process.file.path).toBe('C:\\Windows\\System32\\cmd.exe');
    expect(event.observables).toContainEqual({
      name: 'actor.user.name',
      type_id: 4,
      type: 'User Name',
      value: 'admin',
    });
  });

  test('entities in XML text and attributes are decoded', () => {
    const event = run(
      windowsXml(4688, {
        ...SUBJECT,
        NewProcessName: 'C:\\a.exe',
        CommandLine: 'x &lt;&amp;&gt; &quot;y&quot; &#x41;&#66;',
      }),
      'XmlWinEventLog:Security',
    );
    expect(event.process.cmd_line).toBe('x <&> "y" AB');
  });

  test('malformed XML is rejected with a reason', () => {
    const xml = windowsXml(4624, SECURITY_EVENTS[0]![1]);
    expect(reasonOf(xml.slice(0, -10), 'XmlWinEventLog')).toMatch(/^invalid Windows XML: /);
    expect(reasonOf(xml.replace('<EventID>', '<EventID x>'), 'XmlWinEventLog')).toMatch(
      /^invalid Windows XML: attribute without a value/,
    );
    expect(
      reasonOf(
        xml.replace("Name='Microsoft-Windows-Security-Auditing'", 'Name=x'),
        'XmlWinEventLog',
      ),
    ).toBe('invalid Windows XML: unquoted attribute in <Provider>');
    expect(reasonOf(`<Foo>${xml}</Foo>`, 'XmlWinEventLog')).toBe(
      'invalid Windows XML: root element is <Foo>, not <Event>',
    );
  });
});

describe('Sysmon events', () => {
  test('network connection (3) in XML', () => {
    const event = run(
      windowsXml(
        3,
        {
          RuleName: '-',
          UtcTime: '2024-03-01 10:20:30.100',
          ProcessGuid: '{1}',
          ProcessId: '4242',
          Image: 'C:\\Tools\\beacon.exe',
          User: 'CORP\\alice',
          Protocol: 'tcp',
          Initiated: 'true',
          SourceIp: '10.1.2.3',
          SourcePort: '50123',
          DestinationIp: '203.0.113.9',
          DestinationHostname: 'c2.example.net',
          DestinationPort: '443',
        },
        'Microsoft-Windows-Sysmon/Operational',
      ),
      'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational',
    );
    expect(`${event.class_uid}/${event.activity_id}`).toBe('4001/1');
    expect(event.metadata.product.name).toBe('Sysmon');
    expect(event.src_endpoint).toEqual({ ip: '10.1.2.3', port: 50123 });
    expect(event.dst_endpoint).toEqual({
      ip: '203.0.113.9',
      port: 443,
      hostname: 'c2.example.net',
    });
    expect(event.connection_info.direction_id).toBe(2);
    expect(event.actor.user).toEqual({ name: 'alice', domain: 'CORP' });
    expect(event.actor.process.file.path).toBe('C:\\Tools\\beacon.exe');
  });

  test('DNS query (22) in XML', () => {
    const event = run(
      windowsXml(
        22,
        {
          UtcTime: '2024-03-01 10:20:30.100',
          ProcessId: '4242',
          Image: 'C:\\Tools\\beacon.exe',
          QueryName: 'c2.example.net',
          QueryStatus: '0',
          QueryResults: 'type:  5 edge.example.net;::ffff:203.0.113.9;',
        },
        'Microsoft-Windows-Sysmon/Operational',
      ),
      'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational',
    );
    expect(`${event.class_uid}/${event.activity_id}`).toBe('4003/1');
    expect(event.query).toEqual({ hostname: 'c2.example.net' });
    expect(event.answers).toContainEqual({ rdata: '203.0.113.9', type: 'A' });
    expect(event.status_id).toBe(1);
  });

  test('process creation (1) keeps hashes as observables', () => {
    const line = readFileSync(
      resolve(
        FIXTURES,
        '../../../../shared/corpus/windows/otrf-lsass-dumpert-sysmon-security.json',
      ),
      'utf8',
    )
      .split('\n')
      .find((text) => text.includes('"EventID":1,'))!;
    const event = run(JSON.parse(line), '_json');
    expect(event.process.cmd_line).toBe('Outflank-Dumpert.exe');
    expect(event.process.parent_process.file.path).toBe('C:\\Windows\\System32\\cmd.exe');
    // Sysmon's UtcTime, not the exporter's local TimeCreated.
    expect(event.time).toBe(Date.parse('2020-10-19T02:56:14.283Z'));
    expect(event.observables).toContainEqual({
      name: 'process.file.hashes',
      type_id: 8,
      type: 'Hash',
      value: 'D286348DE31501385A3A8F57A08AF602722913C36AAA4AA9FCB9EE129A7680C0',
    });
  });

  test('Winlogbeat nested JSON', () => {
    const event = run(
      {
        '@timestamp': '2024-03-01T10:20:30.100Z',
        message: 'Process Create:\nRuleName: -',
        winlog: {
          channel: 'Microsoft-Windows-Sysmon/Operational',
          provider_name: 'Microsoft-Windows-Sysmon',
          event_id: '1',
          computer_name: 'ws01.corp.example.com',
          record_id: 99,
          event_data: { ProcessId: '100', Image: 'C:\\x.exe', CommandLine: 'x.exe -a' },
        },
      },
      '_json',
    );
    expect(`${event.class_uid}/${event.activity_id}`).toBe('1007/1');
    expect(event.process.cmd_line).toBe('x.exe -a');
    expect(event.device.hostname).toBe('ws01.corp.example.com');
    expect(event.metadata.uid).toBe('99');
  });
});

describe('LEEF', () => {
  test('LEEF 1.0 firewall deny after a syslog header', () => {
    const line =
      'Jan 18 11:07:53 fw01 LEEF:1.0|Palo Alto Networks|PAN-OS|10.1|deny|src=10.0.0.5\tdst=203.0.113.7\tsrcPort=51515\tdstPort=22\tproto=TCP\taction=deny\tusrName=bob\tsev=5\tdevTime=Jan 18 2024 11:07:52\tpolicy=block-ssh';
    const event = run(line, 'syslog');
    expect(`${event.class_uid}/${event.activity_id}`).toBe('4001/5');
    expect(event.action_id).toBe(2);
    expect(event.src_endpoint).toEqual({ ip: '10.0.0.5', port: 51515 });
    expect(event.dst_endpoint).toEqual({ ip: '203.0.113.7', port: 22 });
    expect(event.actor.user.name).toBe('bob');
    expect(event.severity_id).toBe(3);
    expect(event.time).toBe(Date.UTC(2024, 0, 18, 11, 7, 52));
    expect(event.unmapped.policy).toBe('block-ssh');
    expect(event.metadata.product).toEqual({
      name: 'PAN-OS',
      vendor_name: 'Palo Alto Networks',
      version: '10.1',
    });
  });

  test('LEEF 2.0 with a caret delimiter, sniffed', () => {
    const event = run(
      'LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=192.0.2.1^dst=192.0.2.2^sev=8',
      '_raw',
    );
    expect(event.class_uid).toBe(4001);
    expect(event.dst_endpoint).toEqual({ ip: '192.0.2.2' });
    expect(event.severity_id).toBe(4);
  });
});

describe('RFC 5424 syslog', () => {
  test('sshd failure with structured data', () => {
    const event = run(
      '<38>1 2024-03-01T10:20:30.5+01:00 bastion sshd 2211 - [origin ip="192.0.2.10" software="openssh"][meta sequenceId="7"] Failed password for root from 198.51.100.4 port 40022 ssh2',
      'syslog',
    );
    expect(`${event.class_uid}/${event.activity_id}`).toBe('3002/1');
    expect(event.status_id).toBe(2);
    expect(event.time).toBe(Date.parse('2024-03-01T09:20:30.500Z'));
    expect(event.metadata.original_time).toBe('2024-03-01T10:20:30.5+01:00');
    expect(event.user.name).toBe('root');
    expect(event.src_endpoint.ip).toBe('198.51.100.4');
    expect(event.actor.process).toEqual({ name: 'sshd', pid: 2211 });
    expect(event.unmapped.structured_data).toEqual({
      origin: { ip: '192.0.2.10', software: 'openssh' },
      meta: { sequenceId: '7' },
    });
    expect(event.unmapped.facility).toBe(4);
  });

  test('a generic message, sniffed', () => {
    const event = run('<165>1 2024-03-01T10:20:30Z host app - ID47 - \uFEFFstarted', '');
    expect(event.class_uid).toBe(0);
    expect(event.message).toBe('started');
    expect(event.unmapped.msgid).toBe('ID47');
  });

  test('bad structured data is rejected', () => {
    expect(reasonOf('<38>1 2024-03-01T10:20:30Z h a - - [x a="1" message', 'syslog')).toMatch(
      /^RFC 5424 parameter without a quoted value/,
    );
  });
});

describe('nginx key-value', () => {
  test('nginx:plus:kv line', () => {
    const event = run(
      'site="shop.example.com" server="shop.example.com" dest_port="443" dest_ip="10.0.0.10" src="198.51.100.20" src_ip="198.51.100.20" user="-" time_local="09/Jun/2020:19:10:39 +0200" protocol="HTTP/1.1" status="404" bytes_out="512" bytes_in="320" http_referer="-" http_user_agent="curl/8.0" nginx_version="1.19.0" http_x_forwarded_for="-" http_x_header="" uri_query="q=1" uri_path="/missing" http_method="GET" response_time="0.002" cookie="" request_time="0.002"',
      'nginx:plus:kv',
    );
    expect(`${event.class_uid}/${event.activity_id}`).toBe('4002/3');
    expect(event.time).toBe(Date.UTC(2020, 5, 9, 17, 10, 39));
    expect(event.http_response).toEqual({ code: 404, length: 512 });
    expect(event.http_request.url).toEqual({
      url_string: '/missing?q=1',
      path: '/missing',
      query_string: 'q=1',
    });
    expect(event.status_id).toBe(2);
    expect(event.src_endpoint).toEqual({ ip: '198.51.100.20' });
  });
});

describe('Zeek application logs', () => {
  const base = {
    ts: 1700000000.5,
    uid: 'CAbc',
    'id.orig_h': '10.0.0.5',
    'id.orig_p': 50000,
    'id.resp_h': '10.0.0.1',
  };
  const cases: [string, Json, string][] = [
    [
      'dhcp',
      {
        ts: 1700000000.5,
        uids: ['CAbc'],
        client_addr: '10.0.0.5',
        server_addr: '10.0.0.1',
        mac: '00:11:22:33:44:55',
        host_name: 'ws01',
        assigned_addr: '10.0.0.5',
        lease_time: 86400,
        msg_types: ['DISCOVER', 'OFFER', 'REQUEST', 'ACK'],
      },
      '4004/5',
    ],
    [
      'smtp',
      {
        ...base,
        'id.resp_p': 25,
        mailfrom: 'a@example.com',
        rcptto: ['b@example.org'],
        subject: 'Invoice',
        last_reply: '250 2.0.0 Ok: queued',
      },
      '4009/1',
    ],
    [
      'ftp',
      {
        ...base,
        'id.resp_p': 21,
        user: 'anonymous',
        command: 'RETR',
        arg: 'ftp://10.0.0.1/pub/file.zip',
        reply_code: 226,
        reply_msg: 'Transfer complete',
      },
      '4008/2',
    ],
    [
      'rdp',
      {
        ...base,
        'id.resp_p': 3389,
        cookie: 'alice',
        result: 'Success',
        security_protocol: 'HYBRID',
      },
      '4005/3',
    ],
    [
      'notice',
      {
        ...base,
        note: 'Scan::Port_Scan',
        msg: '10.0.0.5 scanned 30 ports',
        src: '10.0.0.5',
        actions: ['Notice::ACTION_LOG'],
      },
      '2004/1',
    ],
    [
      'kerberos',
      {
        ...base,
        'id.resp_p': 88,
        request_type: 'TGS',
        client: 'alice/CORP.EXAMPLE.COM',
        service: 'cifs/fs01',
        success: true,
      },
      '3002/4',
    ],
  ];
  for (const [log, record, classActivity] of cases) {
    test(`${log} as JSON`, () => {
      const event = run(record, `zeek:${log}:json`);
      expect(`${event.class_uid}/${event.activity_id}`).toBe(classActivity);
      expect(event.time).toBe(1700000000500);
      // The same record is recognized without a sourcetype.
      const sniffed = run({ ...record, _path: log }, '_json');
      expect(sniffed.class_uid).toBe(event.class_uid);
    });
  }
});

describe('audit logs (fixtures)', () => {
  const lines = (name: string) =>
    readFileSync(resolve(FIXTURES, name), 'utf8')
      .split('\n')
      .filter((line) => line !== '');

  test('GitHub audit log', () => {
    const events = lines('github-audit.ndjson').map((line) => run(line, '_json'));
    expect(events.map((event) => `${event.class_uid}/${event.activity_id}`)).toEqual([
      '6003/1',
      '6003/4',
      '6003/2',
    ]);
    const [create, remove] = events as [Json, Json];
    expect(create.actor.user).toEqual({ name: 'octocat', uid: '583231' });
    expect(create.src_endpoint).toEqual({ ip: '203.0.113.24' });
    expect(create.api.operation).toBe('repo.create');
    expect(create.time).toBe(1706094842123);
    expect(create.metadata.product.name).toBe('GitHub Audit Log');
    expect(remove.user.name).toBe('contractor-bob');
    expect(run(JSON.parse(lines('github-audit.ndjson')[0]!), 'github:audit').class_uid).toBe(6003);
  });

  test('Kubernetes audit log', () => {
    const events = lines('kubernetes-audit.ndjson').map((line) =>
      run(line, 'kube:apiserver:audit'),
    );
    expect(events.map((event) => `${event.class_uid}/${event.activity_id}`)).toEqual([
      '6003/2',
      '6003/1',
      '6003/1',
    ]);
    const [read, , forbidden] = events as [Json, Json, Json];
    expect(read.actor.user.name).toBe('system:serviceaccount:payments:api');
    expect(read.resources).toEqual([
      { name: 'db-credentials', type: 'secrets', namespace: 'payments' },
    ]);
    expect(read.status_id).toBe(1);
    expect(read.time).toBe(Date.parse('2024-01-24T11:02:03.412Z'));
    expect(forbidden.status_id).toBe(2);
    expect(forbidden.status_detail).toBe('Forbidden');
    expect(forbidden.src_endpoint).toEqual({ ip: '203.0.113.99' });
    expect(forbidden.resources[0].type).toBe('pods/exec');
    // Sniffed from the content as well.
    expect(run(lines('kubernetes-audit.ndjson')[1]!, '_json').api.operation).toBe('create');
  });
});

describe('generic JSON and routing', () => {
  test('unrecognized JSON becomes a Base Event with its fields in unmapped', () => {
    const event = run({ foo: 1, bar: { baz: 'x' } }, 'acme:custom');
    expect(event.class_uid).toBe(0);
    expect(event.unmapped).toEqual({ foo: 1, bar: { baz: 'x' } });
    expect(event.metadata.log_name).toBe('acme:custom');
  });

  test('Splunk sourcetype names', () => {
    expect(
      run('Jan 18 11:07:53 asa01 %ASA-6-302013: Built outbound TCP connection', 'cisco:asa')
        .class_uid,
    ).toBe(0);
    expect(
      run(
        JSON.parse(
          readFileSync(
            resolve(FIXTURES, '../../../../shared/corpus/okta/ocsf-mapped/authentication.json'),
            'utf8',
          ),
        ),
        'okta:im2',
      ).class_uid,
    ).toBe(3002);
    expect(run('CEF:0|V|P|1|100|Name|5|src=10.0.0.1 dst=10.0.0.2 act=allow', 'cef').class_uid).toBe(
      4001,
    );
  });
});
