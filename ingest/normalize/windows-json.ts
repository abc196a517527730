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

/** Keys of the flat form that describe the event rather than carry EventData. */
const FLAT_HEADER_KEYS = new Set([
  'EventID',
  'Channel',
  'SourceName',
  'Hostname',
  'TimeCreated',
  'EventTime',
  'Message',
  'RecordNumber',
  'EventRecordID',
  'Keywords',
  'Task',
  'Opcode',
  'Level',
  'Severity',
  'SeverityValue',
  'ProviderGuid',
]);

function readFlat(object: Record<string, unknown>): WindowsEvent | string {
  const eventId = toInteger(object.EventID);
  if (eventId === undefined) return 'Windows JSON event has no numeric EventID';
  const data: Record<string, string> = {};
  const extra: Record<string, unknown> = {};
  for (const key in object) {
    const value = object[key];
    if (value === undefined || value === null || value === '') continue;
    if (FLAT_HEADER_KEYS.has(key)) {
      if (key !== 'EventID' && key !== 'Message' && key !== 'Hostname' && key !== 'Channel') {
        extra[key] = value;
      }
    } else {
      data[key] = typeof value === 'string' ? value : JSON.stringify(value);
    }
  }
  if (typeof object.SourceName === 'string') extra.Provider = object.SourceName;
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
