/** Prisma's codes for "no database to talk to": unreachable, connection closed, pool timed out. */
const PRISMA_OUTAGE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** PostgreSQL's SQLSTATEs of a server going away or not up yet: class 08 (connection) and 57P0x (shutdown, starting). */
const POSTGRES_OUTAGE_STATE = /^(08|57P0[1-3])/;

/**
 * node-postgres's own errors when the server goes away under a query in flight or a pooled
 * connection: Prisma's query interpreter passes them on unwrapped (seen in the chaos run: a
 * PostgreSQL restart answered two reads with 500).
 */
const PG_CONNECTION_LOST = /^(Connection terminated unexpectedly|Connection terminated|timeout exceeded when trying to connect)$/;
const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE']);

/** Whether an error says the database is unreachable (restarting, failing over), not that a query was wrong. */
export function isDatabaseOutage(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  if (err instanceof Error && (PG_CONNECTION_LOST.test(err.message) || SOCKET_ERRORS.has(String((err as { code?: unknown }).code)))) return true;
  const e = err as { code?: unknown; meta?: { driverAdapterError?: { cause?: { code?: unknown; originalCode?: unknown; kind?: unknown } } } };
  if (typeof e.code === 'string' && PRISMA_OUTAGE_CODES.has(e.code)) return true;
  const cause = e.meta?.driverAdapterError?.cause;
  const code = cause?.originalCode ?? cause?.code;
  const state = typeof code === 'string' ? code : '';
  return POSTGRES_OUTAGE_STATE.test(state) || cause?.kind === 'DatabaseNotReachable' || cause?.kind === 'ConnectionClosed';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `write` again while the database is out, with backoff, for up to `budgetMs`: for writes
 * that are safe to repeat and too costly to lose, like storing a comparison that took seconds
 * of inference (the chaos run found a PostgreSQL restart at that moment costing a second run).
 */
export async function retryThroughOutage<T>(write: () => Promise<T>, options: { budgetMs: number; onRetry?: (err: unknown) => void }): Promise<T> {
  const deadline = Date.now() + options.budgetMs;
  for (let delay = 200; ; delay = Math.min(delay * 2, 3000)) {
    try {
      return await write();
    } catch (err) {
      if (!isDatabaseOutage(err) || Date.now() + delay > deadline) throw err;
      options.onRetry?.(err);
      await sleep(delay);
    }
  }
}
