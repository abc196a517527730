/**
 * ArcSight Common Event Format (CEF) lines, bare or after a syslog header:
 * `CEF:Version|Device Vendor|Device Product|Device Version|Signature ID|Name|Severity|Extension`.
 * Firewall decisions (an `act` with network addresses) become Network Activity,
 * everything else a Detection Finding named after the CEF Name.
 */

import { sameText } from './intern.js';
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

/** True for text that contains a CEF header. */
export function isCefText(text: string): boolean {
  return CEF_MARKER.test(text);
}

export function normalizeCef(input: RawEvent): NormalizeResult {
  if (typeof input.event !== 'string') return failure(CEF, 'CEF event is not text');
  const line = withoutLineEnd(input.event);
  const start = line.indexOf('CEF:');
  if (start < 0) return failure(CEF, 'line has no CEF: header');

  const header = splitHeader(line.slice(start));
  if (header === undefined) {
    return failure(CEF, 'CEF header has fewer than 7 fields separated by |');
  }
  const [version, vendor, product, productVersion, signatureId, name, severity, extensionText] =
    header;
  const fields = parseExtension(extensionText ?? '');
  const extension = mappedFields();
  const syslog = start > 0 ? parseSyslogHeader(line, input.time ?? input.receivedAt) : undefined;
  const time = cefTime(extension.rt) ?? syslog?.time ?? fallbackTime(input);
  const isNetwork = extension.act !== undefined && hasAddresses(extension);

  const source = endpointOf(extension.src ?? extension.c6a2, extension.spt, extension.shost);
  const destination = endpointOf(extension.dst ?? extension.c6a3, extension.dpt, extension.dhost);
  const classification = isNetwork
    ? networkActivity(extension.act!)
    : detectionFinding(signatureId!, name!, extension);
  const unmapped: Record<string, unknown> = { cef_version: version };
  const keys = fields.keys;
  const values = fields.values;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (!key.mapped) unmapped[key.name] = values[i];
  }

  // Built directly instead of through `merge` and `compact`, with the same
  // result: empty strings and missing values are left out, in this key order.
  const attributes: Record<string, unknown> = {};
  if (source !== undefined) attributes.src_endpoint = source;
  if (destination !== undefined) attributes.dst_endpoint = destination;
  const device = deviceOf(extension, syslog?.host);
  if (device !== undefined) attributes.device = device;
  if (extension.suser) attributes.actor = { user: { name: extension.suser } };
  if (extension.duser) attributes.user = { name: extension.duser };
  if (extension.fname || extension.filePath) {
    const file: Record<string, unknown> = {};
    if (extension.fname) file.name = extension.fname;
    if (extension.filePath) file.path = extension.filePath;
    attributes.file = file;
  }
  if (extension.request) {
    const request: Record<string, unknown> = { url: { url_string: extension.request } };
    if (extension.requestMethod) request.http_method = extension.requestMethod;
    attributes.http_request = request;
  }
  const classified = classification.attributes as Record<string, unknown>;
  for (const key in classified) {
    const value = classified[key];
    if (value !== undefined && value !== null && value !== '') attributes[key] = value;
  }
  const productInfo: Record<string, unknown> = {};
  if (product) productInfo.name = product;
  if (vendor) productInfo.vendor_name = vendor;
  if (productVersion) productInfo.version = productVersion;
  const originalTime = extension.rt ?? syslog?.originalTime;
  const message = extension.msg ?? name;

  const event = createEvent({
    classUid: classification.classUid,
    activityId: classification.activityId,
    severityId: severityOf(severity!),
    time,
    originalTime: originalTime === '' ? undefined : originalTime,
    message: message === '' ? undefined : message,
    product: productInfo as EventSpec['product'],
    metadata: signatureId ? { event_code: signatureId } : {},
    attributes,
    unmapped,
    // It has `cef_version`.
    unmappedHasKeys: true,
  });
  return { ok: true, event, normalizer: CEF };
}

