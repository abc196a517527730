import type {
  CompactionOptions,
  EventStore,
  RetentionOptions,
  StoreLogger,
} from './event-store.js';

export interface MaintenanceOptions {
  /** Hot rows ingested longer ago than this move to the cold tier. */
  rolloverAgeMs: number;
  /** Pause between maintenance rounds. */
  intervalMs: number;
  compaction: CompactionOptions;
  retention: RetentionOptions;
  logger?: StoreLogger;
}

/**
 * Runs rollover, compaction and retention in rounds, one round at a time,
 * until stopped. A failed step is logged and retried next round.
 */
export class StorageMaintenance {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private roundCount = 0;

  constructor(
    private readonly store: EventStore,
    private readonly options: MaintenanceOptions,
  ) {}

  /** Completed rounds. */
  get rounds(): number {
    return this.roundCount;
  }

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce().finally(() => {
        this.running = undefined;
        this.schedule();
      });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** Runs one round now: rollover, compaction, retention, then term files of older cold files. */
  async runOnce(): Promise<void> {
    const { store, options } = this;
    const log = options.logger;
    try {
      const rollover = await store.rollover(options.rolloverAgeMs);
      if (rollover.rows > 0) {
        log?.info(
          { rows: rollover.rows, files: rollover.files.length },
          'rolled hot rows over to cold files',
        );
      }
      if (this.stopped) return;
      const compaction = await store.compact(options.compaction);
      for (const merge of compaction.merged) {
        log?.info(
          { from: merge.from.length, into: merge.into.file, rows: merge.into.rows },
          'compacted cold files',
        );
      }
      if (this.stopped) return;
      await store.applyRetention(options.retention);
      if (this.stopped) return;
      const indexed = await store.indexColdFiles(INDEX_FILES_PER_ROUND);
      if (indexed > 0)
        log?.info({ files: indexed }, 'wrote term indexes and row stores of older cold files');
    } catch (error) {
      if (!this.stopped) log?.error({ err: error }, 'storage maintenance failed');
    }
    this.roundCount++;
  }

  /** Stops scheduling and waits for a running round to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}

/** Storage settings as the appliance configuration names them. */
export interface StorageSettings {
  rolloverAgeMinutes: number;
  rolloverIntervalSeconds: number;
  compactionTargetMb: number;
  compactionMinFiles: number;
  retentionDays: number;
  /** `index=days` pairs separated by commas. */
  retentionIndexDays?: string;
  diskBudgetMb: number;
}

const DAY_MS = 86_400_000;

/**
 * Cold files without a term index or row store whose sidecars one round writes, so that a round
 * stays short: a row store takes about 25 us per row, 12 s for a file of 500,000 rows.
 */
const INDEX_FILES_PER_ROUND = 2;
const MB = 1024 * 1024;

/** Turns configuration settings into maintenance options. */
export function maintenanceOptions(
  settings: StorageSettings,
  logger?: StoreLogger,
): MaintenanceOptions {
  const indexMaxAgeMs: Record<string, number> = {};
  for (const pair of (settings.retentionIndexDays ?? '').split(',')) {
    const [name, days] = pair.split('=').map((part) => part.trim());
    if (name && days && Number.isFinite(Number(days))) indexMaxAgeMs[name] = Number(days) * DAY_MS;
  }
  return {
    rolloverAgeMs: settings.rolloverAgeMinutes * 60_000,
    intervalMs: settings.rolloverIntervalSeconds * 1000,
    compaction: {
      targetBytes: Math.max(1, Math.round(settings.compactionTargetMb * MB)),
      minFiles: settings.compactionMinFiles,
    },
    retention: {
      ...(settings.retentionDays > 0 ? { maxAgeMs: settings.retentionDays * DAY_MS } : {}),
      indexMaxAgeMs,
      ...(settings.diskBudgetMb > 0 ? { diskBudgetBytes: settings.diskBudgetMb * MB } : {}),
    },
    ...(logger ? { logger } : {}),
  };
}
