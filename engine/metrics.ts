import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { HecServer, IngestPipeline } from '../ingest/index.js';
import type { GroupCommitter } from '../storage/index.js';

export interface MetricSources {
  pipeline: IngestPipeline;
  committer: GroupCommitter;
  hec: () => HecServer | undefined;
  /** The event store, for the dead-letter queue length and the row log's backlog. */
  store?: { readonly deadLetterCount: number; readonly unloadedRows: number };
}

/**
 * Builds the Prometheus registry served on `/metrics`. Values are read from
 * the components' own counters at scrape time.
 */
/** Latency buckets in seconds, from 1 ms to 10 s. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Histograms that components feed as work completes. Create them before
 * the components, then pass `observe*` to them.
 */
export class LatencyMetrics {
  readonly normalize = new Histogram({
    name: 'telhawk_normalize_batch_duration_seconds',
    help: 'Time a worker spent normalizing one batch of events',
    buckets: LATENCY_BUCKETS,
    registers: [],
  });
  readonly commit = new Histogram({
    name: 'telhawk_commit_duration_seconds',
    help: 'Duration of one group commit to the hot tier',
    buckets: LATENCY_BUCKETS,
    registers: [],
  });

  observeNormalize = (durationMs: number): void => this.normalize.observe(durationMs / 1000);
  observeCommit = (info: { durationMs: number }): void =>
    this.commit.observe(info.durationMs / 1000);
}

export function createMetrics(sources: MetricSources, latency?: LatencyMetrics): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'telhawk_process_' });

  new Counter({
    name: 'telhawk_events_stored_total',
    help: 'Events normalized and committed to the event store',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.pipeline.getStats().eventsStored);
    },
  });
  new Counter({
    name: 'telhawk_events_dead_lettered_total',
    help: 'Events that could not be normalized and went to the dead-letter queue',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.pipeline.getStats().eventsDeadLettered);
    },
  });
  new Counter({
    name: 'telhawk_normalize_outcomes_total',
    help: 'Normalization outcomes per normalizer',
    labelNames: ['normalizer', 'outcome'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [normalizer, [stored, failed]] of Object.entries(
        sources.pipeline.getStats().outcomes,
      )) {
        this.inc({ normalizer, outcome: 'stored' }, stored);
        this.inc({ normalizer, outcome: 'dead_lettered' }, failed);
      }
    },
  });
  new Gauge({
    name: 'telhawk_ingest_events_in_flight',
    help: 'Events being normalized or waiting for a commit',
    registers: [registry],
    collect() {
      this.set(sources.pipeline.getStats().eventsInFlight);
    },
  });
  new Gauge({
    name: 'telhawk_row_log_backlog_events',
    help: 'Events stored in the row log and not yet loaded into the hot table (not yet queryable)',
    registers: [registry],
    collect() {
      this.set(sources.store?.unloadedRows ?? 0);
    },
  });
  new Counter({
    name: 'telhawk_ingest_busy_rejections_total',
    help: 'HEC requests rejected with 503 because the ingest queues were full',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.pipeline.getStats().busyRejections);
    },
  });
  new Counter({
    name: 'telhawk_commits_total',
    help: 'Group commits: one synced row-log append or hot-tier transaction each',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.committer.commits);
    },
  });
  new Gauge({
    name: 'telhawk_last_commit_duration_seconds',
    help: 'Duration of the most recent group commit',
    registers: [registry],
    collect() {
      this.set(sources.committer.lastCommitDurationMs / 1000);
    },
  });
  new Counter({
    name: 'telhawk_hec_requests_total',
    help: 'HEC requests by path, HTTP status and Splunk code',
    labelNames: ['path', 'status', 'code'],
    registers: [registry],
    collect() {
      this.reset();
      for (const entry of sources.hec()?.stats().requests ?? []) {
        const labels = { path: entry.path, status: String(entry.status), code: String(entry.code) };
        this.inc(labels, entry.count);
      }
    },
  });
  new Counter({
    name: 'telhawk_hec_events_accepted_total',
    help: 'Events accepted by HEC',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.hec()?.stats().eventsAccepted ?? 0);
    },
  });
  new Counter({
    name: 'telhawk_hec_bytes_accepted_total',
    help: 'Decoded HEC body bytes accepted',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.hec()?.stats().bytesAccepted ?? 0);
    },
  });
  new Counter({
    name: 'telhawk_hec_rate_limited_total',
    help: 'HEC requests answered 429 by the rate limits',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.hec()?.stats().rateLimited ?? 0);
    },
  });
  new Gauge({
    name: 'telhawk_hec_acks_pending',
    help: 'Indexer acknowledgement ids not yet reported true',
    registers: [registry],
    collect() {
      this.set(sources.hec()?.stats().acksPending ?? 0);
    },
  });
  new Gauge({
    name: 'telhawk_dead_letter_entries',
    help: 'Entries in the dead-letter queue',
    registers: [registry],
    collect() {
      this.set(sources.store?.deadLetterCount ?? 0);
    },
  });
  if (latency) {
    registry.registerMetric(latency.normalize);
    registry.registerMetric(latency.commit);
  }
  return registry;
}
