import type { RecordOutcomeInput } from '../contract/face-similarity.js';
import type { AuditLog } from '../db/audit-log.js';
import { metrics } from '../observability/metrics.js';
import type { SessionStore } from '../db/session-store.js';

/** Bookkeeping activities of the orchestration queue: they mirror the workflow's progress into Postgres. */
export function createOrchestrationActivities(deps: { sessions: SessionStore; audit: AuditLog }) {
  return {
    async markSessionProcessing(input: { sessionId: string }): Promise<void> {
      await deps.sessions.markProcessing(input.sessionId);
    },
    async recordSessionOutcome(input: RecordOutcomeInput): Promise<void> {
      await deps.sessions.recordOutcome(input.sessionId, input.outcome);
      const reason = input.outcome.status === 'REJECTED' || input.outcome.status === 'FAILED' ? input.outcome.reason : '';
      metrics.sessions.inc({ outcome: input.outcome.status, reason });
      const tenant = await deps.sessions.tenantOfSession(input.sessionId);
      const { outcome } = input;
      if (tenant) {
        await deps.audit.record({
          tenantId: tenant.tenantId,
          sessionId: input.sessionId,
          action: `SESSION_${outcome.status}`,
          actor: 'workflow',
          detail: outcome.status === 'REJECTED' || outcome.status === 'FAILED' ? outcome.reason : outcome.status === 'EXPIRED' ? `missing ${outcome.missing.join(',')}` : undefined,
        });
      }
    },
  };
}
