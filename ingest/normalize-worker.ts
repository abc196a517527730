/**
 * Piscina worker entry: normalizes a batch of HEC events into a columnar
 * batch and dead-letter entries. The mapping logic lives in `normalize/`.
 */

import { workerData } from 'node:worker_threads';
import type { ColumnBatch, DeadLetterEntry, RowText } from '../storage/index.js';
import { rowLogText } from '../storage/row-log.js';
import { loadMappingFile, normalize } from './normalize/index.js';
import type { OcsfEvent } from './normalize/types.js';
import { buildColumnBatch, deadLetterEntry, type EventMetadata } from './rows.js';

// The main thread has already loaded this file once, so a bad file stops the
// start before any worker runs.
const mappingsFile = process.env.TELHAWK_MAPPINGS_FILE;
if (mappingsFile) loadMappingFile(mappingsFile);

/** Settings the pool hands to each worker. */
export interface NormalizeWorkerData {
  /** Keeps the original text in the OCSF `raw_data` attribute. */
  rawData: boolean;
}

const keepRawData = (workerData as Partial<NormalizeWorkerData> | null)?.rawData === true;

/** One event as sent to the worker: the raw text plus metadata. */
export interface WorkerEvent extends EventMetadata {
  raw: string;
  /** True when `raw` is the JSON text of a non-string HEC `event` value. */
  json: boolean;
}

export interface WorkerResult {
  batch: ColumnBatch;
  deadLetters: DeadLetterEntry[];
  /** Outcomes per normalizer: [stored, dead-lettered]. */
  outcomes: Record<string, [number, number]>;
  durationMs: number;
}

/**
 * Latest event time accepted, relative to receipt. Like Splunk's
 * MAX_DAYS_HENCE (default 2 days), a later time is taken as the receipt
 * time, so a sender cannot hide events beyond every search that ends now.
 */
const MAX_FUTURE_MS = 2 * 24 * 3_600_000;

function capFutureTime(event: OcsfEvent, receivedAt: number): void {
  if (event.time <= receivedAt + MAX_FUTURE_MS) return;
  const original = new Date(event.time);
  event.metadata.original_time ??= Number.isNaN(original.getTime())
    ? String(event.time)
    : original.toISOString();
  event.time = receivedAt;
}

/** Result of `normalizeToText`: the stored events as row-log text. */
export interface WorkerTextResult extends Omit<WorkerResult, 'batch'> {
  rows: RowText;
  /** Events too long for a row-log line, as a column batch; usually empty. */
  batch: ColumnBatch;
}

/**
 * Normalizes events as `normalizeBatch` does and returns them as row-log text, so that the main
 * thread only appends it to the row log.
 */
export function normalizeToText(
  events: WorkerEvent[],
  rawData: boolean = keepRawData,
): WorkerTextResult {
  const started = performance.now();
  const { batch, ...rest } = normalizeBatch(events, rawData);
  const { text, rowCount, tooLong } = rowLogText(batch);
  const columns: Record<string, unknown[]> = {};
  for (const [name, values] of Object.entries(batch.columns)) {
    columns[name] = tooLong.map((row) => values[row]);
  }
  return {
    ...rest,
    rows: { rowCount, text },
    batch: { rowCount: tooLong.length, columns },
    durationMs: performance.now() - started,
  };
}

export default function normalizeBatch(
  events: WorkerEvent[],
  rawData: boolean = keepRawData,
): WorkerResult {
  const started = performance.now();
  const good: { ocsf: OcsfEvent; meta: EventMetadata; raw: string }[] = [];
  const deadLetters: DeadLetterEntry[] = [];
  const outcomes: Record<string, [number, number]> = {};
  for (const item of events) {
    let event: unknown = item.raw;
    if (item.json) {
      try {
        event = JSON.parse(item.raw);
      } catch {
        event = item.raw;
      }
    }
    let result: ReturnType<typeof normalize>;
    try {
      result = normalize({
        event,
        sourcetype: item.sourcetype,
        source: item.source,
        host: item.host,
        index: item.index,
        time: item.time,
        receivedAt: item.receivedAt,
      });
    } catch (error) {
      // A normalizer bug must not lose the event: keep it in the dead-letter queue.
      result = { ok: false, reason: `normalizer failed: ${String(error)}`, normalizer: 'unknown' };
    }
    const outcome = outcomes[result.normalizer] ?? [0, 0];
    outcomes[result.normalizer] = outcome;
    if (result.ok) {
      capFutureTime(result.event, item.receivedAt);
      if (rawData) result.event.raw_data = item.raw;
      outcome[0]++;
      good.push({ ocsf: result.event, meta: item, raw: item.raw });
    } else {
      outcome[1]++;
      deadLetters.push(deadLetterEntry(item, item.raw, result.reason, result.normalizer));
    }
  }
  return {
    batch: buildColumnBatch(good),
    deadLetters,
    outcomes,
    durationMs: performance.now() - started,
  };
}
