/**
 * Parsing and validation of `/event` bodies: one or more JSON envelopes, concatenated with
 * or without whitespace, or a top-level JSON array of envelopes.
 */

import { isInternalIndex } from '../../query-lang/internal-indexes.js';
import { MAX_TIME_MILLIS } from '../normalize/validate.js';
import { HecError } from './codes.js';
import type { HecEvent, HecToken } from './types.js';

/** Metadata for envelopes that lack it, already resolved from query, token and server defaults. */
export interface EnvelopeDefaults {
  host: string;
  source: string;
  sourcetype: string;
  index: string;
  /** Epoch milliseconds from the `time` query parameter. */
  time?: number;
}

export interface EnvelopeContext {
  token: HecToken;
  defaults: EnvelopeDefaults;
  channel?: string;
  /** Epoch milliseconds. */
  receivedAt: number;
  /** Bytes per envelope; larger is code 6. */
  maxEventSize: number;
}

/**
 * The envelopes accepted before the first bad one, and that bad one's error. Splunk indexes
 * the envelopes before a bad one and drops those after it, so callers submit `events` even
 * when `error` is set.
 */
export interface EnvelopeParseResult {
  events: HecEvent[];
  error?: HecError;
}

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const BOM = 0xfeff;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

export function skipWhitespace(text: string, start: number): number {
  let i = start;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c !== SPACE && c !== LF && c !== CR && c !== TAB && c !== BOM) break;
    i++;
  }
  return i;
}

/** Returns the index of the quote that closes the string opening at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  let j = start + 1;
  for (;;) {
    j = text.indexOf('"', j);
    if (j === -1) return -1;
    // A quote preceded by an odd number of backslashes is escaped.
    let backslashes = 0;
    for (let k = j - 1; text.charCodeAt(k) === BACKSLASH; k--) backslashes++;
    if ((backslashes & 1) === 0) return j;
    j++;
  }
}

/**
 * Finds the end of the JSON object or array that opens at `start`, tracking strings, escapes
 * and nesting depth without parsing. Returns the index after its closing bracket, or -1 when
 * the text ends first. Mismatched bracket kinds are left for JSON.parse to reject.
 */
export function scanJsonValueEnd(text: string, start: number): number {
  let depth = 0;
  let i = start;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const close = stringEnd(text, i);
      if (close === -1) return -1;
      i = close + 1;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return -1;
}

/** Returns the index after the JSON value at `start` (object, array, string or literal). */
export function valueEnd(text: string, start: number): number {
  const c = text.charCodeAt(start);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) return scanJsonValueEnd(text, start);
  if (c === QUOTE) {
    const close = stringEnd(text, start);
    return close === -1 ? -1 : close + 1;
  }
  let i = start;
  for (; i < text.length; i++) {
    const d = text.charCodeAt(i);
    if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET) break;
    if (d === SPACE || d === LF || d === CR || d === TAB) break;
  }
  return i;
}

/**
 * Returns the source text of the `event` member of an envelope that JSON.parse accepted, so
 * that a non-string event is stored as received without a JSON.stringify round trip. Returns
 * undefined when the key is written with escapes; the caller then serializes the value.
 * Like JSON.parse, the last of duplicate keys wins.
 */
export function eventSourceText(envelope: string): string | undefined {
  let found: string | undefined;
  const n = envelope.length;
  let i = skipWhitespace(envelope, skipWhitespace(envelope, 0) + 1);
  while (i < n && envelope.charCodeAt(i) === QUOTE) {
    const keyEnd = stringEnd(envelope, i);
    if (keyEnd === -1) return found;
    const isEvent = keyEnd - i === 6 && envelope.startsWith('event', i + 1);
    i = skipWhitespace(envelope, keyEnd + 1);
    if (envelope.charCodeAt(i) !== COLON) return found;
    const start = skipWhitespace(envelope, i + 1);
    const end = valueEnd(envelope, start);
    if (end === -1) return found;
    if (isEvent) found = envelope.slice(start, end);
    i = skipWhitespace(envelope, end);
    if (envelope.charCodeAt(i) !== COMMA) break;
    i = skipWhitespace(envelope, i + 1);
  }
  return found;
}

/** Byte length of a UTF-8 string, computed only when the cap could be passed. */
function exceedsBytes(text: string, maxBytes: number): boolean {
  // A UTF-16 code unit encodes to at most 3 UTF-8 bytes.
  if (text.length * 3 <= maxBytes) return false;
  if (text.length > maxBytes) return true;
  return Buffer.byteLength(text, 'utf8') > maxBytes;
}

const DECIMAL = /^[0-9]+(\.[0-9]*)?$/;