/** Removes one final `\n` or `\r\n` from the text, as `replace(/\r?\n$/, '')` does. */
function withoutLineEnd(text: string): string {
  const length = text.length;
  if (length === 0 || text.charCodeAt(length - 1) !== 10) return text;
  const cut = length > 1 && text.charCodeAt(length - 2) === 13 ? 2 : 1;
  return text.slice(0, length - cut);
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
 * One extension key name, shared by every event that uses it. `stamp` and
 * `index` place the key in the fields of the event being parsed, so that a
 * repeated key is found without a lookup.
 */
interface KeyInfo {
  name: string;
  /** True for the keys that the mapping consumes; the others go to `unmapped`. */
  mapped: boolean;
  /** For a `...Label` key, the key it names, once looked up. */
  labelled: KeyInfo | undefined;
  isLabel: boolean;
  /** `keyHash` of the name. */
  hash: number;
  /** The parse that last set this key, and its position in that parse's fields. */
  stamp: number;
  index: number;
}

/** Extension fields in order of first appearance; a repeated key keeps its place and takes the last value. */
interface Fields {
  keys: KeyInfo[];
  values: string[];
}

function keyInfo(name: string, mapped: boolean): KeyInfo {
  return {
    name,
    mapped,
    labelled: undefined,
    isLabel: name.endsWith('Label'),
    hash: keyHash(name, 0, name.length),
    stamp: 0,
    index: 0,
  };
}

/** Hashes `text` from `end` back to `start`, in the order the parser reads keys. */
function keyHash(text: string, start: number, end: number): number {
  let hash = 0;
  for (let i = end - 1; i >= start; i--) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}

/** Keys that the mapping consumes (`MAPPED`) or reads and also keeps in `unmapped`. */
const ACT = keyInfo('act', true);
const C6A2 = keyInfo('c6a2', false);
const C6A3 = keyInfo('c6a3', false);
const CAT = keyInfo('cat', false);
const DHOST = keyInfo('dhost', true);
const DPT = keyInfo('dpt', true);
const DST = keyInfo('dst', true);
const DUSER = keyInfo('duser', true);
const DVC = keyInfo('dvc', true);
const DVCHOST = keyInfo('dvchost', true);
const EXTERNAL_ID = keyInfo('externalId', false);
const FILE_PATH = keyInfo('filePath', true);
const FNAME = keyInfo('fname', true);
const MSG = keyInfo('msg', true);
const REQUEST = keyInfo('request', true);
const REQUEST_METHOD = keyInfo('requestMethod', true);
const RT = keyInfo('rt', true);
const SHOST = keyInfo('shost', true);
const SPT = keyInfo('spt', true);
const SRC = keyInfo('src', true);
const SUSER = keyInfo('suser', true);
const KNOWN_KEYS = [
  ACT,
  C6A2,
  C6A3,
  CAT,
  DHOST,
  DPT,
  DST,
  DUSER,
  DVC,
  DVCHOST,
  EXTERNAL_ID,
  FILE_PATH,
  FNAME,
  MSG,
  REQUEST,
  REQUEST_METHOD,
  RT,
  SHOST,
  SPT,
  SRC,
  SUSER,
];

/**
 * Key names seen before. Bounded, because senders choose the keys: the cache
 * starts over (keeping the known keys) when it is full.
 */
const KEY_CACHE = new Map<string, KeyInfo>();
const KEY_CACHE_LIMIT = 4096;

function resetKeyCache(): void {
  KEY_CACHE.clear();
  for (const info of KNOWN_KEYS) KEY_CACHE.set(info.name, info);
}
resetKeyCache();

function lookupKey(name: string): KeyInfo {
  const known = KEY_CACHE.get(name);
  if (known !== undefined) return known;
  if (KEY_CACHE.size >= KEY_CACHE_LIMIT) resetKeyCache();
  // The name read back from an object is V8's string-table copy: stores of it
  // as an object key skip the string-table lookup that a fresh slice needs.
  const shared = Object.keys({ [name]: 0 })[0] ?? name;
  const info = keyInfo(shared, false);
  KEY_CACHE.set(shared, info);
  return info;
}

/**
 * Key records by the hash of their name, open addressing. Finding a key here
 * compares it in place in the text, without slicing it or hashing it again.
 * A fixed size bounds it; keys that find no free slot go through `lookupKey`.
 */
const KEY_TABLE_SIZE = 1024;
const KEY_TABLE_PROBES = 8;
const KEY_TABLE: (KeyInfo | undefined)[] = new Array(KEY_TABLE_SIZE).fill(undefined);

function findKey(text: string, start: number, end: number, hash: number): KeyInfo {
  const length = end - start;
  for (let probe = 0; probe < KEY_TABLE_PROBES; probe++) {
    const slot = (hash + probe) & (KEY_TABLE_SIZE - 1);
    const info = KEY_TABLE[slot];
    if (info === undefined) {
      const found = lookupKey(text.slice(start, end));
      KEY_TABLE[slot] = found;
      return found;
    }
    if (info.hash === hash && info.name.length === length && sameText(info.name, text, start)) {
      return info;
    }
  }
  return lookupKey(text.slice(start, end));
}

/** Position of the next `\\` in the extension being parsed, or -1 when there is none. */
let nextBackslash = -1;

/** Counts parses; a key whose `stamp` equals it was set in the current parse. */
let parseStamp = 0;
/** Reused between events: `normalizeCef` reads them before the next parse. */
const FIELDS: Fields = { keys: [], values: [] };

function setField(info: KeyInfo, value: string): void {
  if (info.stamp === parseStamp) {
    FIELDS.values[info.index] = value;
    return;
  }
  info.stamp = parseStamp;
  info.index = FIELDS.keys.length;
  FIELDS.keys.push(info);
  FIELDS.values.push(value);
}

function fieldValue(info: KeyInfo): string | undefined {
  return info.stamp === parseStamp ? FIELDS.values[info.index] : undefined;
}

/** The extension fields that the mapping reads, in a fixed shape. */
interface Extension {
  act: string | undefined;
  c6a2: string | undefined;
  c6a3: string | undefined;
  cat: string | undefined;
  dhost: string | undefined;
  dpt: string | undefined;
  dst: string | undefined;
  duser: string | undefined;
  dvc: string | undefined;
  dvchost: string | undefined;
  externalId: string | undefined;
  filePath: string | undefined;
  fname: string | undefined;
  msg: string | undefined;
  request: string | undefined;
  requestMethod: string | undefined;
  rt: string | undefined;
  shost: string | undefined;
  spt: string | undefined;
  src: string | undefined;
  suser: string | undefined;
}

/** Reads the mapped fields of the last parse. */
function mappedFields(): Extension {
  return {
    act: fieldValue(ACT),
    c6a2: fieldValue(C6A2),
    c6a3: fieldValue(C6A3),
    cat: fieldValue(CAT),
    dhost: fieldValue(DHOST),
    dpt: fieldValue(DPT),
    dst: fieldValue(DST),
    duser: fieldValue(DUSER),
    dvc: fieldValue(DVC),
    dvchost: fieldValue(DVCHOST),
    externalId: fieldValue(EXTERNAL_ID),
    filePath: fieldValue(FILE_PATH),
    fname: fieldValue(FNAME),
    msg: fieldValue(MSG),
    request: fieldValue(REQUEST),
    requestMethod: fieldValue(REQUEST_METHOD),
    rt: fieldValue(RT),
    shost: fieldValue(SHOST),
    spt: fieldValue(SPT),
    src: fieldValue(SRC),
    suser: fieldValue(SUSER),
  };
}

/**
 * Parses `key=value` pairs. A value runs up to the next key, so it may contain
 * spaces; `=` inside a value is escaped as `\\=`. A hand scan over the `=` signs
 * instead of a global regular expression, and shared key records instead of a
 * plain object or a Map: keyed stores of fresh key strings were the largest
 * cost in the profile. The result is valid until the next call.
 */
function parseExtension(text: string): Fields {
  parseStamp++;
  FIELDS.keys.length = 0;
  FIELDS.values.length = 0;
  let key: KeyInfo | undefined;
  let valueStart = 0;
  let labels = false;
  // Position of the next backslash at or after the current value, found once per backslash.
  nextBackslash = text.indexOf('\\');
  for (let equals = text.indexOf('='); equals !== -1; equals = text.indexOf('=', equals + 1)) {
    if (equals > 0 && text.charCodeAt(equals - 1) === 92 /* \\ */) continue;
    // The key runs back from the `=` over key characters; its hash is taken on the way.
    let keyStart = equals;
    let hash = 0;
    for (; keyStart > 0; keyStart--) {
      const code = text.charCodeAt(keyStart - 1);
      if (code >= 128 || KEY_CHARACTERS[code] === 0) break;
      hash = (Math.imul(hash, 31) + code) | 0;
    }
    if (keyStart === equals) continue;
    if (keyStart > 0 && !isSpaceCode(text.charCodeAt(keyStart - 1))) continue;
    if (key !== undefined) setField(key, extensionValue(text, valueStart, keyStart));
    key = findKey(text, keyStart, equals, hash);
    if (key.isLabel) labels = true;
    valueStart = equals + 1;
  }
  if (key !== undefined) setField(key, extensionValue(text, valueStart, text.length));
  if (labels) labelCustomFields();
  return FIELDS;
}

/**
 * The value between `start` and `end`, trimmed and unescaped. ASCII white
 * space is skipped in place, so that only one slice is made; any other
 * character at either end goes through `trim()`, which knows all of Unicode's.
 */
function extensionValue(text: string, start: number, end: number): string {
  if (nextBackslash !== -1 && nextBackslash < start) nextBackslash = text.indexOf('\\', start);
  while (start < end && isAsciiSpace(text.charCodeAt(start))) start++;
  while (end > start && isAsciiSpace(text.charCodeAt(end - 1))) end--;
  let value = text.slice(start, end);
  if (value !== '' && (text.charCodeAt(start) >= 128 || text.charCodeAt(end - 1) >= 128)) {
    value = value.trim();
  }
  return nextBackslash !== -1 && nextBackslash < end
    ? value.replace(EXTENSION_ESCAPE, unescapeCharacter)
    : value;
}

/** Tab, line feed, vertical tab, form feed, carriage return and space. */
function isAsciiSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

/** 1 for the key characters: letters, digits, `_`, `.`, `-`, `[` and `]`; by character code below 128. */
const KEY_CHARACTERS = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const char = String.fromCharCode(code);
  if (/[A-Za-z0-9_.[\]-]/.test(char)) KEY_CHARACTERS[code] = 1;
}

