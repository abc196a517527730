/**
 * Chooses the normalizer for an event: by sourcetype first, then by content
 * when the sourcetype is missing, generic (`_json`, `httpevent`, `json`) or unknown.
 */
import { isAccessLogLine, normalizeAccessLog } from './access-log.js';
import { isCefText, normalizeCef } from './cef.js';
import { isCloudTrailObject, normalizeCloudTrail } from './cloudtrail.js';
import { normalizeLinuxAuth, parseSyslogHeader } from './linux-auth.js';
import {
  CLASS,
  createEvent,
  eventText,
  failure,
  fallbackTime,
  isRecord,
  parseJsonObject,
} from './ocsf.js';
import { isOktaObject, normalizeOkta } from './okta.js';
import { normalizePassthrough, passthroughObject } from './passthrough.js';
import { isSuricataObject, normalizeSuricata } from './suricata.js';
import type { NormalizeResult, RawEvent } from './types.js';
import { isWindowsXml, normalizeWindowsText, normalizeWindowsXml } from './windows.js';
import { isZeekObject, normalizeZeek, zeekLogFromSourcetype } from './zeek.js';

type Normalizer = (input: RawEvent) => NormalizeResult;

/** Normalizers by lower-cased sourcetype, with the names Splunk add-ons use. */
const BY_SOURCETYPE: ReadonlyMap<string, Normalizer> = new Map<string, Normalizer>([
  ['linux_secure', normalizeLinuxAuth],
  ['linux:auth', normalizeLinuxAuth],
  ['syslog', normalizeSyslog],
  ['cefevents', normalizeCef],
  ['cef', normalizeCef],
  ['aws:cloudtrail', normalizeCloudTrail],
  ['xmlwineventlog:security', normalizeWindowsXml],
  ['xmlwineventlog', normalizeWindowsXml],
  ['wineventlog:security', normalizeWindowsText],
  ['wineventlog', normalizeWindowsText],
  ['ocsf', normalizePassthrough],
  ['oktaim2:log', normalizeOkta],
  ['okta:im2:log', normalizeOkta],
  ['okta:system:log', normalizeOkta],
  ['suricata', normalizeSuricata],
  ['suricata:eve', normalizeSuricata],
  ['access_combined', normalizeAccessLog],
  ['access_combined_wcookie', normalizeAccessLog],
  ['access_common', normalizeAccessLog],
  ['apache:access', normalizeAccessLog],
  ['apache:access:combined', normalizeAccessLog],
  ['nginx:access', normalizeAccessLog],
  ['nginx:plus:access', normalizeAccessLog],
]);

/** Sourcetypes that carry no information about the content. */
const GENERIC_SOURCETYPES = new Set(['', '_json', 'json', 'httpevent', '_raw']);

const GENERIC = 'generic';
const PRODUCT_UNKNOWN = { name: 'Unknown', vendor_name: 'Unknown' };

/** Syslog lines: CEF payloads by the CEF normalizer, the rest by the syslog and auth rules. */
function normalizeSyslog(input: RawEvent): NormalizeResult {
  if (typeof input.event === 'string' && isCefText(input.event)) return normalizeCef(input);
  return normalizeLinuxAuth(input);
}

/** Routes one event to its normalizer and returns that normalizer's result. */
export function route(input: RawEvent): NormalizeResult {
  const sourcetype = (input.sourcetype ?? '').trim().toLowerCase();
  const normalizer = BY_SOURCETYPE.get(sourcetype);
  if (normalizer !== undefined) return normalizer(input);
  const zeekLog = zeekLogFromSourcetype(sourcetype);
  if (zeekLog !== undefined) return normalizeZeek(input, zeekLog);
  if (sourcetype.startsWith('xmlwineventlog:')) return normalizeWindowsXml(input);
  if (sourcetype.startsWith('wineventlog:')) return normalizeWindowsText(input);
  return sniff(input, GENERIC_SOURCETYPES.has(sourcetype) ? undefined : sourcetype);
}

/**
 * Classifies an event by its content. An `unknownSourcetype` becomes the
 * `metadata.log_name` of events that no normalizer recognizes.
 */
function sniff(input: RawEvent, unknownSourcetype: string | undefined): NormalizeResult {
  const event = input.event;
  let object: Record<string, unknown> | undefined;
  if (isRecord(event)) object = event;
  else if (typeof event === 'string') object = parseJsonObject(event);
  if (object !== undefined) {
    if (typeof object.class_uid === 'number') return passthroughObject(object, input);
    if (isCloudTrailObject(object)) return normalizeCloudTrail({ ...input, event: object });
    if (isZeekObject(object)) return normalizeZeek({ ...input, event: object });
    if (isSuricataObject(object)) return normalizeSuricata({ ...input, event: object });
    if (isOktaObject(object)) return normalizeOkta({ ...input, event: object });
    return genericEvent(input, object, unknownSourcetype);
  }
  if (typeof event === 'string') {
    if (isWindowsXml(event)) return normalizeWindowsXml(input);
    if (isCefText(event)) return normalizeCef(input);
    if (parseSyslogHeader(event, input.receivedAt) !== undefined) return normalizeLinuxAuth(input);
    if (isAccessLogLine(event)) return normalizeAccessLog(input);
    if (event.trim() === '') return failure(GENERIC, 'event text is empty');
    return genericEvent(input, undefined, unknownSourcetype);
  }
  if (event === null || event === undefined) return failure(GENERIC, 'event is missing');
  return genericEvent(input, undefined, unknownSourcetype);
}

/**
 * Wraps an event that no normalizer recognizes in a Base Event, keeping JSON
 * fields in `unmapped` and the text as the message, so it stays searchable.
 */
function genericEvent(
  input: RawEvent,
  object: Record<string, unknown> | undefined,
  sourcetype: string | undefined,
): NormalizeResult {
  const text = eventText(input);
  if (typeof input.event === 'string' && !isPrintable(text)) {
    return failure(GENERIC, 'event text is binary data (control characters), not a log line');
  }
  const event = createEvent({
    classUid: CLASS.BASE_EVENT,
    activityId: 0,
    time: fallbackTime(input),
    message: object === undefined ? text : undefined,
    product: PRODUCT_UNKNOWN,
    metadata: sourcetype === undefined ? undefined : { log_name: sourcetype },
    unmapped: object ?? (isRecord(input.event) ? undefined : { value: input.event }),
  });
  return { ok: true, event, normalizer: GENERIC };
}

/**
 * Returns false when the text contains a control character other than tab, line
 * feed and carriage return, or U+FFFD, which decoding puts in place of invalid UTF-8.
 */
function isPrintable(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return false;
    if (code === 0xfffd) return false;
  }
  return true;
}
