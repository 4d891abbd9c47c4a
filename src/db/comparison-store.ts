import { randomUUID } from 'node:crypto';
import type { FaceMatchResult, LivenessReport } from '../contract/face-similarity.js';
import { asJson, toResult } from './comparison-rows.js';
import type { Db, DbClient } from './prisma.js';
import { Prisma, type FaceComparison } from '../generated/prisma/client.js';

export interface ClaimRequest {
  comparisonKey: string;
  sessionId: string;
  idImageSha256: string;
  selfieVideoSha256: string;
  pipelineVersion: string;
  owner: string;
  leaseMs: number;
  /** At most this many comparisons of the tenant may hold live leases at once (its GPU budget). */
  budget?: { tenantId: string; maxRunning: number };
}

export type Claim =
  | { kind: 'claimed'; attempt: number }
  | { kind: 'completed'; result: FaceMatchResult }
  | { kind: 'rejected'; reason: string; message: string }
  | { kind: 'held'; retryAfterMs: number }
  | { kind: 'over-budget'; running: number };

type Queryable = Pick<DbClient, '$queryRaw' | 'faceComparison'>;

/**
 * The exactly-once protocol of the comparison, one row per comparison key. A claim is an
 * `INSERT ... ON CONFLICT` on the unique key that also takes over a RUNNING row whose lease has
 * expired (a crashed holder); the holder renews its lease while it works and turns the row into
 * the stored outcome, which every later claim returns instead of running inference again.
 */
export class ComparisonStore {
  constructor(private readonly db: Db) {}

  /** The same store over a transaction's client, for the steps of an erasure (no claims there). */
  static erasing(tx: DbClient): { eraseForSession(sessionId: string): Promise<number> } {
    return { eraseForSession: (sessionId: string) => eraseForSession(tx, sessionId) };
  }

