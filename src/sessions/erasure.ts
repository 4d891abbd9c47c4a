import type { BlobStore } from '../storage/blob-store.js';
import { AuditLog } from '../db/audit-log.js';
import { ComparisonStore } from '../db/comparison-store.js';
import { deleteStoredResponsesFor } from '../db/idempotency-store.js';
import { inTransaction, type Db } from '../db/prisma.js';
import { ReviewStore } from '../db/review-store.js';
import { SessionStore } from '../db/session-store.js';
import { requireApiKey, type Caller } from './caller.js';
import type { SessionWorkflowsPort } from './ports.js';
import { problems } from './problems.js';

/** What an erasure removed: returned to the caller and kept in the tombstone. */
export interface ErasureReceipt {
  sessionId: string;
  status: 'DELETED';
  erasedAt: string;
  /** The API key (by id) that asked. */
  erasedBy: string;
  deleted: {
    blobs: number;
    fileRows: number;
    frameDetails: number;
    /** Stored Idempotency-Key responses about the session (they held its token). */
    storedResponses: number;
    temporalHistory: boolean;
    /** Runs of the session's workflow deleted from Temporal, resets included. */
    temporalRuns: number;
    runTerminated: boolean;
  };
}

/**
 * Erasure on request (GDPR Art. 17), in an order nothing can undo: first the tombstone, under the
 * session row's exclusive lock, which waits for uploads and creates in flight (they hold a share
 * lock across their signal) and turns every later one away; then every run of the workflow
 * (resets included) is stopped and deleted; then the media; then, in one transaction, the file
 * rows, the per-frame details, the stored responses, the receipt and the audit line. The decision
 * itself stays with its signed comparison: the AML record. Idempotent: a second call returns the
 * first receipt, and a call cut short by a crash is finished by the retry.
 */
export async function eraseSession(
  deps: { db: Db; blobs: BlobStore; workflows: SessionWorkflowsPort },
  caller: Caller,
  sessionId: string,
  requestId: string,
): Promise<ErasureReceipt> {
  requireApiKey(caller);
  const store = new SessionStore(deps.db);
  const session = await store.find(sessionId, caller.tenantId);
  if (!session) throw problems.sessionNotFound(sessionId);
  if (session.erasure) return receiptOf(session.erasure);

  await inTransaction(deps.db, (tx) => new SessionStore(tx).markErased(sessionId));
  const runs = await deps.workflows.erase(sessionId);
  const keys = await store.storageKeysOf(sessionId);
  // Keys are content-addressed under the session's own prefix: no other session shares them.
  for (const key of keys) await deps.blobs.delete(key);

  const row: { sessionId: string; erasedAt: Date; erasedBy: string; deleted: unknown } = await inTransaction(deps.db, async (tx) => {
    const sessions = new SessionStore(tx);
    // A concurrent erasure of the same session finished first: its receipt is the one.
    await sessions.markErased(sessionId);
    const done = await sessions.findErasure(sessionId);
    if (done) return done;
    const frameDetails = await ComparisonStore.erasing(tx).eraseForSession(sessionId);
    const storedResponses = await deleteStoredResponsesFor(tx, sessionId);
    // A review's decision stays with the decision record; the reviewer's free text goes.
    await new ReviewStore(tx).clearNote(sessionId);
    const receipt = await sessions.completeErasure({ id: sessionId, tenantId: caller.tenantId }, caller.keyId, {
      blobs: keys.length,
      frameDetails,
      storedResponses,
      temporalHistory: runs.runsDeleted > 0,
      temporalRuns: runs.runsDeleted,
      runTerminated: runs.terminated,
    });
    await new AuditLog(tx).record({ tenantId: caller.tenantId, sessionId, action: 'SESSION_DELETED', actor: caller.keyId, requestId, detail: `${keys.length} blobs, ${runs.runsDeleted} runs` });
    return receipt;
  });
  return receiptOf(row);
}

export function receiptOf(row: { sessionId: string; erasedAt: Date; erasedBy: string; deleted: unknown }): ErasureReceipt {
  return { sessionId: row.sessionId, status: 'DELETED', erasedAt: row.erasedAt.toISOString(), erasedBy: row.erasedBy, deleted: row.deleted as ErasureReceipt['deleted'] };
}
