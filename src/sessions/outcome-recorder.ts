import type { Logger } from 'pino';
import { REJECTION_REASONS, type FaceMatchVerdict, type FaceSimilarityOutcome, type ReviewRecord, type ReviewRequired } from '../contract/face-similarity.js';
import { comparisonKeyOf } from '../contract/result.js';
import { AuditLog } from '../db/audit-log.js';
import { livenessOf } from '../db/comparison-rows.js';
import { inTransaction, type Db } from '../db/prisma.js';
import { ReviewStore, type ReviewRow } from '../db/review-store.js';
import { SessionStore, type RecordedOutcome } from '../db/session-store.js';
import type { TenantStore } from '../db/tenant-store.js';
import type { ServiceMetrics } from '../observability/metrics.js';
import type { Decisions } from './decisions.js';
import { reviewTriggers } from './review-rules.js';

/**
 * Records a session's outcome as the workflow claims it, after checking the claim against
 * evidence Temporal cannot forge. A COMPLETED claim stands only if it names a signed comparison of
 * this session (its match read from the row, not from the claim); otherwise the session is
 * recorded FAILED with VERDICT_UNVERIFIED and the refusal is audited. Rejections, expiries and
 * failures are recorded as claimed: a forged one can only turn a customer away, never let one in.
 * Returns what was recorded, which the workflow then reports and sends. Where the tenant's review
 * policy wants a person to confirm a verified decision, it opens a review instead and says so;
 * the final decision is then the reviewer's, read from their row, or the timeout policy's.
 */
export class OutcomeRecorder {
  constructor(
    private readonly deps: {
      db: Db;
      decisions: Decisions;
      tenants: Pick<TenantStore, 'reviewPolicy'>;
      metrics: Pick<ServiceMetrics, 'sessions' | 'reviewDecisions'>;
      logger: Logger;
    },
  ) {}

  async record(sessionId: string, claimed: FaceSimilarityOutcome, options: { reviewable?: boolean } = {}): Promise<FaceSimilarityOutcome | ReviewRequired> {
    const outcome = await this.verified(sessionId, claimed);
    if (options.reviewable && outcome.status === 'COMPLETED') {
      const review = await this.openReview(sessionId, outcome.result);
      if (review) return review;
    }
    return this.write(sessionId, claimed, outcome);
  }

  /** The final decision of a session that waited for review; `ended` says why the wait ended. */
  async recordReviewed(sessionId: string, ended: 'SUBMITTED' | 'TIMED_OUT'): Promise<FaceSimilarityOutcome> {
    const reviews = new ReviewStore(this.deps.db);
    const session = await new SessionStore(this.deps.db).find(sessionId);
    // The machine's verdict from the signed row recorded when the review opened, not from the history.
    const machine = await this.verified(sessionId, { status: 'COMPLETED', result: { comparisonKey: session?.resultKey ?? '', similarity: 0, match: false, threshold: 0 } });
    // A decision comes from a reviewer's row, or from the timeout policy once the review is due;
    // an Update forged through Temporal without either decides nothing.
    const row = ended === 'TIMED_OUT' ? await reviews.decideByTimeout(sessionId) : await reviews.find(sessionId);
    // A retry of this activity after it recorded (its worker died before reporting): the same answer, written once.
    if (session?.status === 'COMPLETED' && machine.status === 'COMPLETED' && row?.decision) return { status: 'COMPLETED', result: reviewedVerdict(machine.result, row) };
    if (session?.status !== 'NEEDS_REVIEW' || machine.status !== 'COMPLETED' || !row?.decision) {
      this.deps.logger.error({ sessionId, ended, status: session?.status }, 'SECURITY: a review ended without a reviewer decision or a due timeout behind it; recorded as FAILED');
      const refused: FaceSimilarityOutcome = { status: 'FAILED', reason: 'VERDICT_UNVERIFIED', message: 'the review decision could not be verified' };
      return this.write(sessionId, refused, refused);
    }
    const reviewed = reviewedVerdict(machine.result, row);
    this.deps.metrics.reviewDecisions.inc({ decision: row.decision, decided_by: row.decidedBy === 'timeout-policy' ? 'timeout-policy' : 'reviewer' });
    return this.write(sessionId, { status: 'COMPLETED', result: reviewed }, { status: 'COMPLETED', result: reviewed }, row);
  }

