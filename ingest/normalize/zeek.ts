/**
 * Zeek logs, as JSON (LogAscii::use_json, Corelight) or as one TSV line of a
 * Zeek ASCII log, both mapped alike. conn, dns, http, ssh, ssl, dhcp, smtp,
 * ftp and rdp logs map to OCSF network classes, kerberos to Authentication and
 * notice to Detection Finding. Other Zeek logs become Base Events with their
 * fields in `unmapped`.
 */
import {
  CLASS,
  compact,
  createEvent,
  type EventSpec,
  endpoint,
  failure,
  fallbackTime,
  isRecord,
  parseIsoMillis,
  parseJsonObject,
  secondsToMillis,
  statusFromSuccess,
  toInteger,
  toStringValue,
  unmappedFields,
} from './ocsf.js';
import type { NormalizeResult, RawEvent } from './types.js';
import { mapDhcp, mapFtp, mapKerberos, mapNotice, mapRdp, mapSmtp } from './zeek-more.js';

export const ZEEK = 'zeek';

const PRODUCT = { name: 'Zeek', vendor_name: 'Zeek' };

type ColumnType = 'time' | 'string' | 'number' | 'bool' | 'set';

interface Column {
  name: string;
  type: ColumnType;
}

const ID_COLUMNS = 'ts:time uid id.orig_h id.orig_p:number id.resp_h id.resp_p:number';

/**
 * Default column orders of each Zeek log, used for TSV lines, which arrive
 * without their `#fields` header. Columns are `name` or `name:type`, string by
 * default. The first layout is the one of the Zeek 6 base scripts. A log whose
 * columns changed between releases or with a commonly loaded policy script
 * lists the variants too, and a line takes the layout with its column count.
 */
