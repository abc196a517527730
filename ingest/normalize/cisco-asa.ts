/**
 * Cisco ASA syslog lines (`%ASA-6-302013: Built ...`), and Firepower Threat
 * Defense lines, which use the same message ids and texts (`%FTD-6-302013:`).
 * Access-list decisions and connection build and teardown map to Network
 * Activity, AAA, management login and VPN session messages to Authentication,
 * and configuration commands to API Activity. Other message ids, and mapped ids
 * whose text has an unknown form, become Base Events that keep the header, the
 * message id and the text.
 */
import {
  CLASS,
  createEvent,
  type EventSpec,
  endpoint,
  failure,
  fallbackTime,
  MONTH_INDEX,
  parseIsoMillis,
  SEVERITY,
  statusFromSuccess,
  syslogTimeToMillis,
  toPort,
} from './ocsf.js';
import type { NormalizeResult, RawEvent } from './types.js';

export const CISCO_ASA = 'cisco-asa';

const PRODUCTS: Readonly<Record<string, { name: string; vendor_name: string }>> = {
  ASA: { name: 'ASA', vendor_name: 'Cisco' },
  FTD: { name: 'Firepower Threat Defense', vendor_name: 'Cisco' },
};

/** The message tag `%ASA-<level>-<message id>:`. Some releases leave out the colon after the id. */
const TAG = /%(ASA|FTD)-([0-7])-(\d{6}):? ?/;

/** True for a line that carries an ASA or FTD message tag. */
export function isCiscoAsaText(text: string): boolean {
  return (text.includes('%ASA-') || text.includes('%FTD-')) && TAG.test(text);
}

/** ASA logging level keywords (`logging trap informational`) by level number. */
const LEVEL_NAMES = [
  'emergencies',
  'alerts',
  'critical',
  'errors',
  'warnings',
  'notifications',
  'informational',
  'debugging',
];

/**
 * OCSF severity_id by ASA level. The ASA logs routine drops at level 2 (106001,
 * 106006), so level 2 maps to High, not Critical.
 */
const LEVEL_SEVERITY = [
  SEVERITY.FATAL,
  SEVERITY.CRITICAL,
  SEVERITY.HIGH,
  SEVERITY.MEDIUM,
  SEVERITY.LOW,
  SEVERITY.INFORMATIONAL,
  SEVERITY.INFORMATIONAL,
  SEVERITY.INFORMATIONAL,
];

