import { isGrpcServiceError, ServiceError } from '@temporalio/client';

/** Prisma's codes for "no database to talk to": unreachable, connection closed, pool timed out. */
const PRISMA_OUTAGE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** PostgreSQL's SQLSTATEs of a server going away or not up yet: class 08 (connection) and 57P0x (shutdown, starting). */
const POSTGRES_OUTAGE_STATE = /^(08|57P0[1-3])/;
const GRPC_UNAVAILABLE = 14;

/**
 * Which dependency an error says is down, if it says one is: the API answers those with 503 and
 * Retry-After (a client retries and gets through once the database or Temporal is back), not 500.
 */
export function unavailableDependency(err: unknown): 'the database' | 'the workflow service' | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; meta?: { driverAdapterError?: { cause?: { code?: unknown; originalCode?: unknown; kind?: unknown } } }; cause?: unknown };
  if (typeof e.code === 'string' && PRISMA_OUTAGE_CODES.has(e.code)) return 'the database';
  const cause = e.meta?.driverAdapterError?.cause;
  const code = cause?.originalCode ?? cause?.code;
  const state = typeof code === 'string' ? code : '';
  if (POSTGRES_OUTAGE_STATE.test(state) || cause?.kind === 'DatabaseNotReachable' || cause?.kind === 'ConnectionClosed') return 'the database';
  if (isGrpcServiceError(err) && Number(err.code) === GRPC_UNAVAILABLE) return 'the workflow service';
  if (err instanceof ServiceError && err.cause) return unavailableDependency(err.cause);
  return undefined;
}
