import { Context } from '@temporalio/activity';
import type { PurgeReport } from '../contract/face-similarity.js';
import type { Db } from '../db/prisma.js';
import { purgeExpired, type RetentionPolicy } from '../lifecycle/retention.js';
import type { BlobStore } from '../storage/blob-store.js';

/** The retention sweep's one activity, run by the orchestration worker (which sees the blob store). */
export function createRetentionActivities(deps: { db: Db; blobs: BlobStore; defaults: RetentionPolicy }) {
  return {
    async purgeExpiredData(): Promise<PurgeReport> {
      const report = await purgeExpired(deps, deps.defaults);
      Context.current().log.info('retention sweep done', { ...report });
      return report;
    },
  };
}
