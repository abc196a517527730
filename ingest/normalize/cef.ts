/**
 * ArcSight Common Event Format (CEF) lines, bare or after a syslog header:
 * `CEF:Version|Device Vendor|Device Product|Device Version|Signature ID|Name|Severity|Extension`.
 * Firewall decisions (an `act` with network addresses) become Network Activity,
 * everything else a Detection Finding named after the CEF Name.
 */
import { parseSyslogHeader } from './linux-auth.js';
import {
  CLASS,
  compact,
  createEvent,
  type EventSpec,
  failure,
  fallbackTime,
  isIpAddress,
  MONTH_INDEX,
  merge,
  SEVERITY,
  toInteger,
  toPort,
} from './ocsf.js';
import type { NormalizeResult, RawEvent } from './types.js';

export const CEF = 'cef';

const CEF_MARKER = /(?:^|\s)CEF:\d+\|/;

const EXTENSION_ESCAPE = /\\([\\=nr|])/g;
const HEADER_ESCAPE = /\\([\\|])/g;

/** CEF's own date format, `MMM dd yyyy HH:mm:ss[.SSS]`, read as UTC. */
const CEF_DATE = /^([A-Z][a-z]{2}) (\d{1,2}) (\d{4}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?/;
const EPOCH_DIGITS = /^\d{10,13}$/;

/** OCSF severity_id by CEF text severity. */
const TEXT_SEVERITY: Readonly<Record<string, number>> = {
  low: SEVERITY.LOW,
  medium: SEVERITY.MEDIUM,
  high: SEVERITY.HIGH,
  'very-high': SEVERITY.CRITICAL,
};

/** Network Activity activity_id and OCSF action_id by firewall action (`act`), lower case. */
const ALLOWED_ACTIONS = new Set(['accept', 'allow', 'allowed', 'permit', 'bypass', 'pass']);
const DENIED_ACTIONS = new Set(['drop', 'deny', 'denied', 'reject', 'block', 'blocked']);

/** Extension keys that the mapping consumes; the rest go to `unmapped`. */
const MAPPED_KEYS = new Set([
  'src',
  'spt',
  'dst',
  'dpt',
  'shost',
  'dhost',
  'suser',
  'duser',
  'act',
  'msg',
  'rt',
  'fname',
  'filePath',
  'request',
  'requestMethod',
  'dvchost',
  'dvc',
]);

/** True for text that contains a CEF header. */
export function isCefText(text: string): boolean {
  return CEF_MARKER.test(text);
}

export function normalizeCef(input: RawEvent): NormalizeResult {
  if (typeof input.event !== 'string') return failure(CEF, 'CEF event is not text');
  const line = input.event.replace(/\r?\n$/, '');
  const start = line.indexOf('CEF:');
  if (start < 0) return failure(CEF, 'line has no CEF: header');

  const header = splitHeader(line.slice(start));
  if (header === undefined) {
    return failure(CEF, 'CEF header has fewer than 7 fields separated by |');
  }
  const [version, vendor, product, productVersion, signatureId, name, severity, extensionText] =
    header;
  const extension = parseExtension(extensionText ?? '');
  const syslog = start > 0 ? parseSyslogHeader(line, input.time ?? input.receivedAt) : undefined;
  const time = cefTime(extension.rt) ?? syslog?.time ?? fallbackTime(input);
  const isNetwork = extension.act !== undefined && hasAddresses(extension);

  const source = endpointOf(extension.src ?? extension.c6a2, extension.spt, extension.shost);
  const destination = endpointOf(extension.dst ?? extension.c6a3, extension.dpt, extension.dhost);
  const classification = isNetwork
    ? networkActivity(extension.act!)
    : detectionFinding(signatureId!, name!, extension);
  const unmapped: Record<string, unknown> = { cef_version: version };
  for (const key in extension) {
    if (!MAPPED_KEYS.has(key)) unmapped[key] = extension[key];
  }

  const event = createEvent(
    merge(classification as unknown as Record<string, unknown>, {
      severityId: severityOf(severity!),
      time,
      originalTime: extension.rt ?? syslog?.originalTime,
      message: extension.msg ?? name,
      product: compact({ name: product!, vendor_name: vendor!, version: productVersion }) as {
        name: string;
        vendor_name: string;
      },
      metadata: compact({ event_code: signatureId }),
      attributes: merge(
        {
          src_endpoint: source,
          dst_endpoint: destination,
          device: deviceOf(extension, syslog?.host),
          actor: extension.suser ? { user: { name: extension.suser } } : undefined,
          user: extension.duser ? { name: extension.duser } : undefined,
          file:
            extension.fname || extension.filePath
              ? compact({ name: extension.fname, path: extension.filePath })
              : undefined,
          http_request: extension.request
            ? compact({
                url: { url_string: extension.request },
                http_method: extension.requestMethod,
              })
            : undefined,
        },
        classification.attributes,
      ),
      unmapped,
    }) as unknown as EventSpec,
  );
  return { ok: true, event, normalizer: CEF };
}

/** Splits the 7 header fields at unescaped `|`; the 8th element is the extension text. */
function splitHeader(text: string): string[] | undefined {
  const fields: string[] = [];
  let fieldStart = 4;
  let escaped = false;
  for (let i = 4; i < text.length && fields.length < 7; i++) {
    const code = text.charCodeAt(i);
    if (escaped) escaped = false;
    else if (code === 92 /* \\ */) escaped = true;
    else if (code === 124 /* | */) {
      const field = text.slice(fieldStart, i);
      fields.push(field.includes('\\') ? field.replace(HEADER_ESCAPE, '$1') : field);
      fieldStart = i + 1;
    }
  }
  if (fields.length < 7) return undefined;
  fields.push(text.slice(fieldStart));
  return fields;
}

/**
 * Parses `key=value` pairs. A value runs up to the next key, so it may contain
 * spaces; `=` inside a value is escaped as `\=`. A hand scan over the `=` signs
 * instead of a global regular expression: this is the per-event hot path.
 */
function parseExtension(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  let key: string | undefined;
  let valueStart = 0;
  let labels = false;
  for (let equals = text.indexOf('='); equals !== -1; equals = text.indexOf('=', equals + 1)) {
    if (equals > 0 && text.charCodeAt(equals - 1) === 92 /* \\ */) continue;
    let keyStart = equals;
    while (keyStart > 0 && isKeyCharacter(text.charCodeAt(keyStart - 1))) keyStart--;
    if (keyStart === equals) continue;
    if (keyStart > 0 && !isSpaceCode(text.charCodeAt(keyStart - 1))) continue;
    if (key !== undefined) fields[key] = extensionValue(text, valueStart, keyStart);
    key = text.slice(keyStart, equals);
    if (key.endsWith('Label')) labels = true;
    valueStart = equals + 1;
  }
  if (key !== undefined) fields[key] = extensionValue(text, valueStart, text.length);
  return labels ? labelCustomFields(fields) : fields;
}

function extensionValue(text: string, start: number, end: number): string {
  const value = text.slice(start, end).trim();
  return value.includes('\\') ? value.replace(EXTENSION_ESCAPE, unescapeCharacter) : value;
}

/** Letters, digits, `_`, `.`, `-`, `[` and `]`. */
function isKeyCharacter(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    code === 95 ||
    code === 46 ||
    code === 45 ||
    code === 91 ||
    code === 93
  );
}

