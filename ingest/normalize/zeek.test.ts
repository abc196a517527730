import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { normalize } from './index.js';
import type { NormalizeResult } from './types.js';
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

const CORPUS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus');

function run(event: unknown, sourcetype: string): NormalizeResult {
  return normalize({ event, sourcetype, source: 's', host: 'h', index: 'main', receivedAt: 0 });
}

interface ZeekLog {
  path: string;
  names: string[];
  types: string[];
  lines: string[];
}

/** Splits a Zeek ASCII log into its `#path`, `#fields` and `#types` headers and its data lines. */
function parseZeekLog(text: string): ZeekLog {
  const log: ZeekLog = { path: '', names: [], types: [], lines: [] };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const values = line.split('\t');
    if (values[0] === '#path') log.path = values[1]!;
    else if (values[0] === '#fields') log.names = values.slice(1);
    else if (values[0] === '#types') log.types = values.slice(1);
    else if (!line.startsWith('#')) log.lines.push(line);
  }
  return log;
}

const NUMERIC_TYPES = new Set(['time', 'interval', 'count', 'int', 'double', 'port']);

function unescapeZeek(text: string): string {
  return text.replace(/\\x([0-9a-f]{2})/gi, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

function jsonValue(raw: string, type: string): unknown {
  const container = /^(?:set|vector)\[(\w+)\]$/.exec(type);
  if (container !== null) {
    if (raw === '(empty)') return [];
    return raw.split(',').map((element) => jsonValue(element, container[1]!));
  }
  const text = unescapeZeek(raw);
  if (NUMERIC_TYPES.has(type)) return Number(text);
  if (type === 'bool') return text === 'T';
  return text === '(empty)' ? '' : text;
}

/**
 * Builds the object Zeek writes for a TSV line with LogAscii::use_json: unset
 * fields left out, numbers and booleans typed by `#types`, sets and vectors as arrays.
 */
function jsonRecord(log: ZeekLog, line: string): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  const values = line.split('\t');
  expect(values.length).toBe(log.names.length);
  for (let i = 0; i < values.length; i++) {
    if (values[i] === '-') continue;
    record[log.names[i]!] = jsonValue(values[i]!, log.types[i]!);
  }
  return record;
}

function header(path: string, fields: string, types: string): string {
  return [
    '#separator \\x09',
    '#set_separator\t,',
    '#empty_field\t(empty)',
    '#unset_field\t-',
    `#path\t${path}`,
    '#open\t2023-08-16-01-28-55',
    `#fields\t${fields.split(' ').join('\t')}`,
    `#types\t${types.split(' ').join('\t')}`,
  ].join('\n');
}

const row = (...values: string[]): string => values.join('\t');

const ID_FIELDS = 'ts uid id.orig_h id.orig_p id.resp_h id.resp_p';
const ID_TYPES = 'time string addr port addr port';

// No corpus file has these logs as TSV. Each log below has the #fields and #types headers that
// Zeek writes for it, and lines built from the field values Zeek writes for those protocols.
const DHCP_LOG = [
  header(
    'dhcp',
    'ts uids client_addr server_addr mac host_name client_fqdn domain requested_addr assigned_addr lease_time client_message server_message msg_types duration',
    'time set[string] addr addr string string string string addr addr interval string string vector[string] interval',
  ),
  row(
    '1102274184.387484',
    'CMnxGv1YFAUvoaADr2,CzdoL23dzCo4Zuq0d8',
    '192.168.0.10',
    '192.168.0.1',
    '00:0b:82:01:fc:42',
    '-',
    '-',
    '-',
    '192.168.0.10',
    '192.168.0.10',
    '3600.000000',
    '-',
    '-',
    'DISCOVER,OFFER,REQUEST,ACK',
    '0.070031',
  ),
  row(
    '1488571152.666896',
    'CB9fDUQgJ00UMF0Nc,CFrsWd4jVETjvRPkm9',
    '-',
    '-',
    '00:21:70:e9:bb:47',
    'Microknoppix',
    '-',
    '-',
    '192.168.20.11',
    '-',
    '-',
    '-',
    '-',
    'REQUEST,NAK',
    '0.009251',
  ),
  row(
    '1295981640.291009',
    'CIwdwt1EsLJNcVGLEe,CJeD8z4JyIrDrPEeB5',
    '172.16.255.1',
    '-',
    '00:1e:68:51:4f:a9',
    'vinlap01',
    '-',
    'astaro_vineyard',
    '-',
    '-',
    '-',
    '-',
    '-',
    'INFORM,ACK',
    '0.000591',
  ),
].join('\n');

const SMTP_FIELDS = `${ID_FIELDS} trans_depth helo mailfrom rcptto date from to cc reply_to msg_id in_reply_to subject x_originating_ip first_received second_received last_reply path user_agent tls fuids`;
const SMTP_TYPES = `${ID_TYPES} count string string set[string] string string set[string] set[string] string string string string addr string string string vector[addr] string bool vector[string]`;

// Zeek 6 with local.zeek, which loads policy/protocols/smtp/software.zeek and so is_webmail.
const SMTP_LOG = [
  header('smtp', `${SMTP_FIELDS} is_webmail`, `${SMTP_TYPES} bool`),
  row(
    '1254722767.529046',
    'C1qe8w3QHRF2N5tVV5',
    '10.10.1.4',
    '1470',
    '74.53.140.153',
    '25',
    '1',
    'GP',
    '<gurpartap@patriots.in>',
    '<raj_deol2002in@yahoo.co.in>',
    'Mon, 5 Oct 2009 11:36:07 +0530',
    '"Gurpartap Singh" <gurpartap@patriots.in>',
    '<raj_deol2002in@yahoo.co.in>',
    '-',
    '-',
    '<000301ca4581$ef9e57f0$cedb07d0$@in>',
    '-',
    'SMTP',
    '-',
    '-',
    '-',
    '250 OK id=1Mugho-0003Dg-Un',
    '74.53.140.153,10.10.1.4',
    'Microsoft Office Outlook 12.0',
    'F',
    'Fel9gs4OtNEV6gUJZ5,Ft4M3f2yMvLlmwtbq9,FL9Y0d45OI4LpS6fmh',
    'F',
  ),
  row(
    '1692161690.114203',
    'CwPdEL3GjlTuYf5iAd',
    '192.168.1.41',
    '51544',
    '10.0.5.20',
    '25',
    '1',
    'ws041.pandalab.com',
    '<alice@pandalab.com>',
    '<bob@example.org>,<carol@example.org>',
    'Wed, 16 Aug 2023 04:41:30 +0000',
    'Alice <alice@pandalab.com>',
    'Bob <bob@example.org>',
    '"Doe\\x2c Jane" <jane@example.org>',
    '-',
    '<20230816044130.1234@pandalab.com>',
    '-',
    'Quarterly report',
    '192.168.1.41',
    '-',
    '-',
    '550 5.7.1 <bob@example.org>: Relay access denied',
    '10.0.5.20,192.168.1.41',
    '-',
    'F',
    '(empty)',
    'F',
  ),
].join('\n');

// Zeek 6 with only the base scripts: no is_webmail column.
const SMTP_BASE_LOG = [
  header('smtp', SMTP_FIELDS, SMTP_TYPES),
  row(
    '1692161695.200000',
    'C9kgIj1Hnh6x9Wd8ak',
    '192.168.1.41',
    '51560',
    '10.0.5.20',
    '587',
    '1',
    'ws041',
    '<alice@pandalab.com>',
    '<dave@example.org>',
    '-',
    '-',
    '-',
    '-',
    '-',
    '-',
    '-',
    '-',
    '-',
    '-',
    '-',
    '250 2.0.0 Ok: queued as 4F2B81C2',
    '10.0.5.20,192.168.1.41',
    '-',
    'T',
    '(empty)',
  ),
].join('\n');

const FTP_LOG = [
  header(
    'ftp',
    `${ID_FIELDS} user password command arg mime_type file_size reply_code reply_msg data_channel.passive data_channel.orig_h data_channel.resp_h data_channel.resp_p fuid`,
    `${ID_TYPES} string string string string string count count string bool addr addr port string`,
  ),
  row(
    '1187379104.955342',
    'CLkXf2CMo11hD8FQ5',
    '192.168.1.182',
    '62014',
    '192.168.1.231',
    '21',
    'csanders',
    '<hidden>',
    'PASV',
    '-',
    '-',
    '-',
    '227',
    'Entering Passive Mode (192,168,1,231,204,32)',
    'T',
    '192.168.1.182',
    '192.168.1.231',
    '52256',
    '-',
  ),
  row(
    '1187379105.033209',
    'CLkXf2CMo11hD8FQ5',
    '192.168.1.182',
    '62014',
    '192.168.1.231',
    '21',
    'csanders',
    '<hidden>',
    'STOR',
    'ftp://192.168.1.231/uploads/resume.doc',
    'application/msword',
    '-',
    '226',
    'Transfer complete.',
    '-',
    '-',
    '-',
    '-',
    'FA9nWN3rkhM4rJXKs',
  ),
  row(
    '1187379106.471150',
    'CLkXf2CMo11hD8FQ5',
    '192.168.1.182',
    '62014',
    '192.168.1.231',
    '21',
    'csanders',
    '<hidden>',
    'RETR',
    'ftp://192.168.1.231/uploads/README',
    'text/plain',
    '3146',
    '226',
    'Transfer complete.',
    '-',
    '-',
    '-',
    '-',
    'FuLHDc3Dp4IsnIHGe3',
  ),
  row(
    '1187379107.120044',
    'CLkXf2CMo11hD8FQ5',
    '192.168.1.182',
    '62014',
    '192.168.1.231',
    '21',
    'csanders',
    '<hidden>',
    'RETR',
    'ftp://192.168.1.231/secret.txt',
    '-',
    '-',
    '550',
    'secret.txt: No such file or directory.',
    '-',
    '-',
    '-',
    '-',
    '-',
  ),
].join('\n');

const RDP_FIELDS_BEFORE = `${ID_FIELDS} cookie result security_protocol`;
const RDP_FIELDS_AFTER =
  'keyboard_layout client_build client_name client_dig_product_id desktop_width desktop_height requested_color_depth cert_type cert_count cert_permanent encryption_level encryption_method';
const RDP_TYPES_AFTER =
  'string string string string count count string string count bool string string';

const RDP_LOG = [
  header(
    'rdp',
    `${RDP_FIELDS_BEFORE} client_channels ${RDP_FIELDS_AFTER}`,
    `${ID_TYPES} string string string vector[string] ${RDP_TYPES_AFTER}`,
  ),
  row(
    '1297551041.284715',
    'CHhAvVGS1DHFjwGM9',
    '192.168.1.200',
    '49206',
    '192.168.1.150',
    '3389',
    'AWAKECODI',
    'Success',
    'RDP',
    'rdpdr,rdpsnd,drdynvc,cliprdr',
    'English - United States',
    'RDP 5.1',
    'ELM',
    '55274-008-8131657-22880',
    '1152',
    '864',
    '16bit',
    'RSA',
    '1',
    'T',
    'Client compatible',
    '128bit',
  ),
  row(
    '1692161702.778201',
    'CmEIco3PeaVm1LV64l',
    '192.168.1.41',
    '52901',
    '10.0.5.13',
    '3389',
    'Administr',
    'encrypted',
    'HYBRID',
    '(empty)',
    '-',
    '-',
    '-',
    '-',
    '-',
    '-',
    '-',
    '-',
    '0',
    '-',
    '-',
    '-',
  ),
  row(
    '1692161705.010000',
    'CX6po61SVaO8po0uh8',
    '192.168.1.41',
    '52907',
    '10.0.5.13',
    '3389',
    'jdoe',
    'SSL required by server',
    'RDP',
    '(empty)',
    '-',
    '-',
    '-',
    '-',
    '-',
    '-',
    '-',
    '-',
    '0',
    '-',
    '-',
    '-',
  ),
].join('\n');

// Older Zeek releases wrote no client_channels column.
const RDP_OLD_LOG = [
  header(
    'rdp',
    `${RDP_FIELDS_BEFORE} ${RDP_FIELDS_AFTER}`,
    `${ID_TYPES} string string string ${RDP_TYPES_AFTER}`,
  ),
  row(
    '1297551041.284715',
    'CHhAvVGS1DHFjwGM9',
    '192.168.1.200',
    '49206',
    '192.168.1.150',
    '3389',
    'AWAKECODI',
    'Success',
    'RDP',
    'English - United States',
    'RDP 5.1',
    'ELM',
    '55274-008-8131657-22880',
    '1152',
    '864',
    '16bit',
    'RSA',
    '1',
    'T',
    'Client compatible',
    '128bit',
  ),
].join('\n');

const NOTICE_FIELDS_BEFORE = `${ID_FIELDS} fuid file_mime_type file_desc proto note msg sub src dst p n peer_descr actions`;
const NOTICE_TYPES_BEFORE = `${ID_TYPES} string string string enum enum string string addr addr port count string set[enum]`;
const NOTICE_FIELDS_AFTER =
  'suppress_for remote_location.country_code remote_location.region remote_location.city remote_location.latitude remote_location.longitude';
const NOTICE_TYPES_AFTER = 'interval string string string double double';

const NOTICE_LOG = [
  header(
    'notice',
    `${NOTICE_FIELDS_BEFORE} email_dest ${NOTICE_FIELDS_AFTER}`,
    `${NOTICE_TYPES_BEFORE} set[string] ${NOTICE_TYPES_AFTER}`,
  ),
  row(
    '1692161700.123456',
    '-',
    '-',
    '-',
    '-',
    '-',
    '-',
    '-',
    '-',
    '-',
    'Scan::Port_Scan',
    '192.168.1.41 scanned at least 15 unique ports of host 10.0.5.13 in 0m2s',
    'local',
    '192.168.1.41',
    '10.0.5.13',
    '-',
    '-',
    '-',
    'Notice::ACTION_LOG',
    '(empty)',
    '3600.000000',
    '-',
    '-',
    '-',
    '-',
    '-',
  ),
  row(
    '1692161674.667337',
    'C6lHTD1NEfitEA9vDc',
    '192.168.1.41',
    '51129',
    '10.0.5.13',
    '8080',
    '-',
    '-',
    '-',
    'tcp',
    'SSL::Invalid_Server_Cert',
    'SSL certificate validation failed with (self signed certificate)',
    'emailAddress=quantify@prosacco.sons.com,CN=prosacco.sons.com,OU=quantify,O=Prosacco and Sons,ST=MA,C=US',
    '192.168.1.41',
    '10.0.5.13',
    '8080',
    '-',
    '-',
    'Notice::ACTION_LOG,Notice::ACTION_EMAIL',
    'soc@pandalab.com',
    '86400.000000',
    'US',
    'MA',
    'Boston',
    '42.3601',
    '-71.0589',
  ),
].join('\n');

// Older Zeek releases wrote no email_dest column.
const NOTICE_OLD_LOG = [
  header(
    'notice',
    `${NOTICE_FIELDS_BEFORE} ${NOTICE_FIELDS_AFTER}`,
    `${NOTICE_TYPES_BEFORE} ${NOTICE_TYPES_AFTER}`,
  ),
  row(
    '1692161700.123456',
    '-',
    '-',
    '-',
    '-',
    '-',
    '-',
    '-',
    '-',
    '-',
    'Scan::Port_Scan',
    '192.168.1.41 scanned at least 15 unique ports of host 10.0.5.13 in 0m2s',
    'local',
    '192.168.1.41',
    '10.0.5.13',
    '-',
    '-',
    '-',
    'Notice::ACTION_LOG',
    '3600.000000',
    '-',
    '-',
    '-',
    '-',
    '-',
  ),
].join('\n');

const WRITTEN_LOGS: Record<string, string> = {
  dhcp: DHCP_LOG,
  smtp: SMTP_LOG,
  'smtp without is_webmail': SMTP_BASE_LOG,
  ftp: FTP_LOG,
  rdp: RDP_LOG,
  'rdp without client_channels': RDP_OLD_LOG,
  notice: NOTICE_LOG,
  'notice without email_dest': NOTICE_OLD_LOG,
};

const CORPUS_LOGS = ['conn', 'dns', 'http', 'ssl', 'files', 'kerberos', 'x509'];

/** Normalizes each TSV line and its JSON form, checks that both match, and returns the TSV events. */
function tsvEvents(log: ZeekLog): Json[] {
  return log.lines.map((line) => {
    const tsv = run(line, `bro_${log.path}`);
    if (!tsv.ok) throw new Error(`${log.path}: ${tsv.reason}`);
    const json = run(jsonRecord(log, line), `zeek:${log.path}:json`);
    expect(json).toEqual(tsv);
    return tsv.event;
  });
}

describe('Zeek TSV same as JSON', () => {
  for (const path of CORPUS_LOGS) {
    test(`corpus ${path}.log`, () => {
      const log = parseZeekLog(readFileSync(resolve(CORPUS, `zeek/tsv/${path}.log`), 'utf8'));
      expect(log.path).toBe(path);
      expect(tsvEvents(log).length).toBe(log.lines.length);
    });
  }
  for (const [name, text] of Object.entries(WRITTEN_LOGS)) {
    test(`written ${name} log`, () => {
      const log = parseZeekLog(text);
      expect(tsvEvents(log).length).toBe(log.lines.length);
    });
  }
});

describe('Zeek TSV logs', () => {
  test('kerberos from corpus', () => {
    const log = parseZeekLog(readFileSync(resolve(CORPUS, 'zeek/tsv/kerberos.log'), 'utf8'));
    const [preauth, granted] = tsvEvents(log) as [Json, Json];
    expect(preauth.class_uid).toBe(3002);
    expect(preauth.activity_id).toBe(3);
    expect(preauth.status_id).toBe(2);
    expect(preauth.status_detail).toBe('KDC_ERR_PREAUTH_REQUIRED');
    expect(preauth.service).toEqual({ name: 'krbtgt/PANDALAB.COM' });
    expect(preauth.dst_endpoint).toEqual({ ip: '192.168.1.4', port: 88 });
    expect(granted.status_id).toBe(1);
    expect(granted.user).toEqual({ name: 'stevie.marie', domain: 'PANDALAB.COM' });
    expect(granted.auth_protocol_id).toBe(2);
    expect(granted.unmapped).toBeUndefined();
  });

  test('dhcp exchanges', () => {
    const [ack, nak, inform] = tsvEvents(parseZeekLog(DHCP_LOG)) as [Json, Json, Json];
    expect(ack.class_uid).toBe(4004);
    expect(ack.activity_id).toBe(5);
    expect(ack.src_endpoint).toEqual({ ip: '192.168.0.10', mac: '00:0b:82:01:fc:42' });
    expect(ack.dst_endpoint).toEqual({ ip: '192.168.0.1' });
    expect(ack.lease_dur).toBe(3600);
    expect(ack.transaction_uid).toBe('CMnxGv1YFAUvoaADr2');
    expect(ack.time).toBe(1_102_274_184_387);
    expect(ack.message).toBe('DHCP DISCOVER OFFER REQUEST ACK');
    expect(nak.activity_id).toBe(6);
    expect(nak.src_endpoint).toEqual({ mac: '00:21:70:e9:bb:47', hostname: 'Microknoppix' });
    expect(nak.unmapped.requested_addr).toBe('192.168.20.11');
    expect(inform.activity_id).toBe(5);
    expect(inform.src_endpoint.domain).toBe('astaro_vineyard');
  });

  test('smtp messages', () => {
    const [sent, rejected] = tsvEvents(parseZeekLog(SMTP_LOG)) as [Json, Json];
    expect(sent.class_uid).toBe(4009);
    expect(sent.activity_id).toBe(1);
    expect(sent.status_id).toBe(1);
    expect(sent.email.from).toBe('"Gurpartap Singh" <gurpartap@patriots.in>');
    expect(sent.email.to).toEqual(['<raj_deol2002in@yahoo.co.in>']);
    expect(sent.email.subject).toBe('SMTP');
    expect(sent.smtp_hello).toBe('GP');
    expect(sent.src_endpoint).toEqual({ ip: '10.10.1.4', port: 1470 });
    expect(sent.unmapped.user_agent).toBe('Microsoft Office Outlook 12.0');
    expect(sent.unmapped.is_webmail).toBe(false);
    expect(rejected.status_id).toBe(2);
    expect(rejected.status_detail).toBe('550 5.7.1 <bob@example.org>: Relay access denied');
    expect(rejected.email.cc).toEqual(['"Doe, Jane" <jane@example.org>']);
    expect(rejected.email.smtp_to).toEqual(['<bob@example.org>', '<carol@example.org>']);
    expect(rejected.email.x_originating_ip).toEqual(['192.168.1.41']);
    const [base] = tsvEvents(parseZeekLog(SMTP_BASE_LOG)) as [Json];
    expect(base.email.smtp_from).toBe('<alice@pandalab.com>');
    expect(base.unmapped.tls).toBe(true);
  });

  test('ftp commands', () => {
    const [pasv, stor, retr, missing] = tsvEvents(parseZeekLog(FTP_LOG)) as Json[];
    expect(pasv!.class_uid).toBe(4008);
    expect(pasv!.activity_id).toBe(99);
    expect(pasv!.activity_name).toBe('PASV');
    expect(pasv!.unmapped['data_channel.resp_p']).toBe(52256);
    expect(stor!.activity_id).toBe(1);
    expect(stor!.file.name).toBe('resume.doc');
    expect(stor!.user).toEqual({ name: 'csanders' });
    expect(retr!.activity_id).toBe(2);
    expect(retr!.file.size).toBe(3146);
    expect(retr!.status_id).toBe(1);
    expect(missing!.status_id).toBe(2);
    expect(missing!.codes).toEqual([550]);
    expect(missing!.status_detail).toBe('secret.txt: No such file or directory.');
  });

  test('rdp results', () => {
    const [success, encrypted, refused] = tsvEvents(parseZeekLog(RDP_LOG)) as Json[];
    expect(success!.class_uid).toBe(4005);
    expect(success!.activity_id).toBe(3);
    expect(success!.status_id).toBe(1);
    expect(success!.user).toEqual({ name: 'AWAKECODI' });
    expect(success!.remote_display).toEqual({ physical_width: 1152, physical_height: 864 });
    expect(success!.unmapped.client_channels).toEqual(['rdpdr', 'rdpsnd', 'drdynvc', 'cliprdr']);
    expect(encrypted!.status_id).toBe(0);
    expect(encrypted!.status_detail).toBe('encrypted');
    expect(encrypted!.protocol_ver).toBe('HYBRID');
    expect(refused!.status_id).toBe(2);
    const [old] = tsvEvents(parseZeekLog(RDP_OLD_LOG)) as [Json];
    expect(old.user).toEqual(success!.user);
    expect(old.unmapped.client_channels).toBeUndefined();
  });

  test('notice findings', () => {
    const [scan, cert] = tsvEvents(parseZeekLog(NOTICE_LOG)) as [Json, Json];
    expect(scan.class_uid).toBe(2004);
    expect(scan.activity_id).toBe(1);
    expect(scan.finding_info.title).toBe('Scan::Port_Scan');
    expect(scan.finding_info.uid).toBe('1692161700.123456:Scan::Port_Scan');
    expect(scan.src_endpoint).toEqual({ ip: '192.168.1.41' });
    expect(scan.dst_endpoint).toEqual({ ip: '10.0.5.13' });
    expect(scan.action).toBe('Notice::ACTION_LOG');
    expect(cert.finding_info.uid).toBe('C6lHTD1NEfitEA9vDc');
    expect(cert.dst_endpoint).toEqual({ ip: '10.0.5.13', port: 8080 });
    expect(cert.action).toBe('Notice::ACTION_LOG,Notice::ACTION_EMAIL');
    expect(cert.unmapped['remote_location.latitude']).toBe(42.3601);
    expect(cert.unmapped.email_dest).toEqual(['soc@pandalab.com']);
    const [old] = tsvEvents(parseZeekLog(NOTICE_OLD_LOG)) as [Json];
    expect(old.finding_info).toEqual(scan.finding_info);
  });

  test('column count outside every layout', () => {
    const line = parseZeekLog(SMTP_LOG).lines[0]!;
    expect(run(`${line}\textra`, 'bro_smtp')).toEqual({
      ok: false,
      reason: 'Zeek smtp TSV line has 28 columns, expected 26 or 27',
      normalizer: 'zeek',
    });
  });
});
