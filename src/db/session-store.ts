import type { FileKind, FileRef, LivenessChallenge, LivenessPolicy, SessionStatus } from '../contract/face-similarity.js';
import type { DbClient } from './prisma.js';

export interface NewFile {
  id: string;
  sessionId: string;
  kind: FileKind;
  storageKey: string;
  sha256: string;
  sizeBytes: number;
  mediaType: string;
}

/** What the workflow's recorder writes once it has verified an outcome (sessions/outcome-recorder.ts). */
export interface RecordedOutcome {
  status: Exclude<SessionStatus, 'AWAITING_FILES' | 'PROCESSING' | 'NEEDS_REVIEW' | 'DELETED'>;
  rejectionReason: string | null;
  resultKey: string | null;
}

const FINAL: SessionStatus[] = ['COMPLETED', 'REJECTED', 'EXPIRED', 'FAILED'];

/** Filters and the keyset position of a page of sessions. */
export interface SessionListQuery {
  status?: SessionStatus[];
  reference?: string;
  createdAfter?: Date;
  createdBefore?: Date;
  after?: { createdAt: Date; id: string };
  limit: number;
}

/**
 * The sessions and their uploaded files (`kyc_sessions`, `uploaded_files`, `session_erasures`):
 * the only writer of those tables. Locks are taken here, in SQL, so that an upload or a create
 * and an erasure of the same session serialise instead of racing.
 */
export class SessionStore {
  constructor(private readonly db: DbClient) {}

  /**
   * Creates the session unless a row with its id exists already (a retry of a create whose
   * server died after the insert); false then, and the first row, its policy and challenge stay.
   */
  async createIfAbsent(
    id: string,
    tenantId: string,
    workflowId: string,
    liveness?: { policy: LivenessPolicy; challenge: LivenessChallenge | null },
    matchThreshold: number | null = null,
    reference: string | null = null,
  ): Promise<boolean> {
    const row = {
      id,
      tenantId,
      workflowId,
      matchThreshold,
      reference,
      // Plain JSON copies: Prisma's JSON input type wants index signatures our interfaces lack.
      ...(liveness ? { livenessPolicy: { ...liveness.policy }, ...(liveness.challenge ? { livenessChallenge: { steps: [...liveness.challenge.steps] } } : {}) } : {}),
    };
    const { count } = await this.db.kycSession.createMany({ data: [row], skipDuplicates: true });
    return count === 1;
  }

  /**
   * The session's status, holding a share lock on its row until the transaction ends: uploads and
   * creates take it around their signal, an erasure's exclusive lock waits for them, and after
   * the erasure they see DELETED. Null when there is no such session.
   */
  async lockShared(id: string): Promise<SessionStatus | null> {
    const rows = await this.db.$queryRaw<{ status: SessionStatus }[]>`SELECT status::text AS status FROM kyc_sessions WHERE id = ${id}::uuid FOR SHARE`;
    return rows[0]?.status ?? null;
  }

  /** Marks the session erased under an exclusive lock (the first step of an erasure); false if absent. */
  async markErased(id: string): Promise<boolean> {
    const rows = await this.db.$queryRaw<{ id: string }[]>`SELECT id FROM kyc_sessions WHERE id = ${id}::uuid FOR UPDATE`;
    if (rows.length === 0) return false;
    await this.db.kycSession.update({ where: { id }, data: { status: 'DELETED', completedAt: new Date() } });
    return true;
  }

  /** The tenant and lifecycle of a session, for a session token (which names only the session). */
  async tokenSubject(id: string): Promise<{ tenantId: string; tenantName: string; status: SessionStatus; completedAt: Date | null } | null> {
    const row = await this.db.kycSession.findUnique({ where: { id }, select: { tenantId: true, status: true, completedAt: true, tenant: { select: { name: true } } } });
    return row ? { tenantId: row.tenantId, tenantName: row.tenant.name, status: row.status, completedAt: row.completedAt } : null;
  }

  async tenantOf(id: string): Promise<string | null> {
    return (await this.db.kycSession.findUnique({ where: { id }, select: { tenantId: true } }))?.tenantId ?? null;
  }

