import type { FaceSimilarityOutcome, RecordOutcomeInput, RecordReviewedInput, ReviewRequired } from '../contract/face-similarity.js';
import type { SessionStore } from '../db/session-store.js';
import type { OutcomeRecorder } from '../sessions/outcome-recorder.js';

/** Bookkeeping activities of the orchestration queue: they mirror the workflow's progress into Postgres. */
export function createOrchestrationActivities(deps: { sessions: Pick<SessionStore, 'markProcessing'>; recorder: Pick<OutcomeRecorder, 'record' | 'recordReviewed'> }) {
  return {
    async markSessionProcessing(input: { sessionId: string }): Promise<void> {
      await deps.sessions.markProcessing(input.sessionId);
    },
    /**
     * Records the outcome once verified against Postgres, and returns what was recorded (v7 on);
     * or, where the tenant's review policy applies (v8 on), that the decision waits for a person.
     */
    async recordSessionOutcome(input: RecordOutcomeInput): Promise<FaceSimilarityOutcome | ReviewRequired> {
      return deps.recorder.record(input.sessionId, input.outcome, { reviewable: input.reviewable === true });
    },
    /** Records the final decision of a session that waited for review: the reviewer's, or the tenant's timeout policy. */
    async recordReviewedOutcome(input: RecordReviewedInput): Promise<FaceSimilarityOutcome> {
      return deps.recorder.recordReviewed(input.sessionId, input.review);
    },
  };
}
