import type { ReviewDecision, ReviewSubmission, ReviewTrigger } from '../contract/face-similarity.js';
import type { DbClient } from './prisma.js';

export interface ReviewRequest {
  sessionId: string;
  tenantId: string;
  triggers: ReviewTrigger[];
  machineMatch: boolean;
  dueAt: Date;
  overdueAt: Date;
  onTimeout: ReviewDecision;
}

export type ReviewRow = NonNullable<Awaited<ReturnType<ReviewStore['find']>>>;

/** Outcome of a reviewer's attempt to decide: written now, written before by the same request, or taken. */
export type DecideResult = { kind: 'decided' | 'same-request'; row: ReviewRow } | { kind: 'taken'; row: ReviewRow } | { kind: 'none' };

/**
 * The reviews (`session_reviews`): the only writer of that table. A review is decided once; the
 * `decision IS NULL` guard in the same UPDATE makes a double click, a retry and the timeout policy
 * racing a reviewer all end with exactly one decision.
 */
export class ReviewStore {
  constructor(private readonly db: DbClient) {}

  /** Opens the review; a retried request (the recording activity again) keeps the first row. False then. */
  async request(review: ReviewRequest): Promise<boolean> {
    // INSERT … ON CONFLICT DO NOTHING: the worker's role may insert reviews, not rewrite them.
    return (await this.db.sessionReview.createMany({ data: [review], skipDuplicates: true })).count === 1;
  }

  find(sessionId: string) {
    return this.db.sessionReview.findUnique({ where: { sessionId } });
  }

  /** A reviewer's decision, unless one was taken already; `idempotencyKey` recognises a retry of the same request. */
  async decide(sessionId: string, tenantId: string, submission: ReviewSubmission, decidedBy: string, idempotencyKey: string): Promise<DecideResult> {
    const { count } = await this.db.sessionReview.updateMany({
      where: { sessionId, tenantId, decision: null },
      data: { decision: submission.decision, reasonCode: submission.reasonCode, note: submission.note ?? null, decidedBy, decidedAt: new Date(), idempotencyKey },
    });
    const row = await this.db.sessionReview.findFirst({ where: { sessionId, tenantId } });
    if (!row) return { kind: 'none' };
    if (count === 1) return { kind: 'decided', row };
    return row.idempotencyKey === idempotencyKey && row.decidedBy === decidedBy ? { kind: 'same-request', row } : { kind: 'taken', row };
  }

  /** The timeout policy's decision, only once the review is due and only if nobody decided. */
  async decideByTimeout(sessionId: string, now = new Date()): Promise<ReviewRow | null> {
    const row = await this.find(sessionId);
    if (!row || row.decision !== null || row.dueAt > now) return row;
    await this.db.sessionReview.updateMany({
      where: { sessionId, decision: null },
      data: { decision: row.onTimeout, reasonCode: 'REVIEW_TIMED_OUT', decidedBy: 'timeout-policy', decidedAt: now },
    });
    return this.find(sessionId);
  }

  /** Waiting reviews of a tenant, oldest first, after the cursor (requestedAt, sessionId). */
  waiting(tenantId: string, limit: number, after?: { requestedAt: Date; sessionId: string }) {
    return this.db.sessionReview.findMany({
      where: {
        tenantId,
        decision: null,
        session: { status: 'NEEDS_REVIEW' },
        ...(after ? { OR: [{ requestedAt: { gt: after.requestedAt } }, { requestedAt: after.requestedAt, sessionId: { gt: after.sessionId } }] } : {}),
      },
      orderBy: [{ requestedAt: 'asc' }, { sessionId: 'asc' }],
      take: limit,
    });
  }

  /** For the metrics: reviews waiting, the oldest one's age, and how many are past their service level. */
  async backlog(now = new Date()): Promise<{ waiting: number; oldestAgeSeconds: number; overdue: number }> {
    const [row] = await this.db.$queryRaw<{ waiting: bigint; oldest: Date | null; overdue: bigint }[]>`
      SELECT count(*) AS waiting, min(r.requested_at) AS oldest, count(*) FILTER (WHERE r.overdue_at < ${now}) AS overdue
      FROM session_reviews r JOIN kyc_sessions s ON s.id = r.session_id
      WHERE r.decision IS NULL AND s.status = 'NEEDS_REVIEW'`;
    return {
      waiting: Number(row?.waiting ?? 0),
      oldestAgeSeconds: row?.oldest ? Math.max(0, (now.getTime() - row.oldest.getTime()) / 1000) : 0,
      overdue: Number(row?.overdue ?? 0),
    };
  }

  /** Erasure keeps the decision (the AML record) but not the reviewer's free-text note. */
  async clearNote(sessionId: string): Promise<void> {
    await this.db.sessionReview.updateMany({ where: { sessionId, note: { not: null } }, data: { note: null } });
  }
}
