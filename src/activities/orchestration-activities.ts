import type { RecordOutcomeInput } from '../contract/face-similarity.js';
import type { SessionStore } from '../db/session-store.js';

/** Bookkeeping activities of the orchestration queue: they mirror the workflow's progress into Postgres. */
export function createOrchestrationActivities(deps: { sessions: SessionStore }) {
  return {
    async markSessionProcessing(input: { sessionId: string }): Promise<void> {
      await deps.sessions.markProcessing(input.sessionId);
    },
    async recordSessionOutcome(input: RecordOutcomeInput): Promise<void> {
      await deps.sessions.recordOutcome(input.sessionId, input.outcome);
    },
  };
}
