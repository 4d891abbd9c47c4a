import type { PurgeReport } from '../contract/face-similarity.js';
import { AuditLog } from '../db/audit-log.js';
import type { Db } from '../db/prisma.js';
import type { BlobStore } from '../storage/blob-store.js';

/** How long each class of data is kept after its session ended, in ms. */
export interface RetentionPolicy {
  /** Raw media: the ID image and the selfie video (and partial uploads of expired sessions). */
  mediaMs: number;
  /** The per-frame details of each comparison (quality, similarity per frame). */
  frameDetailsMs: number;
  /** The decision record itself: the session, its comparison's verdict, its erasure receipt. */
  decisionMs: number;
}

/** A tenant's own periods, stored in tenants.retention_policy; missing ones take the defaults. */
export type TenantRetention = Partial<RetentionPolicy>;

export type { PurgeReport } from '../contract/face-similarity.js';

const BATCH = 200;

/**
 * Deletes what has outlived its retention period, per data class and per tenant: media of
 * sessions that ended (COMPLETED, REJECTED, FAILED, EXPIRED: partial uploads included) more than
 * `mediaMs` ago, the per-frame details of comparisons older than `frameDetailsMs`, and whole
 * decision records older than `decisionMs`. Every step selects by age, so running it twice, or
 * after a crash half-way, deletes nothing twice and misses nothing.
 */
export async function purgeExpired(deps: { db: Db; blobs: BlobStore }, defaults: RetentionPolicy): Promise<PurgeReport> {
  const report: PurgeReport = { mediaSessions: 0, blobs: 0, frameDetails: 0, decisions: 0 };
  const audit = new AuditLog(deps.db);
  for (;;) {
    const files = await deps.db.$queryRaw<{ id: string; storage_key: string; session_id: string; tenant_id: string }[]>`
      SELECT f.id, f.storage_key, f.session_id, s.tenant_id FROM uploaded_files f
        JOIN kyc_sessions s ON s.id = f.session_id JOIN tenants t ON t.id = s.tenant_id
      WHERE s.status IN ('COMPLETED', 'REJECTED', 'FAILED', 'EXPIRED') AND s.completed_at IS NOT NULL
        AND s.completed_at < now() - COALESCE((t.retention_policy->>'mediaMs')::bigint, ${defaults.mediaMs}) * interval '1 millisecond'
      LIMIT ${BATCH}`;
    if (files.length === 0) break;
    // Blob first, row second: a crash in between leaves a row whose blob is gone (deleted again
    // next run, harmlessly), never a blob no row points at.
    for (const key of new Set(files.map((f) => f.storage_key))) await deps.blobs.delete(key);
    await deps.db.uploadedFile.deleteMany({ where: { id: { in: files.map((f) => f.id) } } });
    const sessions = new Map(files.map((f) => [f.session_id, f.tenant_id]));
    for (const [sessionId, tenantId] of sessions) {
      await audit.record({ tenantId, sessionId, action: 'MEDIA_PURGED', actor: 'retention', detail: `${files.filter((f) => f.session_id === sessionId).length} files` });
    }
    report.blobs += new Set(files.map((f) => f.storage_key)).size;
    report.mediaSessions += new Set(files.map((f) => f.session_id)).size;
  }
  report.frameDetails = await deps.db.$executeRaw`
    UPDATE face_comparisons c SET details = c.details - 'frames'
    FROM kyc_sessions s JOIN tenants t ON t.id = s.tenant_id
    WHERE s.id = c.session_id AND c.details ? 'frames' AND c.completed_at IS NOT NULL
      AND c.completed_at < now() - COALESCE((t.retention_policy->>'frameDetailsMs')::bigint, ${defaults.frameDetailsMs}) * interval '1 millisecond'`;
  // The session row takes its comparisons and erasure receipt with it (ON DELETE CASCADE); its
  // media went long before (media retention is shorter), but a file row left is deleted too.
  const old = await deps.db.$queryRaw<{ id: string }[]>`
    SELECT s.id FROM kyc_sessions s JOIN tenants t ON t.id = s.tenant_id
    WHERE s.completed_at IS NOT NULL
      AND s.completed_at < now() - COALESCE((t.retention_policy->>'decisionMs')::bigint, ${defaults.decisionMs}) * interval '1 millisecond'`;
  for (let i = 0; i < old.length; i += BATCH) {
    const ids = old.slice(i, i + BATCH).map((s) => s.id);
    const leftovers = await deps.db.uploadedFile.findMany({ where: { sessionId: { in: ids } }, select: { storageKey: true } });
    for (const key of new Set(leftovers.map((f) => f.storageKey))) await deps.blobs.delete(key);
    report.decisions += (await deps.db.kycSession.deleteMany({ where: { id: { in: ids } } })).count;
  }
  return report;
}