// Header before the tag: `<166>`, then timestamps and host names in any of the orders that the
// ASA (`logging timestamp`, `logging device-id`) and syslog relays write.
const PRI = /^<\d{1,3}> ?/;
const BSD_STAMP =
  /([A-Z][a-z]{2}) {1,2}(\d{1,2})(?: (\d{4}))? (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(?=[ :]|$):? ?/y;
const ISO_STAMP = /(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)(?=[ :]|$):? ?/y;
const HOST_TOKEN = /([^\s:]+)? ?:? ?/y;
const ISO_ZONE = /(?:Z|[+-]\d\d:?\d\d)$/;
const STAMP_END = /:? ?$/;
/** Header tokens that name no host: the RFC 5424 version and nil values a relay may add. */
const NOT_HOSTS = new Set(['-', '1']);
const MAX_HEADER_TOKENS = 8;

/** The parsed header. One instance is reused, because each worker normalizes one line at a time. */
interface AsaHeader {
  time: number | undefined;
  stamp: string | undefined;
  host: string | undefined;
}

const header: AsaHeader = { time: undefined, stamp: undefined, host: undefined };

/**
 * Parses the header text before the tag into `header`. The timestamp nearest the
 * tag wins, because a relay writes its own before the device's.
 */
function parseHeader(prefix: string, referenceMillis: number): void {
  header.time = undefined;
  header.stamp = undefined;
  header.host = undefined;
  let at = 0;
  const pri = PRI.exec(prefix);
  if (pri !== null) at = pri[0].length;
  for (let tokens = 0; at < prefix.length && tokens < MAX_HEADER_TOKENS; tokens++) {
    BSD_STAMP.lastIndex = at;
    const bsd = BSD_STAMP.exec(prefix);
    if (bsd !== null) {
      const time = bsdMillis(bsd, referenceMillis);
      if (time !== undefined) {
        header.time = time;
        header.stamp = bsd[0].replace(STAMP_END, '');
      }
      at = BSD_STAMP.lastIndex;
      continue;
    }
    ISO_STAMP.lastIndex = at;
    const iso = ISO_STAMP.exec(prefix);
    if (iso !== null) {
      const stamp = iso[1]!;
      // RFC 3339 requires a zone, but `logging timestamp rfc5424` on some releases writes none.
      const time = parseIsoMillis(ISO_ZONE.test(stamp) ? stamp : `${stamp}Z`);
      if (time !== undefined) {
        header.time = time;
        header.stamp = stamp;
      }
      at = ISO_STAMP.lastIndex;
      continue;
    }
    HOST_TOKEN.lastIndex = at;
    const host = HOST_TOKEN.exec(prefix);
    if (host === null || host[0] === '') break;
    const name = host[1];
    if (name !== undefined && !NOT_HOSTS.has(name)) header.host = name;
    at = HOST_TOKEN.lastIndex;
  }
}

/** Converts a BSD timestamp, read as UTC, to epoch milliseconds. A stamp without a year takes the reference's. */
function bsdMillis(match: RegExpExecArray, referenceMillis: number): number | undefined {
  const [, month, day, year, hours, minutes, seconds, fraction] = match;
  const millis = fraction === undefined ? 0 : Math.round(Number(`0.${fraction}`) * 1000);
  if (year === undefined) {
    const time = syslogTimeToMillis(
      month!,
      Number(day),
      Number(hours),
      Number(minutes),
      Number(seconds),
      referenceMillis,
    );
    return time === undefined ? undefined : time + millis;
  }
  const monthIndex = MONTH_INDEX[month!];
  if (monthIndex === undefined) return undefined;
  const time = Date.UTC(
    Number(year),
    monthIndex,
    Number(day),
    Number(hours),
    Number(minutes),
    Number(seconds),
    millis,
  );
  return Number.isFinite(time) ? time : undefined;
}

type MessageSpec = Omit<EventSpec, 'time' | 'product'>;

/** Normalizes one Cisco ASA or FTD syslog line. */
export function normalizeCiscoAsa(input: RawEvent): NormalizeResult {
  if (typeof input.event !== 'string') {
    return failure(CISCO_ASA, 'Cisco ASA event is not a text line');
  }
  const line = input.event.trim();
  if (line === '') return failure(CISCO_ASA, 'event text is empty');

  const tag = TAG.exec(line);
  const referenceMillis = input.time ?? input.receivedAt;
  if (tag === null) {
    // A line without a tag (sent with the cisco:asa sourcetype) keeps its text as a Base Event.
    parseHeader('', referenceMillis);
    const event = createEvent(baseSpec(input, PRODUCTS.ASA!, line, LOG_NAME, undefined));
    return { ok: true, event, normalizer: CISCO_ASA };
  }

  parseHeader(line.slice(0, tag.index), referenceMillis);
  const product = PRODUCTS[tag[1]!]!;
  const level = Number(tag[2]);
  const messageId = tag[3]!;
  const text = line.slice(tag.index + tag[0].length).trim();
  const metadata = { log_name: 'cisco:asa', event_code: messageId, log_level: LEVEL_NAMES[level] };

  const spec = MAPPERS.get(messageId)?.(text);
  if (spec === undefined) {
    const base = baseSpec(input, product, text, metadata, { message_id: messageId, level, text });
    base.activityName = messageId;
    base.severityId = LEVEL_SEVERITY[level];
    return { ok: true, event: createEvent(base), normalizer: CISCO_ASA };
  }

  const full = spec as EventSpec;
  full.time = header.time ?? fallbackTime(input);
  full.originalTime = header.stamp;
  full.product = product;
  full.severityId = LEVEL_SEVERITY[level];
  full.message ??= text;
  full.metadata = metadata;
  // Mappers leave attributes the message lacks undefined, and those stay out of the event.
  const attributes: Record<string, unknown> = {};
  const mapped = spec.attributes;
  if (mapped !== undefined) {
    for (const key in mapped) if (mapped[key] !== undefined) attributes[key] = mapped[key];
  }
  if (header.host !== undefined) attributes.device = deviceOf(header.host);
  full.attributes = attributes;
  return { ok: true, event: createEvent(full), normalizer: CISCO_ASA };
}

const LOG_NAME = { log_name: 'cisco:asa' };

function deviceOf(host: string): Record<string, unknown> {
  return { hostname: host, type_id: 9, type: 'Firewall' };
}

function baseSpec(
  input: RawEvent,
  product: { name: string; vendor_name: string },
  message: string,
  metadata: Record<string, unknown>,
  unmapped: Record<string, unknown> | undefined,
): EventSpec {
  return {
    classUid: CLASS.BASE_EVENT,
    activityId: 99,
    time: header.time ?? fallbackTime(input),
    originalTime: header.stamp,
    message,
    product,
    metadata,
    attributes: header.host === undefined ? undefined : { device: deviceOf(header.host) },
    unmapped,
  };
}

// ---- Network Activity: access-list decisions and connections ----

const ADDRESS = '([^\\s/()]+)';
/** An identity-firewall user after an address, `(LOCAL\\jdoe)`, but not the ICMP `(type 8, code 0)`. */
const IDFW_USER = '(?: ?\\((?!type )([^)]*)\\))?';

/** 106023 `Deny tcp src outside:198.51.100.7/51234 dst inside:10.1.1.20/443 by access-group "outside_in" [0x0, 0x0]` */
const ACL_DENY = new RegExp(
  `^Deny (\\S+) src ([^:\\s]+):${ADDRESS}(?:/(\\d+))?${IDFW_USER} dst ([^:\\s]+):${ADDRESS}(?:/(\\d+))?${IDFW_USER}(?: \\(type (\\d+), code (\\d+)\\))? by access-group "([^"]*)"(?: \\[(0x[0-9a-f]+), (0x[0-9a-f]+)\\])?`,
);

/** 106100 `access-list outside_in permitted tcp outside/198.51.100.7(51234) -> inside/10.1.1.20(443) hit-cnt 1 first hit [0x9d6b5c1a, 0x0]` */
const ACL_LOG = new RegExp(
  `^access-list (\\S+) (permitted|denied|est-allowed) (\\S+) ([^/\\s]+)/${ADDRESS}\\((\\d+)\\)${IDFW_USER} -> ([^/\\s]+)/${ADDRESS}\\((\\d+)\\)${IDFW_USER} hit-cnt (\\d+)(?: ([^[]*?))?(?: \\[(0x[0-9a-f]+), (0x[0-9a-f]+)\\])?$`,
);

/** 106001 `Inbound TCP connection denied from 198.51.100.7/51234 to 10.1.1.20/23 flags SYN on interface outside` */
const INBOUND_DENIED = new RegExp(
  `^Inbound (\\S+) connection denied from ${ADDRESS}/(\\d+) to ${ADDRESS}/(\\d+) flags (.*?) +on interface (\\S+?)\\.?$`,
);

/** 106006 `Deny inbound UDP from ... on interface outside`, 106007 `... due to DNS Query` */
const INBOUND_UDP_DENIED = new RegExp(
  `^Deny inbound (\\S+) from ${ADDRESS}/(\\d+) to ${ADDRESS}/(\\d+) (?:on interface (\\S+?)|due to (DNS \\w+))\\.?$`,
);

/** 106015 `Deny TCP (no connection) from 10.1.1.20/52675 to 198.51.100.7/443 flags FIN ACK on interface inside` */
const NO_CONNECTION = new RegExp(
  `^Deny (\\S+) \\(no connection\\) from ${ADDRESS}/(\\d+) to ${ADDRESS}/(\\d+) flags (.*?) +on interface (\\S+?)\\.?$`,
);

/** 710003 `TCP access denied by ACL from 198.51.100.7/51123 to outside:203.0.113.1/22` */
const TO_THE_BOX_DENIED = new RegExp(
  `^(\\S+) access denied by ACL from ${ADDRESS}/(\\d+) to ([^:\\s]+):${ADDRESS}/(\\S+?)\\.?$`,
);

/** 302013, 302015 `Built outbound TCP connection 123 for outside:203.0.113.10/443 (203.0.113.10/443) to inside:10.1.1.20/51234 (198.51.100.1/51234)` */
const BUILT = new RegExp(
  `^Built (inbound|outbound) (TCP|UDP) connection (\\d+) for ([^:\\s]+):${ADDRESS}/(\\d+) \\(${ADDRESS}/(\\d+)\\)${IDFW_USER} to ([^:\\s]+):${ADDRESS}/(\\d+) \\(${ADDRESS}/(\\d+)\\)${IDFW_USER}`,
);

/** 302014, 302016 `Teardown TCP connection 123 for outside:203.0.113.10/443 to inside:10.1.1.20/51234 duration 0:00:30 bytes 6287 TCP FINs` */
const TEARDOWN = new RegExp(
  `^Teardown (TCP|UDP) connection (\\d+) for ([^:\\s]+):${ADDRESS}/(\\d+)${IDFW_USER} to ([^:\\s]+):${ADDRESS}/(\\d+)${IDFW_USER} duration (\\d+):(\\d\\d):(\\d\\d) bytes (\\d+)(?: (.*?))?(?: \\(([^)]*)\\))?$`,
);

/** 302020, 302021 `Built inbound ICMP connection for faddr 198.51.100.2/0 gaddr 10.0.0.5/0 laddr 10.0.0.5/0 type 8 code 0` */
const ICMP_CONNECTION = new RegExp(
  `^(Built|Teardown) (?:(inbound|outbound) )?(ICMP|ICMPv6) connection for faddr ${ADDRESS}/(\\d+)${IDFW_USER} gaddr ${ADDRESS}/(\\d+) laddr ${ADDRESS}/(\\d+)${IDFW_USER}(?: type (\\d+) code (\\d+))?`,
);

const ACTION_ALLOWED = {
  action_id: 1,
  action: 'Allowed',
  disposition_id: 1,
  disposition: 'Allowed',
};
const ACTION_DENIED = { action_id: 2, action: 'Denied', disposition_id: 2, disposition: 'Blocked' };

const DIRECTION = {
  inbound: { direction_id: 1, direction: 'Inbound' },
  outbound: { direction_id: 2, direction: 'Outbound' },
} as const;

/** Network Activity attributes shared by every message: endpoints, protocol and the ACL outcome. */
function networkAttributes(
  allowed: boolean,
  protocol: string,
  src: Record<string, unknown> | undefined,
  dst: Record<string, unknown> | undefined,
  connection?: Record<string, unknown>,
): Record<string, unknown> {
  const action = allowed ? ACTION_ALLOWED : ACTION_DENIED;
  const connectionInfo: Record<string, unknown> = { protocol_name: protocol.toLowerCase() };
  if (connection !== undefined) for (const key in connection) connectionInfo[key] = connection[key];
  return {
    src_endpoint: src,
    dst_endpoint: dst,
    connection_info: connectionInfo,
    action_id: action.action_id,
    action: action.action,
    disposition_id: action.disposition_id,
    disposition: action.disposition,
  };
}

function asaEndpoint(address: string | undefined, port: string | undefined, iface?: string) {
  return endpoint(address, port, iface === undefined ? {} : { interface_name: iface });
}

/** Keeps the identity-firewall users and NAT addresses that OCSF 1.1.0 has no place for. */
function extras(pairs: (string | undefined)[]): Record<string, unknown> | undefined {
  let result: Record<string, unknown> | undefined;
  for (let i = 0; i < pairs.length; i += 2) {
    const value = pairs[i + 1];
    if (value === undefined || value === '') continue;
    result ??= {};
    result[pairs[i]!] = value;
  }
  return result;
}

function mapAclDeny(text: string): MessageSpec | undefined {
  const m = ACL_DENY.exec(text);
  if (m === null) return undefined;
  const [, protocol, srcIf, srcIp, srcPort, srcUser, dstIf, dstIp, dstPort, dstUser] = m;
  const attributes = networkAttributes(
    false,
    protocol!,
    asaEndpoint(srcIp, srcPort, srcIf),
    asaEndpoint(dstIp, dstPort, dstIf),
  );
  attributes.firewall_rule = ruleOf(m[12]!, m[13]);
  return {
    classUid: CLASS.NETWORK_ACTIVITY,
    activityId: 5,
    attributes,
    unmapped: extras([
      'src_user',
      srcUser,
      'dst_user',
      dstUser,
      'icmp_type',
      m[10],
      'icmp_code',
      m[11],
    ]),
  };
}

/** Builds `firewall_rule` from the access list name and the hash of its entry, unless that is 0x0. */
function ruleOf(name: string, hash: string | undefined): Record<string, unknown> {
  return hash === undefined || hash === '0x0' ? { name } : { name, uid: hash };
}

function mapAclLog(text: string): MessageSpec | undefined {
  const m = ACL_LOG.exec(text);
  if (m === null) return undefined;
  const [, acl, verdict, protocol, srcIf, srcIp, srcPort, srcUser, dstIf, dstIp, dstPort, dstUser] =
    m;
  const allowed = verdict !== 'denied';
  // For ICMP the numbers in parentheses are the ICMP type and code, not ports.
  const icmp = protocol!.startsWith('icmp');
  const attributes = networkAttributes(
    allowed,
    protocol!,
    asaEndpoint(srcIp, icmp ? undefined : srcPort, srcIf),
    asaEndpoint(dstIp, icmp ? undefined : dstPort, dstIf),
  );
  attributes.firewall_rule = ruleOf(acl!, m[14]);
  attributes.count = Number(m[12]);
  return {
    classUid: CLASS.NETWORK_ACTIVITY,
    activityId: allowed ? 6 : 5,
    statusDetail: verdict,
    attributes,
    unmapped: extras([
      'src_user',
      srcUser,
      'dst_user',
      dstUser,
      'hit_interval',
      m[13],
      'icmp_type',
      icmp ? srcPort : undefined,
      'icmp_code',
      icmp ? dstPort : undefined,
    ]),
  };
}

function mapInboundDenied(text: string): MessageSpec | undefined {
  const m = INBOUND_DENIED.exec(text) ?? NO_CONNECTION.exec(text);
  if (m === null) return undefined;
  const [, protocol, srcIp, srcPort, dstIp, dstPort, flags, iface] = m;
  return {
    classUid: CLASS.NETWORK_ACTIVITY,
    activityId: 5,
    statusDetail: text.includes('(no connection)') ? 'no connection' : undefined,
    // The interface named is the one the packet arrived on: the source side.
    attributes: networkAttributes(
      false,
      protocol!,
      asaEndpoint(srcIp, srcPort, iface),
      asaEndpoint(dstIp, dstPort),
    ),
    unmapped: extras(['tcp_flags', flags!.trim()]),
  };
}

function mapInboundUdpDenied(text: string): MessageSpec | undefined {
  const m = INBOUND_UDP_DENIED.exec(text);
  if (m === null) return undefined;
  const [, protocol, srcIp, srcPort, dstIp, dstPort, iface, dns] = m;
  return {
    classUid: CLASS.NETWORK_ACTIVITY,
    activityId: 5,
    statusDetail: dns === undefined ? undefined : `due to ${dns}`,
    attributes: networkAttributes(
      false,
      protocol!,
      asaEndpoint(srcIp, srcPort, iface),
      asaEndpoint(dstIp, dstPort),
      DIRECTION.inbound,
    ),
  };
}

function mapToTheBoxDenied(text: string): MessageSpec | undefined {
  const m = TO_THE_BOX_DENIED.exec(text);
  if (m === null) return undefined;
  const [, protocol, srcIp, srcPort, dstIf, dstIp, service] = m;
  const port = toPort(service);
  const dst = asaEndpoint(dstIp, service, dstIf);
  if (dst !== undefined && port === undefined) dst.svc_name = service;
  return {
    classUid: CLASS.NETWORK_ACTIVITY,
    activityId: 5,
    attributes: networkAttributes(false, protocol!, asaEndpoint(srcIp, srcPort), dst),
  };
}

function mapBuilt(text: string): MessageSpec | undefined {
  const m = BUILT.exec(text);
  if (m === null) return undefined;
  const [, direction, protocol, id, forIf, forIp, forPort, forMappedIp, forMappedPort, forUser] = m;
  const [toIf, toIp, toPort, toMappedIp, toMappedPort, toUser] = m.slice(10);

  const forSide = asaEndpoint(forIp, forPort, forIf);
  const toSide = asaEndpoint(toIp, toPort, toIf);
  // The "for" side is the lower-security interface: the initiator of inbound connections.
  const inbound = direction === 'inbound';
  const known = DIRECTION[direction as keyof typeof DIRECTION];
  const connection = { uid: id, direction_id: known.direction_id, direction: known.direction };
  const attributes = networkAttributes(
    true,
    protocol!,
    inbound ? forSide : toSide,
    inbound ? toSide : forSide,
    connection,
  );
  return {
    classUid: CLASS.NETWORK_ACTIVITY,
    activityId: 1,
    attributes,
    unmapped: extras([
      'for_mapped',
      `${forMappedIp}/${forMappedPort}`,
      'to_mapped',
      `${toMappedIp}/${toMappedPort}`,
      'for_user',
      forUser,
      'to_user',
      toUser,
    ]),
  };
}

function mapTeardown(text: string): MessageSpec | undefined {
  const m = TEARDOWN.exec(text);
  if (m === null) return undefined;
  const [, protocol, id, forIf, forIp, forPort, forUser, toIf, toIp, toPort, toUser] = m;
  const [hours, minutes, seconds, bytes, reason, user] = m.slice(11);
  // Teardown messages do not say which side opened the connection, so the endpoints keep the
  // message order: the "for" side, which is the responder of outbound connections, is src_endpoint.
  const attributes = networkAttributes(
    true,
    protocol!,
    asaEndpoint(forIp, forPort, forIf),
    asaEndpoint(toIp, toPort, toIf),
    { uid: id },
  );
  attributes.duration = (Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds)) * 1000;
  attributes.traffic = { bytes: Number(bytes) };
  return {
    classUid: CLASS.NETWORK_ACTIVITY,
    activityId: reason?.includes('Reset') ? 3 : 2,
    statusDetail: reason,
    attributes,
    unmapped: extras(['for_user', forUser, 'to_user', toUser, 'user', user]),
  };
}

