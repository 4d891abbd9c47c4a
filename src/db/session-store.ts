import { comparisonKeyOf, type FaceSimilarityOutcome, type FileKind, type FileRef, type LivenessChallenge, type LivenessPolicy } from '../contract/face-similarity.js';
import type { Db } from './prisma.js';

export interface NewFile {
  id: string;
  sessionId: string;
  kind: FileKind;
  storageKey: string;
  sha256: string;
  sizeBytes: number;
  mediaType: string;
}

/** KYC sessions and their uploaded files. */
export class SessionStore {
  constructor(private readonly db: Db) {}

  create(id: string, tenantId: string, workflowId: string, liveness?: { policy: LivenessPolicy; challenge: LivenessChallenge | null }) {
    return this.db.kycSession.create({ data: this.newRow(id, tenantId, workflowId, liveness) });
  }

  /**
   * Creates the session unless a row with its id exists already (a retry of a create whose
   * server died after the insert); false then, and the first row, its policy and challenge stay.
   */
  async createIfAbsent(id: string, tenantId: string, workflowId: string, liveness?: { policy: LivenessPolicy; challenge: LivenessChallenge | null }): Promise<boolean> {
    const { count } = await this.db.kycSession.createMany({ data: [this.newRow(id, tenantId, workflowId, liveness)], skipDuplicates: true });
    return count === 1;
  }

  private newRow(id: string, tenantId: string, workflowId: string, liveness?: { policy: LivenessPolicy; challenge: LivenessChallenge | null }) {
    return {
        id,
        tenantId,
        workflowId,
        // Plain JSON copies: Prisma's JSON input type wants index signatures our interfaces lack.
        ...(liveness
          ? { livenessPolicy: { ...liveness.policy }, ...(liveness.challenge ? { livenessChallenge: { steps: [...liveness.challenge.steps] } } : {}) }
          : {}),
    };
  }

  /** The tenant a session belongs to (for a session token, which names only the session). */
  async tenantOfSession(id: string): Promise<{ tenantId: string; tenantName: string } | null> {
    const row = await this.db.kycSession.findUnique({ where: { id }, select: { tenantId: true, tenant: { select: { name: true } } } });
    return row ? { tenantId: row.tenantId, tenantName: row.tenant.name } : null;
  }

  delete(id: string) {
    return this.db.kycSession.delete({ where: { id } });
  }

  /** A session, only if it belongs to `tenantId` when one is given (another tenant's session does not exist). */
  find(id: string, tenantId?: string) {
    return this.db.kycSession.findFirst({
      where: { id, ...(tenantId ? { tenantId } : {}) },
      include: { files: { orderBy: { createdAt: 'asc' } }, erasure: true },
    });
  }

  /** The same bytes for the same kind are one file: a retried upload returns the existing row. */
  async addFile(file: NewFile): Promise<{ ref: FileRef; created: boolean }> {
    const key = { sessionId: file.sessionId, kind: file.kind, sha256: file.sha256 };
    const inserted = await this.db.uploadedFile.createMany({ data: [file], skipDuplicates: true });
    const row = await this.db.uploadedFile.findUniqueOrThrow({ where: { sessionId_kind_sha256: key } });
    return {
      created: inserted.count === 1,
      ref: {
        fileId: row.id,
        kind: row.kind,
        storageKey: row.storageKey,
        sha256: row.sha256,
        bytes: row.sizeBytes,
        mediaType: row.mediaType,
      },
    };
  }

  /** Of `storageKeys`, those some file row references. */
  async referencedKeys(storageKeys: string[]): Promise<Set<string>> {
    const rows = await this.db.uploadedFile.findMany({ where: { storageKey: { in: storageKeys } }, select: { storageKey: true } });
    return new Set(rows.map((r) => r.storageKey));
  }

  /** Bytes of all files stored for the tenant's sessions: what its storage quota counts. */
  async tenantStorageBytes(tenantId: string): Promise<number> {
    const rows = await this.db.$queryRaw<{ bytes: bigint | null }[]>`
      SELECT sum(f.size_bytes)::bigint AS bytes FROM uploaded_files f JOIN kyc_sessions s ON s.id = f.session_id WHERE s.tenant_id = ${tenantId}::uuid`;
    return Number(rows[0]?.bytes ?? 0);
  }

  async isBlobReferenced(storageKey: string): Promise<boolean> {
    return (await this.db.uploadedFile.count({ where: { storageKey } })) > 0;
  }

  deleteFile(id: string) {
    return this.db.uploadedFile.deleteMany({ where: { id } });
  }

  async markProcessing(sessionId: string): Promise<void> {
    await this.db.kycSession.updateMany({ where: { id: sessionId, status: 'AWAITING_FILES' }, data: { status: 'PROCESSING' } });
  }

  async recordOutcome(sessionId: string, outcome: FaceSimilarityOutcome): Promise<void> {
    // An erased session stays erased, whatever a late activity of its stopped run reports.
    await this.db.kycSession.updateMany({
      where: { id: sessionId, status: { not: 'DELETED' } },
      data: {
        status: outcome.status,
        rejectionReason: outcome.status === 'REJECTED' || outcome.status === 'FAILED' ? outcome.reason : null,
        resultKey: outcome.status === 'COMPLETED' ? comparisonKeyOf(outcome.result) : null,
        completedAt: new Date(),
      },
    });
  }

  /** What the GPU activity needs to judge a session: its liveness policy and challenge, and its files. */
  findForComparison(sessionId: string) {
    return this.db.kycSession.findUnique({
      where: { id: sessionId },
      select: { tenantId: true, livenessPolicy: true, livenessChallenge: true, files: { select: { kind: true, storageKey: true, sha256: true } } },
    });
  }

  /**
   * The comparison that decided the session: the one its result names, or for a rejected session
   * (which names none) its latest settled comparison, whose liveness report explains the rejection.
   */
  findDecidingComparison(session: { id: string; resultKey: string | null; status: string }) {
    if (session.resultKey) return this.db.faceComparison.findUnique({ where: { comparisonKey: session.resultKey } });
    if (session.status !== 'REJECTED') return Promise.resolve(null);
    return this.db.faceComparison.findFirst({ where: { sessionId: session.id, status: 'REJECTED' }, orderBy: { completedAt: 'desc' } });
  }
}
