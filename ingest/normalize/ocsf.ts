/**
 * Shared helpers for the normalizers: OCSF class lookups from the generated
 * catalog, event assembly with the derived classification fields, time
 * parsing and observables.
 */
import { isIP } from 'node:net';
import catalog from '../../data/ocsf-catalog.json' with { type: 'json' };
import type { NormalizeResult, OcsfEvent, RawEvent } from './types.js';

/** OCSF schema version every normalizer writes into `metadata.version`. */
export const OCSF_VERSION = '1.1.0';

export interface ClassInfo {
  name: string;
  caption: string;
  category_uid: number;
  category_name: string;
  activities: Record<string, string>;
}

const CLASSES: Readonly<Record<string, ClassInfo>> = catalog.classes;
const SEVERITIES: Readonly<Record<string, string>> = catalog.severities;
const STATUSES: Readonly<Record<string, string>> = catalog.statuses;

/** OCSF class uids the normalizers emit. */
export const CLASS = {
  BASE_EVENT: 0,
  FILE_ACTIVITY: 1001,
  MODULE_ACTIVITY: 1005,
  PROCESS_ACTIVITY: 1007,
  DETECTION_FINDING: 2004,
  ACCOUNT_CHANGE: 3001,
  AUTHENTICATION: 3002,
  AUTHORIZE_SESSION: 3003,
  GROUP_MANAGEMENT: 3006,
  NETWORK_ACTIVITY: 4001,
  HTTP_ACTIVITY: 4002,
  DNS_ACTIVITY: 4003,
  DHCP_ACTIVITY: 4004,
  RDP_ACTIVITY: 4005,
  SMB_ACTIVITY: 4006,
  SSH_ACTIVITY: 4007,
  FTP_ACTIVITY: 4008,
  EMAIL_ACTIVITY: 4009,
  NETWORK_FILE_ACTIVITY: 4010,
  API_ACTIVITY: 6003,
  /** Windows extension `win/registry_key_activity`. */
  REGISTRY_KEY_ACTIVITY: 201001,
  /** Windows extension `win/registry_value_activity`. */
  REGISTRY_VALUE_ACTIVITY: 201002,
  /** Windows extension `win/resource_activity`. */
  WINDOWS_RESOURCE_ACTIVITY: 201003,
} as const;

/** OCSF `severity_id` values. */
export const SEVERITY = {
  UNKNOWN: 0,
  INFORMATIONAL: 1,
  LOW: 2,
  MEDIUM: 3,
  HIGH: 4,
  CRITICAL: 5,
  FATAL: 6,
  OTHER: 99,
} as const;

/** OCSF `status_id` values. */
export const STATUS = { UNKNOWN: 0, SUCCESS: 1, FAILURE: 2, OTHER: 99 } as const;

/** Maps a success flag to `status_id`; undefined stays undefined. */
export function statusFromSuccess(success: boolean | undefined): number | undefined {
  if (success === undefined) return undefined;
  return success ? STATUS.SUCCESS : STATUS.FAILURE;
}

/**
 * Maps a response code whose values below 400 mean success (HTTP, SMTP,
 * FTP, the Kubernetes API) to `status_id`; undefined stays undefined.
 */
export function statusFromResponseCode(code: number | undefined): number | undefined {
  if (code === undefined) return undefined;
  return code < 400 ? STATUS.SUCCESS : STATUS.FAILURE;
}

/** Returns the catalog entry of an OCSF class uid, or undefined when the uid is unknown. */
export function classInfo(classUid: number): ClassInfo | undefined {
  return CLASSES[classUid];
}

export function severityCaption(severityId: number): string | undefined {
  return SEVERITIES[severityId];
}

export function statusCaption(statusId: number): string | undefined {
  return STATUSES[statusId];
}

export interface Product {
  name: string;
  vendor_name: string;
  [key: string]: unknown;
}

/** Everything a normalizer decides about one event; `createEvent` derives the rest. */
export interface EventSpec {
  classUid: number;
  activityId: number;
  /** Source-specific activity name, used when the class has no caption for the activity. */
  activityName?: string;
  severityId?: number;
  statusId?: number;
  statusDetail?: string;
  time: number;
  /** The timestamp text as the source wrote it. */
  originalTime?: string;
  message?: string;
  product: Product;
  /** Extra `metadata` keys such as `uid` or `log_name`. */
  metadata?: Record<string, unknown>;
  /** Class-specific attributes: user, actor, endpoints, process and so on. */
  attributes?: Record<string, unknown>;
  /** Source fields that have no OCSF attribute. */
  unmapped?: Record<string, unknown>;
  /**
   * True when the normalizer has made sure that `unmapped` has keys, which
   * spares the check, a walk over all the keys of a large object.
   */
  unmappedHasKeys?: boolean;
}