  /**
   * With a budget, the count of the tenant's live claims and the claim itself happen under one
   * advisory lock per tenant, so two workers cannot both take the last slot. A stored outcome is
   * returned whatever the budget: it costs no GPU.
   */
  async claim(req: ClaimRequest): Promise<Claim> {
    const budget = req.budget;
    if (!budget) return this.claimWith(this.db, req);
    return this.db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext(${`gpu-budget:${budget.tenantId}`}))) AS locked`;
      const existing = await tx.faceComparison.findUnique({ where: { comparisonKey: req.comparisonKey } });
      const outcome = existing ? settled(existing) : undefined;
      if (outcome) return outcome;
      const [count] = await tx.$queryRaw<{ running: number }[]>`
        SELECT count(*)::int AS running FROM face_comparisons c JOIN kyc_sessions s ON s.id = c.session_id
        WHERE s.tenant_id = ${budget.tenantId}::uuid AND c.status = 'RUNNING'::"ComparisonStatus"
          AND c.lease_expires_at > now() AND c.comparison_key <> ${req.comparisonKey}`;
      const running = count?.running ?? 0;
      if (running >= budget.maxRunning) return { kind: 'over-budget', running } as const;
      return this.claimWith(tx, req);
    });
  }

  private async claimWith(db: Queryable, req: ClaimRequest): Promise<Claim> {
    const rows = await db.$queryRaw<{ attempts: number }[]>`
      INSERT INTO face_comparisons
        (id, comparison_key, session_id, id_image_sha256, selfie_video_sha256, pipeline_version,
         status, lease_owner, lease_expires_at)
      VALUES (${randomUUID()}::uuid, ${req.comparisonKey}, ${req.sessionId}::uuid, ${req.idImageSha256},
         ${req.selfieVideoSha256}, ${req.pipelineVersion}, 'RUNNING'::"ComparisonStatus", ${req.owner},
         now() + ${req.leaseMs} * interval '1 millisecond')
      ON CONFLICT (comparison_key) DO UPDATE
        SET lease_owner = EXCLUDED.lease_owner,
            lease_expires_at = EXCLUDED.lease_expires_at,
            attempts = face_comparisons.attempts + 1
        WHERE face_comparisons.status = 'RUNNING'::"ComparisonStatus"
          AND (face_comparisons.lease_expires_at IS NULL OR face_comparisons.lease_expires_at < now())
      RETURNING attempts`;
    const claimed = rows[0];
    if (claimed) return { kind: 'claimed', attempt: claimed.attempts };

    const row = await db.faceComparison.findUnique({ where: { comparisonKey: req.comparisonKey } });
    if (!row) return { kind: 'held', retryAfterMs: 0 };
    return settled(row) ?? { kind: 'held', retryAfterMs: Math.max(0, (row.leaseExpiresAt?.getTime() ?? 0) - Date.now()) };
  }

  /** Extends the holder's lease; false when the claim was lost (lease expired and taken over). */
  async renewLease(comparisonKey: string, owner: string, leaseMs: number): Promise<boolean> {
    const updated = await this.db.$executeRaw`
      UPDATE face_comparisons SET lease_expires_at = now() + ${leaseMs} * interval '1 millisecond'
      WHERE comparison_key = ${comparisonKey} AND lease_owner = ${owner} AND status = 'RUNNING'::"ComparisonStatus"`;
    return updated === 1;
  }

  /**
   * Stores the result if the claim is still ours and returns it as written: no read-back. A lost
   * claim (the lease expired and another attempt took over) returns that attempt's stored result
   * when it has one, so the workflow still gets the one outcome Postgres holds.
   */
  async complete(result: FaceMatchResult, owner: string, signature: string): Promise<FaceMatchResult> {
    const { comparisonKey } = result;
    const { count } = await this.db.faceComparison.updateMany({
      where: { comparisonKey, leaseOwner: owner, status: 'RUNNING' },
      data: {
        status: 'COMPLETED',
        signature,
        leaseOwner: null,
        leaseExpiresAt: null,
        similarity: result.similarity,
        match: result.match,
        threshold: result.threshold,
        detectorModel: result.detectorModel,
        embedderModel: result.embedderModel,
        executionProvider: result.executionProvider,
        framesExamined: result.framesExamined,
        framesWithFace: result.framesWithFace,
        details: {
          frames: result.frames.map((f) => ({ ...f })),
          ...(result.videoRotation !== undefined ? { videoRotation: result.videoRotation } : {}),
          ...(result.liveness ? { liveness: asJson(result.liveness) } : {}),
        },
        completedAt: new Date(),
      },
    });
    if (count === 1) return result;
    const row = await this.db.faceComparison.findUnique({ where: { comparisonKey } });
    const outcome = row ? settled(row) : undefined;
    if (outcome?.kind === 'completed') return outcome.result;
    throw new Error(`lost the claim on ${comparisonKey} before storing the result`);
  }

  /** `liveness`: the checks' report when liveness is what rejected, so the rejection explains itself. */
  async reject(comparisonKey: string, owner: string, rejection: { reason: string; message: string; liveness?: LivenessReport }, signature: string): Promise<void> {
    const { reason, message, liveness } = rejection;
    await this.db.faceComparison.updateMany({
      where: { comparisonKey, leaseOwner: owner, status: 'RUNNING' },
      data: {
        status: 'REJECTED',
        signature,
        leaseOwner: null,
        leaseExpiresAt: null,
        rejectionReason: reason,
        details: { message, ...(liveness ? { liveness: asJson(liveness) } : {}) },
        completedAt: new Date(),
      },
    });
  }

  /** Gives the claim up after a transient failure, so the next attempt need not wait for the lease. */
  async release(comparisonKey: string, owner: string): Promise<void> {
    await this.db.faceComparison.updateMany({
      where: { comparisonKey, leaseOwner: owner, status: 'RUNNING' },
      data: { leaseOwner: null, leaseExpiresAt: null },
    });
  }

  async find(comparisonKey: string): Promise<FaceComparison | null> {
    return this.db.faceComparison.findUnique({ where: { comparisonKey } });
  }

  /** The claim as a row holds it, for the signature the GPU worker puts on a settled comparison. */
  async claimed(comparisonKey: string): Promise<Pick<FaceComparison, 'sessionId' | 'idImageSha256' | 'selfieVideoSha256' | 'pipelineVersion'> | null> {
    return this.db.faceComparison.findUnique({ where: { comparisonKey }, select: { sessionId: true, idImageSha256: true, selfieVideoSha256: true, pipelineVersion: true } });
  }

  /**
   * The comparison that decided the session: the one its result names, or for a rejected session
   * (which names none) its latest settled comparison, whose liveness report explains the rejection.
   */
  decidingFor(session: { id: string; resultKey: string | null; status: string }): Promise<FaceComparison | null> {
    if (session.resultKey) return this.find(session.resultKey);
    if (session.status !== 'REJECTED') return Promise.resolve(null);
    return this.db.faceComparison.findFirst({ where: { sessionId: session.id, status: 'REJECTED' }, orderBy: { completedAt: 'desc' } });
  }

  /** The settled comparisons of a session (the recorder looks for the signed one a claim names). */
  settledFor(sessionId: string): Promise<FaceComparison[]> {
    return this.db.faceComparison.findMany({ where: { sessionId, status: { in: ['COMPLETED', 'REJECTED'] } }, orderBy: { completedAt: 'desc' } });
  }

  /** Deletes the per-frame details of comparisons that ended more than their tenant's period ago. */
  purgeFrameDetails(defaultFrameDetailsMs: number): Promise<number> {
    return this.db.$executeRaw`
      UPDATE face_comparisons c SET details = c.details - 'frames'
      FROM kyc_sessions s JOIN tenants t ON t.id = s.tenant_id
      WHERE s.id = c.session_id AND c.details ? 'frames' AND c.completed_at IS NOT NULL
        AND c.completed_at < now() - COALESCE((t.retention_policy->>'frameDetailsMs')::bigint, ${defaultFrameDetailsMs}) * interval '1 millisecond'`;
  }
}

/**
 * Erasure of a session's comparisons: a still running one goes (its late attempt then loses its
 * claim and stores nothing), the others lose their per-frame details and liveness report; the
 * decision itself, signed, stays as the AML record. Returns how many lost details.
 */
async function eraseForSession(db: DbClient, sessionId: string): Promise<number> {
  await db.faceComparison.deleteMany({ where: { sessionId, status: 'RUNNING' } });
  const { count } = await db.faceComparison.updateMany({ where: { sessionId, details: { not: Prisma.DbNull } }, data: { details: Prisma.DbNull } });
  return count;
}

function settled(row: FaceComparison): Claim | undefined {
  if (row.status === 'REJECTED') {
    const details = row.details as { message?: string } | null;
    return { kind: 'rejected', reason: row.rejectionReason ?? 'REJECTED', message: details?.message ?? 'media rejected' };
  }
  if (row.status === 'COMPLETED') return { kind: 'completed', result: toResult(row) };
  return undefined;
}