function mapIcmpConnection(text: string): MessageSpec | undefined {
  const m = ICMP_CONNECTION.exec(text);
  if (m === null) return undefined;
  const [, verb, direction, protocol, foreignIp, foreignId, foreignUser, globalIp, , localIp] = m;
  const foreign = asaEndpoint(foreignIp, undefined);
  const local = asaEndpoint(localIp, undefined);
  // ICMP has no ports: the numbers after the addresses are ICMP identifiers and sequence numbers.
  const outbound = direction === 'outbound';
  const attributes = networkAttributes(
    true,
    protocol!,
    outbound ? local : foreign,
    outbound ? foreign : local,
    direction === undefined ? undefined : DIRECTION[direction as keyof typeof DIRECTION],
  );
  return {
    classUid: CLASS.NETWORK_ACTIVITY,
    activityId: verb === 'Built' ? 1 : 2,
    attributes,
    unmapped: extras([
      'faddr_id',
      foreignId,
      'gaddr',
      globalIp,
      'foreign_user',
      foreignUser,
      'local_user',
      m[11],
      'icmp_type',
      m[12],
      'icmp_code',
      m[13],
    ]),
  };
}

// ---- Authentication: AAA, management logins and VPN sessions ----

/** 113004, 113005 `AAA user authentication Rejected : reason = AAA failure : server = 10.1.1.1 : user = jdoe : user IP = 192.0.2.5` */
const AAA_RESULT =
  /^AAA user (\w+) (Successful|Rejected) ?: (?:reason = (.*?) ?: )?server = +(\S+?) ?[:,] [Uu]ser = (.*?)(?: ?: user IP = (\S+?))?\.?$/;

