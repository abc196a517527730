/**
 * Shapes that cross from ingest to storage.
 */

/**
 * Normalized events in columnar form: one array per promoted column of the
 * field catalog, each `rowCount` long. Timestamps are epoch milliseconds.
 */
export interface ColumnBatch {
  rowCount: number;
  columns: Record<string, unknown[]>;
}

/** Normalized events as row-log text: one JSON line per event, from `rowLogText`. */
export interface RowText {
  rowCount: number;
  text: string;
}

/** An event that could not be normalized, kept with its raw text and the reason. */
export interface DeadLetterEntry {
  id: string;
  /** Epoch milliseconds. */
  received_at: number;
  reason: string;
  normalizer: string;
  raw: string;
  host: string | null;
  source: string | null;
  sourcetype: string | null;
  index: string | null;
  token_id: string | null;
  channel: string | null;
  /** Envelope time, epoch milliseconds, when the request gave one. */
  event_time: number | null;
}

/** A HEC token as the listener needs it. The secret itself is stored only as a hash. */
export interface HecToken {
  id: string;
  name: string;
  disabled: boolean;
  /** Default index for events without one. */
  defaultIndex: string;
  /** Allowed indexes; empty means any. */
  indexes: string[];
  defaultSourcetype?: string;
  defaultSource?: string;
  defaultHost?: string;
  useAck: boolean;
  allowQueryStringAuth: boolean;
  /**
   * Source of the host of events without one, as Splunk's `connection_host`: the
   * sender's address (`ip`), its name by reverse lookup (`dns`), the first `X-Forwarded-For`
   * address (`proxied_ip`), or the HTTP `Host` header (`none`, also when absent).
   */
  connectionHost?: ConnectionHost;
}

export type ConnectionHost = 'ip' | 'dns' | 'proxied_ip' | 'none';
