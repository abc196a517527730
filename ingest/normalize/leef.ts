/**
 * IBM QRadar Log Event Extended Format (LEEF) 1.0 and 2.0 lines, bare or after
 * a syslog header: `LEEF:1.0|Vendor|Product|Version|EventID|key=value<TAB>...`;
 * LEEF 2.0 adds a delimiter field (a character or `xHH`) before the attributes.
 * Firewall decisions with addresses become Network Activity, other events Base
 * Events, with the attributes that have no OCSF place in `unmapped`.
 */
import { cefTime, networkActivity, severityOf } from './cef.js';
import { parseSyslogHeader } from './linux-auth.js';
import {
  CLASS,
  compact,
  createEvent,
  endpoint,
  failure,
  fallbackTime,
  hasKeys,
  toStringValue,
} from './ocsf.js';
import type { NormalizeResult, RawEvent } from './types.js';

export const LEEF = 'leef';

const LEEF_MARKER = /(?:^|\s)LEEF:[12]\.0\|/;

/** Attributes the mapping consumes; the rest go to `unmapped`. */
const MAPPED_KEYS = new Set([
  'src',
  'dst',
  'srcPort',
  'dstPort',
  'usrName',
  'sev',
  'devTime',
  'devTimeFormat',
  'proto',
  'action',
  'identHostName',
  'url',
  'srcBytes',
  'dstBytes',
  'srcPackets',
  'dstPackets',
]);

export function isLeefText(text: string): boolean {
  return LEEF_MARKER.test(text);
}

export function normalizeLeef(input: RawEvent): NormalizeResult {
  if (typeof input.event !== 'string') return failure(LEEF, 'LEEF event is not text');
  const line = input.event.replace(/\r?\n$/, '');
  const start = line.indexOf('LEEF:');
  if (start < 0) return failure(LEEF, 'line has no LEEF: header');
  const parts = line.slice(start).split('|');
  const version = parts[0]!.slice(5);
  const headerFields = version === '2.0' ? 6 : 5;
  if (parts.length < headerFields + 1) {
    return failure(
      LEEF,
      `LEEF ${version} header has fewer than ${headerFields} fields separated by |`,
    );
  }
  const [, vendor, product, productVersion, eventId] = parts;
  let delimiter = '\t';
  if (version === '2.0') {
    const spec = parts[5]!;
    if (/^(?:0?x)[0-9a-fA-F]{2}$/.test(spec))
      delimiter = String.fromCharCode(Number.parseInt(spec.slice(-2), 16));
    else if (spec.length === 1) delimiter = spec;
    else if (spec !== '')
      return failure(
        LEEF,
        `LEEF 2.0 delimiter ${JSON.stringify(spec)} is not one character or xHH`,
      );
  }
  const attributesText = parts.slice(headerFields).join('|');
  const fields: Record<string, string> = {};
  for (const pair of attributesText.split(delimiter)) {
    const equals = pair.indexOf('=');
    if (equals <= 0) continue;
    fields[pair.slice(0, equals).trim()] = pair.slice(equals + 1);
  }
  const syslog = start > 0 ? parseSyslogHeader(line, input.time ?? input.receivedAt) : undefined;
  const time = leefTime(fields.devTime) ?? syslog?.time ?? fallbackTime(input);
  const src = endpoint(fields.src, fields.srcPort);
  const dst = endpoint(fields.dst, fields.dstPort, {
    hostname: fields.identHostName,
  });
  const network = src !== undefined || dst !== undefined;
  const classification =
    network && fields.action !== undefined
      ? networkActivity(fields.action)
      : network
        ? { classUid: CLASS.NETWORK_ACTIVITY, activityId: 6, attributes: {} }
        : { classUid: CLASS.BASE_EVENT, activityId: 99, attributes: {} };
  const unmapped: Record<string, unknown> = { leef_version: version };
  for (const key in fields) if (!MAPPED_KEYS.has(key)) unmapped[key] = fields[key];
  const bytesOut = toCount(fields.srcBytes);
  const bytesIn = toCount(fields.dstBytes);
  const traffic = compact({
    bytes_out: bytesOut,
    bytes_in: bytesIn,
    packets_out: toCount(fields.srcPackets),
    packets_in: toCount(fields.dstPackets),
  });
  const attributes: Record<string, unknown> = compact({
    src_endpoint: src,
    dst_endpoint: dst,
    actor: fields.usrName ? { user: { name: fields.usrName } } : undefined,
    device: syslog?.host ? { hostname: syslog.host, type_id: 0, type: 'Unknown' } : undefined,
    connection_info: fields.proto ? { protocol_name: fields.proto.toLowerCase() } : undefined,
    traffic: hasKeys(traffic) ? traffic : undefined,
    http_request: fields.url ? { url: { url_string: fields.url } } : undefined,
  });
  for (const key in classification.attributes) {
    attributes[key] = (classification.attributes as Record<string, unknown>)[key];
  }
  const event = createEvent({
    classUid: classification.classUid,
    activityId: classification.activityId,
    activityName: classification.classUid === CLASS.BASE_EVENT ? toStringValue(eventId) : undefined,
    severityId: fields.sev === undefined ? undefined : severityOf(fields.sev),
    time,
    originalTime: fields.devTime ?? syslog?.originalTime,
    message: `${product} ${eventId}`,
    product: compact({ name: product!, vendor_name: vendor!, version: productVersion }) as {
      name: string;
      vendor_name: string;
    },
    metadata: compact({ event_code: eventId }),
    attributes,
    unmapped,
  });
  return { ok: true, event, normalizer: LEEF };
}

function toCount(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

/** `devTime` as epoch milliseconds, CEF's `MMM dd yyyy HH:mm:ss` or ISO 8601. */
function leefTime(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const cef = cefTime(value);
  if (cef !== undefined) return cef;
  const millis = Date.parse(value);
  return Number.isFinite(millis) ? millis : undefined;
}
