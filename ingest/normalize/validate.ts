/**
 * Checks a normalized event against the OCSF base attributes that the store
 * and the query compiler rely on.
 */
import { classInfo, isIpAddress, OCSF_VERSION, severityCaption, typeUid } from './ocsf.js';
import type { OcsfEvent } from './types.js';

/** Latest accepted event time: 9999-12-31T23:59:59.999Z, the end of what DuckDB TIMESTAMP prints as a 4-digit year. */
export const MAX_TIME_MILLIS = 253_402_300_799_999;

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
  const reason =
    checkEndpoint(event.src_endpoint, 'src_endpoint') ??
    checkEndpoint(event.dst_endpoint, 'dst_endpoint') ??
    checkEndpoint(event.device, 'device');
  if (reason !== undefined) return reason;
  // Direct reads instead of path walks: this runs once per event.
  const process = event.process;
  if (process !== null && typeof process === 'object') {
    const pid = (process as Record<string, unknown>).pid;
    if (pid !== undefined && !Number.isSafeInteger(pid)) {
      return `process.pid ${JSON.stringify(pid)} is not an integer`;
    }
  }
  const response = event.http_response;
  if (response !== null && typeof response === 'object') {
    const code = (response as Record<string, unknown>).code;
    if (code !== undefined && !Number.isSafeInteger(code)) {
      return `http_response.code ${JSON.stringify(code)} is not an integer`;
    }
  }
  if (event.status_id !== undefined && !Number.isSafeInteger(event.status_id)) {
    return `status_id ${JSON.stringify(event.status_id)} is not an integer`;
  }
  return undefined;
}

/** Checks `ip` (an IPv4 or IPv6 address) and `port` (0 to 65535) of an endpoint-like attribute. */
function checkEndpoint(node: unknown, name: string): string | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  const { ip, port } = node as Record<string, unknown>;
  if (ip !== undefined && (typeof ip !== 'string' || !isIpAddress(ip))) {
    return `${name}.ip ${JSON.stringify(ip)} is not an IPv4 or IPv6 address`;
  }
  if (
    name !== 'device' &&
    port !== undefined &&
    (!Number.isInteger(port) || (port as number) < 0 || (port as number) > 65535)
  ) {
    return `${name}.port ${JSON.stringify(port)} is not an integer port from 0 to 65535`;
  }
  return undefined;
}
