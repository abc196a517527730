import type { EventStore } from './event-store.js';
import type { ColumnBatch, DeadLetterEntry, RowText } from './types.js';

export interface GroupCommitOptions {
  /** Longest wait before a commit starts after the first pending event, in milliseconds. */
  maxDelayMs: number;
  /** Pending events that start a commit at once. */
  maxEvents: number;
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Groups the events of many requests into one durable write, so that
 * durability costs one disk sync per group rather than per request. Rows as
 * text go to the row log (one append and sync), column batches and
 * dead-letter entries into one DuckDB transaction. At most one commit runs
 * at a time; events that arrive while it runs form the next group.
 */
export class GroupCommitter {
  private batches: ColumnBatch[] = [];
  private texts: RowText[] = [];
  private deadLetters: DeadLetterEntry[] = [];
  private waiters: Waiter[] = [];
  private pendingEvents = 0;
  private timer: NodeJS.Timeout | undefined;
  private committing: Promise<void> | undefined;
  private lastCommitMs = 0;
  private commitCount = 0;

  constructor(
    private readonly store: EventStore,
    private readonly options: GroupCommitOptions,
    private readonly onCommit?: (info: {
      events: number;
      deadLetters: number;
      durationMs: number;
    }) => void,
  ) {}

  /** Events waiting for a commit, including those of the commit under way. */
  get queuedEvents(): number {
    return this.pendingEvents;
  }

  get commits(): number {
    return this.commitCount;
  }

  get lastCommitDurationMs(): number {
    return this.lastCommitMs;
  }

  /**
   * Queues events (a column batch, or rows as row-log text) and dead-letter entries; resolves
   * once they are durable.
   */
  add(batch: ColumnBatch | RowText, deadLetters: readonly DeadLetterEntry[]): Promise<void> {
    const events = batch.rowCount + deadLetters.length;
    if (events === 0) return Promise.resolve();
    if (batch.rowCount > 0) {
      if ('text' in batch) this.texts.push(batch);
      else this.batches.push(batch);
    }
    for (const entry of deadLetters) this.deadLetters.push(entry);
    this.pendingEvents += events;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.schedule();
    return done;
  }

  /** Commits whatever is pending and waits for every commit to finish. */
  async drain(): Promise<void> {
    while (this.committing || this.waiters.length > 0) {
      if (this.committing) await this.committing;
      else this.startCommit();
    }
  }

  private schedule(): void {
    if (this.committing) return;
    const queued =
      this.batches.reduce((sum, batch) => sum + batch.rowCount, 0) +
      this.texts.reduce((sum, part) => sum + part.rowCount, 0) +
      this.deadLetters.length;
    if (queued >= this.options.maxEvents) {
      this.startCommit();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.startCommit(), this.options.maxDelayMs);
    }
  }

  private startCommit(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.committing || this.waiters.length === 0) return;
    const batches = this.batches;
    const texts = this.texts;
    const deadLetters = this.deadLetters;
    const waiters = this.waiters;
    const events =
      batches.reduce((sum, batch) => sum + batch.rowCount, 0) +
      texts.reduce((sum, part) => sum + part.rowCount, 0);
    this.batches = [];
    this.texts = [];
    this.deadLetters = [];
    this.waiters = [];
    const started = performance.now();
    // Dead letters go first: the row log cannot be rolled back, so a failure there would leave
    // the rows stored under a 503, and the client's retry would store them twice.
    const write = async () => {
      if (batches.length > 0 || deadLetters.length > 0) {
        await this.store.commit(batches, deadLetters);
      }
      if (texts.length > 0) await this.store.appendRows(texts);
    };
    this.committing = write()
      .then(
        () => {
          this.lastCommitMs = performance.now() - started;
          this.commitCount++;
          this.onCommit?.({
            events,
            deadLetters: deadLetters.length,
            durationMs: this.lastCommitMs,
          });
          for (const waiter of waiters) waiter.resolve();
        },
        (error: unknown) => {
          for (const waiter of waiters) waiter.reject(error);
        },
      )
      .finally(() => {
        this.pendingEvents -= events + deadLetters.length;
        this.committing = undefined;
        if (this.waiters.length > 0) this.schedule();
      });
  }
}