function isSpaceCode(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

function unescapeCharacter(_: string, char: string): string {
  if (char === 'n') return '\n';
  if (char === 'r') return '\r';
  return char;
}

/**
 * Adds custom fields (`cs1`, `cn2`, `c6a3`, ...) under the name their
 * `...Label` field gives, keeping them under their own name too.
 */
function labelCustomFields(): void {
  const labels: [KeyInfo, string][] = [];
  const keys = FIELDS.keys;
  for (let i = 0; i < keys.length; i++) {
    const info = keys[i]!;
    if (!info.isLabel) continue;
    info.labelled ??= lookupKey(info.name.slice(0, -'Label'.length));
    const value = fieldValue(info.labelled);
    const label = FIELDS.values[i]!;
    if (value !== undefined && label !== '') labels.push([lookupKey(label), value]);
  }
  for (const [label, value] of labels) setField(label, value);
}

function hasAddresses(extension: Extension): boolean {
  return (
    extension.src !== undefined ||
    extension.dst !== undefined ||
    extension.spt !== undefined ||
    extension.dpt !== undefined ||
    extension.c6a2 !== undefined ||
    extension.c6a3 !== undefined
  );
}

function endpointOf(
  ip: string | undefined,
  port: string | undefined,
  hostname: string | undefined,
): Record<string, unknown> | undefined {
  const result: Record<string, unknown> = {};
  let empty = true;
  if (ip !== undefined && isIpAddress(ip)) {
    result.ip = ip;
    empty = false;
  }
  const portNumber = toPort(port);
  if (portNumber !== undefined) {
    result.port = portNumber;
    empty = false;
  }
  if (hostname) {
    result.hostname = hostname;
    empty = false;
  }
  return empty ? undefined : result;
}

function deviceOf(
  extension: Extension,
  syslogHost: string | undefined,
): Record<string, unknown> | undefined {
  const hostname = extension.dvchost ?? syslogHost;
  const ip = extension.dvc !== undefined && isIpAddress(extension.dvc) ? extension.dvc : undefined;
  if (hostname === undefined && ip === undefined) return undefined;
  const device: Record<string, unknown> = {};
  if (hostname) device.hostname = hostname;
  if (ip) device.ip = ip;
  return device;
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

function detectionFinding(signatureId: string, name: string, extension: Extension) {
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
