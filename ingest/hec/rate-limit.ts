/** Token-bucket rate limiting keyed by source IP or token id. */

export interface RateLimit {
  /** Tokens added per second: the sustained request rate. */
  ratePerSec: number;
  /** Bucket size: the number of requests allowed at once after an idle period. */
  burst: number;
}

interface Bucket {
  tokens: number;
  updatedMillis: number;
}

/** Keys kept before full buckets are swept out, so that spoofed keys cannot grow memory. */
const MAX_KEYS = 100_000;

export class TokenBucketLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(limit: RateLimit) {
    if (!(limit.ratePerSec > 0) || !(limit.burst >= 1)) {
      throw new RangeError(
        `invalid rate limit ${JSON.stringify(limit)}: ratePerSec must be > 0 and burst >= 1`,
      );
    }
    this.#rate = limit.ratePerSec;
    this.#burst = limit.burst;
  }

  /** Takes one token for `key`. Returns 0 when allowed, else the seconds to wait (at least 1). */
  take(key: string, nowMillis: number): number {
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= MAX_KEYS) this.sweep(nowMillis);
      bucket = { tokens: this.#burst, updatedMillis: nowMillis };
      this.#buckets.set(key, bucket);
    } else {
      const elapsedSeconds = Math.max(0, nowMillis - bucket.updatedMillis) / 1000;
      bucket.tokens = Math.min(this.#burst, bucket.tokens + elapsedSeconds * this.#rate);
      bucket.updatedMillis = nowMillis;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.#rate));
  }

  /** Drops buckets that have refilled, since a new bucket starts full anyway. */
  sweep(nowMillis: number): void {
    for (const [key, bucket] of this.#buckets) {
      const elapsedSeconds = (nowMillis - bucket.updatedMillis) / 1000;
      if (bucket.tokens + elapsedSeconds * this.#rate >= this.#burst) this.#buckets.delete(key);
    }
    // Under a flood of distinct keys nothing has refilled: start over rather than grow.
    if (this.#buckets.size >= MAX_KEYS) this.#buckets.clear();
  }
}