const TSV_LAYOUTS: Readonly<Record<string, readonly string[]>> = {
  conn: [
    `${ID_COLUMNS} proto service duration:number orig_bytes:number resp_bytes:number conn_state local_orig:bool local_resp:bool missed_bytes:number history orig_pkts:number orig_ip_bytes:number resp_pkts:number resp_ip_bytes:number tunnel_parents:set`,
  ],
  dns: [
    `${ID_COLUMNS} proto trans_id:number rtt:number query qclass:number qclass_name qtype:number qtype_name rcode:number rcode_name AA:bool TC:bool RD:bool RA:bool Z:number answers:set TTLs:set rejected:bool`,
  ],
  http: [
    `${ID_COLUMNS} trans_depth:number method host uri referrer version user_agent origin request_body_len:number response_body_len:number status_code:number status_msg info_code:number info_msg tags:set username password proxied:set orig_fuids:set orig_filenames:set orig_mime_types:set resp_fuids:set resp_filenames:set resp_mime_types:set`,
  ],
  ssh: [
    `${ID_COLUMNS} version:number auth_success:bool auth_attempts:number direction client server cipher_alg mac_alg compression_alg kex_alg host_key_alg host_key`,
  ],
  ssl: [
    `${ID_COLUMNS} version cipher curve server_name resumed:bool last_alert next_protocol established:bool ssl_history cert_chain_fps:set client_cert_chain_fps:set sni_matches_cert:bool`,
  ],
  files: [
    'ts:time fuid uid id.orig_h id.orig_p:number id.resp_h id.resp_p:number source depth:number analyzers:set mime_type filename duration:number local_orig:bool is_orig:bool seen_bytes:number total_bytes:number missing_bytes:number overflow_bytes:number timedout:bool parent_fuid md5 sha1 sha256 extracted extracted_cutoff:bool extracted_size:number',
  ],
  kerberos: [
    `${ID_COLUMNS} request_type client service success:bool error_msg from:time till:time cipher forwardable:bool renewable:bool client_cert_subject client_cert_fuid server_cert_subject server_cert_fuid`,
  ],
  weird: [`${ID_COLUMNS} name addl notice:bool peer source`],
  x509: [
    'ts:time fingerprint certificate.version:number certificate.serial certificate.subject certificate.issuer certificate.not_valid_before:time certificate.not_valid_after:time certificate.key_alg certificate.sig_alg certificate.key_type certificate.key_length:number certificate.exponent certificate.curve san.dns:set san.uri:set san.email:set san.ip:set basic_constraints.ca:bool basic_constraints.path_len:number host_cert:bool client_cert:bool',
  ],
  dhcp: [
    'ts:time uids:set client_addr server_addr mac host_name client_fqdn domain requested_addr assigned_addr lease_time:number client_message server_message msg_types:set duration:number',
  ],
  // The second layout adds is_webmail from policy/protocols/smtp/software.zeek, which local.zeek loads.
  smtp: [
    `${ID_COLUMNS} trans_depth:number helo mailfrom rcptto:set date from to:set cc:set reply_to msg_id in_reply_to subject x_originating_ip first_received second_received last_reply path:set user_agent tls:bool fuids:set`,
    `${ID_COLUMNS} trans_depth:number helo mailfrom rcptto:set date from to:set cc:set reply_to msg_id in_reply_to subject x_originating_ip first_received second_received last_reply path:set user_agent tls:bool fuids:set is_webmail:bool`,
  ],
  ftp: [
    `${ID_COLUMNS} user password command arg mime_type file_size:number reply_code:number reply_msg data_channel.passive:bool data_channel.orig_h data_channel.resp_h data_channel.resp_p:number fuid`,
  ],
  // Older Zeek releases wrote no client_channels column.
  rdp: [
    `${ID_COLUMNS} cookie result security_protocol client_channels:set keyboard_layout client_build client_name client_dig_product_id desktop_width:number desktop_height:number requested_color_depth cert_type cert_count:number cert_permanent:bool encryption_level encryption_method`,
    `${ID_COLUMNS} cookie result security_protocol keyboard_layout client_build client_name client_dig_product_id desktop_width:number desktop_height:number requested_color_depth cert_type cert_count:number cert_permanent:bool encryption_level encryption_method`,
  ],
  // Older Zeek releases wrote no email_dest column.
  notice: [
    `${ID_COLUMNS} fuid file_mime_type file_desc proto note msg sub src dst p:number n:number peer_descr actions:set email_dest:set suppress_for:number remote_location.country_code remote_location.region remote_location.city remote_location.latitude:number remote_location.longitude:number`,
    `${ID_COLUMNS} fuid file_mime_type file_desc proto note msg sub src dst p:number n:number peer_descr actions:set suppress_for:number remote_location.country_code remote_location.region remote_location.city remote_location.latitude:number remote_location.longitude:number`,
  ],
};

/** Column layouts by log type, then by column count. */
const COLUMNS: ReadonlyMap<string, ReadonlyMap<number, readonly Column[]>> = new Map(
  Object.entries(TSV_LAYOUTS).map(([log, layouts]) => [
    log,
    new Map(
      layouts.map((layout) => parseLayout(layout)).map((columns) => [columns.length, columns]),
    ),
  ]),
);

function parseLayout(layout: string): Column[] {
  return layout.split(' ').map((spec) => {
    const [name, type] = spec.split(':');
    return { name: name!, type: (type ?? 'string') as ColumnType };
  });
}

/** Zeek log names that the sourcetype can carry: `zeek:conn:json`, `bro_conn`, `zeek:conn`. */
const SOURCETYPE_LOG = /^(?:zeek|bro)[:_]([a-z0-9_]+?)(?::json)?$/;

/** Returns the Zeek log type named by a sourcetype, or undefined when it names none. */
export function zeekLogFromSourcetype(sourcetype: string): string | undefined {
  let log = LOG_BY_SOURCETYPE.get(sourcetype);
  if (log === undefined && !LOG_BY_SOURCETYPE.has(sourcetype)) {
    log = SOURCETYPE_LOG.exec(sourcetype)?.[1];
    // Bounded: sourcetypes come from senders, and a flood of distinct ones must not grow memory.
    if (LOG_BY_SOURCETYPE.size < 1000) LOG_BY_SOURCETYPE.set(sourcetype, log);
  }
  return log;
}

