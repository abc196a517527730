/**
 * Chooses the normalizer for an event: by sourcetype first, then by content
 * when the sourcetype is missing, generic (`_json`, `httpevent`, `json`) or unknown.
 */
import { isAccessLogLine, normalizeAccessLog } from './access-log.js';
import { isAsffObject, normalizeAsff } from './asff.js';
import {
  isGitHubAuditObject,
  isKubernetesAuditObject,
  normalizeGitHubAudit,
  normalizeKubernetesAudit,
} from './audit-logs.js';
import { isCefText, normalizeCef } from './cef.js';
import { isCiscoAsaText, normalizeCiscoAsa } from './cisco-asa.js';
import { isCloudTrailObject, normalizeCloudTrail } from './cloudtrail.js';
import { customNormalizer } from './custom.js';
import { isLeefText, normalizeLeef } from './leef.js';
import { normalizeLinuxAuth, parseSyslogHeader } from './linux-auth.js';
import { isNginxKvLine, normalizeNginxKv } from './nginx-kv.js';
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
import { isRfc5424, normalizeRfc5424 } from './syslog5424.js';
import type { NormalizeResult, RawEvent } from './types.js';
import { isWindowsXml, normalizeWindowsText, normalizeWindowsXml } from './windows.js';
import { isWindowsJsonObject, normalizeWindowsJson } from './windows-json.js';
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
  ['nginx:plus:kv', normalizeNginxKv],
  ['okta:im2', normalizeOkta],
  ['cisco:asa', normalizeCiscoAsa],
  ['rfc5424_syslog', normalizeSyslog],
  ['leef', normalizeLeef],
  ['aws:securityhub:finding', normalizeAsff],
  ['aws:securityhub', normalizeAsff],
  ['aws:securityhub:json', normalizeAsff],
  ['github:audit', normalizeGitHubAudit],
  ['github:enterprise:audit', normalizeGitHubAudit],
  ['github_audit', normalizeGitHubAudit],
  ['kube:apiserver:audit', normalizeKubernetesAudit],
  ['kubernetes:audit', normalizeKubernetesAudit],
  ['k8s:audit', normalizeKubernetesAudit],
  ['wineventlog:json', normalizeWindowsJson],
  ['winlogbeat', normalizeWindowsJson],
]);

/** Sourcetypes that carry no information about the content. */
const GENERIC_SOURCETYPES = new Set(['', '_json', 'json', 'httpevent', '_raw']);

const GENERIC = 'generic';
const PRODUCT_UNKNOWN = { name: 'Unknown', vendor_name: 'Unknown' };

/**
 * Syslog lines: CEF, LEEF and Cisco ASA payloads by their normalizers, RFC 5424
 * lines by theirs, the rest by the RFC 3164 syslog and authentication rules.
 */
function normalizeSyslog(input: RawEvent): NormalizeResult {
  const event = input.event;
  if (typeof event === 'string') {
    if (isCefText(event)) return normalizeCef(input);
    if (isLeefText(event)) return normalizeLeef(input);
    if (isCiscoAsaText(event)) return normalizeCiscoAsa(input);
    if (isRfc5424(event)) return normalizeRfc5424(input);
  }
  return normalizeLinuxAuth(input);
}

/** Windows sourcetypes: JSON renderings by the JSON reader, XML and text by theirs. */
function windowsByContent(input: RawEvent, text: Normalizer): NormalizeResult {
  const event = input.event;
  if (isRecord(event)) return normalizeWindowsJson(input);
  if (typeof event === 'string' && event.trimStart().startsWith('{')) {
    return normalizeWindowsJson(input);
  }
  return text(input);
}

const normalizeWindowsXmlOrJson: Normalizer = (input) =>
  windowsByContent(input, normalizeWindowsXml);
const normalizeWindowsTextOrJson: Normalizer = (input) =>
  windowsByContent(input, normalizeWindowsText);