/**
 * Assembles an OCSF event, filling the derived fields: class and category
 * names, activity name, `type_uid` (class_uid * 100 + activity_id), severity and
 * status captions, `metadata.version` and the observables.
 */
export function createEvent(spec: EventSpec): OcsfEvent {
  const info = classInfo(spec.classUid);
  const severityId = spec.severityId ?? SEVERITY.INFORMATIONAL;
  // For activity 99 (Other), OCSF puts the source's own activity name in activity_name.
  const activityName =
    (spec.activityId === 99 ? spec.activityName : undefined) ??
    info?.activities[spec.activityId] ??
    spec.activityName ??
    'Other';
  const metadata: OcsfEvent['metadata'] = { product: spec.product, version: OCSF_VERSION };
  // for...in instead of a spread: spreads of varying shapes are slow on this per-event path.
  const extraMetadata = spec.metadata;
  if (extraMetadata !== undefined)
    for (const key in extraMetadata) metadata[key] = extraMetadata[key];
  if (spec.originalTime !== undefined) metadata.original_time = spec.originalTime;

  const event: OcsfEvent = {
    class_uid: spec.classUid,
    class_name: info?.caption,
    category_uid: info?.category_uid ?? 0,
    category_name: info?.category_name,
    activity_id: spec.activityId,
    activity_name: activityName,
    type_uid: typeUid(spec.classUid, spec.activityId),
    type_name: `${info?.caption ?? 'Unknown'}: ${activityName}`,
    severity_id: severityId,
    severity: severityCaption(severityId),
    time: spec.time,
    metadata,
  };
  if (spec.statusId !== undefined) {
    event.status_id = spec.statusId;
    event.status = statusCaption(spec.statusId);
  }
  if (spec.statusDetail !== undefined) event.status_detail = spec.statusDetail;
  if (spec.message !== undefined) event.message = spec.message;
  const attributes = spec.attributes;
  if (attributes !== undefined) for (const key in attributes) event[key] = attributes[key];
  const unmapped = spec.unmapped;
  if (unmapped !== undefined && (spec.unmappedHasKeys === true || hasKeys(unmapped))) {
    event.unmapped = unmapped;
  }

  const observables = collectObservables(event);
  if (observables.length > 0) event.observables = observables;
  return event;
}

export function typeUid(classUid: number, activityId: number): number {
  return classUid * 100 + activityId;
}

export interface Observable {
  name: string;
  type_id: number;
  type: string;
  value: string;
}

const OBSERVABLE_HOSTNAME = 1;
const OBSERVABLE_IP = 2;
const OBSERVABLE_USER_NAME = 4;
const OBSERVABLE_HASH = 8;

const OBSERVABLE_TYPE_NAMES: Record<number, string> = {
  [OBSERVABLE_HOSTNAME]: 'Hostname',
  [OBSERVABLE_IP]: 'IP Address',
  [OBSERVABLE_USER_NAME]: 'User Name',
  [OBSERVABLE_HASH]: 'Hash',
};

/** Endpoint-like attributes whose `ip` and `hostname` become observables. */
const ENDPOINT_KEYS = ['src_endpoint', 'dst_endpoint', 'device'] as const;
/** The observable names of those attributes, built once instead of per event. */
const ENDPOINT_IP_NAMES = ENDPOINT_KEYS.map((key) => `${key}.ip`);
const ENDPOINT_HOSTNAME_NAMES = ENDPOINT_KEYS.map((key) => `${key}.hostname`);

/**
 * Lists the IPs, host names, user names and file hashes of an event as OCSF
 * observables. Reads the attributes directly instead of walking paths: this
 * runs once per event.
 */
export function collectObservables(event: Record<string, unknown>): Observable[] {
  const observables: Observable[] = [];
  for (let i = 0; i < ENDPOINT_KEYS.length; i++) {
    const key = ENDPOINT_KEYS[i]!;
    const node = event[key];
    if (node === null || typeof node !== 'object') continue;
    const { ip, hostname } = node as Record<string, unknown>;
    if (typeof ip === 'string' && ip !== '')
      addObservable(observables, ENDPOINT_IP_NAMES[i]!, OBSERVABLE_IP, ip);
    if (typeof hostname === 'string' && hostname !== '') {
      addObservable(observables, ENDPOINT_HOSTNAME_NAMES[i]!, OBSERVABLE_HOSTNAME, hostname);
    }
  }
  const query = event.query;
  if (query !== null && typeof query === 'object') {
    const hostname = (query as Record<string, unknown>).hostname;
    if (typeof hostname === 'string' && hostname !== '') {
      addObservable(observables, 'query.hostname', OBSERVABLE_HOSTNAME, hostname);
    }
  }
  addUserName(observables, 'user.name', event.user);
  const actor = event.actor;
  if (actor !== null && typeof actor === 'object') {
    addUserName(observables, 'actor.user.name', (actor as Record<string, unknown>).user);
  }
  const process = event.process;
  if (process !== null && typeof process === 'object') {
    const record = process as Record<string, unknown>;
    addUserName(observables, 'process.user.name', record.user);
    addHashes(observables, 'process.file.hashes', record.file);
  }
  addHashes(observables, 'file.hashes', event.file);
  const module = event.module;
  if (module !== null && typeof module === 'object') {
    addHashes(observables, 'module.file.hashes', (module as Record<string, unknown>).file);
  }
  return observables;
}

