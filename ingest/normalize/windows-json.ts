/**
 * Windows events rendered as JSON: the flat form of NXLog and similar
 * exporters (`EventID`, `Channel`, `SourceName`, `Hostname`, the EventData
 * names as top-level keys) and the nested form of Winlogbeat (`winlog.event_id`,
 * `winlog.event_data`). Both are read into the same WindowsEvent as the XML
 * and text renderings, then mapped by EventID.
 */
import { eventObject, failure, isRecord, parseIsoMillis, toInteger } from './ocsf.js';
import { sysmonTime } from './sysmon.js';
import type { NormalizeResult, RawEvent } from './types.js';
import { mapWindowsEvent, type WindowsEvent } from './windows.js';

export const WINDOWS_JSON = 'windows-json';

/** True for a JSON object that looks like a Windows event in either JSON form. */
export function isWindowsJsonObject(object: Record<string, unknown>): boolean {
  if ('EventID' in object) return 'Channel' in object || 'SourceName' in object;
  const winlog = object.winlog;
  return isRecord(winlog) && 'event_id' in winlog;
}

export function normalizeWindowsJson(input: RawEvent): NormalizeResult {
  const parsed = eventObject(input);
  if ('reason' in parsed) return failure(WINDOWS_JSON, `Windows JSON ${parsed.reason}`);
  const object = parsed.object;
  const source = isRecord(object.winlog) ? readWinlogbeat(object, object.winlog) : readFlat(object);
  if (typeof source === 'string') return failure(WINDOWS_JSON, source);
  return { ok: true, event: mapWindowsEvent(source, input), normalizer: WINDOWS_JSON };
}

/**
 * True for the keys of the flat form that describe the event rather than carry
 * EventData. A switch of string constants: JSON.parse gives keys that V8
 * compares by identity, which beat a Set lookup in the profile.
 */
function isFlatHeaderKey(key: string): boolean {
  switch (key) {
    case 'EventID':
    case 'Channel':
    case 'SourceName':
    case 'Hostname':
    case 'TimeCreated':
    case 'EventTime':
    case 'Message':
    case 'RecordNumber':
    case 'EventRecordID':
    case 'Keywords':
    case 'Task':
    case 'Opcode':
    case 'Level':
    case 'Severity':
    case 'SeverityValue':
    case 'ProviderGuid':
      return true;
    default:
      return false;
  }
}

function readFlat(object: Record<string, unknown>): WindowsEvent | string {
  const eventId = toInteger(object.EventID);
  if (eventId === undefined) return 'Windows JSON event has no numeric EventID';
  // `data` doubles as `unmapped`, so it gets the `extra` keys first, then the
  // EventData values, then `Provider` where it is still missing, which is the
  // order `unmapped` has: one object instead of a second copy of every field.
  // The mapping reads none of the header keys from `data`. The keys are read
  // in two passes, which ran faster than one pass that kept the EventData in arrays.
  const data: Record<string, string> = {};
  const extra: Record<string, unknown> = {};
  let hasData = false;
  for (const key in object) {
    if (!isFlatHeaderKey(key)) continue;
    const value = object[key];
    if (value === undefined || value === null || value === '') continue;
    if (key !== 'EventID' && key !== 'Message' && key !== 'Hostname' && key !== 'Channel') {
      extra[key] = value;
      (data as Record<string, unknown>)[key] = value;
      hasData = true;
    }
  }
  const sourceName = object.SourceName;
  if (typeof sourceName === 'string') {
    extra.Provider = sourceName;
    if (sourceName !== '') {
      data.Provider = sourceName;
      hasData = true;
    }
  }
  for (const key in object) {
    if (isFlatHeaderKey(key)) continue;
    const value = object[key];
    if (value === undefined || value === null || value === '') continue;
    data[key] = typeof value === 'string' ? value : JSON.stringify(value);
    // A `__proto__` store of a string sets no key.
    if (key !== '__proto__') hasData = true;
  }
  // What `addExtra` adds: the other `extra` keys are in `data` already.
  if (typeof sourceName === 'string' && data.Provider === undefined) {
    data.Provider = sourceName;
    hasData = true;
  }
  const originalTime =
    textOf(data.UtcTime) ?? textOf(object.TimeCreated) ?? textOf(object.EventTime);
  return {
    eventId,
    time: data.UtcTime !== undefined ? sysmonTime(data.UtcTime) : flatTime(originalTime),
    originalTime,
    computer: textOf(object.Hostname),
    channel: textOf(object.Channel),
    recordId: textOf(object.RecordNumber) ?? textOf(object.EventRecordID),
    statusId: keywordStatus(textOf(object.Keywords)),
    message: firstLine(textOf(object.Message)),
    data,
    extra,
    compactData: true,
    unmapped: hasData ? 'ready' : 'empty',
  };
}

function readWinlogbeat(
  object: Record<string, unknown>,
  winlog: Record<string, unknown>,
): WindowsEvent | string {
  const eventId = toInteger(winlog.event_id);
  if (eventId === undefined) return 'Winlogbeat event has no numeric winlog.event_id';
  const data: Record<string, string> = {};
  const eventData = isRecord(winlog.event_data) ? winlog.event_data : {};
  for (const key in eventData) {
    const value = eventData[key];
    if (value === undefined || value === null || value === '') continue;
    data[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  const extra: Record<string, unknown> = {};
  if (typeof winlog.provider_name === 'string') extra.Provider = winlog.provider_name;
  if (winlog.task !== undefined) extra.Task = winlog.task;
  if (winlog.opcode !== undefined) extra.Opcode = winlog.opcode;
  const originalTime = textOf(object['@timestamp']) ?? textOf(data.UtcTime);
  const outcome = isRecord(object.event) ? object.event.outcome : undefined;
  return {
    eventId,
    time: parseIsoMillis(originalTime) ?? sysmonTime(data.UtcTime),
    originalTime,
    computer: textOf(winlog.computer_name),
    channel: textOf(winlog.channel),
    recordId: textOf(winlog.record_id),
    statusId: outcome === 'success' ? 1 : outcome === 'failure' ? 2 : undefined,
    message: firstLine(textOf(object.message)),
    data,
    extra,
  };
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/**
 * Parses the flat export's `TimeCreated`, which has no zone (`2020-10-18
 * 10:56:18.799`), as UTC; the text stays in `metadata.original_time`.
 * NOTE: exporters may write local time there (the OTRF sample is 16 hours
 * behind its Sysmon UtcTime), so Security events of such exports are off by the
 * sender's UTC offset. Sysmon events use UtcTime and are exact.
 */
function flatTime(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(text)) return sysmonTime(text);
  return parseIsoMillis(text);
}

/** NXLog writes the keyword names: `Audit Success`, `Audit Failure`. */
function keywordStatus(keywords: string | undefined): number | undefined {
  if (keywords === undefined) return undefined;
  if (keywords.includes('Audit Failure')) return 2;
  if (keywords.includes('Audit Success')) return 1;
  return undefined;
}

function firstLine(message: string | undefined): string | undefined {
  if (message === undefined) return undefined;
  const end = message.search(/\r?\n/);
  const line = (end === -1 ? message : message.slice(0, end)).trim();
  return line === '' ? undefined : line;
}
