import { describe, expect, it } from 'vitest';
import { buildQueryRequest } from './api.js';
import { HISTORY_KEY, HISTORY_MAX, loadHistory, rememberQuery } from './history.js';
import { readSearchState, writeSearchState } from './url-state.js';

describe('search state in the URL', () => {
  it('round-trips query and range', () => {
    const state = {
      query: 'user:"a b" | stats count by src_ip & more',
      range: { earliest: '-7d', latest: '2026-12-04T10:00:00.000Z' },
    };
    expect(readSearchState(writeSearchState(state))).toEqual(state);
  });

  it('writes readable parameters', () => {
    const search = writeSearchState({
      query: 'host:web1',
      range: { earliest: '-1h', latest: 'now' },
    });
    expect(search).toBe('?q=host%3Aweb1&earliest=-1h&latest=now');
  });

  it('defaults missing parameters', () => {
    expect(readSearchState('')).toEqual({ query: '', range: { earliest: '-24h', latest: 'now' } });
  });

  it('replaces invalid time bounds', () => {
    const state = readSearchState('?q=x&earliest=javascript:alert(1)&latest=soon');
    expect(state.range).toEqual({ earliest: '-24h', latest: 'now' });
  });
});

describe('buildQueryRequest', () => {
  it('sends text, range and limit', () => {
    expect(buildQueryRequest('user:alice', { earliest: '0', latest: 'now' })).toEqual({
      query: 'user:alice',
      earliest: '0',
      latest: 'now',
      limit: 100,
    });
  });
});

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

describe('query history', () => {
  it('puts the newest query first without duplicates', () => {
    const storage = new MemoryStorage();
    rememberQuery(storage, 'a');
    rememberQuery(storage, 'b');
    expect(rememberQuery(storage, ' a ')).toEqual(['a', 'b']);
    expect(loadHistory(storage)).toEqual(['a', 'b']);
  });

  it('skips blank queries', () => {
    const storage = new MemoryStorage();
    expect(rememberQuery(storage, '   ')).toEqual([]);
    expect(storage.items.has(HISTORY_KEY)).toBe(false);
  });

  it('keeps at most the maximum', () => {
    const storage = new MemoryStorage();
    for (let i = 0; i < HISTORY_MAX + 5; i++) rememberQuery(storage, `q${i}`);
    const history = loadHistory(storage);
    expect(history.length).toBe(HISTORY_MAX);
    expect(history[0]).toBe(`q${HISTORY_MAX + 4}`);
  });

  it('ignores corrupt stored data', () => {
    const storage = new MemoryStorage();
    storage.setItem(HISTORY_KEY, '{not json');
    expect(loadHistory(storage)).toEqual([]);
    storage.setItem(HISTORY_KEY, JSON.stringify(['ok', 5, null]));
    expect(loadHistory(storage)).toEqual(['ok']);
  });

  it('survives a full storage', () => {
    const storage = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(rememberQuery(storage, 'a')).toEqual(['a']);
  });
});