function addObservable(list: Observable[], name: string, typeId: number, value: string): void {
  list.push({ name, type_id: typeId, type: OBSERVABLE_TYPE_NAMES[typeId]!, value });
}

function addUserName(list: Observable[], name: string, user: unknown): void {
  if (user === null || typeof user !== 'object') return;
  const value = (user as Record<string, unknown>).name;
  if (typeof value === 'string' && value !== '')
    addObservable(list, name, OBSERVABLE_USER_NAME, value);
}

/** Adds each `hashes[].value` of a file object (OCSF `fingerprint` objects). */
function addHashes(list: Observable[], name: string, file: unknown): void {
  if (file === null || typeof file !== 'object') return;
  const hashes = (file as Record<string, unknown>).hashes;
  if (!Array.isArray(hashes)) return;
  for (const hash of hashes) {
    const value = isRecord(hash) ? hash.value : undefined;
    if (typeof value === 'string' && value !== '')
      addObservable(list, name, OBSERVABLE_HASH, value);
  }
}

/** True when the object has at least one own enumerable key. */
export function hasKeys(object: Record<string, unknown>): boolean {
  for (const _ in object) return true;
  return false;
}

/** Reads a path, given as its keys, from nested objects. */
export function getKeys(value: unknown, keys: readonly string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Drops keys whose value is undefined, null or the empty string, so that
 * optional attributes the source lacks are left out instead of stored empty.
 * Returns `object` itself when nothing is dropped: pass a fresh object.
 */
export function compact<T extends Record<string, unknown>>(object: T): Partial<T> {
  // Callers pass a fresh object literal, so one with nothing to drop is returned
  // as it is. The keyed stores of a copy showed in the profile of every source.
  for (const key in object) {
    const value = object[key];
    if (value === undefined || value === null || value === '') return compactCopy(object);
  }
  return object;
}

function compactCopy<T extends Record<string, unknown>>(object: T): Partial<T> {
  const result: Record<string, unknown> = {};
  // for...in instead of Object.entries: this runs several times per event.
  for (const key in object) {
    const value = object[key];
    if (value === undefined || value === null || value === '') continue;
    result[key] = value;
  }
  return result as Partial<T>;
}

/**
 * Copies the keys of each object in turn into a new object, later ones
 * overriding earlier ones, and drops undefined, null and empty-string values
 * as `compact` does. Used instead of object spreads on per-event paths, which
 * V8 runs slowly when the shapes of the spread objects vary.
 */
export function merge(
  ...objects: (Record<string, unknown> | undefined)[]
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (let i = 0; i < objects.length; i++) {
    const object = objects[i];
    if (object === undefined) continue;
    for (const key in object) {
      const value = object[key];
      if (value === undefined || value === null || value === '') continue;
      result[key] = value;
    }
  }
  return result;
}

/**
 * Returns an endpoint object with ip, port and the `extra` attributes, or
 * undefined when all are missing. An address that is not an IP (sshd and
 * CloudTrail write host and service names there) becomes the hostname.
 */
export function endpoint(
  address: unknown,
  port?: unknown,
  extra: Record<string, unknown> = {},
): Record<string, unknown> | undefined {
  const text = typeof address === 'string' && address !== '' ? address : undefined;
  const isAddress = text !== undefined && isIpAddress(text);
  const result = compact({
    ip: isAddress ? text : undefined,
    hostname: isAddress ? undefined : text,
    port: toPort(port),
  });
  Object.assign(result, compactCopy(extra));
  return Object.keys(result).length > 0 ? result : undefined;
}

/**
 * True for an IPv4 or IPv6 address. Dotted quads are checked by hand, which is
 * several times faster than `net.isIP` and its regular expressions; other text
 * falls back to `net.isIP`.
 */
export function isIpAddress(text: string): boolean {
  const length = text.length;
  if (length >= 7 && length <= 15) {
    let parts = 0;
    let digits = 0;
    let value = 0;
    let ipv4 = true;
    for (let i = 0; i <= length; i++) {
      const code = i === length ? 46 : text.charCodeAt(i);
      if (code === 46) {
        if (digits === 0 || value > 255 || (digits > 1 && text.charCodeAt(i - digits) === 48)) {
          ipv4 = false;
          break;
        }
        parts++;
        digits = 0;
        value = 0;
      } else if (code >= 48 && code <= 57 && digits < 3) {
        value = value * 10 + code - 48;
        digits++;
      } else {
        ipv4 = false;
        break;
      }
    }
    if (ipv4) return parts === 4;
  }
  return text.includes(':') && isIpv6(text);
}

/**
 * IPv6 checks already made, since `net.isIP` runs a long regular expression
 * that showed in the profiles. Bounded, because senders choose the text: it
 * starts over when full.
 */
const IPV6_CACHE = new Map<string, boolean>();
const IPV6_CACHE_LIMIT = 4096;

function isIpv6(text: string): boolean {
  // No IPv6 address is longer; longer text is checked without being kept.
  if (text.length > 64) return isIP(text) === 6;
  const known = IPV6_CACHE.get(text);
  if (known !== undefined) return known;
  const result = isIP(text) === 6;
  if (IPV6_CACHE.size >= IPV6_CACHE_LIMIT) IPV6_CACHE.clear();
  IPV6_CACHE.set(text, result);
  return result;
}

/** Converts a port given as number or decimal text to an integer, or undefined. */
export function toPort(value: unknown): number | undefined {
  const port = toInteger(value);
  return port !== undefined && port >= 0 && port <= 65535 ? port : undefined;
}

/** Converts a number or decimal or 0x-hex text to an integer, or undefined. */
export function toInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value !== 'string' || value === '') return undefined;
  const parsed = /^0x[0-9a-f]+$/i.test(value) ? Number.parseInt(value, 16) : Number(value);
  return Number.isSafeInteger(parsed) ? parsed : undefined;
}

