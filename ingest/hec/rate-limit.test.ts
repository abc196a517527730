import { describe, expect, it } from 'vitest';
import { TokenBucketLimiter } from './rate-limit.js';

describe('TokenBucketLimiter', () => {
  it('allows the burst then asks to wait', () => {
    const limiter = new TokenBucketLimiter({ ratePerSec: 2, burst: 3 });
    expect([0, 0, 0].map(() => limiter.take('ip', 0))).toEqual([0, 0, 0]);
    expect(limiter.take('ip', 0)).toBe(1);
  });

  it('refills at the configured rate', () => {
    const limiter = new TokenBucketLimiter({ ratePerSec: 2, burst: 1 });
    expect(limiter.take('ip', 0)).toBe(0);
    expect(limiter.take('ip', 100)).toBe(1);
    expect(limiter.take('ip', 600)).toBe(0);
  });

  it('reports the wait in whole seconds', () => {
    const limiter = new TokenBucketLimiter({ ratePerSec: 0.1, burst: 1 });
    limiter.take('ip', 0);
    expect(limiter.take('ip', 0)).toBe(10);
  });

  it('keeps keys apart', () => {
    const limiter = new TokenBucketLimiter({ ratePerSec: 1, burst: 1 });
    expect(limiter.take('a', 0)).toBe(0);
    expect(limiter.take('b', 0)).toBe(0);
    expect(limiter.take('a', 0)).toBe(1);
  });

  it('rejects an invalid limit', () => {
    expect(() => new TokenBucketLimiter({ ratePerSec: 0, burst: 1 })).toThrow(/ratePerSec/);
    expect(() => new TokenBucketLimiter({ ratePerSec: 1, burst: 0 })).toThrow(/burst/);
  });
});