/** Answers of `zeekLogFromSourcetype` by sourcetype: the regular expression runs once per name. */
const LOG_BY_SOURCETYPE = new Map<string, string | undefined>();

/** True for a JSON object that looks like a Zeek log line: `ts` with `uid` and `id.orig_h`, or with `_path`. */
export function isZeekObject(object: Record<string, unknown>): boolean {
  return 'ts' in object && (('uid' in object && 'id.orig_h' in object) || '_path' in object);
}

/** Normalizes a Zeek event. `logType` comes from the sourcetype when it names one. */
export function normalizeZeek(input: RawEvent, logType?: string): NormalizeResult {
  let record: Record<string, unknown> | undefined;
  if (isRecord(input.event)) {
    record = input.event;
  } else if (typeof input.event === 'string') {
    const text = input.event;
    record = parseJsonObject(text);
    if (record === undefined) {
      const parsed = parseTsvLine(text, logType);
      if ('reason' in parsed) return failure(ZEEK, parsed.reason);
      record = parsed.record;
    }
  } else {
    return failure(ZEEK, 'Zeek event is neither a JSON object nor a TSV line');
  }
  const log = logType ?? toStringValue(record._path) ?? guessLogType(record);
  return { ok: true, event: mapRecord(record, log, input), normalizer: `${ZEEK}:${log}` };
}

function parseTsvLine(
  line: string,
  logType: string | undefined,
): { record: Record<string, unknown> } | { reason: string } {
  const text = line.replace(/\r?\n$/, '');
  if (text.startsWith('#')) {
    return { reason: 'Zeek TSV header line (starting with #), not an event' };
  }
  if (logType === undefined) {
    return {
      reason: 'Zeek TSV line without a log type: send it with a sourcetype such as bro_conn',
    };
  }
  const layouts = COLUMNS.get(logType);
  if (layouts === undefined) {
    return { reason: `Zeek TSV log type "${logType}" has no known column layout` };
  }
  const values = text.split('\t');
  const columns = layouts.get(values.length);
  if (columns === undefined) {
    const expected = [...layouts.keys()].join(' or ');
    return {
      reason: `Zeek ${logType} TSV line has ${values.length} columns, expected ${expected}`,
    };
  }
  const record: Record<string, unknown> = {};
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i]!;
    const value = convertTsvValue(values[i]!, column.type);
    if (value === undefined) continue;
    if (value === null)
      return {
        reason: `Zeek ${logType} column ${column.name} is invalid: ${JSON.stringify(values[i])}`,
      };
    record[column.name] = value;
  }
  return { record };
}

/** Converts one TSV field; undefined for Zeek's unset field `-`, null for a malformed value. */
function convertTsvValue(raw: string, type: ColumnType): unknown {
  if (raw === '-') return undefined;
  // Zeek escapes a comma inside a set element as \x2c, so elements split before unescaping.
  if (type === 'set') return raw === '(empty)' ? [] : raw.split(',').map(unescapeZeek);
  const text = unescapeZeek(raw);
  switch (type) {
    case 'time':
    case 'number': {
      const number = Number(text);
      return text !== '' && Number.isFinite(number) ? number : null;
    }
    case 'bool':
      return ZEEK_BOOLEANS[text] ?? null;
    default:
      return text === '(empty)' ? '' : text;
  }
}

const ZEEK_BOOLEANS: Readonly<Record<string, boolean>> = { T: true, F: false };

const ZEEK_ESCAPE = /\\x([0-9a-fA-F]{2})/g;

