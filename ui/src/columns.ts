import type { ResultRow } from './api.js';

/** A column of the event table: its header and how a cell's text comes out of a row. */
export interface EventColumn {
  id: string;
  label: string;
  /** Returns the cell text. */
  text(row: ResultRow): string;
}

/** OCSF severity_id labels (OCSF 1.1 `severity_id` enum). */
export const SEVERITY_LABELS: Readonly<Record<number, string>> = {
  0: 'Unknown',
  1: 'Informational',
  2: 'Low',
  3: 'Medium',
  4: 'High',
  5: 'Critical',
  6: 'Fatal',
  99: 'Other',
};

/** Event rows carry the store's `id` column; aggregate rows (`stats`, `top`, ...) do not. */
export function isEventResult(rows: readonly ResultRow[]): boolean {
  return rows.length > 0 && rows.every((row) => Object.hasOwn(row, 'id'));
}

/** Returns every column name of the rows, in first-seen order. */
export function resultColumns(rows: readonly ResultRow[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) {
    for (const key of Object.keys(row)) seen.add(key);
  }
  return [...seen];
}

function firstText(row: ResultRow, ...columns: string[]): string {
  for (const column of columns) {
    const text = cellText(row[column]);
    if (text !== '') return text;
  }
  return '';
}

/** Columns of the event table, in display order. */
export const EVENT_COLUMNS: readonly EventColumn[] = [
  { id: 'time', label: 'time (UTC)', text: (row) => formatTime(row['time']) },
  {
    id: 'class_name',
    label: 'class_name',
    text: (row) => firstText(row, 'class_name', 'class_uid'),
  },
  { id: 'severity_id', label: 'severity', text: (row) => formatSeverity(row['severity_id']) },
  { id: 'message', label: 'message', text: (row) => firstText(row, 'message', 'raw') },
  { id: 'user', label: 'user', text: (row) => firstText(row, 'user_name', 'actor_user') },
  { id: 'src_ip', label: 'src_ip', text: (row) => firstText(row, 'src_ip') },
  { id: 'dst_ip', label: 'dst_ip', text: (row) => firstText(row, 'dst_ip') },
  { id: 'host', label: 'host', text: (row) => firstText(row, 'host', 'device_hostname') },
  { id: 'sourcetype', label: 'sourcetype', text: (row) => firstText(row, 'sourcetype') },
];

/** Text of one cell value: objects as JSON, null and undefined as empty text. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * Formats an event time as `YYYY-MM-DD HH:MM:SS.mmm` in UTC. Accepts ISO text, DuckDB's
 * `YYYY-MM-DD HH:MM:SS` text (read as UTC) and epoch numbers (milliseconds, or seconds below
 * 1e11). Text that does not parse comes back unchanged.
 */
export function formatTime(value: unknown): string {
  let ms: number;
  if (typeof value === 'number') {
    ms = Math.abs(value) < 1e11 ? value * 1000 : value;
  } else if (typeof value === 'string') {
    const zoned = /(?:[zZ]|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value.replace(' ', 'T')}Z`;
    ms = Date.parse(zoned);
    if (Number.isNaN(ms)) return value;
  } else {
    return cellText(value);
  }
  if (!Number.isFinite(ms)) return cellText(value);
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/** Formats a severity_id as `3 Medium`; unknown numbers show as the number alone. */
export function formatSeverity(value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  const id = Number(value);
  const label = Number.isInteger(id) ? SEVERITY_LABELS[id] : undefined;
  return label ? `${id} ${label}` : cellText(value);
}

/** CSS class suffix of a severity, for its colour. */
export function severityLevel(value: unknown): string {
  const id = Number(value);
  if (id >= 5 && id <= 6) return 'critical';
  if (id === 4) return 'high';
  if (id === 3) return 'medium';
  if (id === 2) return 'low';
  return 'info';
}
