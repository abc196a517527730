/**
 * In-memory implementations of the HEC token store and sink, for tests and for running the
 * listener without storage. The sink keeps every event it accepted and can be switched to
 * busy or failing, which is how tests drive back-pressure and storage errors.
 */

import {
  type HecEvent,
  type HecSink,
  type HecToken,
  type HecTokenStore,
  SinkBusyError,
} from './types.js';

export class MemoryTokenStore implements HecTokenStore {
  readonly #bySecret = new Map<string, HecToken>();

  constructor(entries: Iterable<[secret: string, token: HecToken]> = []) {
    for (const [secret, token] of entries) this.#bySecret.set(secret, token);
  }

  add(secret: string, token: HecToken): void {
    this.#bySecret.set(secret, token);
  }

  lookup(secret: string): HecToken | undefined {
    return this.#bySecret.get(secret);
  }
}

export class MemorySink implements HecSink {
  /** Every event accepted, in submission order. */
  readonly events: HecEvent[] = [];
  /** Number of `submit` calls that stored events. */
  batches = 0;
  /** While true, `isBusy` is true and `submit` rejects with SinkBusyError. */
  busy = false;
  /** When set, `submit` rejects with this error, as a storage failure would. */
  failure: Error | undefined;
  /** When set, `submit` waits for this promise before storing. */
  gate: Promise<void> | undefined;

  async submit(events: HecEvent[]): Promise<void> {
    if (this.busy) throw new SinkBusyError();
    if (this.failure) throw this.failure;
    if (this.gate) await this.gate;
    this.batches++;
    for (const event of events) this.events.push(event);
  }

  isBusy(): boolean {
    return this.busy;
  }

  clear(): void {
    this.events.length = 0;
    this.batches = 0;
  }
}
