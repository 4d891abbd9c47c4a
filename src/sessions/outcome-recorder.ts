import type { Logger } from 'pino';
import { REJECTION_REASONS, type FaceSimilarityOutcome } from '../contract/face-similarity.js';
import { comparisonKeyOf } from '../contract/result.js';
import { AuditLog } from '../db/audit-log.js';
import { livenessOf } from '../db/comparison-rows.js';
import { inTransaction, type Db } from '../db/prisma.js';
import { SessionStore, type RecordedOutcome } from '../db/session-store.js';
import type { ServiceMetrics } from '../observability/metrics.js';
import type { Decisions } from './decisions.js';

/**
 * Records a session's outcome as the workflow claims it, after checking the claim against
 * evidence Temporal cannot forge. A COMPLETED claim stands only if it names a signed comparison of
 * this session (its match read from the row, not from the claim); otherwise the session is
 * recorded FAILED with VERDICT_UNVERIFIED and the refusal is audited. Rejections, expiries and
 * failures are recorded as claimed: a forged one can only turn a customer away, never let one in.
 * Returns what was recorded, which the workflow then reports and sends.
 */
export class OutcomeRecorder {
  constructor(
    private readonly deps: { db: Db; decisions: Decisions; metrics: Pick<ServiceMetrics, 'sessions'>; logger: Logger },
  ) {}

  async record(sessionId: string, claimed: FaceSimilarityOutcome): Promise<FaceSimilarityOutcome> {
    const outcome = await this.verified(sessionId, claimed);
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

function detailOf(outcome: FaceSimilarityOutcome): string | undefined {
  if (outcome.status === 'REJECTED' || outcome.status === 'FAILED') return outcome.reason;
  if (outcome.status === 'EXPIRED') return `missing ${outcome.missing.join(',')}`;
  return undefined;
}
