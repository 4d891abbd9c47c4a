import type { FaceSimilarityOutcome, RecordOutcomeInput } from '../contract/face-similarity.js';
import type { SessionStore } from '../db/session-store.js';
import type { OutcomeRecorder } from '../sessions/outcome-recorder.js';

/** Bookkeeping activities of the orchestration queue: they mirror the workflow's progress into Postgres. */
export function createOrchestrationActivities(deps: { sessions: Pick<SessionStore, 'markProcessing'>; recorder: Pick<OutcomeRecorder, 'record'> }) {
  return {
    async markSessionProcessing(input: { sessionId: string }): Promise<void> {
      await deps.sessions.markProcessing(input.sessionId);
    },
    /** Records the outcome once verified against Postgres, and returns what was recorded (v7 on). */
    async recordSessionOutcome(input: RecordOutcomeInput): Promise<FaceSimilarityOutcome> {
      return deps.recorder.record(input.sessionId, input.outcome);
    },
  };
}
