import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import type { OcsfEvent } from './normalize/types.js';
import { buildColumnBatch, jsonText } from './rows.js';

describe('jsonText', () => {
  it('matches JSON.stringify for well-formed text', () => {
    const value = { a: 'plain', b: ['😀', 'é', '\\ud800 as text'], c: 1, d: null };
    expect(jsonText(value)).toBe(JSON.stringify(value));
  });

  it('replaces lone surrogates in values and keys', () => {
    const text = jsonText({ event: '\ud800 lone', [`k\udc00`]: ['x\udbff', '😀'] });
    expect(JSON.parse(text)).toEqual({ event: '\ufffd lone', 'k\ufffd': ['x\ufffd', '😀'] });
  });

  it('keeps values that serialize themselves', () => {
    const when = new Date(Date.UTC(2024, 0, 1));
    expect(JSON.parse(jsonText({ when, bad: '\ud800' }))).toEqual({
      when: '2024-01-01T00:00:00.000Z',
      bad: '\ufffd',
    });
  });

  it('writes text DuckDB reads as JSON', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const result = await connection.runAndReadAll("SELECT json_extract_string(?, '$.a.b')", [
        jsonText({ event: '\ud800 lone', a: { b: 'ok' } }),
      ]);
      expect(result.getRows()).toEqual([['ok']]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});

describe('buildColumnBatch', () => {
  it('stores an empty text as no value', () => {
    const meta = {
      host: 'web01',
      source: 'auth.log',
      sourcetype: 'linux_secure',
      index: 'main',
      tokenId: 't',
      receivedAt: 0,
    };
    const event = (name: string, message: string): OcsfEvent => ({
      class_uid: 3002,
      category_uid: 3,
      activity_id: 1,
      type_uid: 300201,
      severity_id: 1,
      time: 0,
      metadata: { product: { name: 'sshd' }, version: '1.1.0' },
      user: { name },
      message,
    });
    const batch = buildColumnBatch([
      { ocsf: event('', 'x'), meta, raw: 'a' },
      { ocsf: event('root', ''), meta, raw: 'b' },
    ]);
    expect(batch.columns.user_name).toEqual([null, 'root']);
    expect(batch.columns.message).toEqual(['x', null]);
  });
});
