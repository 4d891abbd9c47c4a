import { Context } from '@temporalio/activity';
import type { PurgeReport } from '../contract/face-similarity.js';
import { purgeExpired, type RetentionDeps } from '../lifecycle/retention.js';

/** The retention sweep's one activity, run by the orchestration worker (which sees the blob store). */
export function createRetentionActivities(deps: RetentionDeps) {
  return {
    async purgeExpiredData(): Promise<PurgeReport> {
      const report = await purgeExpired(deps);
      Context.current().log.info('retention sweep done', { ...report });
      return report;
    },
  };
}
