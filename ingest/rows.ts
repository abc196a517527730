import crypto from 'node:crypto';
import { COLUMNS } from '../query-lang/catalog.js';
import type { ColumnBatch, DeadLetterEntry } from '../storage/index.js';
import type { OcsfEvent } from './normalize/types.js';

/** HEC metadata of one event, as the worker receives it. */
export interface EventMetadata {
  host: string;
  source: string;
  sourcetype: string;
  index: string;
  fields?: Record<string, unknown>;
  tokenId: string;
  channel?: string;
  /** Epoch milliseconds. */
  receivedAt: number;
  /** Envelope time, epoch milliseconds. */
  time?: number;
}

/** Reads an OCSF attribute by dotted path. */
function readPath(event: Record<string, unknown>, segments: readonly string[]): unknown {
  let value: unknown = event;
  for (const segment of segments) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

const EXTRACTORS = COLUMNS.map((column) => {
  const { source } = column;
  if (source.kind === 'ocsf') {
    const segments = source.path.split('.');
    return (event: OcsfEvent) => {
      const value = readPath(event, segments);
      if (value === undefined || value === null) return null;
      // An empty text is no value, as Splunk makes no field of an empty one: sshd's "Invalid
      // user  from" would otherwise count under a user named "".
      if (column.type === 'VARCHAR') {
        if (typeof value !== 'string') return JSON.stringify(value);
        return value === '' ? null : value;
      }
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
        return Number(value);
      }
      return null;
    };
  }
  return undefined;
});

let idCounter = 0;
const idPrefix = crypto.randomBytes(4).toString('hex');

/**
 * Returns a unique event id that sorts by ingest order within a process:
 * 12 hex digits of receipt time, then a per-process prefix and counter.
 */
export function newEventId(receivedAt: number): string {
  idCounter = (idCounter + 1) % 0x1000000;
  return (
    Math.max(0, Math.trunc(receivedAt)).toString(16).padStart(12, '0') +
    idPrefix +
    idCounter.toString(16).padStart(6, '0')
  );
}

/** A UTF-16 surrogate without its other half. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Serializes `value` as JSON that DuckDB's JSON functions accept. `JSON.stringify` writes a lone
 * surrogate as an escape such as `\ud800`, which DuckDB rejects, and then every query that reads
 * a path of that column fails. Such text is rare, so only text with an escape of that form is
 * serialized again, with each lone surrogate replaced by U+FFFD.
 */
export function jsonText(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.includes('\\ud') || text.includes('\\uD') ? JSON.stringify(wellFormed(value)) : text;
}

function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(LONE_SURROGATE, '\ufffd');
  if (Array.isArray(value)) return value.map(wellFormed);
  if (value !== null && typeof value === 'object') {
    const { toJSON } = value as { toJSON?: () => unknown };
    if (typeof toJSON === 'function') return wellFormed(toJSON.call(value));
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [wellFormed(key) as string, wellFormed(item)]),
    );
  }
  return value;
}

/** Builds the columnar batch the event store appends, in catalog column order. */
export function buildColumnBatch(
  events: readonly { ocsf: OcsfEvent; meta: EventMetadata; raw: string }[],
): ColumnBatch {
  const columns: Record<string, unknown[]> = {};
  for (const column of COLUMNS) columns[column.name] = new Array(events.length);
  COLUMNS.forEach((column, columnIndex) => {
    const values = columns[column.name]!;
    const extract = EXTRACTORS[columnIndex];
    const { source } = column;
    for (let row = 0; row < events.length; row++) {
      const { ocsf, meta, raw } = events[row]!;
      if (extract) {
        values[row] = extract(ocsf);
      } else if (source.kind === 'hec') {
        values[row] = hecValue(meta, source.key);
      } else if (source.kind === 'store') {
        values[row] =
          source.key === 'id'
            ? newEventId(meta.receivedAt)
            : source.key === 'ocsf'
              ? jsonText(ocsf)
              : source.key === 'raw'
                ? raw
                : meta.receivedAt;
      }
    }
  });
  return { rowCount: events.length, columns };
}

function hecValue(meta: EventMetadata, key: string): unknown {
  switch (key) {
    case 'token_id':
      return meta.tokenId;
    case 'fields':
      return meta.fields && Object.keys(meta.fields).length > 0 ? jsonText(meta.fields) : null;
    case 'channel':
      return meta.channel ?? null;
    default:
      return (meta as unknown as Record<string, unknown>)[key] ?? null;
  }
}

export function deadLetterEntry(
  meta: EventMetadata,
  raw: string,
  reason: string,
  normalizer: string,
): DeadLetterEntry {
  return {
    id: newEventId(meta.receivedAt),
    received_at: meta.receivedAt,
    reason,
    normalizer,
    raw,
    host: meta.host,
    source: meta.source,
    sourcetype: meta.sourcetype,
    index: meta.index,
    token_id: meta.tokenId,
    channel: meta.channel ?? null,
    event_time: meta.time ?? null,
  };
}