/** The input with a parsed event, without an object spread on this per-event path. */
function withEvent(input: RawEvent, event: Record<string, unknown>): RawEvent {
  return {
    event,
    sourcetype: input.sourcetype,
    source: input.source,
    host: input.host,
    index: input.index,
    time: input.time,
    receivedAt: input.receivedAt,
  };
}

/** Routes one event to its normalizer and returns that normalizer's result. */
export function route(input: RawEvent): NormalizeResult {
  const raw = input.sourcetype ?? '';
  let normalizer = RESOLVED.get(raw);
  if (normalizer === undefined) {
    normalizer = resolve(raw);
    // Bounded: sourcetypes come from senders, and many distinct names must not grow memory.
    if (RESOLVED.size < 1000) RESOLVED.set(raw, normalizer);
  }
  return normalizer(input);
}

/** Normalizers already chosen, by sourcetype as sent: lower-casing and lookups run once per name. */
const RESOLVED = new Map<string, Normalizer>();

/** Forgets the cached routing decisions, after the custom mappings change. */
export function clearRoutes(): void {
  RESOLVED.clear();
}

function resolve(raw: string): Normalizer {
  const sourcetype = raw.trim().toLowerCase();
  const custom = customNormalizer(sourcetype);
  if (custom !== undefined) return custom;
  const normalizer = BY_SOURCETYPE.get(sourcetype);
  if (normalizer !== undefined) return normalizer;
  const zeekLog = zeekLogFromSourcetype(sourcetype);
  if (zeekLog !== undefined) return (input) => normalizeZeek(input, zeekLog);
  if (sourcetype.startsWith('xmlwineventlog')) return normalizeWindowsXmlOrJson;
  if (sourcetype.startsWith('wineventlog')) return normalizeWindowsTextOrJson;
  const unknown = GENERIC_SOURCETYPES.has(sourcetype) ? undefined : sourcetype;
  return (input) => sniff(input, unknown);
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
    if (isCloudTrailObject(object)) return normalizeCloudTrail(withEvent(input, object));
    if (isWindowsJsonObject(object)) return normalizeWindowsJson(withEvent(input, object));
    if (isZeekObject(object)) return normalizeZeek(withEvent(input, object));
    if (isSuricataObject(object)) return normalizeSuricata(withEvent(input, object));
    if (isOktaObject(object)) return normalizeOkta(withEvent(input, object));
    if (isAsffObject(object)) return normalizeAsff(withEvent(input, object));
    if (isKubernetesAuditObject(object)) return normalizeKubernetesAudit(withEvent(input, object));
    if (isGitHubAuditObject(object)) return normalizeGitHubAudit(withEvent(input, object));
    return genericEvent(input, object, unknownSourcetype);
  }
  if (typeof event === 'string') {
    if (isWindowsXml(event)) return normalizeWindowsXml(input);
    if (isCefText(event)) return normalizeCef(input);
    if (isLeefText(event)) return normalizeLeef(input);
    if (isCiscoAsaText(event)) return normalizeCiscoAsa(input);
    if (isRfc5424(event)) return normalizeRfc5424(input);
    if (parseSyslogHeader(event, input.receivedAt) !== undefined) return normalizeLinuxAuth(input);
    if (isAccessLogLine(event)) return normalizeAccessLog(input);
    if (isNginxKvLine(event)) return normalizeNginxKv(input);
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
  if (typeof input.event === 'string') {
    const problem = unprintable(text);
    if (problem !== undefined) {
      return failure(GENERIC, `event text is binary data (${problem}), not a log line`);
    }
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
 * Control characters that text logs contain: tab, line feed, vertical tab, form feed, carriage
 * return, and escape, which starts the ANSI color codes of console output.
 */
const TEXT_CONTROLS: ReadonlySet<number> = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1b]);

/**
 * Names what makes the text binary: another control character (NUL among them), or U+FFFD,
 * which decoding puts in place of invalid UTF-8. Returns undefined for printable text.
 */
function unprintable(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && !TEXT_CONTROLS.has(code)) return 'control characters';
    // Decoding puts the replacement character where the body had bytes that are not UTF-8.
    if (code === 0xfffd) return 'invalid UTF-8';
  }
  return undefined;
}