/** 113012, 113015 `AAA user authentication Rejected : reason = Invalid password : local database : user = admin : user IP = 10.0.0.5` */
const AAA_LOCAL =
  /^AAA user authentication (Successful|Rejected) ?: (?:reason = (.*?) ?: )?local database ?: [Uu]ser = (.*?)(?: ?: user IP = (\S+?))?\.?$/;

/** 113019 `Group = VPN, Username = jdoe, IP = 198.51.100.8, Session disconnected. Session Type: SSL, Duration: 0h:42m:10s, Bytes xmt: 1, Bytes rcv: 2, Reason: User Requested` */
const SESSION_DISCONNECTED =
  /^Group = (.*?), Username = (.*?), IP = (\S+?), Session disconnected\. Session Type: (.*?), Duration: (?:(\d+)d ?)?(\d+)h:(\d+)m:(\d+)s, Bytes xmt: (\d+), Bytes rcv: (\d+), Reason: (.*?)\.?$/;

/** 611101, 611102 `User authentication succeeded: IP address: 10.0.0.5, Uname: admin` */
const MANAGEMENT_AUTH = /^User authentication (succeeded|failed): IP address: (\S+?), Uname: (.*)$/;

/** 605004, 605005 `Login denied from 192.0.2.10/48200 to outside:198.51.100.1/ssh for user "admin"` */
const MANAGEMENT_LOGIN =
  /^Login (denied|permitted) from ([^\s/]+)(?:\/(\d+))? to (?:([^:\s]+):)?([^\s/]+)(?:\/(\S+))? for user "(.*)"$/;

