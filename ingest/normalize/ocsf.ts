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
  PROCESS_ACTIVITY: 1007,
  DETECTION_FINDING: 2004,
  ACCOUNT_CHANGE: 3001,
  AUTHENTICATION: 3002,
  AUTHORIZE_SESSION: 3003,
  GROUP_MANAGEMENT: 3006,
  NETWORK_ACTIVITY: 4001,
  HTTP_ACTIVITY: 4002,
  DNS_ACTIVITY: 4003,
  SSH_ACTIVITY: 4007,
  API_ACTIVITY: 6003,
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
  const metadata: OcsfEvent['metadata'] = {
    product: spec.product,
    version: OCSF_VERSION,
    ...spec.metadata,
  };
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
  if (spec.attributes) Object.assign(event, spec.attributes);
  if (spec.unmapped && Object.keys(spec.unmapped).length > 0) event.unmapped = spec.unmapped;

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

/** Attribute paths that become observables, with their OCSF observable type. */
const OBSERVABLE_PATHS: readonly (readonly [string, number])[] = [
  ['src_endpoint.ip', OBSERVABLE_IP],
  ['dst_endpoint.ip', OBSERVABLE_IP],
  ['device.ip', OBSERVABLE_IP],
  ['src_endpoint.hostname', OBSERVABLE_HOSTNAME],
  ['dst_endpoint.hostname', OBSERVABLE_HOSTNAME],
  ['device.hostname', OBSERVABLE_HOSTNAME],
  ['query.hostname', OBSERVABLE_HOSTNAME],
  ['user.name', OBSERVABLE_USER_NAME],
  ['actor.user.name', OBSERVABLE_USER_NAME],
  ['process.user.name', OBSERVABLE_USER_NAME],
];

const OBSERVABLE_TYPE_NAMES: Record<number, string> = {
  [OBSERVABLE_HOSTNAME]: 'Hostname',
  [OBSERVABLE_IP]: 'IP Address',
  [OBSERVABLE_USER_NAME]: 'User Name',
};

const OBSERVABLE_KEYS = OBSERVABLE_PATHS.map(([path]) => path.split('.'));

/** Lists the IPs, host names and user names of an event as OCSF observables. */
export function collectObservables(event: Record<string, unknown>): Observable[] {
  const observables: Observable[] = [];
  for (let i = 0; i < OBSERVABLE_PATHS.length; i++) {
    const [path, typeId] = OBSERVABLE_PATHS[i]!;
    const value = getKeys(event, OBSERVABLE_KEYS[i]!);
    if (typeof value !== 'string' || value === '') continue;
    observables.push({ name: path, type_id: typeId, type: OBSERVABLE_TYPE_NAMES[typeId]!, value });
  }
  return observables;
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
 */
export function compact<T extends Record<string, unknown>>(object: T): Partial<T> {
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
  const isAddress = text !== undefined && isIP(text) !== 0;
  const result = compact({
    ip: isAddress ? text : undefined,
    hostname: isAddress ? undefined : text,
    port: toPort(port),
  });
  Object.assign(result, compact(extra));
  return Object.keys(result).length > 0 ? result : undefined;
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
