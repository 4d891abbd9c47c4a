import { proxyActivities } from '@temporalio/workflow';
import type { createRetentionActivities } from '../activities/retention-activities.js';
import type { PurgeReport } from '../contract/face-similarity.js';

const retention = proxyActivities<ReturnType<typeof createRetentionActivities>>({
  startToCloseTimeout: '30 minutes',
  // Idempotent by construction (it selects by age): retrying a half-done sweep is safe.
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 5 },
});

/** One retention sweep, started by the kyc-retention Schedule; its result says what it deleted. */
export async function retentionSweepWorkflow(): Promise<PurgeReport> {
  return retention.purgeExpiredData();
}
