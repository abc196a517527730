/**
 * Passthrough for events that are already OCSF: a JSON object with a numeric
 * `class_uid`. Keeps every attribute and fills the derived ones it lacks.
 */
import {
  classInfo,
  collectObservables,
  eventObject,
  failure,
  fallbackTime,
  isRecord,
  OCSF_VERSION,
  parseIsoMillis,
  SEVERITY,
  severityCaption,
  statusCaption,
  typeUid,
} from './ocsf.js';
import type { NormalizeResult, OcsfEvent, RawEvent } from './types.js';

export const PASSTHROUGH = 'ocsf';

/**
 * OCSF `time` in seconds is a common slip (the ocsf/examples mappings have
 * several). Values below this bound (2001-09-09 in milliseconds) are read as
 * seconds.
 */
const SECONDS_BOUND = 1_000_000_000_000;

export function normalizePassthrough(input: RawEvent): NormalizeResult {
  const parsed = eventObject(input);
  if ('reason' in parsed) return failure(PASSTHROUGH, parsed.reason);
  return passthroughObject(parsed.object, input);
}

export function passthroughObject(
  source: Record<string, unknown>,
  input: RawEvent,
): NormalizeResult {
  const classUid = source.class_uid;
  if (typeof classUid !== 'number' || !Number.isInteger(classUid)) {
    return failure(PASSTHROUGH, 'OCSF event has no integer class_uid');
  }
  const info = classInfo(classUid);
  if (info === undefined) {
    return failure(PASSTHROUGH, `class_uid ${classUid} is not an OCSF ${OCSF_VERSION} class`);
  }
  const event: Record<string, unknown> = { ...source };
  const activityId = integerOr(source.activity_id, typeUidActivity(source, classUid) ?? 0);
  const severityId = integerOr(source.severity_id, SEVERITY.UNKNOWN);

  event.activity_id = activityId;
  event.category_uid = info.category_uid;
  event.category_name ??= info.category_name;
  event.class_name ??= info.caption;
  event.activity_name ??= info.activities[activityId] ?? 'Other';
  event.type_uid = typeUid(classUid, activityId);
  event.type_name ??= `${info.caption}: ${String(event.activity_name)}`;
  event.severity_id = severityId;
  event.severity ??= severityCaption(severityId);
  if (typeof source.status_id === 'number') event.status ??= statusCaption(source.status_id);
  event.time = eventTime(source, input);

  const metadata = isRecord(source.metadata) ? { ...source.metadata } : {};
  if (metadata.version !== OCSF_VERSION) {
    // The store keeps 1.1.0 events; the version the sender gave is kept in unmapped.
    if (metadata.version !== undefined) {
      const unmapped = isRecord(event.unmapped) ? event.unmapped : {};
      event.unmapped = { ...unmapped, 'metadata.version': metadata.version };
    }
    metadata.version = OCSF_VERSION;
  }
  const product = isRecord(metadata.product) ? metadata.product : {};
  metadata.product = {
    ...product,
    name: typeof product.name === 'string' ? product.name : 'Unknown',
    vendor_name: typeof product.vendor_name === 'string' ? product.vendor_name : 'Unknown',
  };
  event.metadata = metadata;

  if (!Array.isArray(event.observables)) {
    const observables = collectObservables(event);
    if (observables.length > 0) event.observables = observables;
  }
  return { ok: true, event: event as OcsfEvent, normalizer: PASSTHROUGH };
}

function integerOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) ? value : fallback;
}

/** Recovers activity_id from a type_uid when only that was given. */
function typeUidActivity(source: Record<string, unknown>, classUid: number): number | undefined {
  const given = source.type_uid;
  if (typeof given !== 'number' || Math.floor(given / 100) !== classUid) return undefined;
  return given % 100;
}

function eventTime(source: Record<string, unknown>, input: RawEvent): number {
  const time = source.time;
  if (typeof time === 'number' && Number.isFinite(time) && time >= 0) {
    return time < SECONDS_BOUND ? Math.round(time * 1000) : Math.round(time);
  }
  return parseIsoMillis(source.time_dt) ?? parseIsoMillis(time) ?? fallbackTime(input);
}
