import type { DbClient } from './prisma.js';

/**
 * Request counts per bucket in fixed windows, in Postgres, so that every API replica spends from
 * the same budget (`rate_limit_windows`, unlogged). One upsert per request; windows that ended are
 * deleted by `sweep`.
 */
export class RateLimitWindows {
  constructor(private readonly db: DbClient) {}

  /** Counts one hit; returns the hits of the current window and the milliseconds left in it. */
  async hit(bucket: string, windowMs: number): Promise<{ hits: number; ttlMs: number }> {
    const [row] = await this.db.$queryRaw<{ hits: number; ttl_ms: number }[]>`
      WITH w AS (SELECT to_timestamp(floor(extract(epoch FROM now()) * 1000 / ${windowMs}) * ${windowMs} / 1000.0) AS start)
      INSERT INTO rate_limit_windows (bucket, window_start, hits) SELECT ${bucket}, w.start, 1 FROM w
      ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_windows.hits + 1
      RETURNING hits, (extract(epoch FROM window_start) * 1000 + ${windowMs} - extract(epoch FROM now()) * 1000)::int AS ttl_ms`;
    return { hits: row?.hits ?? 1, ttlMs: Math.max(0, row?.ttl_ms ?? windowMs) };
  }

  async sweep(olderThanMs: number): Promise<number> {
    return this.db.$executeRaw`DELETE FROM rate_limit_windows WHERE window_start < now() - ${olderThanMs} * interval '1 millisecond'`;
  }
}