export function toStringValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Parses ISO 8601 text to epoch milliseconds, or undefined when it is not a date. */
export function parseIsoMillis(text: unknown): number | undefined {
  if (typeof text !== 'string' || text === '') return undefined;
  const millis = Date.parse(text);
  return Number.isFinite(millis) ? millis : undefined;
}

/** Converts epoch seconds with a fraction (Zeek `ts`, Suricata) to integer milliseconds. */
export function secondsToMillis(seconds: unknown): number | undefined {
  const value = typeof seconds === 'string' ? Number(seconds) : seconds;
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return Math.round(value * 1000);
}

/** Event time when the source has none: the HEC envelope time, else the receive time. */
export function fallbackTime(input: RawEvent): number {
  return input.time !== undefined && Number.isFinite(input.time)
    ? Math.round(input.time)
    : input.receivedAt;
}

/** Parses JSON text into an object, returning undefined for anything else. */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Returns the HEC event as a JSON object: an object as is, JSON object text
 * parsed, anything else as a failure reason.
 */
export function eventObject(
  input: RawEvent,
): { object: Record<string, unknown> } | { reason: string } {
  if (isRecord(input.event)) return { object: input.event };
  if (typeof input.event === 'string') {
    const object = parseJsonObject(input.event);
    if (object) return { object };
    return { reason: 'event text is not a JSON object' };
  }
  return { reason: `event is ${describeValue(input.event)}, expected a JSON object` };
}

/** Returns the HEC event as text: a string as is, JSON values serialized. */
export function eventText(input: RawEvent): string {
  if (typeof input.event === 'string') return input.event;
  return JSON.stringify(input.event) ?? '';
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

export function failure(normalizer: string, reason: string): NormalizeResult {
  return { ok: false, reason, normalizer };
}

/** Returns a shallow copy of `object` without the keys in `mapped`. */
export function unmappedFields(
  object: Record<string, unknown>,
  mapped: ReadonlySet<string>,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key in object) {
    if (!mapped.has(key)) result[key] = object[key];
  }
  return result;
}

/** Month index (0-11) by English three-letter abbreviation, as syslog and web logs write it. */
export const MONTH_INDEX: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

const DAY_MILLIS = 86_400_000;

/**
 * Converts a syslog (RFC 3164) timestamp such as `Mar 27 13:06:56`, which has
 * no year and no zone, to epoch milliseconds in UTC. The year comes from
 * `referenceMillis`, and steps back one year when that puts the event more
 * than a day after the reference (a December line read in January).
 */
export function syslogTimeToMillis(
  month: string,
  day: number,
  hours: number,
  minutes: number,
  seconds: number,
  referenceMillis: number,
): number | undefined {
  const monthIndex = MONTH_INDEX[month];
  if (monthIndex === undefined) return undefined;
  const year = new Date(referenceMillis).getUTCFullYear();
  let millis = Date.UTC(year, monthIndex, day, hours, minutes, seconds);
  if (millis - referenceMillis > DAY_MILLIS) {
    millis = Date.UTC(year - 1, monthIndex, day, hours, minutes, seconds);
  }
  return Number.isFinite(millis) ? millis : undefined;
}
