/**
 * Crash safety of the event store, with real processes: the built appliance
 * ingests numbered events over HEC while rollover and compaction run
 * constantly, and is killed with SIGKILL at random moments. After each
 * restart every acknowledged event must be there exactly once and the cold
 * files on disk must match the manifest.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { apiSession, type RunningAppliance, startAppliance } from './support/appliance.js';

const KILLS = 10;
const EVENTS_PER_REQUEST = 40;
const DAY_MS = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);

/** Rollover every 150 ms of everything older than 0.3 s; compaction of any 3 small files. */
const STORAGE_ENV = {
  TELHAWK_ROLLOVER_AGE_MINUTES: '0.005',
  TELHAWK_ROLLOVER_INTERVAL_SECONDS: '0.15',
  TELHAWK_COMPACTION_MIN_FILES: '3',
  TELHAWK_COMPACTION_TARGET_MB: '0.5',
  TELHAWK_COMMIT_MAX_DELAY_MS: '5',
};

function event(n: number): unknown {
  return {
    host: 'crashtest',
    sourcetype: 'ocsf',
    event: {
      class_uid: 3002,
      activity_id: 1,
      time: T0 + (n % 3) * DAY_MS + n,
      user: { name: `u${n}` },
      process: { pid: n, name: 'crashtest' },
      message: `crash test event ${n}`,
    },
  };
}

describe('event store crash safety', () => {
  let appliance: RunningAppliance | undefined;

  afterAll(async () => {
    await appliance?.kill();
    if (appliance) fs.rmSync(appliance.dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged event exactly once across SIGKILLs during commit, rollover and compaction', async () => {
    const acknowledged = new Set<number>();
    let next = 0;
    let dataDir: string | undefined;
    let adminPassword: string | undefined;
    let hecToken: string | undefined;
    let rolloversSeen = 0;
    let compactionsSeen = 0;
    let recoveries = 0;

    for (let round = 0; round <= KILLS; round++) {
      appliance = await startAppliance({
        env: STORAGE_ENV,
        ...(dataDir ? { dataDir } : {}),
        ...(adminPassword ? { adminPassword } : {}),
        ...(hecToken ? { hecToken } : {}),
      });
      ({ dataDir, adminPassword, hecToken } = appliance);
      const running = appliance;

      // Check what the previous life left: each acknowledged event once, tiers consistent.
      recoveries += running.output().split('recovery removed').length - 1;
      await verify(running, acknowledged, next);
      if (round === KILLS) break;

      // Send requests in parallel until the kill, recording every 2xx response.
      let sending = true;
      const sender = async () => {
        while (sending) {
          const first = next;
          next += EVENTS_PER_REQUEST;
          const numbers = Array.from({ length: EVENTS_PER_REQUEST }, (_, i) => first + i);
          try {
            const response = await fetch(`${running.hecUrl}/services/collector/event`, {
              method: 'POST',
              headers: { Authorization: `Splunk ${running.hecToken}` },
              body: numbers.map((n) => JSON.stringify(event(n))).join('\n'),
            });
            if (response.ok) for (const n of numbers) acknowledged.add(n);
            await response.arrayBuffer().catch(() => undefined);
          } catch {
            // The process died mid-request: these events were never acknowledged.
          }
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      };
      const senders = [sender(), sender(), sender()];
      await new Promise((resolve) => setTimeout(resolve, 400 + Math.random() * 1100));
      await running.kill();
      sending = false;
      await Promise.all(senders);
      rolloversSeen += running.output().split('rolled hot rows over').length - 1;
      compactionsSeen += running.output().split('compacted cold files').length - 1;
    }
    console.info(
      `crash test: ${acknowledged.size} events acknowledged, ${rolloversSeen} rollovers and ${compactionsSeen} compactions logged, ${recoveries} unfinished cold files removed at restarts`,
    );
    expect(acknowledged.size).toBeGreaterThan(KILLS * 100);
    expect(rolloversSeen).toBeGreaterThan(KILLS / 2);
    expect(compactionsSeen).toBeGreaterThan(0);
    await appliance?.stop();
  }, 170_000);
});

async function verify(
  appliance: RunningAppliance,
  acknowledged: Set<number>,
  sent: number,
): Promise<void> {
  const api = await apiSession(appliance);
  // Counts per event number, in slices below the 10,000-row result limit.
  const seen = new Map<number, number>();
  for (let from = 0; from < sent; from += 5000) {
    const counts = await api('/api/v1/query', {
      query: `host:crashtest pid>=${from} pid<${from + 5000} | stats count() by pid`,
      earliest: '0',
      limit: 10_000,
    });
    expect(counts.status, JSON.stringify(counts.body)).toBe(200);
    for (const row of counts.body.rows as { pid: number; count: number }[]) {
      seen.set(Number(row.pid), row.count);
    }
  }
  const duplicates = [...seen].filter(([, count]) => count !== 1);
  expect(duplicates).toEqual([]);
  const missing = [...acknowledged].filter((n) => !seen.has(n));
  expect(missing).toEqual([]);

  // Tiers: the manifest lists exactly the Parquet files on disk, and hot plus cold rows are all events.
  const storage = await api('/api/v1/storage');
  expect(storage.status).toBe(200);
  expect(storage.body.consistency).toEqual({ missing: [], unlisted: [] });
  const total = await api('/api/v1/query', {
    // Every index, the console logins of `_audit` too.
    query: '(index=* OR index=_*) | stats count()',
    earliest: '0',
  });
  expect(storage.body.hotRows + storage.body.coldRows).toBe(total.body.rows[0].count);
  const crashRows = [...seen.values()].reduce((sum, count) => sum + count, 0);
  expect(crashRows).toBe(seen.size);
}
