import os from 'node:os';
import type { Logger } from 'pino';
import { Piscina } from 'piscina';
import type { GroupCommitter } from '../storage/index.js';
import type { HecEvent, HecSink } from './hec/types.js';
import { SinkBusyError } from './hec/types.js';
import type {
  NormalizeWorkerData,
  WorkerEvent,
  WorkerResult,
  WorkerTextResult,
} from './normalize-worker.js';

export interface PipelineOptions {
  committer: GroupCommitter;
  logger: Logger;
  /** Worker threads; defaults to the number of cores. */
  workers?: number;
  /** Events in flight (normalizing or waiting for commit) above which requests get 503. */
  maxQueuedEvents?: number;
  /** Events per worker task; larger requests are split. */
  eventsPerTask?: number;
  /** Called with each worker batch's normalization time, in milliseconds. */
  onNormalized?: (durationMs: number) => void;
  /** Keeps the original text of each event in the OCSF `raw_data` attribute too. */
  rawData?: boolean;
  /**
   * Stored events not yet queryable (the row log's backlog); they count against
   * `maxQueuedEvents`, so that HEC replies 503 when loading falls behind.
   */
  backlog?: () => number;
  /** Resolves once every event stored before the call is queryable. */
  queryable?: () => Promise<void>;
}

export interface PipelineStats {
  eventsStored: number;
  eventsDeadLettered: number;
  eventsInFlight: number;
  busyRejections: number;
  outcomes: Record<string, [number, number]>;
  normalizeMillis: number[];
}

/**
 * The path from HEC to disk: normalization in a worker pool, then the group
 * commit. `submit` resolves once every event is committed, as a stored event
 * or as a dead-letter entry.
 */
export class IngestPipeline implements HecSink {
  private readonly pool: Piscina<WorkerEvent[], WorkerResult | WorkerTextResult>;
  private readonly maxQueuedEvents: number;
  private readonly eventsPerTask: number;
  private inFlight = 0;
  private readonly stats: PipelineStats = {
    eventsStored: 0,
    eventsDeadLettered: 0,
    eventsInFlight: 0,
    busyRejections: 0,
    outcomes: {},
    normalizeMillis: [],
  };

  constructor(private readonly options: PipelineOptions) {
    const workers = options.workers ?? Math.max(1, os.availableParallelism());
    this.pool = new Piscina({
      filename: new URL('./normalize-worker.js', import.meta.url).href,
      minThreads: workers,
      maxThreads: workers,
      idleTimeout: 60_000,
      workerData: { rawData: options.rawData === true } satisfies NormalizeWorkerData,
    });
    this.maxQueuedEvents = options.maxQueuedEvents ?? 200_000;
    this.eventsPerTask = options.eventsPerTask ?? 500;
  }

  isBusy(): boolean {
    return this.queued() >= this.maxQueuedEvents;
  }

  queryable(): Promise<void> {
    return this.options.queryable?.() ?? Promise.resolve();
  }

  private queued(): number {
    return this.inFlight + (this.options.backlog?.() ?? 0);
  }

  getStats(): PipelineStats {
    return { ...this.stats, eventsInFlight: this.inFlight };
  }

  async submit(events: HecEvent[]): Promise<void> {
    if (events.length === 0) return;
    if (this.queued() + events.length > this.maxQueuedEvents) {
      this.stats.busyRejections++;
      throw new SinkBusyError();
    }
    this.inFlight += events.length;
    try {
      const tasks: Promise<void>[] = [];
      for (let start = 0; start < events.length; start += this.eventsPerTask) {
        const slice = events.slice(start, start + this.eventsPerTask).map(toWorkerEvent);
        tasks.push(this.process(slice));
      }
      await Promise.all(tasks);
    } finally {
      this.inFlight -= events.length;
    }
  }

  private async process(events: WorkerEvent[]): Promise<void> {
    const result = (await this.pool.run(events, {
      name: 'normalizeToText',
    })) as WorkerTextResult;
    const { stats } = this;
    stats.normalizeMillis.push(result.durationMs);
    this.options.onNormalized?.(result.durationMs);
    if (stats.normalizeMillis.length > 1000) stats.normalizeMillis.splice(0, 500);
    for (const [normalizer, [stored, failed]] of Object.entries(result.outcomes)) {
      const total = stats.outcomes[normalizer] ?? [0, 0];
      stats.outcomes[normalizer] = total;
      total[0] += stored;
      total[1] += failed;
    }
    if (result.deadLetters.length > 0) {
      this.options.logger.warn(
        { deadLetters: result.deadLetters.length, firstReason: result.deadLetters[0]?.reason },
        'events could not be normalized and went to the dead-letter queue',
      );
    }
    const stored = [this.options.committer.add(result.rows, result.deadLetters)];
    if (result.batch.rowCount > 0) stored.push(this.options.committer.add(result.batch, []));
    await Promise.all(stored);
    stats.eventsStored += result.rows.rowCount + result.batch.rowCount;
    stats.eventsDeadLettered += result.deadLetters.length;
  }

  /** Normalizes events without the HEC path, for replaying dead letters. */
  async normalizeOnly(events: WorkerEvent[]): Promise<WorkerResult> {
    return (await this.pool.run(events)) as WorkerResult;
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

function toWorkerEvent(event: HecEvent): WorkerEvent {
  return {
    raw: event.raw,
    json: typeof event.event !== 'string',
    host: event.host,
    source: event.source,
    sourcetype: event.sourcetype,
    index: event.index,
    fields: event.fields,
    tokenId: event.tokenId,
    channel: event.channel,
    receivedAt: event.receivedAt,
    time: event.time,
  };
}