/** The start of the WebVPN and AnyConnect messages: `Group <GroupPolicy_VPN> User <jdoe> IP <198.51.100.8> ...` */
const VPN_SESSION = /^Group <([^>]*)> User <([^>]*)> IP <([^>]*)> (.*)$/;

const VPN_TERMINATED = /^WebVPN session terminated: (.*?)\.?$/;
const VPN_TUNNEL_UP = /^(?:TCP|UDP) (?:SVC )?connection established/;
const VPN_TUNNEL_DOWN = /^(?:TCP|UDP) (?:SVC )?connection terminated/;
const VPN_ADDRESS = /^(?:IPv4 )?Address <([^>]*)>(?: IPv6 address <([^>]*)>)? assigned to session/;

const ACTIVITY = { LOGON: 1, LOGOFF: 2, OTHER: 99 } as const;

function authentication(
  activityId: number,
  success: boolean | undefined,
  user: string | undefined,
  attributes: Record<string, unknown>,
  statusDetail?: string,
  unmapped?: Record<string, unknown>,
): MessageSpec {
  if (user !== undefined && user !== '') attributes.user = { name: user };
  return {
    classUid: CLASS.AUTHENTICATION,
    activityId,
    statusId: statusFromSuccess(success),
    statusDetail,
    attributes,
    unmapped,
  };
}

