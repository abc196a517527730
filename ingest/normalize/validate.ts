/**
 * Checks a normalized event against the OCSF base attributes that the store
 * and the query compiler rely on.
 */
import { isIP } from 'node:net';
import { classInfo, getKeys, OCSF_VERSION, severityCaption, typeUid } from './ocsf.js';
import type { OcsfEvent } from './types.js';

/** Latest accepted event time: 9999-12-31T23:59:59.999Z, the end of what DuckDB TIMESTAMP prints as a 4-digit year. */
const MAX_TIME_MILLIS = 253_402_300_799_999;

/** Attribute paths with their keys, split once. */
const paths = (...names: string[]) => names.map((path) => [path, path.split('.')] as const);

const IP_PATHS = paths('src_endpoint.ip', 'dst_endpoint.ip', 'device.ip');
const PORT_PATHS = paths('src_endpoint.port', 'dst_endpoint.port');
const INTEGER_PATHS = paths('process.pid', 'http_response.code', 'status_id');

/**
 * Validates one normalized event. Returns undefined when it is valid, else the
 * reason, naming the attribute and the value.
 */
export function validateEvent(event: OcsfEvent): string | undefined {
  const info = classInfo(event.class_uid);
  if (!Number.isInteger(event.class_uid) || info === undefined) {
    return `class_uid ${String(event.class_uid)} is not an OCSF ${OCSF_VERSION} class`;
  }
  if (event.category_uid !== info.category_uid) {
    return `category_uid ${String(event.category_uid)} does not match class ${event.class_uid} (category ${info.category_uid})`;
  }
  if (!Number.isInteger(event.activity_id) || event.activity_id < 0) {
    return `activity_id ${String(event.activity_id)} is not a non-negative integer`;
  }
  if (event.type_uid !== typeUid(event.class_uid, event.activity_id)) {
    return `type_uid ${String(event.type_uid)} is not class_uid * 100 + activity_id`;
  }
  if (!Number.isInteger(event.severity_id) || severityCaption(event.severity_id) === undefined) {
    return `severity_id ${String(event.severity_id)} is not an OCSF severity`;
  }
  if (!Number.isSafeInteger(event.time) || event.time < 0 || event.time > MAX_TIME_MILLIS) {
    return `time ${String(event.time)} is not an integer epoch milliseconds value`;
  }
  if (event.metadata?.version !== OCSF_VERSION) {
    return `metadata.version ${String(event.metadata?.version)} is not ${OCSF_VERSION}`;
  }
  if (typeof event.metadata.product?.name !== 'string') {
    return 'metadata.product.name is missing';
  }
  return validateEntities(event);
}

function validateEntities(event: OcsfEvent): string | undefined {
  for (const [path, keys] of IP_PATHS) {
    const value = getKeys(event, keys);
    if (value === undefined) continue;
    if (typeof value !== 'string' || isIP(value) === 0) {
      return `${path} ${JSON.stringify(value)} is not an IPv4 or IPv6 address`;
    }
  }
  for (const [path, keys] of PORT_PATHS) {
    const value = getKeys(event, keys);
    if (value === undefined) continue;
    if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 65535) {
      return `${path} ${JSON.stringify(value)} is not an integer port from 0 to 65535`;
    }
  }
  for (const [path, keys] of INTEGER_PATHS) {
    const value = getKeys(event, keys);
    if (value !== undefined && !Number.isSafeInteger(value)) {
      return `${path} ${JSON.stringify(value)} is not an integer`;
    }
  }
  return undefined;
}
