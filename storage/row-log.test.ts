import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { batchOf } from '../test/support/rows.js';
import { EventStore } from './event-store.js';
import { LOADED_SEGMENTS_TABLE, ROW_LOG_DIR, RowLog, rowLogText } from './row-log.js';

const T0 = Date.UTC(2024, 0, 1);

/** Rows with the values that are easy to get wrong in JSON: escapes, limits and odd types. */
const TRICKY = batchOf([
  {
    id: 'a1',
    time: T0 + 0.75,
    class_uid: 3002,
    severity_id: 2 ** 31,
    src_port: -7,
    message: 'line\nbreak "quoted" \\ back\u0000nul \u2028 ü 🦆',
    user_name: 'Ünïcode',
    fields: { a: 1, b: ['x'] },
    raw: '{"nested": "json"}',
    ocsf: '{}',
    ingest_time: T0,
  },
  {
    id: 'a2',
    time: Number.NaN,
    class_uid: 4001.5,
    type_uid: 400_101,
    process_pid: 12.5,
    http_status: Number.POSITIVE_INFINITY,
    raw: '',
    ocsf: '{}',
  },
  { id: 'a3', time: null, raw: 'x'.repeat(100_000), ocsf: '{}' },
]);

describe('row log', () => {
  let dataDir: string;
  let store: EventStore;

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'telhawk-rowlog-'));
    store = await EventStore.open(dataDir);
  });

  afterEach(async () => {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function rows(): Promise<Record<string, unknown>[]> {
    return (await store.query('SELECT * FROM events ORDER BY "id"')).rows;
  }

  it('stores rows as the appender does', async () => {
    await store.commit([TRICKY], []);
    const direct = await rows();
    await store.query('DELETE FROM events');

    await store.appendRows([rowLogText(TRICKY)]);
    await store.whenLoaded();
    expect(await rows()).toEqual(direct);
    expect(direct).toHaveLength(3);
    expect(direct[0]?.message).toBe(TRICKY.columns.message?.[0]);
    expect(direct[0]?.severity_id).toBeNull();
    expect(direct[1]?.class_uid).toBeNull();
  });

  it('leaves out rows too long for one line', () => {
    const long = batchOf([
      { id: 'l1', raw: 'short', ocsf: '{}' },
      { id: 'l2', raw: '\u0001'.repeat(3_000_000), ocsf: '{}' },
    ]);
    const { rowCount, tooLong, text } = rowLogText(long);
    expect(rowCount).toBe(1);
    expect(tooLong).toEqual([1]);
    expect(text.split('\n')).toHaveLength(2);
  });

  it('makes appended rows visible to the next snapshot', async () => {
    for (let i = 0; i < 20; i++) {
      const batch = batchOf([{ id: `r${i}`, time: T0 + i, raw: `row ${i}`, ocsf: '{}' }]);
      await store.appendRows([rowLogText(batch)]);
      const snapshot = await store.snapshot();
      const seen = await snapshot.query(`SELECT count(*) AS n FROM ${snapshot.source}`);
      await snapshot.release();
      expect(seen.rows[0]?.n).toBe(i + 1);
    }
    expect(store.unloadedRows).toBe(0);
    expect(fs.readdirSync(path.join(dataDir, ROW_LOG_DIR))).toEqual([]);
  });

  it('splits the log into bounded segments', async () => {
    const log = new RowLog(path.join(dataDir, 'split'));
    const text = `${JSON.stringify({ raw: 'x'.repeat(1_000_000) })}\n`.repeat(20);
    // 20 MB per append: the second fills the first segment, the third starts another.
    for (let sequence = 1; sequence <= 3; sequence++) await log.append([text], 20, sequence);
    expect(log.pendingRows).toBe(60);
    const first = await log.rotate();
    expect(first).toMatchObject({ rows: 40, lastSequence: 2 });
    const second = await log.rotate();
    expect(second).toMatchObject({ rows: 20, lastSequence: 3 });
    expect(await log.rotate()).toBeUndefined();
    expect(log.segments().map((segment) => segment.number)).toEqual([1, 2]);
    await log.close();
  });

  it('loads segments left by a crash once', async () => {
    // What a crash between a load's commit and the deletion of its segment leaves.
    await store.query(
      `INSERT INTO "${LOADED_SEGMENTS_TABLE}" VALUES ('segment-000000000003.ndjson')`,
    );
    await store.close();
    const dir = path.join(dataDir, ROW_LOG_DIR);
    const firstLine = rowLogText(batchOf([{ id: 'c1', time: T0, raw: 'one', ocsf: '{}' }])).text;
    const secondLine = rowLogText(batchOf([{ id: 'c2', time: T0, raw: 'two', ocsf: '{}' }])).text;
    // A complete segment, one whose last line was cut short, and the one already loaded.
    fs.writeFileSync(path.join(dir, 'segment-000000000001.ndjson'), firstLine);
    fs.writeFileSync(
      path.join(dir, 'segment-000000000002.ndjson'),
      secondLine + secondLine.slice(0, 40),
    );
    fs.writeFileSync(path.join(dir, 'segment-000000000003.ndjson'), firstLine);

    store = await EventStore.open(dataDir);
    expect((await rows()).map((row) => row.id)).toEqual(['c1', 'c2']);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('dead-letters a segment line that is not JSON at start', async () => {
    await store.close();
    const dir = path.join(dataDir, ROW_LOG_DIR);
    const good = rowLogText(batchOf([{ id: 'g1', time: T0, raw: 'good', ocsf: '{}' }])).text;
    fs.writeFileSync(path.join(dir, 'segment-000000000001.ndjson'), `${good}{"id": [not json}\n`);
    store = await EventStore.open(dataDir);
    expect((await rows()).map((row) => row.id)).toEqual(['g1']);
    expect(store.deadLetterCount).toBe(1);
    const [entry] = (await store.listDeadLetters({})).entries;
    expect(entry?.raw).toBe('{"id": [not json}');
    expect(entry?.normalizer).toBe('row-log');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('stores lone surrogates as the appender does', async () => {
    const batch = batchOf([{ id: 'u1', time: T0, raw: 'lone \ud800 surrogate', ocsf: '{}' }]);
    await store.appendRows([rowLogText(batch)]);
    await store.whenLoaded();
    const viaLog = await rows();
    await store.query('DELETE FROM events');
    await store.commit([batch], []);
    expect(await rows()).toEqual(viaLog);
    expect(viaLog[0]?.raw).toBe('lone \ufffd surrogate');
  });

  it('loads a segment by line when DuckDB cannot read it', async () => {
    const good = rowLogText(batchOf([{ id: 'b1', time: T0, raw: 'before', ocsf: '{}' }])).text;
    // A line DuckDB's reader rejects but JSON.parse reads: a lone surrogate escape.
    await store.appendRows([{ rowCount: 2, text: `${good}{"id":"b2","raw":"x\\ud800y"}\n` }]);
    await store.whenLoaded();
    expect((await rows()).map((row) => [row.id, row.raw])).toEqual([
      ['b1', 'before'],
      ['b2', 'x\ufffdy'],
    ]);
  });

  it('rejects appends while a fault is injected', async () => {
    await store.close();
    const faultFile = path.join(dataDir, 'fault');
    store = await EventStore.open(dataDir, { faultFile });
    fs.writeFileSync(faultFile, 'fail');
    const batch = batchOf([{ id: 'f1', time: T0, raw: 'f', ocsf: '{}' }]);
    await expect(store.appendRows([rowLogText(batch)])).rejects.toThrow(/injected storage fault/);
    fs.rmSync(faultFile);
    await store.appendRows([rowLogText(batch)]);
    await store.whenLoaded();
    expect((await rows()).map((row) => row.id)).toEqual(['f1']);
  });
});
