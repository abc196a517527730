/**
 * nginx access logs in the key-value format of the Splunk Add-on for NGINX
 * (`nginx:plus:kv`): `key="value"` or `key=value` pairs such as `src`,
 * `http_method`, `uri_path`, `status`, `bytes_out` and `time_local`, mapped to
 * HTTP Activity.
 */
import {
  CLASS,
  compact,
  createEvent,
  endpoint,
  failure,
  fallbackTime,
  MONTH_INDEX,
  statusFromResponseCode,
  toInteger,
} from './ocsf.js';
import type { NormalizeResult, RawEvent } from './types.js';

export const NGINX_KV = 'nginx-kv';

const PAIR = /([A-Za-z_][\w.-]*)=(?:"((?:[^"\\]|\\.)*)"|(\S*))/g;

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

/** Keys the mapping consumes; the rest go to `unmapped`. */
const MAPPED_KEYS = new Set([
  'src',
  'src_ip',
  'src_port',
  'dest_ip',
  'dest_port',
  'server',
  'site',
  'http_method',
  'uri_path',
  'uri_query',
  'status',
  'bytes_out',
  'bytes_in',
  'http_referer',
  'http_user_agent',
  'user',
  'time_local',
  'protocol',
  'http_x_forwarded_for',
]);

/** True for a line with the nginx key-value fields `http_method` or `uri_path` and `status`. */
export function isNginxKvLine(text: string): boolean {
  return /(?:^|\s)status=/.test(text) && /(?:^|\s)(?:http_method|uri_path)=/.test(text);
}

export function normalizeNginxKv(input: RawEvent): NormalizeResult {
  if (typeof input.event !== 'string') return failure(NGINX_KV, 'nginx event is not a text line');
  const fields: Record<string, string> = {};
  for (const match of input.event.matchAll(PAIR)) {
    fields[match[1]!] = (match[2] ?? match[3] ?? '').replace(/\\(.)/g, '$1');
  }
  if (fields.status === undefined && fields.http_method === undefined) {
    return failure(NGINX_KV, 'line has no nginx key-value fields status or http_method');
  }
  const method = present(fields.http_method) ? fields.http_method.toUpperCase() : undefined;
  const code = toInteger(fields.status);
  const path = present(fields.uri_path) ? fields.uri_path : undefined;
  const query = present(fields.uri_query) ? fields.uri_query : undefined;
  const time = nginxTime(fields.time_local);
  const forwarded = present(fields.http_x_forwarded_for)
    ? fields.http_x_forwarded_for.split(',').map((address) => address.trim())
    : undefined;
  const unmapped: Record<string, unknown> = {};
  for (const key in fields) if (!MAPPED_KEYS.has(key)) unmapped[key] = fields[key];
  const event = createEvent({
    classUid: CLASS.HTTP_ACTIVITY,
    activityId: method === undefined ? 0 : (HTTP_METHOD_ACTIVITY[method] ?? 99),
    activityName: method,
    statusId: statusFromResponseCode(code),
    time: time ?? fallbackTime(input),
    originalTime: fields.time_local,
    message: [method, path, code].filter((part) => part !== undefined).join(' '),
    product: { name: 'nginx', vendor_name: 'F5' },
    metadata: { log_name: 'access' },
    attributes: compact({
      src_endpoint: endpoint(fields.src_ip ?? fields.src, fields.src_port),
      dst_endpoint: endpoint(fields.dest_ip, fields.dest_port, {
        hostname: present(fields.server)
          ? fields.server
          : present(fields.site)
            ? fields.site
            : undefined,
      }),
      user: present(fields.user) ? { name: fields.user } : undefined,
      http_request: compact({
        http_method: method,
        version: present(fields.protocol) ? fields.protocol : undefined,
        url:
          path === undefined
            ? undefined
            : compact({
                url_string: query === undefined ? path : `${path}?${query}`,
                path,
                query_string: query,
              }),
        referrer: present(fields.http_referer) ? fields.http_referer : undefined,
        user_agent: present(fields.http_user_agent) ? fields.http_user_agent : undefined,
        length: toInteger(fields.bytes_in),
        x_forwarded_for: forwarded,
      }),
      http_response:
        code === undefined ? undefined : compact({ code, length: toInteger(fields.bytes_out) }),
    }),
    unmapped,
  });
  return { ok: true, event, normalizer: NGINX_KV };
}

function present(value: string | undefined): value is string {
  return value !== undefined && value !== '' && value !== '-';
}

const TIME_LOCAL =
  /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

/** nginx `$time_local`: `22/Jan/2016:13:18:29 +0000`. */
function nginxTime(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = TIME_LOCAL.exec(text);
  if (match === null) return undefined;
  const [, day, month, year, hours, minutes, seconds, sign, zoneHours, zoneMinutes] = match;
  const monthIndex = MONTH_INDEX[month!];
  if (monthIndex === undefined) return undefined;
  const offset = (Number(zoneHours) * 60 + Number(zoneMinutes)) * 60_000 * (sign === '-' ? -1 : 1);
  return (
    Date.UTC(
      Number(year),
      monthIndex,
      Number(day),
      Number(hours),
      Number(minutes),
      Number(seconds),
    ) - offset
  );
}
