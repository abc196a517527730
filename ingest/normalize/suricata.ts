/**
 * Suricata EVE JSON events: alerts become Detection Findings, and flow, dns and
 * http events the matching network classes. Other event types become Base
 * Events with their fields in `unmapped`.
 */
import {
  CLASS,
  compact,
  createEvent,
  type EventSpec,
  endpoint,
  eventObject,
  failure,
  fallbackTime,
  isRecord,
  merge,
  parseIsoMillis,
  SEVERITY,
  statusFromSuccess,
  toInteger,
  toStringValue,
  unmappedFields,
} from './ocsf.js';
import type { NormalizeResult, RawEvent } from './types.js';

export const SURICATA = 'suricata';

const PRODUCT = { name: 'Suricata', vendor_name: 'OISF' };

/** True for a JSON object that looks like an EVE event. */
export function isSuricataObject(object: Record<string, unknown>): boolean {
  return (
    typeof object.event_type === 'string' &&
    'timestamp' in object &&
    ('flow_id' in object || 'src_ip' in object)
  );
}

/** Suricata alert severity (1 highest, 3 lowest by default) as OCSF severity_id. */
const ALERT_SEVERITY: Readonly<Record<number, number>> = {
  1: SEVERITY.HIGH,
  2: SEVERITY.MEDIUM,
  3: SEVERITY.LOW,
  4: SEVERITY.INFORMATIONAL,
};

/** OCSF `action_id` and `action` by EVE `alert.action`. */
const ALERT_ACTION_ID: Readonly<Record<string, number>> = { allowed: 1, blocked: 2 };
const ALERT_ACTION: Readonly<Record<string, string>> = { allowed: 'Allowed', blocked: 'Denied' };

/** DNS Activity activity_id by EVE `dns.type`. */
const DNS_TYPE_ACTIVITY: Readonly<Record<string, number>> = { query: 1, answer: 2 };

/** Network Activity activity_id by EVE `flow.state`. */
const FLOW_STATE_ACTIVITY: Readonly<Record<string, number>> = {
  new: 1,
  established: 6,
  closed: 2,
  bypassed: 6,
};

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

const COMMON_FIELDS = [
  'timestamp',
  'flow_id',
  'event_type',
  'src_ip',
  'src_port',
  'dest_ip',
  'dest_port',
  'proto',
];

type Mapping = Omit<EventSpec, 'time' | 'product'>;

export function normalizeSuricata(input: RawEvent): NormalizeResult {
  const parsed = eventObject(input);
  if ('reason' in parsed) return failure(SURICATA, `Suricata ${parsed.reason}`);
  const record = parsed.object;
  const eventType = toStringValue(record.event_type);
  if (eventType === undefined) return failure(SURICATA, 'Suricata event has no event_type');

  const mapping = mapEventType(eventType, record);
  const src = endpoint(record.src_ip, record.src_port);
  const dst = endpoint(record.dest_ip, record.dest_port);
  const originalTime = toStringValue(record.timestamp);
  const event = createEvent(
    merge(mapping as Record<string, unknown>, {
      time: parseIsoMillis(originalTime) ?? fallbackTime(input),
      originalTime,
      product: PRODUCT,
      metadata: compact({
        uid: record.flow_id === undefined ? undefined : String(record.flow_id),
        log_name: eventType,
      }),
      attributes: merge(
        {
          src_endpoint: src,
          dst_endpoint: dst,
          connection_info: compact({ protocol_name: toStringValue(record.proto)?.toLowerCase() }),
        },
        mapping.attributes,
      ),
      unmapped: mapping.unmapped ?? unmappedFields(record, mappedFieldsOf(eventType)),
    }) as unknown as EventSpec,
  );
  return { ok: true, event, normalizer: SURICATA };
}

/** The mapped top-level keys by event type: the common ones and the type's own object. */
const MAPPED_FIELDS = new Map<string, ReadonlySet<string>>();

function mappedFieldsOf(eventType: string): ReadonlySet<string> {
  let fields = MAPPED_FIELDS.get(eventType);
  if (fields === undefined) {
    fields = new Set([...COMMON_FIELDS, eventType]);
    // Bounded: event types come from senders.
    if (MAPPED_FIELDS.size < 100) MAPPED_FIELDS.set(eventType, fields);
  }
  return fields;
}

function mapEventType(eventType: string, record: Record<string, unknown>): Mapping {
  switch (eventType) {
    case 'alert':
      return mapAlert(record);
    case 'flow':
      return mapFlow(record);
    case 'dns':
      return mapDns(record);
    case 'http':
      return mapHttp(record);
    default:
      return {
        classUid: CLASS.BASE_EVENT,
        activityId: 99,
        activityName: eventType,
        message: `Suricata ${eventType} event`,
        unmapped: record,
      };
  }
}