function isSpaceCode(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

function unescapeCharacter(_: string, char: string): string {
  if (char === 'n') return '\n';
  if (char === 'r') return '\r';
  return char;
}

/** Renames custom fields (`cs1`, `cn2`, `c6a3`, ...) after their `...Label` field. */
function labelCustomFields(fields: Record<string, string>): Record<string, string> {
  const labels: [string, string][] = [];
  for (const key in fields) {
    if (!key.endsWith('Label')) continue;
    const field = key.slice(0, -'Label'.length);
    const label = fields[key]!;
    if (fields[field] !== undefined && label !== '') labels.push([label, fields[field]]);
  }
  for (const [label, value] of labels) fields[label] = value;
  return fields;
}

function hasAddresses(extension: Record<string, string>): boolean {
  return ['src', 'dst', 'spt', 'dpt', 'c6a2', 'c6a3'].some((key) => extension[key] !== undefined);
}

function endpointOf(
  ip: string | undefined,
  port: string | undefined,
  hostname: string | undefined,
): Record<string, unknown> | undefined {
  const result = compact({
    ip: ip !== undefined && isIpAddress(ip) ? ip : undefined,
    port: toPort(port),
    hostname,
  });
  return Object.keys(result).length > 0 ? result : undefined;
}

function deviceOf(
  extension: Record<string, string>,
  syslogHost: string | undefined,
): Record<string, unknown> | undefined {
  const hostname = extension.dvchost ?? syslogHost;
  const ip = extension.dvc !== undefined && isIpAddress(extension.dvc) ? extension.dvc : undefined;
  if (hostname === undefined && ip === undefined) return undefined;
  return compact({ hostname, ip });
}

export function networkActivity(action: string) {
  const normalized = action.toLowerCase();
  const denied = DENIED_ACTIONS.has(normalized);
  const allowed = ALLOWED_ACTIONS.has(normalized);
  let actionId = 99;
  let actionName = action;
  if (allowed) {
    actionId = 1;
    actionName = 'Allowed';
  } else if (denied) {
    actionId = 2;
    actionName = 'Denied';
  }
  return {
    classUid: CLASS.NETWORK_ACTIVITY,
    activityId: denied ? 5 : 6,
    attributes: { action_id: actionId, action: actionName },
  };
}

function detectionFinding(signatureId: string, name: string, extension: Record<string, string>) {
  return {
    classUid: CLASS.DETECTION_FINDING,
    activityId: 1,
    attributes: {
      finding_info: compact({
        uid: extension.externalId ?? signatureId,
        title: name,
        types: extension.cat ? [extension.cat] : undefined,
      }),
    },
  };
}

/** CEF severity: 0-10 (0-3 low, 4-6 medium, 7-8 high, 9-10 very high) or the words. */
export function severityOf(severity: string): number {
  const level = toInteger(severity);
  if (level !== undefined) {
    if (level < 0 || level > 10) return SEVERITY.UNKNOWN;
    if (level <= 3) return SEVERITY.LOW;
    if (level <= 6) return SEVERITY.MEDIUM;
    if (level <= 8) return SEVERITY.HIGH;
    return SEVERITY.CRITICAL;
  }
  return TEXT_SEVERITY[severity.toLowerCase()] ?? SEVERITY.UNKNOWN;
}

/** Reads `rt`: epoch milliseconds or `MMM dd yyyy HH:mm:ss[.SSS]` (UTC assumed). */
export function cefTime(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (EPOCH_DIGITS.test(value)) {
    const number = Number(value);
    return value.length <= 10 ? number * 1000 : number;
  }
  const match = CEF_DATE.exec(value);
  if (match === null) return undefined;
  const [, month, day, year, hours, minutes, seconds, millis] = match;
  const monthIndex = MONTH_INDEX[month!];
  if (monthIndex === undefined) return undefined;
  return Date.UTC(
    Number(year),
    monthIndex,
    Number(day),
    Number(hours),
    Number(minutes),
    Number(seconds),
    Number((millis ?? '0').padEnd(3, '0')),
  );
}