const AAA_ACTIVITY_NAMES: Readonly<Record<string, string>> = {
  authorization: 'Authorization',
  accounting: 'Accounting',
};

function mapAaaResult(text: string): MessageSpec | undefined {
  const m = AAA_RESULT.exec(text);
  if (m === null) return undefined;
  const [, kind, result, reason, server, user, userIp] = m;
  const spec = authentication(
    kind === 'authentication' ? ACTIVITY.LOGON : ACTIVITY.OTHER,
    result === 'Successful',
    user,
    { src_endpoint: asaEndpoint(userIp, undefined) },
    reason,
    { aaa_server: server },
  );
  if (kind !== 'authentication') spec.activityName = AAA_ACTIVITY_NAMES[kind!] ?? kind;
  return spec;
}

function mapAaaLocal(text: string): MessageSpec | undefined {
  const m = AAA_LOCAL.exec(text);
  if (m === null) return undefined;
  const [, result, reason, user, userIp] = m;
  return authentication(
    ACTIVITY.LOGON,
    result === 'Successful',
    user,
    { src_endpoint: asaEndpoint(userIp, undefined) },
    reason,
    { aaa_server: 'local database' },
  );
}

function mapSessionDisconnected(text: string): MessageSpec | undefined {
  const m = SESSION_DISCONNECTED.exec(text);
  if (m === null) return undefined;
  const [, group, user, ip, sessionType, days, hours, minutes, seconds] = m;
  const durationSeconds =
    Number(days ?? 0) * 86_400 + Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds);
  return authentication(
    ACTIVITY.LOGOFF,
    undefined,
    user,
    {
      src_endpoint: asaEndpoint(ip, undefined),
      session: { is_vpn: true },
      duration: durationSeconds * 1000,
    },
    m[11],
    {
      group,
      session_type: sessionType,
      bytes_xmt: Number(m[9]),
      bytes_rcv: Number(m[10]),
    },
  );
}

