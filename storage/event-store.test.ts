import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { batchOf } from '../test/support/rows.js';
import { EventStore } from './event-store.js';
import { GroupCommitter } from './group-commit.js';
import type { ColumnBatch, DeadLetterEntry } from './types.js';

function deadLetter(id: string): DeadLetterEntry {
  return {
    id,
    received_at: 1_700_000_000_000,
    reason: 'unparseable XML',
    normalizer: 'windows-xml',
    raw: '<Event',
    host: 'h',
    source: 's',
    sourcetype: 'XmlWinEventLog:Security',
    index: 'main',
    token_id: 't',
    channel: null,
    event_time: null,
  };
}

describe('EventStore', () => {
  let dataDir: string;
  let store: EventStore;

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'telhawk-store-'));
    store = await EventStore.open(dataDir);
  });

  afterEach(async () => {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('commits events and dead letters together', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({
      id: `id${i}`,
      time: 1_700_000_000_000 + i,
      class_uid: 3002,
      user_name: `user${i % 3}`,
      src_port: i,
      type_uid: 300201,
      ocsf: '{}',
      raw: `line ${i}`,
    }));
    await store.commit([batchOf(rows)], [deadLetter('d1')]);
    const events = await store.query('SELECT count(*) AS n, max("time") AS t FROM events');
    expect(events.rows[0]).toEqual({ n: 5000, t: '2023-11-14T22:13:24.999Z' });
    const users = await store.query(
      'SELECT user_name, count(*) AS n FROM events GROUP BY 1 ORDER BY 1',
    );
    expect(users.rows).toEqual([
      { user_name: 'user0', n: 1667 },
      { user_name: 'user1', n: 1667 },
      { user_name: 'user2', n: 1666 },
    ]);
    const dead = await store.query('SELECT reason FROM dead_letter');
    expect(dead.rows).toEqual([{ reason: 'unparseable XML' }]);
  });

  it('stores out-of-range dead-letter times as null', async () => {
    await store.commit(
      [],
      [
        { ...deadLetter('far'), event_time: 1e30 },
        { ...deadLetter('past'), event_time: -1e30 },
      ],
    );
    const dead = await store.query('SELECT id, event_time FROM dead_letter ORDER BY id');
    expect(dead.rows).toEqual([
      { id: 'far', event_time: null },
      { id: 'past', event_time: null },
    ]);
  });

  it('stores out-of-range integers as null instead of failing', async () => {
    await store.commit([batchOf([{ id: 'a', src_port: 2 ** 40, class_uid: 1.5 }])], []);
    const result = await store.query('SELECT src_port, class_uid FROM events');
    expect(result.rows).toEqual([{ src_port: null, class_uid: null }]);
  });

  it('rolls back a failing commit entirely', async () => {
    const broken: ColumnBatch = { rowCount: 1, columns: { id: ['x'] } };
    await expect(store.commit([broken], [deadLetter('d2')])).rejects.toThrow(/lacks column/);
    const dead = await store.query('SELECT count(*) AS n FROM dead_letter');
    expect(dead.rows[0]).toEqual({ n: 0 });
  });

  it('keeps committed events across a reopen', async () => {
    await store.commit([batchOf([{ id: 'kept', class_uid: 0 }])], []);
    await store.close();
    store = await EventStore.open(dataDir);
    const result = await store.query('SELECT id FROM events');
    expect(result.rows).toEqual([{ id: 'kept' }]);
  });

  it('blocks queries from reading files outside the data folder', async () => {
    await expect(store.query("SELECT * FROM read_csv('/etc/passwd')")).rejects.toThrow(
      /Permission/,
    );
    await expect(store.query('SET enable_external_access = true')).rejects.toThrow();
  });
});

describe('GroupCommitter', () => {
  let dataDir: string;
  let store: EventStore;

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'telhawk-commit-'));
    store = await EventStore.open(dataDir);
  });

  afterEach(async () => {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('groups concurrent requests into few commits', async () => {
    const committer = new GroupCommitter(store, { maxDelayMs: 20, maxEvents: 100_000 });
    const adds = Array.from({ length: 50 }, (_, i) =>
      committer.add(batchOf([{ id: `r${i}`, class_uid: 1 }]), []),
    );
    await Promise.all(adds);
    expect(committer.commits).toBeLessThanOrEqual(2);
    const result = await store.query('SELECT count(*) AS n FROM events');
    expect(result.rows[0]).toEqual({ n: 50 });
  });

  it('starts a commit at once when maxEvents is reached', async () => {
    const committer = new GroupCommitter(store, { maxDelayMs: 60_000, maxEvents: 10 });
    const rows = Array.from({ length: 10 }, (_, i) => ({ id: `m${i}` }));
    await committer.add(batchOf(rows), []);
    expect(committer.commits).toBe(1);
  });

  it('rejects every waiter of a failed commit', async () => {
    const committer = new GroupCommitter(store, { maxDelayMs: 5, maxEvents: 1000 });
    const good = committer.add(batchOf([{ id: 'ok' }]), []);
    const bad = committer.add({ rowCount: 1, columns: {} }, []);
    await expect(Promise.all([good, bad])).rejects.toThrow();
    expect(committer.queuedEvents).toBe(0);
  });
});
