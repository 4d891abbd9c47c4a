/**
 * Retention: a Temporal Schedule (RETENTION_SCHEDULE_ID, visible under Schedules in Temporal UI)
 * starts RETENTION_WORKFLOW_TYPE every RETENTION_SWEEP_INTERVAL; its one activity deletes what
 * has outlived its retention period and reports what it deleted (the run's result in the UI).
 */
export const RETENTION_WORKFLOW_TYPE = 'retentionSweepWorkflow';
export const RETENTION_SCHEDULE_ID = 'kyc-retention';

export interface PurgeReport {
  /** Sessions whose media were deleted, and the blobs that went with them. */
  mediaSessions: number;
  blobs: number;
  /** Comparisons whose per-frame details were deleted. */
  frameDetails: number;
  /** Decision records (sessions with their comparisons) deleted at the end of their retention. */
  decisions: number;
  /** Sessions whose run ended without recording an outcome (terminated by an operator), closed now. */
  abandoned?: number;
}
