/**
 * Web server access log lines in the NCSA common and combined formats, as
 * Apache httpd and nginx write them, mapped to HTTP Activity. The client field
 * may be preceded by a virtual host or by an X-Forwarded-For address list.
 */
import {
  CLASS,
  compact,
  createEvent,
  failure,
  isIpAddress,
  MONTH_INDEX,
  STATUS,
  toInteger,
} from './ocsf.js';
import type { NormalizeResult, RawEvent } from './types.js';

export const ACCESS_LOG = 'access-log';

const APACHE = { name: 'Apache HTTP Server', vendor_name: 'Apache Software Foundation' };
const NGINX = { name: 'nginx', vendor_name: 'F5' };

/**
 * `prefix ident authuser [time] "request" status bytes ["referer" "user-agent"] [rest]`,
 * where `prefix` ends with the client address.
 */
const ACCESS_LINE =
  /^(.*?) (\S+) (\S+) \[(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?(.*)$/;

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

/** True for a line in NCSA common or combined format. */
export function isAccessLogLine(text: string): boolean {
  return ACCESS_LINE.test(text);
}

/** Normalizes one access log line; `sourcetype` picks the product (nginx or Apache httpd). */
export function normalizeAccessLog(input: RawEvent): NormalizeResult {
  if (typeof input.event !== 'string') {
    return failure(ACCESS_LOG, 'access log event is not a text line');
  }
  const line = input.event.replace(/\r?\n$/, '');
  const match = ACCESS_LINE.exec(line);
  if (match === null) {
    return failure(ACCESS_LOG, 'line is not in NCSA common or combined access log format');
  }
  const [
    ,
    prefix,
    ident,
    authUser,
    day,
    month,
    year,
    hours,
    minutes,
    seconds,
    sign,
    offsetHours,
    offsetMinutes,
    request,
    status,
    bytes,
    referrer,
    userAgent,
    rest,
  ] = match;
  const offsetMillis =
    (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  const time =
    Date.UTC(
      Number(year),
      MONTH_INDEX[month!] ?? Number.NaN,
      Number(day),
      Number(hours),
      Number(minutes),
      Number(seconds),
    ) - offsetMillis;
  if (!Number.isFinite(time)) return failure(ACCESS_LOG, `invalid access log month "${month}"`);

  const client = readClient(prefix!);
  const [method, target, version] = request!.split(' ');
  const hasRequest =
    method !== undefined && method !== '' && method !== '-' && target !== undefined;
  const code = Number(status);
  const queryAt = target?.indexOf('?') ?? -1;
  const event = createEvent({
    classUid: CLASS.HTTP_ACTIVITY,
    activityId: hasRequest ? (HTTP_METHOD_ACTIVITY[method] ?? 99) : 0,
    activityName: hasRequest ? method : undefined,
    statusId: code < 400 ? STATUS.SUCCESS : STATUS.FAILURE,
    time,
    originalTime: line.slice(line.indexOf('[') + 1, line.indexOf(']')),
    message: `${request} ${status}`,
    product: input.sourcetype.toLowerCase().startsWith('nginx') ? NGINX : APACHE,
    attributes: compact({
      src_endpoint: client.address,
      dst_endpoint: client.virtualHost ? { hostname: client.virtualHost } : undefined,
      actor: authUser !== '-' ? { user: { name: authUser } } : undefined,
      http_request: hasRequest
        ? compact({
            http_method: method,
            url: compact({
              url_string: target,
              path: queryAt >= 0 ? target.slice(0, queryAt) : target,
              query_string: queryAt >= 0 ? target.slice(queryAt + 1) : undefined,
              hostname: client.virtualHost,
            }),
            version,
            referrer: referrer !== undefined && referrer !== '-' ? referrer : undefined,
            user_agent: userAgent !== undefined && userAgent !== '-' ? userAgent : undefined,
            x_forwarded_for: client.forwardedFor,
          })
        : undefined,
      http_response: compact({ code, length: toInteger(bytes) }),
    }),
    unmapped: compact({
      ident: ident !== '-' ? ident : undefined,
      request: hasRequest ? undefined : request,
      trailing_fields: rest?.trim(),
    }),
  });
  return { ok: true, event, normalizer: ACCESS_LOG };
}

const QUOTES = /"/g;
const TOKEN_SEPARATOR = /,?\s+/;

interface Client {
  address: Record<string, unknown>;
  virtualHost?: string;
  forwardedFor?: string[];
}

/**
 * Splits the text before ident into the client address (its last token) and
 * what precedes it: a list of IPs is an X-Forwarded-For chain, a single name a
 * virtual host.
 */
function readClient(prefix: string): Client {
  const tokens = prefix.replace(QUOTES, '').split(TOKEN_SEPARATOR).filter(Boolean);
  const last = tokens.pop() ?? '';
  const address = isIpAddress(last) ? { ip: last } : { hostname: last };
  if (tokens.length === 0) return { address };
  const ips = tokens.map((token) => token.replace(/,$/, '')).filter((token) => isIpAddress(token));
  if (ips.length === tokens.length) return { address, forwardedFor: ips };
  return { address, virtualHost: tokens.join(' ') };
}
