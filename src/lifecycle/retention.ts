import type { PurgeReport } from '../contract/face-similarity.js';
import { AuditLog } from '../db/audit-log.js';
import { ComparisonStore } from '../db/comparison-store.js';
import { inTransaction, type Db } from '../db/prisma.js';
import { SessionStore } from '../db/session-store.js';
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

export interface RetentionDeps {
  db: Db;
  blobs: BlobStore;
  defaults: RetentionPolicy;
  /** Whether the session's workflow still has a run going (Temporal); sessions whose run ended unrecorded are closed. */
  runIsOpen: (sessionId: string) => Promise<boolean>;
  /** A session open in Postgres longer than this (upload timeout plus processing) is asked about. */
  openLongerThanMs: number;
}

const BATCH = 200;

/**
 * Deletes what has outlived its retention period, per data class and per tenant: media of
 * sessions that ended more than `mediaMs` ago (partial uploads of expired sessions included), the
 * per-frame details of comparisons older than `frameDetailsMs`, and whole decision records older
 * than `decisionMs`. First it closes sessions whose run ended without recording an outcome (an
 * operator terminated it), so their media is purged like any other's. Every step selects by age,
 * so running it twice, or after a crash half-way, deletes nothing twice and misses nothing.
 */
export async function purgeExpired(deps: RetentionDeps): Promise<PurgeReport> {
  const sessions = new SessionStore(deps.db);
  const report: PurgeReport = { mediaSessions: 0, blobs: 0, frameDetails: 0, decisions: 0, abandoned: await closeAbandoned(deps) };
  for (;;) {
    const files = await sessions.mediaDue(deps.defaults.mediaMs, BATCH);
    if (files.length === 0) break;
    // Blob first, row second: a crash in between leaves a row whose blob is gone (deleted again
    // next run, harmlessly), never a blob no row points at.
    const keys = new Set(files.map((f) => f.storage_key));
    for (const key of keys) await deps.blobs.delete(key);
    const bySession = new Map<string, { tenantId: string; count: number }>();
    for (const f of files) bySession.set(f.session_id, { tenantId: f.tenant_id, count: (bySession.get(f.session_id)?.count ?? 0) + 1 });
    await inTransaction(deps.db, async (tx) => {
      await new SessionStore(tx).deleteFiles(files.map((f) => f.id));
      const audit = new AuditLog(tx);
      for (const [sessionId, { tenantId, count }] of bySession) await audit.record({ tenantId, sessionId, action: 'MEDIA_PURGED', actor: 'retention', detail: `${count} files` });
    });
    report.blobs += keys.size;
    report.mediaSessions += bySession.size;
  }
  report.frameDetails = await new ComparisonStore(deps.db).purgeFrameDetails(deps.defaults.frameDetailsMs);
  // The session row takes its comparisons and erasure receipt with it (ON DELETE CASCADE); its
  // audit lines stay (no service role may delete them). Media went long before, but a file left goes too.
  const old = await sessions.decisionsDue(deps.defaults.decisionMs);
  for (let i = 0; i < old.length; i += BATCH) {
    const ids = old.slice(i, i + BATCH);
    for (const id of ids) for (const key of await sessions.storageKeysOf(id)) await deps.blobs.delete(key);
    report.decisions += await sessions.deleteSessions(ids);
  }
  return report;
}

async function closeAbandoned(deps: RetentionDeps): Promise<number> {
  let closed = 0;
  const candidates = await new SessionStore(deps.db).openSince(new Date(Date.now() - deps.openLongerThanMs), BATCH);
  for (const session of candidates) {
    if (await deps.runIsOpen(session.id)) continue;
    const done = await inTransaction(deps.db, async (tx) => {
      if (!(await new SessionStore(tx).closeAbandoned(session.id))) return false;
      await new AuditLog(tx).record({ tenantId: session.tenantId, sessionId: session.id, action: 'SESSION_ABANDONED', actor: 'retention', detail: 'its run ended without an outcome' });
      return true;
    });
    if (done) closed++;
  }
  return closed;
}
