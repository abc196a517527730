/**
 * Types shared by the normalizers, the worker that runs them and the store.
 */

/** One event as it arrived over HEC, before normalization. */
export interface RawEvent {
  /** The HEC `event` value: a string (the raw text) or a parsed JSON value. */
  event: unknown;
  sourcetype: string;
  source: string;
  host: string;
  index: string;
  /** Event time from the HEC envelope or query string, epoch milliseconds. */
  time?: number;
  /** Time the appliance received the request, epoch milliseconds. */
  receivedAt: number;
}

/** A normalized OCSF event: a plain JSON object with at least these keys. */
export interface OcsfEvent {
  class_uid: number;
  category_uid: number;
  activity_id: number;
  type_uid: number;
  severity_id: number;
  /** Epoch milliseconds. */
  time: number;
  metadata: {
    product: { name?: string; vendor_name?: string };
    version: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/**
 * Outcome of one normalization. Failures are plain data, never thrown,
 * because errors lose their class on the way back from a worker thread.
 */
export type NormalizeResult =
  | { ok: true; event: OcsfEvent; normalizer: string }
  | { ok: false; reason: string; normalizer: string };
