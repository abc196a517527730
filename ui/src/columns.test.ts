import { describe, expect, it } from 'vitest';
import {
  cellText,
  EVENT_COLUMNS,
  formatSeverity,
  formatTime,
  isEventResult,
  resultColumns,
} from './columns.js';

function cells(row: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(EVENT_COLUMNS.map((column) => [column.id, column.text(row)]));
}

describe('result kind', () => {
  it('detects event rows by id', () => {
    expect(isEventResult([{ id: 'e1', time: 1 }])).toBe(true);
    expect(isEventResult([{ count: 3, user: 'a' }])).toBe(false);
    expect(isEventResult([])).toBe(false);
  });

  it('lists aggregate columns in order', () => {
    expect(
      resultColumns([
        { user: 'a', count: 1 },
        { user: 'b', count: 2, extra: 1 },
      ]),
    ).toEqual(['user', 'count', 'extra']);
  });
});

describe('event columns', () => {
  it('fall back to raw and actor_user', () => {
    const row = { id: 'e1', message: '', raw: 'raw line', actor_user: 'bob', severity_id: 4 };
    const text = cells(row);
    expect(text['message']).toBe('raw line');
    expect(text['user']).toBe('bob');
    expect(text['severity_id']).toBe('4 High');
  });

  it('prefer message and user_name', () => {
    const text = cells({ id: 'e1', message: 'm', raw: 'r', user_name: 'alice', actor_user: 'b' });
    expect(text['message']).toBe('m');
    expect(text['user']).toBe('alice');
  });
});

describe('formatTime', () => {
  it('formats ISO text in UTC', () => {
    expect(formatTime('2026-12-04T10:00:01.5+02:00')).toBe('2026-12-04 08:00:01.500');
  });

  it('reads zone-less text as UTC', () => {
    expect(formatTime('2026-12-04 10:00:01')).toBe('2026-12-04 10:00:01.000');
    expect(formatTime('2026-12-04 10:00:01.123456')).toBe('2026-12-04 10:00:01.123');
  });

  it('formats epoch seconds and milliseconds', () => {
    expect(formatTime(1_764_842_401)).toBe('2025-12-04 10:00:01.000');
    expect(formatTime(1_764_842_401_250)).toBe('2025-12-04 10:00:01.250');
  });

  it('returns unparsable text unchanged', () => {
    expect(formatTime('yesterday')).toBe('yesterday');
    expect(formatTime(null)).toBe('');
  });
});

describe('cell text', () => {
  it('formats severities', () => {
    expect(formatSeverity(3)).toBe('3 Medium');
    expect(formatSeverity(42)).toBe('42');
    expect(formatSeverity(null)).toBe('');
  });

  it('shows objects as JSON', () => {
    expect(cellText({ a: 1 })).toBe('{"a":1}');
    expect(cellText(undefined)).toBe('');
    expect(cellText(0)).toBe('0');
  });
});
