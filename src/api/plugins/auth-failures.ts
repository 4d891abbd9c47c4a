/**
 * Failed authentications per client address, in fixed one-minute windows, kept in this process.
 * Checked before a presented key is looked up, so guessing keys (each with a fresh prefix, and so
 * a fresh per-key rate-limit bucket) costs the database nothing past the limit.
 */
export class AuthFailureLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether `address` has used up its failures for the current minute. */
  blocked(address: string): boolean {
    const w = this.windows.get(address);
    return w !== undefined && this.now() - w.start < 60_000 && w.count >= this.perMinute;
  }

  record(address: string): void {
    const now = this.now();
    const w = this.windows.get(address);
    if (!w || now - w.start >= 60_000) this.windows.set(address, { start: now, count: 1 });
    else w.count++;
    // Bounded memory under a flood from many addresses: forget windows that have ended.
    if (this.windows.size > 10_000) {
      for (const [key, value] of this.windows) if (now - value.start >= 60_000) this.windows.delete(key);
    }
  }
}
