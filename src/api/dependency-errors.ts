import { isGrpcServiceError, ServiceError } from '@temporalio/client';
import { isDatabaseOutage } from '../db/outage.js';

const GRPC_UNAVAILABLE = 14;

/**
 * Which dependency an error says is down, if it says one is: the API answers those with 503 and
 * Retry-After (a client retries and gets through once the database or Temporal is back), not 500.
 */
export function unavailableDependency(err: unknown): 'the database' | 'the workflow service' | undefined {
  if (isDatabaseOutage(err)) return 'the database';
  if (isGrpcServiceError(err) && Number(err.code) === GRPC_UNAVAILABLE) return 'the workflow service';
  if (err instanceof ServiceError && err.cause) return unavailableDependency(err.cause);
  return undefined;
}
