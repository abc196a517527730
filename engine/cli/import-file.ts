/**
 * Splits a log file into HEC events the way a forwarder would send them.
 */

import { skipWhitespace, valueEnd } from '../../ingest/hec/envelopes.js';

export type ImportFormat = 'auto' | 'lines' | 'ndjson' | 'json' | 'zeek-tsv' | 'multiline';

/**
 * Source text of a JSON value in a file, sent as written. Parsing and serializing it again would
 * round integers beyond 2^53 and change the raw text that the appliance stores.
 */
export class JsonText {
  constructor(readonly text: string) {}
}

/** One event for the HEC `event` key: JSON text, or a line of text. */
export type FileEvent = JsonText | string;

/** First line of a classic-rendered Windows event, e.g. `03/12/2021 10:48:14 AM`. */
const WINDOWS_EVENT_START = /^\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2}:\d{2}( [AP]M)?\s*$/;

/**
 * Returns the events in `text`. In `auto` mode the format follows from the
 * content and sourcetype: a JSON array gives its elements, a single JSON
 * document one event, NDJSON one event per line, a Zeek ASCII log its data
 * lines, Windows classic text one event per record, anything else one event
 * per line with indented continuation lines joined to the line before.
 */
export function splitEvents(
  text: string,
  sourcetype: string,
  format: ImportFormat = 'auto',
): FileEvent[] {
  const chosen = format === 'auto' ? detectFormat(text, sourcetype) : format;
  switch (chosen) {
    case 'json': {
      const value = JSON.parse(text) as unknown;
      return Array.isArray(value) ? arrayElements(text) : [new JsonText(text.trim())];
    }
    case 'ndjson':
      return nonEmptyLines(text).map((line, index) => {
        try {
          JSON.parse(line);
          return new JsonText(line.trim());
        } catch {
          throw new Error(
            `line ${index + 1} is not valid JSON; use --format lines to send lines as text`,
          );
        }
      });
    case 'zeek-tsv':
      return nonEmptyLines(text).filter((line) => !line.startsWith('#'));
    case 'multiline':
      return splitAtRecordStarts(text, WINDOWS_EVENT_START);
    default:
      return joinContinuationLines(text);
  }
}

/** Returns the source text of each element of the JSON array `text`, which JSON.parse accepted. */
function arrayElements(text: string): JsonText[] {
  const elements: JsonText[] = [];
  let at = skipWhitespace(text, skipWhitespace(text, 0) + 1);
  while (at < text.length && text[at] !== ']') {
    const end = valueEnd(text, at);
    elements.push(new JsonText(text.slice(at, end)));
    at = skipWhitespace(text, end);
    if (text[at] === ',') at = skipWhitespace(text, at + 1);
  }
  return elements;
}

/**
 * Returns the sourcetype that a file's content names, for a file sent without one, as a
 * forwarder's input would set it. A Zeek ASCII log names its log type in its `#path` header
 * line, which its data lines lack. Windows classic text names its event log in `LogName=`.
 */
export function sourcetypeFromContent(text: string): string | undefined {
  if (text.trimStart().startsWith('#separator')) {
    const path = /^#path\t([A-Za-z0-9_]+)\s*$/m.exec(text)?.[1];
    return path === undefined ? undefined : `bro_${path.toLowerCase()}`;
  }
  if (isWindowsClassicText(text)) {
    const log = /^LogName=([A-Za-z0-9 /_-]+?)\s*$/m.exec(text.slice(0, 4096))?.[1];
    return log === undefined ? undefined : `WinEventLog:${log}`;
  }
  return undefined;
}

/** True for Windows classic text: a date line, then `Key=Value` lines such as `LogName=Security`. */
function isWindowsClassicText(text: string): boolean {
  const [first, second] = nonEmptyLines(text.trimStart().slice(0, 4096));
  return first !== undefined && WINDOWS_EVENT_START.test(first) && /^\w+=/.test(second ?? '');
}

function detectFormat(text: string, sourcetype: string): Exclude<ImportFormat, 'auto'> {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('#separator')) return 'zeek-tsv';
  if (/^winEventLog/i.test(sourcetype)) return 'multiline';
  if (isWindowsClassicText(text)) return 'multiline';
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    try {
      JSON.parse(text);
      return 'json';
    } catch {
      const lines = nonEmptyLines(text);
      if (lines.every((line) => line.trimStart().startsWith('{'))) return 'ndjson';
    }
  }
  return 'lines';
}

function nonEmptyLines(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => line.trim() !== '');
}

function joinContinuationLines(text: string): string[] {
  const events: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    if (/^[ \t]/.test(line) && events.length > 0) {
      events[events.length - 1] += `\n${line}`;
    } else {
      events.push(line);
    }
  }
  return events;
}

function splitAtRecordStarts(text: string, start: RegExp): string[] {
  const events: string[] = [];
  let current: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (start.test(line) && current.some((l) => l.trim() !== '')) {
      events.push(current.join('\n').trim());
      current = [];
    }
    current.push(line);
  }
  if (current.some((line) => line.trim() !== '')) events.push(current.join('\n').trim());
  return events;
}