  /** A session, only if it belongs to `tenantId` when one is given (another tenant's session does not exist). */
  find(id: string, tenantId?: string) {
    return this.db.kycSession.findFirst({
      where: { id, ...(tenantId ? { tenantId } : {}) },
      include: { files: { orderBy: { createdAt: 'asc' } }, erasure: true },
    });
  }

  /**
   * A page of the tenant's sessions, newest first, after `cursor` (the last row of the previous
   * page): keyset pagination on (createdAt, id), so pages stay stable while sessions are created.
   */
  list(tenantId: string, query: SessionListQuery) {
    const after = query.after;
    return this.db.kycSession.findMany({
      where: {
        tenantId,
        ...(query.status ? { status: { in: query.status } } : {}),
        ...(query.reference ? { reference: query.reference } : {}),
        ...(query.createdAfter || query.createdBefore ? { createdAt: { ...(query.createdAfter ? { gte: query.createdAfter } : {}), ...(query.createdBefore ? { lt: query.createdBefore } : {}) } } : {}),
        ...(after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: query.limit,
      select: { id: true, reference: true, status: true, rejectionReason: true, createdAt: true, updatedAt: true, completedAt: true, files: { select: { kind: true } } },
    });
  }

  /** The same bytes for the same kind are one file: a retried upload returns the existing row. */
  async addFile(file: NewFile): Promise<{ ref: FileRef; created: boolean }> {
    const inserted = await this.db.uploadedFile.createMany({ data: [file], skipDuplicates: true });
    const row = await this.db.uploadedFile.findUniqueOrThrow({ where: { sessionId_kind_sha256: { sessionId: file.sessionId, kind: file.kind, sha256: file.sha256 } } });
    return {
      created: inserted.count === 1,
      ref: { fileId: row.id, kind: row.kind, storageKey: row.storageKey, sha256: row.sha256, bytes: row.sizeBytes, mediaType: row.mediaType },
    };
  }

  /** Of `storageKeys`, those some file row references. */
  async referencedKeys(storageKeys: string[]): Promise<Set<string>> {
    const rows = await this.db.uploadedFile.findMany({ where: { storageKey: { in: storageKeys } }, select: { storageKey: true } });
    return new Set(rows.map((r) => r.storageKey));
  }

  async isBlobReferenced(storageKey: string): Promise<boolean> {
    return (await this.db.uploadedFile.count({ where: { storageKey } })) > 0;
  }

  /** Bytes of all files stored for the tenant's sessions: what its storage quota counts. */
  async tenantStorageBytes(tenantId: string): Promise<number> {
    const rows = await this.db.$queryRaw<{ bytes: bigint | null }[]>`
      SELECT sum(f.size_bytes)::bigint AS bytes FROM uploaded_files f JOIN kyc_sessions s ON s.id = f.session_id WHERE s.tenant_id = ${tenantId}::uuid`;
    return Number(rows[0]?.bytes ?? 0);
  }

  async markProcessing(sessionId: string): Promise<void> {
    await this.db.kycSession.updateMany({ where: { id: sessionId, status: 'AWAITING_FILES' }, data: { status: 'PROCESSING' } });
  }

  /**
   * The machine has decided and a person must confirm: not final (no completedAt, so neither the
   * token's grace nor retention starts), but the deciding comparison is recorded already.
   */
  async markNeedsReview(sessionId: string, resultKey: string): Promise<boolean> {
    const { count } = await this.db.kycSession.updateMany({
      where: { id: sessionId, status: { in: ['PROCESSING', 'NEEDS_REVIEW'] } },
      data: { status: 'NEEDS_REVIEW', resultKey },
    });
    return count === 1;
  }

  /** Records a verified outcome; an erased session stays erased, whatever a late run of it reports. */
  async recordOutcome(sessionId: string, outcome: RecordedOutcome): Promise<boolean> {
    const { count } = await this.db.kycSession.updateMany({
      where: { id: sessionId, status: { not: 'DELETED' } },
      data: { status: outcome.status, rejectionReason: outcome.rejectionReason, resultKey: outcome.resultKey, completedAt: new Date() },
    });
    return count === 1;
  }

  /** What the GPU activity and the recorder need to judge a session: its policy, challenge and files. */
  findForComparison(sessionId: string) {
    return this.db.kycSession.findUnique({
      where: { id: sessionId },
      select: { tenantId: true, status: true, livenessPolicy: true, livenessChallenge: true, matchThreshold: true, files: { select: { kind: true, storageKey: true, sha256: true } } },
    });
  }

  /** The storage keys of a session's files (erasure deletes their blobs first). */
  async storageKeysOf(sessionId: string): Promise<string[]> {
    const rows = await this.db.uploadedFile.findMany({ where: { sessionId }, select: { storageKey: true } });
    return [...new Set(rows.map((f) => f.storageKey))];
  }

  /** The erasure's last step: the file rows go, the receipt stays with the tombstone. */
  async completeErasure(session: { id: string; tenantId: string }, erasedBy: string, deleted: Record<string, number | boolean>) {
    const fileRows = await this.db.uploadedFile.deleteMany({ where: { sessionId: session.id } });
    return this.db.sessionErasure.create({
      data: { sessionId: session.id, tenantId: session.tenantId, erasedBy, deleted: { ...deleted, fileRows: fileRows.count } },
    });
  }

  findErasure(sessionId: string) {
    return this.db.sessionErasure.findUnique({ where: { sessionId } });
  }

  /** Files of sessions that ended more than their tenant's media period ago (retention). */
  mediaDue(defaultMediaMs: number, limit: number) {
    return this.db.$queryRaw<{ id: string; storage_key: string; session_id: string; tenant_id: string }[]>`
      SELECT f.id, f.storage_key, f.session_id, s.tenant_id FROM uploaded_files f
        JOIN kyc_sessions s ON s.id = f.session_id JOIN tenants t ON t.id = s.tenant_id
      WHERE s.status::text IN (${FINAL[0]}, ${FINAL[1]}, ${FINAL[2]}, ${FINAL[3]}) AND s.completed_at IS NOT NULL
        AND s.completed_at < now() - COALESCE((t.retention_policy->>'mediaMs')::bigint, ${defaultMediaMs}) * interval '1 millisecond'
      LIMIT ${limit}`;
  }

  async deleteFiles(ids: string[]): Promise<void> {
    await this.db.uploadedFile.deleteMany({ where: { id: { in: ids } } });
  }

  /** Sessions whose decision record has outlived its tenant's decision period. */
  async decisionsDue(defaultDecisionMs: number): Promise<string[]> {
    const rows = await this.db.$queryRaw<{ id: string }[]>`
      SELECT s.id FROM kyc_sessions s JOIN tenants t ON t.id = s.tenant_id
      WHERE s.completed_at IS NOT NULL
        AND s.completed_at < now() - COALESCE((t.retention_policy->>'decisionMs')::bigint, ${defaultDecisionMs}) * interval '1 millisecond'`;
    return rows.map((r) => r.id);
  }

  /** Deletes decision records (their comparisons and receipts cascade; their audit lines stay). */
  async deleteSessions(ids: string[]): Promise<number> {
    return (await this.db.kycSession.deleteMany({ where: { id: { in: ids } } })).count;
  }

  /** Sessions still open in Postgres long after any run of theirs could be: candidates for `closeAbandoned`. */
  openSince(before: Date, limit: number) {
    return this.db.kycSession.findMany({
      where: { status: { in: ['AWAITING_FILES', 'PROCESSING'] }, createdAt: { lt: before } },
      select: { id: true, tenantId: true },
      take: limit,
      orderBy: { createdAt: 'asc' },
    });
  }

  /** Closes a session whose run ended without recording an outcome, so retention applies to it. */
  async closeAbandoned(id: string): Promise<boolean> {
    const { count } = await this.db.kycSession.updateMany({
      where: { id, status: { in: ['AWAITING_FILES', 'PROCESSING'] } },
      data: { status: 'FAILED', rejectionReason: 'ABANDONED', completedAt: new Date() },
    });
    return count === 1;
  }
}