function mapAlert(record: Record<string, unknown>): Mapping {
  const alert = isRecord(record.alert) ? record.alert : {};
  const signature = toStringValue(alert.signature) ?? 'Suricata alert';
  const signatureId = toStringValue(alert.signature_id);
  const category = toStringValue(alert.category);
  const action = toStringValue(alert.action);
  const severity = toInteger(alert.severity);
  return {
    classUid: CLASS.DETECTION_FINDING,
    activityId: 1,
    severityId: (severity !== undefined ? ALERT_SEVERITY[severity] : undefined) ?? SEVERITY.UNKNOWN,
    message: signature,
    attributes: {
      finding_info: compact({
        uid: signatureId,
        title: signature,
        types: category ? [category] : undefined,
        analytic: compact({
          uid: signatureId,
          name: signature,
          category,
          type_id: 1,
          type: 'Rule',
          version: toStringValue(alert.rev),
        }),
      }),
      action_id: action === undefined ? undefined : ALERT_ACTION_ID[action],
      action: action === undefined ? undefined : ALERT_ACTION[action],
      // NOTE: OCSF 1.1.0 places a finding's endpoints under `evidences`; the top-level
      // src_endpoint and dst_endpoint are kept as well so the promoted IP columns are filled.
      evidences: [
        compact({
          src_endpoint: endpoint(record.src_ip, record.src_port),
          dst_endpoint: endpoint(record.dest_ip, record.dest_port),
        }),
      ],
    },
  };
}

function mapFlow(record: Record<string, unknown>): Mapping {
  const flow = isRecord(record.flow) ? record.flow : {};
  const state = toStringValue(flow.state);
  return {
    classUid: CLASS.NETWORK_ACTIVITY,
    activityId: (state !== undefined ? FLOW_STATE_ACTIVITY[state] : undefined) ?? 6,
    message: `${String(record.proto ?? 'flow')} flow ${state ?? ''}`.trim(),
    attributes: {
      traffic: trafficOf(flow),
      start_time: parseIsoMillis(flow.start),
      end_time: parseIsoMillis(flow.end),
      status_code: state,
    },
  };
}

function trafficOf(flow: Record<string, unknown>): Record<string, unknown> | undefined {
  const traffic = compact({
    bytes_out: toInteger(flow.bytes_toserver),
    bytes_in: toInteger(flow.bytes_toclient),
    packets_out: toInteger(flow.pkts_toserver),
    packets_in: toInteger(flow.pkts_toclient),
  });
  return Object.keys(traffic).length > 0 ? traffic : undefined;
}

function mapDns(record: Record<string, unknown>): Mapping {
  const dns = isRecord(record.dns) ? record.dns : {};
  const type = toStringValue(dns.type);
  const rcode = toStringValue(dns.rcode);
  const hostname = toStringValue(dns.rrname);
  return {
    classUid: CLASS.DNS_ACTIVITY,
    activityId: (type !== undefined ? DNS_TYPE_ACTIVITY[type] : undefined) ?? 99,
    activityName: type,
    statusId: rcode === undefined ? undefined : statusFromSuccess(rcode === 'NOERROR'),
    message: ['DNS', type, toStringValue(dns.rrtype), hostname].filter(Boolean).join(' '),
    attributes: {
      query: compact({
        hostname,
        type: toStringValue(dns.rrtype),
        packet_uid: toInteger(dns.id),
      }),
      rcode,
    },
  };
}

function mapHttp(record: Record<string, unknown>): Mapping {
  const http = isRecord(record.http) ? record.http : {};
  const method = toStringValue(http.http_method);
  const hostname = toStringValue(http.hostname);
  const path = toStringValue(http.url);
  const code = toInteger(http.status);
  return {
    classUid: CLASS.HTTP_ACTIVITY,
    activityId: method === undefined ? 0 : (HTTP_METHOD_ACTIVITY[method] ?? 99),
    activityName: method,
    message: [method, path, code].filter((part) => part !== undefined).join(' '),
    attributes: {
      http_request: compact({
        http_method: method,
        url: compact({
          url_string: hostname && path ? `http://${hostname}${path}` : path,
          hostname,
          path,
        }),
        user_agent: toStringValue(http.http_user_agent),
        referrer: toStringValue(http.http_refer),
        version: toStringValue(http.protocol),
      }),
      http_response:
        code === undefined ? undefined : compact({ code, length: toInteger(http.length) }),
    },
  };
}
