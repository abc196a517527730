import { describe, expect, it } from 'vitest';
import normalizeBatch, { type WorkerEvent } from './normalize-worker.js';

const RECEIVED_AT = Date.UTC(2026, 0, 10, 12, 0, 0);

function passthrough(time: number): WorkerEvent {
  const event = {
    class_uid: 3002,
    activity_id: 1,
    severity_id: 1,
    time,
    metadata: { product: { name: 'test', vendor_name: 'test' }, version: '1.1.0' },
  };
  return {
    raw: JSON.stringify(event),
    json: true,
    host: 'h',
    source: 's',
    sourcetype: 'ocsf',
    index: 'main',
    tokenId: 't',
    receivedAt: RECEIVED_AT,
  };
}

describe('normalizeBatch', () => {
  it('keeps event times up to two days ahead', () => {
    const ahead = RECEIVED_AT + 24 * 3_600_000;
    const result = normalizeBatch([passthrough(ahead)]);
    expect(result.batch.columns.time).toEqual([ahead]);
  });

  it('replaces far-future times with the receipt time', () => {
    const future = Date.UTC(5138, 10, 16);
    const result = normalizeBatch([passthrough(future)]);
    expect(result.batch.columns.time).toEqual([RECEIVED_AT]);
    const stored = JSON.parse(String(result.batch.columns.ocsf?.[0]));
    expect(stored.metadata.original_time).toBe(new Date(future).toISOString());
  });

  it('returns unparseable events as dead letters', () => {
    const event = {
      ...passthrough(RECEIVED_AT),
      sourcetype: 'XmlWinEventLog:Security',
      raw: '<Event',
      json: false,
    };
    const result = normalizeBatch([event]);
    expect(result.batch.rowCount).toBe(0);
    expect(result.deadLetters).toHaveLength(1);
    expect(result.deadLetters[0]?.raw).toBe('<Event');
  });

  it('keeps raw_data only when asked', () => {
    const line =
      'Jan 10 11:59:00 web01 sshd[42]: Failed password for root from 203.0.113.7 port 4242 ssh2';
    const event: WorkerEvent = {
      ...passthrough(RECEIVED_AT),
      raw: line,
      json: false,
      sourcetype: 'linux_secure',
    };
    const kept = normalizeBatch([event], true);
    expect(kept.deadLetters).toEqual([]);
    expect(JSON.parse(String(kept.batch.columns.ocsf?.[0])).raw_data).toBe(line);
    const plain = normalizeBatch([event], false);
    expect(JSON.parse(String(plain.batch.columns.ocsf?.[0]))).not.toHaveProperty('raw_data');
  });
});
