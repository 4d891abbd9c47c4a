import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { RETENTION_SCHEDULE_ID, RETENTION_WORKFLOW_TYPE } from '../contract/face-similarity.js';

/**
 * Creates the retention Schedule, or brings an existing one to `everyMs` and `taskQueue`: run at
 * every orchestration worker start, so several workers agree and a changed interval applies.
 * Overlapping runs are skipped; a missed run (Temporal down) is caught up once.
 */
export async function ensureRetentionSchedule(client: Client, options: { taskQueue: string; everyMs: number }): Promise<void> {
  const spec = { intervals: [{ every: options.everyMs }] };
  const action = { type: 'startWorkflow' as const, workflowType: RETENTION_WORKFLOW_TYPE, taskQueue: options.taskQueue, args: [] };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: options.everyMs };
  try {
    await client.schedule.create({ scheduleId: RETENTION_SCHEDULE_ID, spec, action, policies });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(RETENTION_SCHEDULE_ID).update((previous) => ({ ...previous, spec, action, policies }));
  }
}