/**
 * Converts a HEC `time` value to epoch milliseconds, or NaN when it is invalid: negative, not
 * finite, neither a number nor a numeric string, or later than the store accepts
 * (`MAX_TIME_MILLIS`, 9999-12-31T23:59:59.999Z, once rounded to whole milliseconds). Splunk reads
 * the magnitude: below 10^11 seconds, below 10^14 milliseconds, below 10^17 microseconds, else
 * nanoseconds. The result keeps microsecond precision.
 */
export function parseHecTime(value: unknown): number {
  let n: number;
  if (typeof value === 'number') {
    n = value;
  } else if (typeof value === 'string') {
    const trimmed = value.trim();
    if (!DECIMAL.test(trimmed)) return Number.NaN;
    n = Number(trimmed);
  } else {
    return Number.NaN;
  }
  if (!Number.isFinite(n) || n < 0) return Number.NaN;
  const millis = magnitudeToMillis(n);
  // Only nanosecond values can pass the limit. Rejected here, the request fails with code 6.
  // Accepted, it would get 200 and the normalizer would move the event to the dead-letter queue.
  if (Math.round(millis) > MAX_TIME_MILLIS) return Number.NaN;
  return millis;
}

function magnitudeToMillis(n: number): number {
  if (n < 1e11) return Math.round(n * 1e6) / 1e3;
  if (n < 1e14) return n;
  if (n < 1e17) return Math.round(n) / 1e3;
  return Math.round(n / 1e3) / 1e3;
}

/**
 * Checks HEC indexed fields: a flat object whose values are strings, numbers or booleans, or
 * arrays of those. A nested object or a nested array is rejected (code 15).
 */
export function isFlatFields(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const key in value) {
    const field = (value as Record<string, unknown>)[key];
    if (Array.isArray(field)) {
      for (const item of field) {
        if (typeof item === 'object') return false;
      }
    } else if (typeof field === 'object') {
      return false;
    }
  }
  return true;
}

function metadataString(value: unknown, fallback: string): string | undefined {
  if (value === undefined || value === null || value === '') return fallback;
  return typeof value === 'string' ? value : undefined;
}

/**
 * Returns whether `fields` describes a metric: a `metric_name:NAME` key, or `metric_name` with
 * `_value`, as Splunk's HEC takes metrics.
 */
function isMetricFields(fields: unknown): boolean {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return false;
  const keys = Object.keys(fields);
  if (keys.some((key) => key.startsWith('metric_name:'))) return true;
  return keys.includes('metric_name') && keys.includes('_value');
}

/** Index names the appliance stores, as Splunk names indexes: lowercase, 1-80 characters. */
export const INDEX_NAME = /^[a-z0-9_][a-z0-9_-]{0,79}$/;

/**
 * Returns whether the token may write to `index`. A name no index can have (spaces, capitals,
 * punctuation) is rejected as Splunk rejects an index that does not exist. An empty allow list
 * allows every index but the internal ones (`_audit`), which must be listed by name: otherwise
 * any sender could add forged records to the appliance's audit trail.
 */
export function isIndexAllowed(token: Pick<HecToken, 'indexes'>, index: string): boolean {
  if (!INDEX_NAME.test(index)) return false;
  if (token.indexes.length === 0) return !isInternalIndex(index);
  return token.indexes.includes(index);
}

/** True when only the closing bracket of a top-level array, or nothing, follows `i`. */
function isBodyEnd(body: string, i: number, inArray: boolean): boolean {
  if (!inArray) return i === body.length;
  return body.charCodeAt(i) === CLOSE_BRACKET && skipWhitespace(body, i + 1) === body.length;
}

type EnvelopeOutcome = HecEvent | HecError | 'skip' | 'no-event';