function mapManagementAuth(text: string): MessageSpec | undefined {
  const m = MANAGEMENT_AUTH.exec(text);
  if (m === null) return undefined;
  return authentication(ACTIVITY.LOGON, m[1] === 'succeeded', m[3], {
    src_endpoint: asaEndpoint(m[2], undefined),
  });
}

function mapManagementLogin(text: string): MessageSpec | undefined {
  const m = MANAGEMENT_LOGIN.exec(text);
  if (m === null) return undefined;
  const [, verdict, source, sourcePort, iface, destination, service, user] = m;
  const dst = asaEndpoint(destination, service, iface);
  if (dst !== undefined && service !== undefined && toPort(service) === undefined) {
    dst.svc_name = service;
  }
  return authentication(ACTIVITY.LOGON, verdict === 'permitted', user, {
    src_endpoint: asaEndpoint(source, sourcePort),
    dst_endpoint: dst,
  });
}

/**
 * WebVPN and AnyConnect messages that start with `Group <..> User <..> IP <..>`:
 * 716001 and 716002 (WebVPN session started, terminated), 722022 and 722023
 * (SVC tunnel established, terminated) and 722051 (address assigned).
 */
function mapVpnSession(text: string): MessageSpec | undefined {
  const m = VPN_SESSION.exec(text);
  if (m === null) return undefined;
  const [, group, user, ip, rest] = m;
  const attributes: Record<string, unknown> = {
    src_endpoint: asaEndpoint(ip, undefined),
    session: { is_vpn: true },
  };
  const unmapped: Record<string, unknown> = { group };

  if (rest!.startsWith('WebVPN session started')) {
    return authentication(ACTIVITY.LOGON, true, user, attributes, undefined, unmapped);
  }
  const terminated = VPN_TERMINATED.exec(rest!);
  if (terminated !== null) {
    return authentication(ACTIVITY.LOGOFF, undefined, user, attributes, terminated[1], unmapped);
  }
  if (VPN_TUNNEL_UP.test(rest!)) {
    return authentication(ACTIVITY.LOGON, true, user, attributes, undefined, unmapped);
  }
  if (VPN_TUNNEL_DOWN.test(rest!)) {
    return authentication(ACTIVITY.LOGOFF, undefined, user, attributes, undefined, unmapped);
  }
  const address = VPN_ADDRESS.exec(rest!);
  if (address !== null) {
    if (address[1] !== undefined && address[1] !== '') unmapped.assigned_ipv4 = address[1];
    if (address[2] !== undefined && address[2] !== '' && address[2] !== '::') {
      unmapped.assigned_ipv6 = address[2];
    }
    return authentication(ACTIVITY.LOGON, true, user, attributes, undefined, unmapped);
  }
  return undefined;
}

