/**
 * Dead-letter replay after a normalizer fix: entries that the current
 * normalizers accept are stored and leave the queue in one transaction;
 * the rest stay. Normalization runs in-process through the worker's own
 * function; the appliance test replays through the worker pool.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renormalize } from '../engine/api/dlq.js';
import normalizeBatch from '../ingest/normalize-worker.js';
import { EventStore } from '../storage/index.js';
import type { DeadLetterEntry } from '../storage/types.js';

function entry(id: string, raw: string, reason: string): DeadLetterEntry {
  return {
    id,
    received_at: Date.UTC(2025, 0, 2),
    reason,
    normalizer: 'ocsf',
    raw,
    host: 'h1',
    source: 'test',
    sourcetype: 'ocsf',
    index: 'main',
    token_id: 't1',
    channel: null,
    event_time: null,
  };
}

describe('dead-letter replay', () => {
  let dataDir: string;
  let store: EventStore;

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'telhawk-replay-'));
    store = await EventStore.open(dataDir);
  });

  afterEach(async () => {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores what now normalizes and keeps the rest', async () => {
    // Entries an older, buggy normalizer rejected, and one that is still bad.
    const good = (n: number) =>
      JSON.stringify({
        class_uid: 3002,
        activity_id: 1,
        time: Date.UTC(2025, 0, 1) + n,
        user: { name: `fixed${n}` },
      });
    await store.commit(
      [],
      [
        entry('d1', good(1), 'old bug'),
        entry('d2', good(2), 'old bug'),
        entry('d3', 'still not json', 'not an OCSF object'),
      ],
    );
    expect(store.deadLetterCount).toBe(3);
    const pool = {
      normalizeOnly: async (events: Parameters<typeof normalizeBatch>[0]) => normalizeBatch(events),
    };
    const result = await store.replayDeadLetters({}, (entries) => renormalize(pool, entries));
    expect(result).toEqual({ replayed: 2, remaining: 1 });
    expect(store.deadLetterCount).toBe(1);
    const left = await store.listDeadLetters({});
    expect(left.entries.map((row) => row.id)).toEqual(['d3']);
    const stored = await store.query(
      `SELECT user_name, host, sourcetype FROM events ORDER BY user_name`,
    );
    expect(stored.rows).toEqual([
      { user_name: 'fixed1', host: 'h1', sourcetype: 'ocsf' },
      { user_name: 'fixed2', host: 'h1', sourcetype: 'ocsf' },
    ]);
    // A second replay finds nothing new to store.
    expect(await store.replayDeadLetters({}, (entries) => renormalize(pool, entries))).toEqual({
      replayed: 0,
      remaining: 1,
    });
  });
});
