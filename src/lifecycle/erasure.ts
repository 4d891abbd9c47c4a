import type { Db } from '../db/prisma.js';
import { Prisma } from '../generated/prisma/client.js';
import type { BlobStore } from '../storage/blob-store.js';

/** What an erasure removed: returned to the caller and kept in the tombstone. */
export interface ErasureReceipt {
  sessionId: string;
  status: 'DELETED';
  erasedAt: string;
  /** The API key (by prefix id) that asked. */
  erasedBy: string;
  deleted: { blobs: number; fileRows: number; frameDetails: number; temporalHistory: boolean; runTerminated: boolean };
}

/**
 * Erasure on request (GDPR Art. 17): stops the session's run and deletes its Temporal history,
 * deletes its media from the blob store, its file rows and the per-frame details of its
 * comparisons, and leaves the session row as a tombstone (status DELETED) with the receipt. The
 * decision itself (similarity, match) stays with the comparison: the AML record a fintech must
 * keep. Idempotent: a second call returns the first receipt; a call cut short by a crash is
 * finished by the retry (every step tolerates "already done").
 */
export async function eraseSession(
  deps: { db: Db; blobs: BlobStore; workflows: { erase(sessionId: string, reason: string): Promise<{ terminated: boolean; historyDeleted: boolean }> } },
  session: { id: string; tenantId: string },
  erasedBy: string,
): Promise<ErasureReceipt> {
  const existing = await deps.db.sessionErasure.findUnique({ where: { sessionId: session.id } });
  if (existing) return receiptOf(existing);

  const run = await deps.workflows.erase(session.id, `erased on request by ${erasedBy}`);
  const files = await deps.db.uploadedFile.findMany({ where: { sessionId: session.id }, select: { storageKey: true } });
  // Keys are content-addressed under the session's own prefix: no other session shares them.
  const keys = [...new Set(files.map((f) => f.storageKey))];
  for (const key of keys) await deps.blobs.delete(key);

  const row = await deps.db.$transaction(async (tx) => {
    const fileRows = await tx.uploadedFile.deleteMany({ where: { sessionId: session.id } });
    // A comparison still running when its run was stopped must not store its frames afterwards:
    // without its row, the late attempt loses its claim and stores nothing.
    await tx.faceComparison.deleteMany({ where: { sessionId: session.id, status: 'RUNNING' } });
    const frameDetails = await tx.faceComparison.updateMany({ where: { sessionId: session.id, details: { not: Prisma.DbNull } }, data: { details: Prisma.DbNull } });
    await tx.kycSession.update({ where: { id: session.id }, data: { status: 'DELETED', completedAt: new Date() } });
    return tx.sessionErasure.create({
      data: {
        sessionId: session.id,
        tenantId: session.tenantId,
        erasedBy,
        deleted: { blobs: keys.length, fileRows: fileRows.count, frameDetails: frameDetails.count, temporalHistory: run.historyDeleted, runTerminated: run.terminated },
      },
    });
  });
  return receiptOf(row);
}

export function receiptOf(row: { sessionId: string; erasedAt: Date; erasedBy: string; deleted: unknown }): ErasureReceipt {
  return { sessionId: row.sessionId, status: 'DELETED', erasedAt: row.erasedAt.toISOString(), erasedBy: row.erasedBy, deleted: row.deleted as ErasureReceipt['deleted'] };
}
