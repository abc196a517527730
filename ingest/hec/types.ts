/**
 * Contracts between the HEC listener and the rest of the appliance.
 */

/** One event accepted from a HEC request, with its metadata resolved. */
export interface HecEvent {
  /** The envelope's `event` value (for `/raw`, the line text). */
  event: unknown;
  /** Event text as received: a string event verbatim, otherwise its JSON text. */
  raw: string;
  /** Envelope time, epoch milliseconds, when the request gave one. */
  time?: number;
  host: string;
  source: string;
  sourcetype: string;
  index: string;
  /** HEC indexed fields, when the envelope had `fields`. */
  fields?: Record<string, unknown>;
  tokenId: string;
  channel?: string;
  /** Epoch milliseconds. */
  receivedAt: number;
}

import type { HecToken } from '../../storage/types.js';

export type { HecToken };

/** Looks tokens up by their secret value. */
export interface HecTokenStore {
  lookup(secret: string): HecToken | undefined;
}

/** Error a sink raises when its queues are full, so that HEC returns 503 code 9. */
export class SinkBusyError extends Error {
  constructor() {
    super('ingest queues are full');
    this.name = 'SinkBusyError';
  }
}

/** Destination of accepted events. */
export interface HecSink {
  /**
   * Hand over the events of one request. Resolves once every event is durable
   * (stored or in the dead-letter queue). Rejects with SinkBusyError when the
   * queues are full, or with another error when storage failed.
   */
  submit(events: HecEvent[]): Promise<void>;
  /** True while back-pressure holds; the health endpoint reports it. */
  isBusy(): boolean;
  /**
   * Resolves once every event submitted before the call is queryable, which may come after
   * `submit` resolves. Indexer acknowledgement reports an ack id true only then.
   */
  queryable?(): Promise<void>;
}