  private async openReview(sessionId: string, verdict: FaceMatchVerdict): Promise<ReviewRequired | null> {
    const session = await new SessionStore(this.deps.db).find(sessionId);
    if (!session || session.status === 'DELETED') return null;
    const policy = await this.deps.tenants.reviewPolicy(session.tenantId);
    const row = await this.deps.decisions.named(verdict.comparisonKey, sessionId);
    const triggers = reviewTriggers(policy, verdict, row ? livenessOf(row) : null);
    if (!policy || triggers.length === 0) return null;
    const now = Date.now();
    const opened = await inTransaction(this.deps.db, async (tx) => {
      const created = await new ReviewStore(tx).request({
        sessionId, tenantId: session.tenantId, triggers, machineMatch: verdict.match,
        dueAt: new Date(now + policy.timeoutMs), overdueAt: new Date(now + policy.serviceLevelMs), onTimeout: policy.onTimeout,
      });
      if (!(await new SessionStore(tx).markNeedsReview(sessionId, verdict.comparisonKey))) return false;
      // A retried activity finds its review open already: one audit line per review.
      if (created) await new AuditLog(tx).record({ tenantId: session.tenantId, sessionId, action: 'REVIEW_REQUESTED', actor: 'workflow', detail: triggers.join(',') });
      return true;
    });
    if (!opened) return null;
    const review = await new ReviewStore(this.deps.db).find(sessionId);
    // A retried activity must wait for the same deadline, not a fresh one.
    return { status: 'NEEDS_REVIEW', triggers, waitMs: Math.max(0, (review?.dueAt.getTime() ?? now + policy.timeoutMs) - Date.now()) };
  }

  private async write(sessionId: string, claimed: FaceSimilarityOutcome, outcome: FaceSimilarityOutcome, review?: ReviewRow): Promise<FaceSimilarityOutcome> {
    const refused = claimed.status === 'COMPLETED' && outcome.status !== 'COMPLETED';
    const recorded: RecordedOutcome = {
      status: outcome.status,
      rejectionReason: outcome.status === 'REJECTED' || outcome.status === 'FAILED' ? outcome.reason : null,
      resultKey: outcome.status === 'COMPLETED' ? outcome.result.comparisonKey : null,
    };
    const tenantId = await inTransaction(this.deps.db, async (tx) => {
      const sessions = new SessionStore(tx);
      const tenant = await sessions.tenantOf(sessionId);
      if (!tenant || !(await sessions.recordOutcome(sessionId, recorded))) return null;
      const audit = new AuditLog(tx);
      if (refused) await audit.record({ tenantId: tenant, sessionId, action: 'VERDICT_REFUSED', actor: 'workflow', detail: 'claimed COMPLETED without a signed comparison' });
      if (review) await audit.record({ tenantId: tenant, sessionId, action: 'REVIEW_DECIDED', actor: review.decidedBy ?? 'workflow', requestId: review.idempotencyKey ?? undefined, detail: `${review.decision}:${review.reasonCode}` });
      await audit.record({ tenantId: tenant, sessionId, action: `SESSION_${outcome.status}`, actor: 'workflow', detail: detailOf(outcome) });
      return tenant;
    });
    if (tenantId) this.deps.metrics.sessions.inc({ outcome: outcome.status, reason: recorded.rejectionReason ?? '' });
    return outcome;
  }

  private async verified(sessionId: string, claimed: FaceSimilarityOutcome): Promise<FaceSimilarityOutcome> {
    if (claimed.status === 'REJECTED') {
      // Kept as a string for old histories, but only a known reason is written.
      return (REJECTION_REASONS as readonly string[]).includes(claimed.reason) ? claimed : { ...claimed, reason: 'REJECTED' };
    }
    if (claimed.status !== 'COMPLETED') return claimed;
    const key = comparisonKeyOf(claimed.result);
    const row = await this.deps.decisions.named(key, sessionId);
    if (row?.status === 'COMPLETED' && row.similarity !== null && row.match !== null && row.threshold !== null) {
      const liveness = livenessOf(row);
      return { status: 'COMPLETED', result: { comparisonKey: key, similarity: row.similarity, match: row.match, threshold: row.threshold, ...(liveness ? { livenessVerdict: liveness.verdict } : {}) } };
    }
    this.deps.logger.error({ sessionId, comparisonKey: key }, 'SECURITY: the workflow claimed a completed comparison that no signed row of this session backs; recorded as FAILED');
    return { status: 'FAILED', reason: 'VERDICT_UNVERIFIED', message: 'the claimed comparison result could not be verified' };
  }
}

/** The verified machine verdict with the person's decision on top: `match` is theirs. */
function reviewedVerdict(machine: FaceMatchVerdict, row: ReviewRow): FaceMatchVerdict {
  return {
    ...machine,
    match: row.decision === 'APPROVE',
    review: {
      decision: row.decision === 'APPROVE' ? 'APPROVE' : 'REJECT',
      reasonCode: row.reasonCode ?? '',
      decidedBy: row.decidedBy ?? '',
      decidedAt: (row.decidedAt ?? new Date()).toISOString(),
      machineMatch: row.machineMatch,
      triggers: row.triggers as ReviewRecord['triggers'],
    },
  };
}

function detailOf(outcome: FaceSimilarityOutcome): string | undefined {
  if (outcome.status === 'REJECTED' || outcome.status === 'FAILED') return outcome.reason;
  if (outcome.status === 'EXPIRED') return `missing ${outcome.missing.join(',')}`;
  return undefined;
}
