/**
 * Slows password guessing: after `maxFailures` failed logins for one user
 * name from one address within `windowMs`, further attempts are rejected
 * until the oldest failure leaves the window.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures = 10,
    private readonly windowMs = 15 * 60_000,
  ) {}

  /** Returns the seconds to wait before the next attempt, or 0 when one is allowed. */
  retryAfterSeconds(username: string, address: string | undefined, nowMs = Date.now()): number {
    const recent = this.recent(this.key(username, address), nowMs);
    if (recent.length < this.maxFailures) return 0;
    return Math.max(1, Math.ceil((recent[0]! + this.windowMs - nowMs) / 1000));
  }

  recordFailure(username: string, address: string | undefined, nowMs = Date.now()): void {
    const key = this.key(username, address);
    const recent = this.recent(key, nowMs);
    recent.push(nowMs);
    this.failures.set(key, recent);
    // Bound the map so that a flood of random user names cannot grow it without limit.
    if (this.failures.size > 50_000) this.failures.delete(this.failures.keys().next().value!);
  }

  recordSuccess(username: string, address: string | undefined): void {
    this.failures.delete(this.key(username, address));
  }

  private recent(key: string, nowMs: number): number[] {
    return (this.failures.get(key) ?? []).filter((time) => time > nowMs - this.windowMs);
  }

  private key(username: string, address: string | undefined): string {
    return `${address ?? 'unknown'}\u0000${username}`;
  }
}