function unescapeZeek(text: string): string {
  if (!text.includes('\\x')) return text;
  return text.replace(ZEEK_ESCAPE, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

function guessLogType(record: Record<string, unknown>): string {
  if ('qtype' in record || 'query' in record) return 'dns';
  if ('method' in record || 'status_code' in record || 'trans_depth' in record) return 'http';
  if ('conn_state' in record || 'history' in record) return 'conn';
  if ('auth_attempts' in record || 'kex_alg' in record) return 'ssh';
  if ('cipher' in record && ('ssl_history' in record || 'established' in record)) return 'ssl';
  if ('fuid' in record) return 'files';
  if ('request_type' in record) return 'kerberos';
  if ('msg_types' in record) return 'dhcp';
  if ('mailfrom' in record || 'rcptto' in record) return 'smtp';
  if ('command' in record && 'reply_code' in record) return 'ftp';
  if ('cookie' in record && 'security_protocol' in record) return 'rdp';
  if ('note' in record) return 'notice';
  if ('name' in record && 'peer' in record) return 'weird';
  return 'unknown';
}

/** Fields every mapping consumes. */
const COMMON_FIELDS = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', '_path'];

function mapRecord(record: Record<string, unknown>, log: string, input: RawEvent) {
  const time = zeekTime(record.ts) ?? fallbackTime(input);
  const uid = toStringValue(record.uid);
  const metadata: Record<string, unknown> = { log_name: log };
  if (uid !== undefined) metadata.uid = uid;
  const mapping = MAPPINGS[log];
  // No spreads here: they dominated the profile of this per-event path.
  if (mapping === undefined) {
    return createEvent({
      classUid: CLASS.BASE_EVENT,
      activityId: 99,
      activityName: log,
      time,
      originalTime: toStringValue(record.ts),
      product: PRODUCT,
      metadata,
      message: `Zeek ${log} log`,
      attributes: endpointAttributes(record, {}),
      unmapped: record,
    });
  }
  const mapped = mapping(record);
  const spec = mapped.spec as EventSpec;
  spec.time = time;
  spec.originalTime = toStringValue(record.ts);
  spec.product = PRODUCT;
  spec.metadata = metadata;
  spec.attributes = endpointAttributes(record, spec.attributes ?? {});
  spec.unmapped = unmappedFields(record, mapped.fields);
  return createEvent(spec);
}

/** Adds the connection endpoints to the mapped attributes and drops empty ones, in place. */
function endpointAttributes(
  record: Record<string, unknown>,
  attributes: Record<string, unknown>,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  const src = endpoint(record['id.orig_h'], record['id.orig_p']);
  if (src !== undefined) result.src_endpoint = src;
  const dst = endpoint(record['id.resp_h'], record['id.resp_p']);
  if (dst !== undefined) result.dst_endpoint = dst;
  for (const key in attributes) {
    const value = attributes[key];
    if (value !== undefined && value !== null && value !== '') result[key] = value;
  }
  return result;
}

function zeekTime(ts: unknown): number | undefined {
  if (typeof ts === 'string' && !/^\d+(\.\d+)?$/.test(ts)) return parseIsoMillis(ts);
  return secondsToMillis(ts);
}

function booleanOrUndefined(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

function secondsToDurationMillis(value: unknown): number | undefined {
  return typeof value === 'number' ? Math.round(value * 1000) : undefined;
}

interface Mapping {
  spec: Omit<EventSpec, 'time' | 'product'>;
  fields: ReadonlySet<string>;
}

const MAPPINGS: Readonly<Record<string, (record: Record<string, unknown>) => Mapping>> = {
  conn: mapConn,
  dns: mapDns,
  http: mapHttp,
  ssh: mapSsh,
  ssl: mapSsl,
  kerberos: mapKerberos,
  dhcp: mapDhcp,
  smtp: mapSmtp,
  ftp: mapFtp,
  rdp: mapRdp,
  notice: mapNotice,
};

const fieldSet = (...names: string[]): ReadonlySet<string> => new Set([...COMMON_FIELDS, ...names]);

/** Network Activity activity_id by Zeek `conn_state`. */
const CONN_STATE_ACTIVITY: Readonly<Record<string, number>> = {
  SF: 2,
  S2: 2,
  S3: 2,
  S1: 1,
  REJ: 5,
  RSTO: 3,
  RSTR: 3,
  RSTOS0: 3,
  RSTRH: 3,
};

const CONN_FIELDS = fieldSet(
  'proto',
  'service',
  'duration',
  'orig_bytes',
  'resp_bytes',
  'orig_pkts',
  'resp_pkts',
  'conn_state',
);

function mapConn(record: Record<string, unknown>): Mapping {
  const state = toStringValue(record.conn_state);
  const activityId = state === undefined ? 6 : (CONN_STATE_ACTIVITY[state] ?? 6);
  const bytesOut = toInteger(record.orig_bytes);
  const bytesIn = toInteger(record.resp_bytes);
  const packetsOut = toInteger(record.orig_pkts);
  const packetsIn = toInteger(record.resp_pkts);
  const traffic = compact({
    bytes_out: bytesOut,
    bytes_in: bytesIn,
    packets_out: packetsOut,
    packets_in: packetsIn,
    bytes: bytesOut !== undefined && bytesIn !== undefined ? bytesOut + bytesIn : undefined,
    packets:
      packetsOut !== undefined && packetsIn !== undefined ? packetsOut + packetsIn : undefined,
  });
  return {
    spec: {
      classUid: CLASS.NETWORK_ACTIVITY,
      activityId,
      message: `${String(record.proto ?? 'connection')} ${state ?? ''}`.trim(),
      attributes: {
        connection_info: compact({ protocol_name: toStringValue(record.proto) }),
        app_name: toStringValue(record.service),
        duration: secondsToDurationMillis(record.duration),
        traffic: Object.keys(traffic).length > 0 ? traffic : undefined,
        status_code: state,
      },
    },
    fields: CONN_FIELDS,
  };
}

const DNS_FIELDS = fieldSet(
  'proto',
  'trans_id',
  'rtt',
  'query',
  'qclass_name',
  'qtype_name',
  'rcode',
  'rcode_name',
  'answers',
  'TTLs',
);

function mapDns(record: Record<string, unknown>): Mapping {
  const transId = toInteger(record.trans_id);
  const query = compact({
    hostname: toStringValue(record.query),
    type: toStringValue(record.qtype_name),
    class: toStringValue(record.qclass_name),
    packet_uid: transId,
  });
  const rcode = toInteger(record.rcode);
  const answers = Array.isArray(record.answers) ? record.answers : [];
  const ttls = Array.isArray(record.TTLs) ? record.TTLs : [];
  const hasResponse = rcode !== undefined;
  return {
    spec: {
      classUid: CLASS.DNS_ACTIVITY,
      activityId: hasResponse ? 6 : 1,
      statusId: hasResponse ? statusFromSuccess(rcode === 0) : undefined,
      message: `DNS ${String(record.qtype_name ?? 'query')} ${String(record.query ?? '')}`.trim(),
      attributes: {
        query: Object.keys(query).length > 0 ? query : undefined,
        rcode_id: rcode,
        rcode: toStringValue(record.rcode_name),
        response_time: secondsToDurationMillis(record.rtt),
        connection_info: compact({ protocol_name: toStringValue(record.proto) }),
        answers:
          answers.length > 0
            ? answers.map((rdata, i) =>
                compact({ rdata: String(rdata), ttl: toInteger(ttls[i]), packet_uid: transId }),
              )
            : undefined,
      },
    },
    fields: DNS_FIELDS,
  };
}

const HTTP_METHOD_ACTIVITY: Readonly<Record<string, number>> = {
  CONNECT: 1,
  DELETE: 2,
  GET: 3,
  HEAD: 4,
  OPTIONS: 5,
  POST: 6,
  PUT: 7,
  TRACE: 8,
};

const HTTP_FIELDS = fieldSet(
  'method',
  'host',
  'uri',
  'referrer',
  'version',
  'user_agent',
  'request_body_len',
  'response_body_len',
  'status_code',
  'status_msg',
  'username',
);

function mapHttp(record: Record<string, unknown>): Mapping {
  const method = toStringValue(record.method);
  const host = toStringValue(record.host);
  const uri = toStringValue(record.uri);
  const code = toInteger(record.status_code);
  const port = toInteger(record['id.resp_p']);
  const url = compact({
    url_string: uri !== undefined && host !== undefined ? `http://${host}${uri}` : uri,
    hostname: host,
    path: uri?.split('?')[0],
    query_string: uri?.includes('?') ? uri.slice(uri.indexOf('?') + 1) : undefined,
    port,
  });
  const username = toStringValue(record.username);
  return {
    spec: {
      classUid: CLASS.HTTP_ACTIVITY,
      activityId: method === undefined ? 0 : (HTTP_METHOD_ACTIVITY[method] ?? 99),
      activityName: method,
      message: [method, uri, code].filter((part) => part !== undefined).join(' '),
      attributes: {
        http_request: compact({
          http_method: method,
          url: Object.keys(url).length > 0 ? url : undefined,
          referrer: toStringValue(record.referrer),
          user_agent: toStringValue(record.user_agent),
          version: toStringValue(record.version),
          length: toInteger(record.request_body_len),
        }),
        http_response:
          code !== undefined && code > 0
            ? compact({
                code,
                status: toStringValue(record.status_msg),
                length: toInteger(record.response_body_len),
              })
            : undefined,
        user: username ? { name: username } : undefined,
      },
    },
    fields: HTTP_FIELDS,
  };
}

const SSH_FIELDS = fieldSet(
  'version',
  'auth_success',
  'auth_attempts',
  'direction',
  'client',
  'server',
  'hassh',
  'hasshServer',
);

function mapSsh(record: Record<string, unknown>): Mapping {
  const success = record.auth_success;
  const direction = toStringValue(record.direction);
  return {
    spec: {
      classUid: CLASS.SSH_ACTIVITY,
      activityId: 1,
      statusId: statusFromSuccess(booleanOrUndefined(success)),
      message: `SSH ${String(record.client ?? 'client')} to ${String(record.server ?? 'server')}`,
      attributes: {
        protocol_ver: toStringValue(record.version),
        count: toInteger(record.auth_attempts),
        connection_info:
          direction === 'INBOUND'
            ? { direction: 'Inbound', direction_id: 1 }
            : direction === 'OUTBOUND'
              ? { direction: 'Outbound', direction_id: 2 }
              : undefined,
        client_hassh: record.hassh ? { fingerprint: { value: record.hassh } } : undefined,
        server_hassh: record.hasshServer
          ? { fingerprint: { value: record.hasshServer } }
          : undefined,
      },
    },
    fields: SSH_FIELDS,
  };
}

const SSL_FIELDS = fieldSet('version', 'cipher', 'server_name', 'established', 'ja3', 'ja3s');

function mapSsl(record: Record<string, unknown>): Mapping {
  const serverName = toStringValue(record.server_name);
  const tls = compact({
    version: toStringValue(record.version),
    cipher: toStringValue(record.cipher),
    sni: serverName,
    ja3_hash: record.ja3 ? { value: record.ja3 } : undefined,
    ja3s_hash: record.ja3s ? { value: record.ja3s } : undefined,
  });
  return {
    spec: {
      classUid: CLASS.NETWORK_ACTIVITY,
      activityId: 6,
      statusId: statusFromSuccess(booleanOrUndefined(record.established)),
      message: ['TLS', toStringValue(record.version), serverName].filter(Boolean).join(' '),
      attributes: { tls: Object.keys(tls).length > 0 ? tls : undefined },
    },
    fields: SSL_FIELDS,
  };
}
