/**
 * Events per key in fixed windows, in this process, with bounded memory: for the limits that
 * protect one process (failed authentications), not for request budgets (those are shared by
 * every replica through Postgres, api/plugins/rate-limit-store.ts).
 */
export class WindowCounter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  count(key: string): number {
    const w = this.windows.get(key);
    return w !== undefined && this.now() - w.start < this.windowMs ? w.count : 0;
  }

  add(key: string): number {
    const now = this.now();
    const w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) this.windows.set(key, { start: now, count: 1 });
    else w.count++;
    // A flood from many keys: forget windows that have ended.
    if (this.windows.size > 10_000) {
      for (const [k, v] of this.windows) if (now - v.start >= this.windowMs) this.windows.delete(k);
    }
    return this.count(key);
  }
}
