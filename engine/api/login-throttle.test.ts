import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './login-throttle.js';

describe('LoginThrottle', () => {
  it('allows attempts below the limit', () => {
    const throttle = new LoginThrottle(3, 60_000);
    throttle.recordFailure('admin', '10.0.0.1', 0);
    throttle.recordFailure('admin', '10.0.0.1', 1000);
    expect(throttle.retryAfterSeconds('admin', '10.0.0.1', 2000)).toBe(0);
  });

  it('blocks after the limit until the window passes', () => {
    const throttle = new LoginThrottle(3, 60_000);
    for (const time of [0, 1000, 2000]) throttle.recordFailure('admin', '10.0.0.1', time);
    expect(throttle.retryAfterSeconds('admin', '10.0.0.1', 3000)).toBe(57);
    expect(throttle.retryAfterSeconds('admin', '10.0.0.1', 60_001)).toBe(0);
  });

  it('counts each user and address apart', () => {
    const throttle = new LoginThrottle(1, 60_000);
    throttle.recordFailure('admin', '10.0.0.1', 0);
    expect(throttle.retryAfterSeconds('admin', '10.0.0.2', 0)).toBe(0);
    expect(throttle.retryAfterSeconds('alice', '10.0.0.1', 0)).toBe(0);
  });

  it('forgets failures after a success', () => {
    const throttle = new LoginThrottle(1, 60_000);
    throttle.recordFailure('admin', '10.0.0.1', 0);
    throttle.recordSuccess('admin', '10.0.0.1');
    expect(throttle.retryAfterSeconds('admin', '10.0.0.1', 0)).toBe(0);
  });
});