/** Validates one parsed envelope and resolves its metadata. */
function toEvent(
  envelope: unknown,
  text: string,
  number: number,
  context: EnvelopeContext,
): EnvelopeOutcome {
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) {
    return new HecError(6, number, 'envelope is not a JSON object');
  }
  const record = envelope as Record<string, unknown>;
  let event = record['event'];
  if (event === undefined) {
    // An object with `fields` and no `event` is a metric or skipped, as Splunk does. Metrics
    // are stored as ordinary events, as `{"event":"metric"}` is.
    if (record['fields'] === undefined) return 'no-event';
    if (!isMetricFields(record['fields'])) return 'skip';
    event = 'metric';
  }
  if (event === null || event === false) return new HecError(6, number, 'event is null or false');
  if (typeof event === 'string' && event.trim() === '') return new HecError(13, number);

  const { defaults } = context;
  let time = defaults.time;
  const rawTime = record['time'];
  if (rawTime !== undefined && rawTime !== null) {
    time = parseHecTime(rawTime);
    if (Number.isNaN(time)) return new HecError(6, number, 'invalid time');
  }
  const host = metadataString(record['host'], defaults.host);
  const source = metadataString(record['source'], defaults.source);
  const sourcetype = metadataString(record['sourcetype'], defaults.sourcetype);
  const index = metadataString(record['index'], defaults.index);
  if (host === undefined || source === undefined || sourcetype === undefined) {
    return new HecError(6, number, 'host, source or sourcetype is not a string');
  }
  if (index === undefined) return new HecError(6, number, 'index is not a string');

  let fields: Record<string, unknown> | undefined;
  const rawFields = record['fields'];
  if (rawFields !== undefined) {
    if (!isFlatFields(rawFields)) return new HecError(15, number, 'fields is not a flat object');
    fields = rawFields;
  }
  if (!isIndexAllowed(context.token, index)) {
    return new HecError(7, number, 'index not allowed for this token');
  }
  return {
    event,
    raw: typeof event === 'string' ? event : (eventSourceText(text) ?? JSON.stringify(event)),
    time,
    host,
    source,
    sourcetype,
    index,
    fields,
    tokenId: context.token.id,
    channel: context.channel,
    receivedAt: context.receivedAt,
  };
}

/**
 * Parses a `/event` body into events, stopping at the first bad envelope. Object boundaries
 * are found by `scanJsonValueEnd` and each slice goes through JSON.parse on its own, so a
 * syntax error is reported with the index of the envelope that contains it.
 *
 * Errors: empty body, or a body whose only object lacks `event`, is code 5; a syntax error,
 * a non-object, an envelope above `maxEventSize` bytes, `event` null or false, a bad `time`
 * or a non-string metadata value is code 6; a disallowed index 7; a missing `event` in a
 * batch 12; a blank string `event` 13; nested `fields` 15.
 */
export function parseEnvelopes(body: string, context: EnvelopeContext): EnvelopeParseResult {
  const events: HecEvent[] = [];
  const n = body.length;
  let i = skipWhitespace(body, 0);
  if (i === n) return { events, error: new HecError(5) };

  const inArray = body.charCodeAt(i) === OPEN_BRACKET;
  if (inArray) {
    i = skipWhitespace(body, i + 1);
    if (body.charCodeAt(i) === CLOSE_BRACKET && skipWhitespace(body, i + 1) === n) {
      return { events, error: new HecError(5) };
    }
  }

  // NDJSON fast path: JSON strings cannot hold a raw newline, so a line that parses as an
  // object is one whole envelope. The first line that does not parse (pretty-printed JSON,
  // several envelopes on a line, a syntax error) switches to the scanner for the rest.
  let byLine = !inArray;
  let number = 0;
  for (;;) {
    if (body.charCodeAt(i) !== OPEN_BRACE) {
      return { events, error: new HecError(6, number, 'expected a JSON object') };
    }
    let slice: string | undefined;
    let envelope: unknown;
    let end = -1;
    if (byLine) {
      const lineEnd = body.indexOf('\n', i);
      end = lineEnd === -1 ? n : lineEnd;
      const line = body.slice(i, end);
      if (!exceedsBytes(line, context.maxEventSize)) {
        try {
          envelope = JSON.parse(line);
          slice = line;
        } catch {
          byLine = false;
        }
      }
    }
    if (slice === undefined) {
      end = scanJsonValueEnd(body, i);
      if (end === -1) return { events, error: new HecError(6, number, 'unterminated JSON object') };
      slice = body.slice(i, end);
      if (exceedsBytes(slice, context.maxEventSize)) {
        return { events, error: new HecError(6, number, 'event larger than maxEventSize') };
      }
      try {
        envelope = JSON.parse(slice);
      } catch {
        return { events, error: new HecError(6, number, 'JSON syntax error') };
      }
    }
    const outcome = toEvent(envelope, slice, number, context);
    if (outcome instanceof HecError) return { events, error: outcome };
    i = skipWhitespace(body, end);
    if (outcome === 'no-event') {
      // Splunk returns "No data" when the body's only object lacks `event`.
      const onlyObject = number === 0 && isBodyEnd(body, i, inArray);
      return { events, error: onlyObject ? new HecError(5) : new HecError(12, number) };
    }
    if (outcome !== 'skip') events.push(outcome);
    number++;
    if (inArray) {
      const c = body.charCodeAt(i);
      if (c === COMMA) {
        i = skipWhitespace(body, i + 1);
      } else if (c === CLOSE_BRACKET && skipWhitespace(body, i + 1) === n) {
        break;
      } else {
        return { events, error: new HecError(6, number, 'expected , or ] in the array') };
      }
    } else if (i === n) {
      break;
    }
  }
  return { events };
}
