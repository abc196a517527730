/**
 * Indexer acknowledgement: per-channel ack ids, their status, and expiry of idle channels.
 * Channels are kept per token, so one token cannot poll another token's ids.
 */

import { HecError } from './codes.js';

/** Splunk's `max_number_of_ack_channel` default. */
const MAX_CHANNELS = 1_000_000;
/** Splunk's per-channel limit of acked requests waiting for a poll. */
const MAX_IDS_PER_CHANNEL = 1_000_000;

interface AckChannel {
  nextId: number;
  /** Ids whose events are durable and not yet reported true. */
  done: Set<number>;
  /** Ids whose events are still being submitted. */
  pending: Set<number>;
  lastUsedMillis: number;
}

export class AckRegistry {
  readonly #channels = new Map<string, AckChannel>();
  readonly #idleTimeoutMillis: number;

  constructor(idleTimeoutMillis: number) {
    this.#idleTimeoutMillis = idleTimeoutMillis;
  }

  /** Reserves the channel's next ack id, starting at 0. Throws HecError code 9 at the channel limit. */
  reserve(tokenId: string, channel: string, nowMillis: number): number {
    const key = `${tokenId}\n${channel}`;
    let state = this.#channels.get(key);
    if (state === undefined) {
      if (this.#channels.size >= MAX_CHANNELS)
        throw new HecError(9, undefined, 'too many ack channels');
      state = { nextId: 0, done: new Set(), pending: new Set(), lastUsedMillis: nowMillis };
      this.#channels.set(key, state);
    }
    if (state.pending.size + state.done.size >= MAX_IDS_PER_CHANNEL) {
      throw new HecError(9, undefined, 'too many unpolled ack ids on the channel');
    }
    state.lastUsedMillis = nowMillis;
    const id = state.nextId++;
    state.pending.add(id);
    return id;
  }

  /** Marks an id true: its events are durable. */
  complete(tokenId: string, channel: string, id: number): void {
    const state = this.#channels.get(`${tokenId}\n${channel}`);
    if (state === undefined || !state.pending.delete(id)) return;
    state.done.add(id);
  }

  /** Drops an id whose submission failed, so polls return false for it. */
  fail(tokenId: string, channel: string, id: number): void {
    this.#channels.get(`${tokenId}\n${channel}`)?.pending.delete(id);
  }

  /**
   * Returns the status of each id. Ids reported true are forgotten, as Splunk does, so a
   * second poll returns false. Unknown ids return false.
   */
  query(
    tokenId: string,
    channel: string,
    ids: readonly number[],
    nowMillis: number,
  ): Record<string, boolean> {
    const state = this.#channels.get(`${tokenId}\n${channel}`);
    const statuses: Record<string, boolean> = {};
    if (state !== undefined) state.lastUsedMillis = nowMillis;
    for (const id of ids) {
      const key = String(id);
      if (statuses[key] === true) continue;
      statuses[key] = state?.done.delete(id) ?? false;
    }
    return statuses;
  }

  /** Drops channels idle for longer than the idle timeout, with their unpolled ids. */
  sweep(nowMillis: number): number {
    let dropped = 0;
    for (const [key, state] of this.#channels) {
      if (nowMillis - state.lastUsedMillis > this.#idleTimeoutMillis && state.pending.size === 0) {
        this.#channels.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  /** Ack ids not yet reported true: still being submitted, or durable and unpolled. */
  pendingCount(): number {
    let count = 0;
    for (const state of this.#channels.values()) count += state.pending.size + state.done.size;
    return count;
  }

  channelCount(): number {
    return this.#channels.size;
  }
}