// ---- API Activity: commands run on the ASA ----

/** 111008 `User 'enable_15' executed the 'configure terminal' command.` */
const COMMAND_EXECUTED = /^User '?(.*?)'? executed the '?(.*?)'? command\.?$/;

/** 111010 `User 'admin', running 'CLI' from IP 10.1.1.5, executed 'write memory'` */
const CONFIGURATION_CHANGE = /^User '([^']*)', running '([^']*)' from IP (\S+?), executed '(.*)'$/;

/**
 * Returns the API Activity activity_id of a command. The ASA logs these ids for commands
 * other than `show` (111009 has those), so most are changes: `no ...` and
 * `clear configure ...` remove configuration, the rest update it.
 */
function commandActivity(command: string): number {
  if (command.startsWith('no ') || command.startsWith('clear configure')) return 4;
  if (command.startsWith('show ') || command === 'show') return 2;
  return 3;
}

/**
 * Builds the event of an administrator's command on the ASA. API Activity fits
 * best: like a CloudTrail management call it records who ran which operation,
 * from where and through which interface (such as CLI). Process Activity would
 * need a process that the command never starts.
 */
function command(
  user: string,
  operation: string,
  service: string | undefined,
  sourceIp: string | undefined,
): MessageSpec {
  return {
    classUid: CLASS.API_ACTIVITY,
    activityId: commandActivity(operation),
    message: `${user} executed ${operation}`,
    attributes: {
      actor: { user: { name: user } },
      api: service === undefined ? { operation } : { operation, service: { name: service } },
      src_endpoint: asaEndpoint(sourceIp, undefined),
    },
  };
}

function mapCommandExecuted(text: string): MessageSpec | undefined {
  const m = COMMAND_EXECUTED.exec(text);
  return m === null ? undefined : command(m[1]!, m[2]!, undefined, undefined);
}

function mapConfigurationChange(text: string): MessageSpec | undefined {
  const m = CONFIGURATION_CHANGE.exec(text);
  return m === null ? undefined : command(m[1]!, m[4]!, m[2], m[3]);
}

type MessageMapper = (text: string) => MessageSpec | undefined;

/** Mappers by message id. Each returns undefined for a text of a form it does not know. */
const MAPPERS: ReadonlyMap<string, MessageMapper> = new Map<string, MessageMapper>([
  ['106001', mapInboundDenied],
  ['106006', mapInboundUdpDenied],
  ['106007', mapInboundUdpDenied],
  ['106015', mapInboundDenied],
  ['106023', mapAclDeny],
  ['106100', mapAclLog],
  ['710003', mapToTheBoxDenied],
  ['302013', mapBuilt],
  ['302015', mapBuilt],
  ['302014', mapTeardown],
  ['302016', mapTeardown],
  ['302020', mapIcmpConnection],
  ['302021', mapIcmpConnection],
  ['113004', mapAaaResult],
  ['113005', mapAaaResult],
  ['113012', mapAaaLocal],
  ['113015', mapAaaLocal],
  ['113019', mapSessionDisconnected],
  ['611101', mapManagementAuth],
  ['611102', mapManagementAuth],
  ['605004', mapManagementLogin],
  ['605005', mapManagementLogin],
  ['716001', mapVpnSession],
  ['716002', mapVpnSession],
  ['722022', mapVpnSession],
  ['722023', mapVpnSession],
  ['722051', mapVpnSession],
  ['111008', mapCommandExecuted],
  ['111010', mapConfigurationChange],
]);
